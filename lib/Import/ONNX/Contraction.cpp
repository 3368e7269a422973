//===- Contraction.cpp - ONNX Gemm and MatMul -------------------*- C++ -*-===//
//
// Both become quern.matmul: Gemm's transposes are flags, its C a bias; its
// alpha and beta scale A and C. MatMul's numpy semantics (1-D operands,
// broadcast batch dimensions) are made explicit with reshapes and
// broadcasts around one batched matmul.
//
//===----------------------------------------------------------------------===//

#include "OpTable.h"

#include "dialects/quern/QuernOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace quern;
using namespace quern::onnx_import;

/// Whether `from` broadcasts to `to` in one direction (numpy rules).
static bool broadcastsTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  for (auto [fromDim, toDim] :
       llvm::zip(llvm::reverse(from), llvm::reverse(to)))
    if (fromDim != 1 && fromDim != toDim)
      return false;
  return true;
}

static LogicalResult importGemm(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  if (failed(node.requireFloat(node.inputType(0))))
    return failure();
  // ONNX's shape inference of Gemm checks neither K nor C's shape; left
  // unchecked they would surface as verifier errors of quern ops.
  bool transA = node.intAttribute("transA", 0) != 0;
  bool transB = node.intAttribute("transB", 0) != 0;
  int64_t lhsK = node.inputType(0).getDimSize(transA ? 0 : 1);
  int64_t rhsK = node.inputType(1).getDimSize(transB ? 1 : 0);
  if (lhsK != rhsK)
    return node.emitError() << "the K dimensions of A (" << lhsK << ") and B ("
                            << rhsK << ") differ";
  if (node.hasInput(2) &&
      !broadcastsTo(node.inputType(2).getShape(), type->getShape()))
    return node.emitError()
           << "C of type " << node.inputType(2)
           << " does not broadcast to the result type " << *type;
  Value lhs = node.input(0), rhs = node.input(1);
  float alpha = node.floatAttribute("alpha", 1.0f);
  float beta = node.floatAttribute("beta", 1.0f);
  if (alpha != 1.0f)
    lhs = node.builder.create<MulOp>(
        node.loc, lhs, node.splatConstant(node.inputType(0), alpha));

  Value bias;
  if (node.hasInput(2) && beta != 0.0f) {
    bias = node.input(2);
    if (beta != 1.0f)
      bias = node.builder.create<MulOp>(
          node.loc, bias, node.splatConstant(node.inputType(2), beta));
    // A bias over columns stays a vector; any other shape is broadcast.
    int64_t columns = type->getDimSize(1);
    ArrayRef<int64_t> shape = node.inputType(2).getShape();
    bool overColumns =
        (shape.size() == 1 && shape[0] == columns) ||
        (shape.size() == 2 && shape[0] == 1 && shape[1] == columns);
    if (overColumns)
      bias = node.reshapeTo(
          bias, RankedTensorType::get({columns}, type->getElementType()));
    else
      bias = node.broadcastTo(bias, *type);
  }
  auto matmul = node.builder.create<MatMulOp>(node.loc, *type, lhs, rhs, bias,
                                              transA, transB);
  node.setResult(0, matmul);
  return success();
}

/// `value` as a transpose of the last two dimensions of some tensor: that
/// tensor (and `transposed` set), which quern.matmul reads transposed by
/// itself; else `value`.
static Value peelTranspose(Value value, bool &transposed) {
  auto transpose = value.getDefiningOp<TransposeOp>();
  if (!transpose)
    return value;
  ArrayRef<int64_t> perm = transpose.getPerm();
  int64_t rank = perm.size();
  for (int64_t dim = 0; dim < rank - 2; ++dim)
    if (perm[dim] != dim)
      return value;
  if (perm[rank - 2] != rank - 1 || perm[rank - 1] != rank - 2)
    return value;
  transposed = true;
  return transpose.getInput();
}

static LogicalResult importMatMul(NodeImporter &node) {
  FailureOr<RankedTensorType> type = node.resultType(0);
  if (failed(type))
    return failure();
  if (failed(node.requireFloat(node.inputType(0))))
    return failure();
  RankedTensorType lhsType = node.inputType(0), rhsType = node.inputType(1);
  Type elementType = type->getElementType();

  // x[b..., m, k] · w[k, n], one matrix for the whole batch (a Linear
  // layer): one GEMM over all the rows of x, as PyTorch computes it. A
  // batched product would copy w per batch element, and its gradient would
  // be a batch of products and a sum.
  if (rhsType.getRank() == 2 && lhsType.getRank() >= 3 &&
      lhsType.hasStaticShape()) {
    int64_t rows = 1;
    for (int64_t dim : lhsType.getShape().drop_back())
      rows *= dim;
    bool transposeRhs = false;
    Value rhs = peelTranspose(node.input(1), transposeRhs);
    Value lhs = node.reshapeTo(
        node.input(0),
        RankedTensorType::get({rows, lhsType.getShape().back()}, elementType));
    Value product = node.builder.create<MatMulOp>(
        node.loc,
        RankedTensorType::get({rows, rhsType.getDimSize(1)}, elementType), lhs,
        rhs, Value(), false, transposeRhs);
    node.setResult(0, node.reshapeTo(product, *type));
    return success();
  }

  // 1-D operands are a row (lhs) or a column (rhs) whose unit dimension the
  // result then drops.
  SmallVector<int64_t> lhsShape(lhsType.getShape()),
      rhsShape(rhsType.getShape());
  if (lhsShape.size() == 1)
    lhsShape.insert(lhsShape.begin(), 1);
  if (rhsShape.size() == 1)
    rhsShape.push_back(1);
  int64_t m = lhsShape[lhsShape.size() - 2], k = lhsShape.back();
  int64_t n = rhsShape.back();

  // Batch dimensions broadcast against each other.
  ArrayRef<int64_t> lhsBatch = ArrayRef<int64_t>(lhsShape).drop_back(2);
  ArrayRef<int64_t> rhsBatch = ArrayRef<int64_t>(rhsShape).drop_back(2);
  size_t batchRank = std::max(lhsBatch.size(), rhsBatch.size());
  SmallVector<int64_t> batch(batchRank, 1);
  for (size_t i = 0; i < batchRank; ++i) {
    auto at = [&](ArrayRef<int64_t> dims) -> int64_t {
      size_t offset = batchRank - dims.size();
      return i < offset ? 1 : dims[i - offset];
    };
    batch[i] = std::max(at(lhsBatch), at(rhsBatch));
  }
  auto operandType = [&](int64_t rows, int64_t columns) {
    SmallVector<int64_t> shape(batch);
    shape.append({rows, columns});
    return RankedTensorType::get(shape, elementType);
  };
  // An operand already of its full shape is used as it is, or untransposed
  // with the matmul's flag; others are reshaped and broadcast.
  auto operand = [&](unsigned index, ArrayRef<int64_t> shape,
                     RankedTensorType full, bool &transposed) {
    if (node.inputType(index).getShape() == full.getShape())
      return peelTranspose(node.input(index), transposed);
    Value value = node.reshapeTo(node.input(index),
                                 RankedTensorType::get(shape, elementType));
    return node.broadcastTo(value, full);
  };
  bool transposeLhs = false, transposeRhs = false;
  Value lhs = operand(0, lhsShape, operandType(m, k), transposeLhs);
  Value rhs = operand(1, rhsShape, operandType(k, n), transposeRhs);
  Value product =
      node.builder.create<MatMulOp>(node.loc, operandType(m, n), lhs, rhs,
                                    Value(), transposeLhs, transposeRhs);
  node.setResult(0, node.reshapeTo(product, *type));
  return success();
}

/// ONNX's equation in quern's explicit form: ellipses become letters of
/// their own (aligned from the right, as they broadcast) and an implicit
/// result is spelled out (ellipsis letters, then the letters used once, in
/// alphabetical order).
static FailureOr<std::string> explicitEquation(NodeImporter &node,
                                               ArrayRef<int64_t> ranks) {
  std::string equation;
  for (char c : node.node.attribute(0).s())
    if (c != ' ')
      equation.push_back(c);
  StringRef text(equation);
  auto [inputText, resultText] = text.split("->");
  bool hasResult = text.contains("->");
  SmallVector<StringRef> operands;
  inputText.split(operands, ',');
  if (operands.size() != ranks.size())
    return node.emitError()
           << "equation '" << equation << "' names " << operands.size()
           << " operands, the node has " << ranks.size();
  std::string fresh;
  for (char c = 'a'; c <= 'z'; ++c)
    if (!text.contains(c))
      fresh.push_back(c);
  for (char c = 'A'; c <= 'Z'; ++c)
    if (!text.contains(c))
      fresh.push_back(c);
  size_t ellipsisRank = 0;
  SmallVector<std::string> expanded;
  for (auto [operand, rank] : llvm::zip_equal(operands, ranks)) {
    size_t dots = operand.find("...");
    if (dots == StringRef::npos) {
      expanded.push_back(operand.str());
      continue;
    }
    size_t named = operand.size() - 3;
    if (static_cast<size_t>(rank) < named)
      return node.emitError()
             << "operand '" << operand << "' has rank " << rank;
    size_t count = rank - named;
    ellipsisRank = std::max(ellipsisRank, count);
    expanded.push_back((operand.take_front(dots) +
                        StringRef(fresh).substr(fresh.size() - count) +
                        operand.drop_front(dots + 3))
                           .str());
  }
  if (fresh.size() < ellipsisRank)
    return node.emitError() << "equation '" << equation
                            << "' leaves too few letters for its ellipsis";
  std::string ellipsisLetters =
      fresh.substr(fresh.size() - ellipsisRank, ellipsisRank);
  std::string result;
  if (hasResult) {
    size_t dots = resultText.find("...");
    result = dots == StringRef::npos
                 ? resultText.str()
                 : (resultText.take_front(dots) + ellipsisLetters +
                    resultText.drop_front(dots + 3))
                       .str();
  } else {
    std::map<char, int> counts;
    for (const std::string &operand : expanded)
      for (char c : operand)
        if (ellipsisLetters.find(c) == std::string::npos)
          ++counts[c];
    result = ellipsisLetters;
    for (auto [letter, count] : counts)
      if (count == 1)
        result.push_back(letter);
  }
  return llvm::join(expanded, ",") + "->" + result;
}

/// Einsum becomes one quern.einsum. ONNX's shape inference gives Einsum's
/// result a rank only, so its type comes from the explicit equation: a
/// letter's extent is the largest of its operands', and operands broadcast
/// (numpy rules) along dimensions of extent 1.
static LogicalResult importEinsum(NodeImporter &node) {
  SmallVector<Value> operands;
  SmallVector<int64_t> ranks;
  for (int i = 0; i < node.node.input_size(); ++i) {
    operands.push_back(node.input(i));
    ranks.push_back(node.inputType(i).getRank());
  }
  FailureOr<std::string> equation = explicitEquation(node, ranks);
  if (failed(equation))
    return failure();
  auto [termsText, resultText] = StringRef(*equation).split("->");
  SmallVector<StringRef> terms;
  termsText.split(terms, ',');
  llvm::DenseMap<char, int64_t> extents;
  for (auto [term, operand] : llvm::zip_equal(terms, operands)) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(operand.getType()).getShape();
    if (term.size() != shape.size())
      return node.emitError()
             << "operand '" << term << "' has rank " << shape.size();
    for (auto [letter, extent] : llvm::zip_equal(term, shape)) {
      int64_t &known = extents.try_emplace(letter, extent).first->second;
      if (known == 1)
        known = extent;
      else if (extent != 1 && extent != known)
        return node.emitError()
               << "dimension '" << letter << "' of '" << *equation
               << "' has extents " << known << " and " << extent;
    }
  }
  for (auto [term, operand] : llvm::zip_equal(terms, operands)) {
    SmallVector<int64_t> shape;
    for (char letter : term)
      shape.push_back(extents.lookup(letter));
    operand = node.broadcastTo(operand, shape);
  }
  SmallVector<int64_t> resultShape;
  for (char letter : resultText) {
    auto found = extents.find(letter);
    if (found == extents.end())
      return node.emitError() << "result letter '" << letter << "' of '"
                              << *equation << "' names no operand dimension";
    resultShape.push_back(found->second);
  }
  auto type =
      RankedTensorType::get(resultShape, node.inputType(0).getElementType());
  if (failed(node.requireElementType(
          type, [](Type t) { return !t.isInteger(1); }, "numeric")))
    return failure();
  node.setResult(0, node.build<EinsumOp>(
                        type, node.builder.getStringAttr(*equation), operands));
  return success();
}

/// com.microsoft.MatMulNBits (ONNX Runtime's contrib op, as its quantizers
/// write it): Y = A · Bᵀ with B [N, K] stored as unsigned `bits`-bit codes
/// in blocks of `block_size` along K, each with a scale and a zero point
/// (uint8 zero_points, or the codes' middle, 8 or 128, without). B and the
/// zero points (initializers quernc keeps as frozen state) are read through
/// quern.dequantize, which the product decodes as it packs it.
static LogicalResult importMatMulNBits(NodeImporter &node) {
  if (failed(node.requireFloat(node.inputType(0))))
    return failure();
  if (node.hasInput(4))
    return node.emitError() << "supports no g_idx input (blocks of "
                               "consecutive rows of K, not act-order groups)";
  int64_t k = node.intAttribute("K", 0), n = node.intAttribute("N", 0);
  int64_t bits = node.intAttribute("bits", 4),
          block = node.intAttribute("block_size", 0);
  if (bits != 4 && bits != 8)
    return node.emitError() << "supports 4 or 8 bits, not " << bits;
  if (k <= 0 || n <= 0 || block < 16 || !llvm::isPowerOf2_64(block))
    return node.emitError()
           << "expects positive K and N and a block_size that is a power of "
              "two from 16, got K "
           << k << ", N " << n << ", block_size " << block;
  if (k % block != 0)
    return node.emitError()
           << "supports a K that block_size divides (K " << k << ", block_size "
           << block << "): the codes of a padded block are not read";
  RankedTensorType aType = node.inputType(0);
  if (aType.getRank() < 1 || aType.getShape().back() != k)
    return node.emitError()
           << "expects A's last dimension to be K (" << k << "), got " << aType;
  int64_t blocks = k / block;
  RankedTensorType codesType = node.inputType(1);
  if (!codesType.getElementType().isUnsignedInteger(8) ||
      codesType.getShape() != ArrayRef<int64_t>{n, blocks, block * bits / 8})
    return node.emitError()
           << "expects B of type tensor<" << n << "x" << blocks << "x"
           << block * bits / 8 << "xui8>, got " << codesType;
  RankedTensorType scalesType = node.inputType(2);
  if (scalesType.getElementType() != aType.getElementType() ||
      scalesType.getNumElements() != n * blocks)
    return node.emitError() << "expects " << n * blocks
                            << " scales of A's type, got " << scalesType;
  if (node.hasInput(5) && node.inputType(5).getShape() != ArrayRef<int64_t>{n})
    return node.emitError() << "expects a bias of shape [" << n << "], got "
                            << node.inputType(5);
  if (!aType.getElementType().isF32())
    return node.emitError() << "supports f32 A and scales, got " << aType;
  Value zeroPoints;
  if (node.hasInput(3)) {
    // One per block, a row of N's blocks at a time, in whole bytes.
    RankedTensorType type = node.inputType(3);
    int64_t bytes = n * llvm::divideCeil(blocks * bits, 8);
    if (!type.getElementType().isUnsignedInteger(8) ||
        type.getNumElements() != bytes)
      return node.emitError()
             << "expects " << bytes
             << " bytes of uint8 zero_points (zero points of A's type are "
                "not supported), got "
             << type;
    zeroPoints = node.reshapeTo(node.input(3), type.clone({bytes}));
  }

  OpBuilder &b = node.builder;
  Value codes = node.reshapeTo(node.input(1),
                               codesType.clone({codesType.getNumElements()}));
  Value scales = node.reshapeTo(node.input(2), scalesType.clone({n * blocks}));
  Value weight = b.create<DequantizeOp>(
      node.loc, RankedTensorType::get({n, k}, b.getF32Type()),
      bits == 4 ? QuantScheme::uint4 : QuantScheme::uint8, codes, scales,
      Value(), zeroPoints, block);
  int64_t rows = aType.getNumElements() / k;
  Value a = node.reshapeTo(node.input(0), aType.clone({rows, k}));
  Value product = b.create<MatMulOp>(
      node.loc, aType.clone({rows, n}), a, weight,
      node.hasInput(5) ? node.input(5) : Value(), false, true);
  SmallVector<int64_t> shape(aType.getShape());
  shape.back() = n;
  node.setResult(0, node.reshapeTo(product, aType.clone(shape)));
  return success();
}

void quern::onnx_import::registerContractionOps(OpTable &table) {
  table.add("com.microsoft.MatMulNBits", {1}, importMatMulNBits);
  table.add("Einsum", {12}, importEinsum);
  table.add("Gemm", {13}, importGemm);
  table.add("MatMul", {13}, importMatMul);
}
