//===- TianDecompositions.cpp - composite ops in terms of primitives ------===//
//
// DecomposableOpInterface::decompose for every composite tian op. Each
// returns the value replacing the op, or null when it cannot decompose (a
// dynamic size it needs, say); tian-decompose then reports the op.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianOps.h"

using namespace mlir;
using namespace mlir::tian;

namespace {

/// A rank-0 constant: broadcasting makes it act on any shape.
Value scalarConstant(OpBuilder &b, Location loc, Type elementType,
                     double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr = isa<FloatType>(elementType)
                       ? Attribute(b.getFloatAttr(elementType, value))
                       : Attribute(b.getIntegerAttr(elementType,
                                                    static_cast<int64_t>(value)));
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, attr));
}

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Product of the sizes at `axes`, or std::nullopt if one is dynamic.
std::optional<int64_t> countAlong(RankedTensorType type,
                                  ArrayRef<int64_t> axes) {
  int64_t count = 1;
  for (int64_t axis : axes) {
    if (type.isDynamicDim(axis))
      return std::nullopt;
    count *= type.getDimSize(axis);
  }
  return count;
}

} // namespace

Value ReduceMeanOp::decompose(OpBuilder &b) {
  Location loc = getLoc();
  auto inputType = getInput().getType();
  auto count = countAlong(inputType, getAxes());
  if (!count)
    return {};
  Value sum = ReduceSumOp::create(b, loc, getInput(), getAxes(), getKeepdims());
  Type elem = inputType.getElementType();
  if (isa<FloatType>(elem))
    return MulOp::create(b, loc, sum, scalarConstant(b, loc, elem, 1.0 / *count));
  return DivOp::create(b, loc, sum, scalarConstant(b, loc, elem, *count));
}

Value GlobalAvgPool2dOp::decompose(OpBuilder &b) {
  return ReduceMeanOp::create(b, getLoc(), getInput(),
                              ArrayRef<int64_t>{2, 3}, /*keepdims=*/true);
}

namespace {
/// The shared start of softmax and log_softmax along `axis`: x - max(x)
/// (so exp cannot overflow), its exp, and the sum of that exp.
struct ShiftedExp {
  Value shifted, exp, sum;
};

ShiftedExp shiftedExp(OpBuilder &b, Location loc, Value x, int64_t axis) {
  Value max = ReduceMaxOp::create(b, loc, x, ArrayRef<int64_t>{axis}, true);
  Value shifted = SubOp::create(b, loc, x, max);
  Value exp = ExpOp::create(b, loc, shifted);
  Value sum = ReduceSumOp::create(b, loc, exp, ArrayRef<int64_t>{axis}, true);
  return {shifted, exp, sum};
}
} // namespace

Value SoftmaxOp::decompose(OpBuilder &b) {
  Location loc = getLoc();
  ShiftedExp parts = shiftedExp(b, loc, getInput(), getAxis());
  // One division per row, then a multiply per element: a vector divide
  // costs several multiplies.
  Value one = scalarConstant(b, loc, elementTypeOf(getInput()), 1.0);
  return MulOp::create(b, loc, parts.exp, DivOp::create(b, loc, one, parts.sum));
}

Value LogSoftmaxOp::decompose(OpBuilder &b) {
  ShiftedExp parts = shiftedExp(b, getLoc(), getInput(), getAxis());
  return SubOp::create(b, getLoc(), parts.shifted,
                       LogOp::create(b, getLoc(), parts.sum));
}

Value LayerNormOp::decompose(OpBuilder &b) {
  Location loc = getLoc();
  Value x = getInput();
  int64_t rank = getInput().getType().getRank();
  SmallVector<int64_t> axes =
      llvm::to_vector(llvm::seq<int64_t>(getAxis(), rank));
  Type elem = elementTypeOf(x);
  Value mean = ReduceMeanOp::create(b, loc, x, axes, true);
  Value centered = SubOp::create(b, loc, x, mean);
  Value squares = MulOp::create(b, loc, centered, centered);
  Value variance = ReduceMeanOp::create(b, loc, squares, axes, true);
  Value eps = scalarConstant(b, loc, elem, getEpsilon().convertToDouble());
  Value invStd = RsqrtOp::create(b, loc, AddOp::create(b, loc, variance, eps));
  Value result = MulOp::create(b, loc, centered, invStd);
  // weight and bias span the trailing dimensions, so they broadcast as is.
  if (getWeight())
    result = MulOp::create(b, loc, result, getWeight());
  if (getBias())
    result = AddOp::create(b, loc, result, getBias());
  return result;
}

Value BatchNormOp::decompose(OpBuilder &b) {
  Location loc = getLoc();
  auto inputType = getInput().getType();
  Type elem = inputType.getElementType();
  // Fold the four parameters into one scale and one shift per channel, so
  // the per-element work is one multiply-add (and constant weights fold).
  Value eps = scalarConstant(b, loc, elem, getEpsilon().convertToDouble());
  Value invStd = RsqrtOp::create(b, loc, AddOp::create(b, loc, getVariance(), eps));
  Value scale = MulOp::create(b, loc, getScale(), invStd);
  Value shift = SubOp::create(b, loc, getBias(),
                              MulOp::create(b, loc, getMean(), scale));
  // [C] -> [C, 1, ..., 1] so that it lines up with dimension 1 of the input.
  SmallVector<int64_t> paramShape(inputType.getRank() - 1, 1);
  paramShape[0] = inputType.getDimSize(1);
  if (ShapedType::isDynamic(paramShape[0]))
    return {};
  Value scaleND = ReshapeOp::create(b, loc, scale, paramShape);
  Value shiftND = ReshapeOp::create(b, loc, shift, paramShape);
  return AddOp::create(b, loc, MulOp::create(b, loc, getInput(), scaleND),
                       shiftND);
}

Value ExpandDimsOp::decompose(OpBuilder &b) {
  if (!getType().hasStaticShape())
    return {};
  return ReshapeOp::create(b, getLoc(), getInput(), getType().getShape());
}

Value SqueezeOp::decompose(OpBuilder &b) {
  if (!getType().hasStaticShape())
    return {};
  return ReshapeOp::create(b, getLoc(), getInput(), getType().getShape());
}
