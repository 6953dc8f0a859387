//===- TianEmptyTensors.cpp - ops on tensors with no elements -------------===//
//
// The dialect's canonicalization patterns for empty tensors (a dimension of
// size 0: the last batch of a split, a sequence of length 0). They give
// NumPy's and PyTorch's results without any code touching an empty buffer:
// upstream linalg tiling asserts on zero-sized loops, and a loop nest over
// nothing is wasted code anyway.
//
// - An op whose results are all empty becomes empty constants.
// - An op with an empty operand and a non-empty result is its splat value:
//   a sum over nothing is 0, a product 1, a mean NaN; a matmul with K = 0
//   and a convolution over 0 input channels are 0; padding an empty tensor
//   gives the padding value.
// - concat drops its empty operands.
// Reductions without an identity (max, min, argmax) over an empty axis are
// verifier errors (TianOps.cpp), as they are errors in PyTorch.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianDialect.h"
#include "dialects/tian/TianOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::tian;

namespace {

bool isEmpty(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getNumElements() == 0;
}

bool isEmpty(Value value) { return isEmpty(value.getType()); }

TypedAttr scalar(OpBuilder &b, Type element, double value) {
  if (auto floatType = dyn_cast<FloatType>(element)) {
    APFloat number(value);
    bool lost;
    number.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return FloatAttr::get(floatType, number);
  }
  return IntegerAttr::get(element, static_cast<int64_t>(value));
}

/// The splat constant of `type` holding `value`.
Value splat(PatternRewriter &rewriter, Location loc, Type type, double value) {
  auto tensor = cast<RankedTensorType>(type);
  auto attr = DenseElementsAttr::get(tensor, scalar(rewriter, tensor.getElementType(), value));
  return ConstantOp::create(rewriter, loc, attr);
}

/// The value of every element of `op`'s non-empty result when an operand is
/// empty, or nullopt when that is not known here.
std::optional<double> valueOverNothing(Operation *op) {
  if (isa<ReduceSumOp>(op))
    return isEmpty(op->getOperand(0)) ? std::optional<double>(0.0) : std::nullopt;
  if (isa<ReduceProdOp>(op))
    return isEmpty(op->getOperand(0)) ? std::optional<double>(1.0) : std::nullopt;
  if (isa<ReduceMeanOp>(op))
    return isEmpty(op->getOperand(0)) ? std::optional<double>(std::nan("")) : std::nullopt;
  if (auto matmul = dyn_cast<MatmulOp>(op)) {
    ArrayRef<int64_t> lhs = matmul.getLhs().getType().getShape();
    return lhs.back() == 0 ? std::optional<double>(0.0) : std::nullopt;
  }
  if (auto conv = dyn_cast<Conv2dOp>(op)) {
    bool noChannels = conv.getInput().getType().getDimSize(1) == 0 ||
                      conv.getWeight().getType().getDimSize(1) == 0;
    return noChannels ? std::optional<double>(0.0) : std::nullopt;
  }
  if (auto pad = dyn_cast<PadOp>(op))
    return isEmpty(pad.getInput()) ? std::optional<double>(pad.getValue().convertToDouble())
                                   : std::nullopt;
  return std::nullopt;
}

struct FoldEmptyTensors : RewritePattern {
  // Before any other pattern (tian-decompose adds these to its own).
  FoldEmptyTensors(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 2, ctx) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<TianDialect>(op->getDialect()) || isa<ConstantOp>(op) ||
        op->getNumResults() == 0 || !isMemoryEffectFree(op))
      return failure();
    Location loc = op->getLoc();
    if (llvm::all_of(op->getResultTypes(), [](Type t) { return isEmpty(t); })) {
      SmallVector<Value> constants;
      for (Type type : op->getResultTypes())
        constants.push_back(splat(rewriter, loc, type, 0.0));
      rewriter.replaceOp(op, constants);
      return success();
    }
    if (op->getNumResults() != 1 || !llvm::any_of(op->getOperands(), [](Value v) {
          return isEmpty(v);
        }))
      return failure();
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      SmallVector<Value> kept;
      for (Value input : concat.getInputs())
        if (!isEmpty(input))
          kept.push_back(input);
      if (kept.size() == 1 && kept.front().getType() == concat.getType())
        rewriter.replaceOp(op, kept.front());
      else
        rewriter.replaceOpWithNewOp<ConcatOp>(op, concat.getType(), kept, concat.getAxis());
      return success();
    }
    std::optional<double> value = valueOverNothing(op);
    if (!value)
      return failure();
    rewriter.replaceOp(op, splat(rewriter, loc, op->getResult(0).getType(), *value));
    return success();
  }
};

} // namespace

void TianDialect::getCanonicalizationPatterns(RewritePatternSet &results) const {
  results.add<FoldEmptyTensors>(getContext());
}
