// The NF4 dequantize-matmul as a Halide 14 generator, for bench/halide_nf4.py:
// Y[M, N] = X[M, K] · W where W is an NF4 weight in Quern's storage (codes
// two a byte, element 2i in the low nibble, one f32 absmax per `block`
// consecutive elements in row-major order; quern.dequantize's definition),
// stored [K, N] (x @ W) or, `transposed`, [N, K] (x @ Wᵀ, Linear's layout).
//
// The schedule decodes a panel of NB columns of W (all of K) once, in
// vectors, then computes every row tile of Y against it, each tile by
// register tiles of 2 vectors × 8 rows over chunks of K (the Halide
// project's own SGEMM schedule, bench/halide's recipe), threads over
// panels.
#include "Halide.h"

#include "dialects/quern/NF4Levels.h"

using namespace Halide;

namespace {

class Nf4MatMul : public Generator<Nf4MatMul> {
public:
  GeneratorParam<int> rows{"rows", 512};
  GeneratorParam<int> depth{"depth", 768};
  GeneratorParam<int> columns{"columns", 768};
  GeneratorParam<int> block{"block", 64};
  GeneratorParam<bool> transposed{"transposed", false};
  GeneratorParam<int> panel{"panel", 128};

  Input<Buffer<float>> x{"x", 2}; // (k, m)
  Input<Buffer<uint8_t>> codes{"codes", 1};
  Input<Buffer<float>> scales{"scales", 1};
  Output<Buffer<float>> y{"y", 2}; // (n, m)

  void generate() {
    const int M = rows, K = depth, N = columns;
    Buffer<float> table(16, "nf4_levels");
    for (int i = 0; i < 16; ++i)
      table(i) = quern::kNF4Levels[i];
    Var n("n"), m("m"), k("k");
    Expr e = transposed ? n * K + k : k * N + n;
    Expr byte = cast<int32_t>(codes(e / 2));
    Expr nibble = select(e % 2 == 0, byte & 15, byte >> 4);
    weight(n, k) = table(nibble) * scales(e / int(block));

    RDom r(0, K, "r");
    product(n, m) = 0.0f;
    product(n, m) += x(r, m) * weight(n, r);
    y(n, m) = product(n, m);

    x.dim(0).set_bounds(0, K).set_stride(1);
    x.dim(1).set_bounds(0, M).set_stride(K);
    codes.dim(0).set_bounds(0, K * N / 2);
    scales.dim(0).set_bounds(0, K * N / int(block));
    y.dim(0).set_bounds(0, N).set_stride(1);
    y.dim(1).set_bounds(0, M).set_stride(N);
  }

  void schedule() {
    const int vec = natural_vector_size<float>();
    const int NB = panel, MB = 64, KC = 128;
    Var n = y.args()[0], m = y.args()[1];
    Var no("no"), ni("ni"), mo("mo"), mi("mi"), nii("nii"), mii("mii");
    RVar ro("ro"), ri("ri");
    y.split(n, no, ni, NB)
        .split(m, mo, mi, MB)
        .reorder(ni, mi, mo, no)
        .parallel(no)
        .vectorize(ni, vec);
    Var wn = weight.args()[0];
    weight.compute_at(y, no).vectorize(wn, vec);
    product.compute_at(y, mo).vectorize(product.args()[0], vec);
    product.update()
        .split(RVar(product.update().get_schedule().dims()[0].var), ro, ri, KC)
        .tile(product.args()[0], product.args()[1], nii, mii, 2 * vec, 8)
        .reorder(nii, mii, ri, product.args()[0], product.args()[1], ro)
        .vectorize(nii, vec)
        .unroll(nii)
        .unroll(mii);
  }

private:
  Func weight{"weight"}, product{"product"};
};

} // namespace

HALIDE_REGISTER_GENERATOR(Nf4MatMul, nf4_matmul)
