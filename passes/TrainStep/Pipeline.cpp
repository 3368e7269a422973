//===- Pipeline.cpp - the graph passes that make a training step -*- C++ -*-=//
//
// What quernc runs between import and code generation for --train, and
// quern-opt as --quern-train-pipeline: the same function builds both, so
// `quern-opt model.mlir --quern-train-pipeline='...'` reproduces quernc.
// Graph passes take their place here, in DESIGN.md's order.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "passes/TrainStep/Optimizers.h"

using namespace mlir;

void quern::buildGraphPipeline(OpPassManager &pm, const GraphOptions &options) {
  if (options.fuseExperts)
    pm.addPass(createFuseExpertsPass(options.experts));
}

void quern::buildTrainStepPipeline(OpPassManager &pm,
                                   const TrainStepOptions &options) {
  buildGraphPipeline(pm, options.graph);
  MarkTrainablePassOptions mark;
  mark.trainable = options.trainable;
  mark.freeze = options.freeze;
  pm.addPass(createMarkTrainablePass(mark));
  if (options.lora) {
    LoraPassOptions lora = *options.lora;
    lora.targets = options.loraTargets;
    pm.addPass(createLoraPass(lora));
  }
  if (options.quantize) {
    QuantizePassOptions quantize = *options.quantize;
    quantize.only = options.quantizeOnly;
    pm.addPass(createQuantizePass(quantize));
  }
  pm.addPass(createMakeTrainStepPass(options.step));
  pm.addPass(createPlaceUpdatesPass());
}

namespace {
/// The options of both passes, spelled as theirs are.
struct TrainPipelineOptions : PassPipelineOptions<TrainPipelineOptions> {
  ListOption<std::string> trainable{
      *this, "trainable",
      llvm::cl::desc("Globs of the parameters to train (none: every one)")};
  ListOption<std::string> freeze{
      *this, "freeze", llvm::cl::desc("Globs of the parameters not to train")};
  Option<std::string> loss{
      *this, "loss",
      llvm::cl::desc("The output that is the loss (empty: the only scalar "
                     "float output)")};
  Option<std::string> optimizer{
      *this, "optimizer",
      llvm::cl::desc("The optimizer: " + quern::optimizerNames()),
      llvm::cl::init("sgd")};
  Option<double> momentum{*this, "momentum",
                          llvm::cl::desc("Momentum (-1: the default)"),
                          llvm::cl::init(-1)};
  Option<double> beta1{*this, "beta1",
                       llvm::cl::desc("Adam's beta1 (-1: the default)"),
                       llvm::cl::init(-1)};
  Option<double> beta2{*this, "beta2",
                       llvm::cl::desc("Adam's beta2 (-1: the default)"),
                       llvm::cl::init(-1)};
  Option<double> eps{*this, "eps", llvm::cl::desc("Epsilon (-1: the default)"),
                     llvm::cl::init(-1)};
  Option<double> weightDecay{*this, "weight-decay",
                             llvm::cl::desc("Weight decay (-1: the default)"),
                             llvm::cl::init(-1)};
  Option<double> clipGradNorm{
      *this, "clip-grad-norm",
      llvm::cl::desc("Clip the global gradient norm (0: no clipping)"),
      llvm::cl::init(0)};
  Option<std::string> gradientSuffix{
      *this, "gradient-suffix",
      llvm::cl::desc("The graph computes its own gradients, output "
                     "<param><suffix> being param's")};
  Option<int> accumulate{*this, "accumulate",
                         llvm::cl::desc("Micro-batches per step"),
                         llvm::cl::init(1)};
  Option<int64_t> loraRank{
      *this, "lora-rank",
      llvm::cl::desc("Add LoRA adapters of this rank (quern-lora; 0: none)"),
      llvm::cl::init(0)};
  Option<double> loraAlpha{*this, "lora-alpha",
                           llvm::cl::desc("The adapters' alpha (0: the rank)"),
                           llvm::cl::init(0)};
  Option<double> loraDropout{
      *this, "lora-dropout",
      llvm::cl::desc("Dropout on the adapters' input in training (0: none)"),
      llvm::cl::init(0)};
  Option<int64_t> seed{*this, "seed",
                       llvm::cl::desc("Seeds the adapters' dropout masks"),
                       llvm::cl::init(0)};
  ListOption<std::string> loraTargets{
      *this, "lora-targets",
      llvm::cl::desc("Globs of the weights to adapt (none: every product's)")};
  Option<std::string> quantizeFrozen{
      *this, "quantize-frozen",
      llvm::cl::desc("Quantize the frozen weights that only products read: "
                     "nf4, int4 or int8 (quern-quantize; empty: none)")};
  Option<int64_t> quantBlock{
      *this, "quant-block",
      llvm::cl::desc("Elements that share a quantization scale"),
      llvm::cl::init(quern::QuantizePassOptions().block)};
  Option<bool> doubleQuant{
      *this, "double-quant",
      llvm::cl::desc("Store the quantization scales as int8 codes too"),
      llvm::cl::init(false)};
  ListOption<std::string> quantizeOnly{
      *this, "quantize-only",
      llvm::cl::desc("Globs of the weights to quantize (none: every one that "
                     "can be)")};
  Option<bool> fuseExperts{
      *this, "fuse-experts",
      llvm::cl::desc("Fuse mixture-of-experts blocks (quern-fuse-experts)"),
      llvm::cl::init(true)};
};
} // namespace

void quern::registerTrainStepPipeline() {
  PassPipelineRegistration<TrainPipelineOptions>(
      "quern-train-pipeline",
      "Build @train_step from @forward as quernc --train does: fuse "
      "mixture-of-experts blocks, mark the trainable parameters, add LoRA "
      "adapters and quantize frozen weights when asked, then add loss, "
      "gradients and optimizer",
      [](OpPassManager &pm, const TrainPipelineOptions &pipeline) {
        TrainStepOptions options;
        options.trainable.assign(pipeline.trainable.begin(),
                                 pipeline.trainable.end());
        options.freeze.assign(pipeline.freeze.begin(), pipeline.freeze.end());
        options.step.loss = pipeline.loss;
        options.step.optimizer = pipeline.optimizer;
        options.step.momentum = pipeline.momentum;
        options.step.beta1 = pipeline.beta1;
        options.step.beta2 = pipeline.beta2;
        options.step.eps = pipeline.eps;
        options.step.weightDecay = pipeline.weightDecay;
        options.step.clipGradNorm = pipeline.clipGradNorm;
        options.step.gradientSuffix = pipeline.gradientSuffix;
        options.step.accumulate = pipeline.accumulate;
        options.graph.fuseExperts = pipeline.fuseExperts;
        if (pipeline.loraRank > 0) {
          LoraPassOptions &lora = options.lora.emplace();
          lora.rank = pipeline.loraRank;
          lora.alpha = pipeline.loraAlpha;
          lora.dropout = pipeline.loraDropout;
          lora.seed = pipeline.seed;
          options.loraTargets.assign(pipeline.loraTargets.begin(),
                                     pipeline.loraTargets.end());
        }
        if (!pipeline.quantizeFrozen.empty()) {
          QuantizePassOptions &quantize = options.quantize.emplace();
          quantize.scheme = pipeline.quantizeFrozen;
          quantize.block = pipeline.quantBlock;
          quantize.doubleQuant = pipeline.doubleQuant;
          options.quantizeOnly.assign(pipeline.quantizeOnly.begin(),
                                      pipeline.quantizeOnly.end());
        }
        buildTrainStepPipeline(pm, options);
      });
}
