//===- TianOps.cpp - verification and result-type inference ---------------===//
//
// Every shape rule of the dialect is here, written once: the parser, the
// verifier, the Python builders and the eager interpreter all reach it
// through inferReturnTypes, so a bad shape gets the same message everywhere.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianOps.h"
#include "dialects/tian/ShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::tian;

namespace {

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

/// Reads an operand's type as a ranked tensor, or reports which one is not.
/// Inference runs before the ODS type constraints are verified (in the parser
/// and in builders), so it cannot assume them.
FailureOr<RankedTensorType> rankedOperand(std::optional<Location> loc,
                                          StringRef opName, StringRef what,
                                          Value value) {
  if (!value)
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type) {
    (void)inferenceError(loc, opName,
                         Twine(what) + " must be a ranked tensor, got " +
                             typeName(value.getType()));
    return failure();
  }
  return type;
}


LogicalResult checkSameElementType(std::optional<Location> loc,
                                   StringRef opName, RankedTensorType a,
                                   StringRef aName, RankedTensorType b,
                                   StringRef bName) {
  if (a.getElementType() == b.getElementType())
    return success();
  return inferenceError(loc, opName,
                        Twine(aName) + " and " + bName +
                            " must have the same element type, got " +
                            typeName(a.getElementType()) + " and " +
                            typeName(b.getElementType()));
}

/// Axes must be sorted, unique and inside [0, rank): the canonical form
/// builders produce after normalizing negative axes.
LogicalResult checkAxes(std::optional<Location> loc, StringRef opName,
                        ArrayRef<int64_t> axes, int64_t rank,
                        StringRef what = "axes") {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return inferenceError(loc, opName,
                            Twine(what) + " " + formatShape(axes) +
                                " must lie in [0, " + Twine(rank) + ")");
    if (i > 0 && axes[i] <= axes[i - 1])
      return inferenceError(loc, opName,
                            Twine(what) + " " + formatShape(axes) +
                                " must be sorted and unique");
  }
  return success();
}

LogicalResult checkAxis(std::optional<Location> loc, StringRef opName,
                        int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return inferenceError(loc, opName,
                          "axis " + Twine(axis) + " must lie in [0, " +
                              Twine(rank) + ") for an input of rank " +
                              Twine(rank));
  return success();
}

LogicalResult checkArraySize(std::optional<Location> loc, StringRef opName,
                             StringRef name, ArrayRef<int64_t> values,
                             size_t expected, int64_t minValue) {
  if (values.size() != expected)
    return inferenceError(loc, opName,
                          Twine(name) + " must have " + Twine(expected) +
                              " entries, got " + formatShape(values));
  for (int64_t v : values)
    if (v < minValue)
      return inferenceError(loc, opName,
                            Twine(name) + " " + formatShape(values) +
                                " must be >= " + Twine(minValue));
  return success();
}

/// An array attribute's values, or `fallback` when it is absent. Inference
/// must not call the adaptor's default-value getters: when the Python
/// bindings infer types, the attribute dictionary they would take the
/// context from can be null.
ArrayRef<int64_t> arrayOr(DenseI64ArrayAttr attr, ArrayRef<int64_t> fallback) {
  return attr ? attr.asArrayRef() : fallback;
}

/// An integer attribute's value, or `fallback` when it is absent (a missing
/// required attribute is reported by the ODS verifier).
int64_t intOr(IntegerAttr attr, int64_t fallback) {
  return attr ? attr.getInt() : fallback;
}

constexpr int64_t kOnes[] = {1, 1};
constexpr int64_t kZeros[] = {0, 0, 0, 0};

constexpr const char *kElementTypes = "f32, f16, bf16, i1, i8, i16, i32, i64, ui8, ui16, ui32 or ui64";

bool isTianElementType(Type type) {
  if (type.isF32() || type.isF16() || type.isBF16() || type.isSignlessInteger(1))
    return true;
  auto integer = dyn_cast<IntegerType>(type);
  return integer && !integer.isSigned() && llvm::is_contained({8u, 16u, 32u, 64u}, integer.getWidth());
}

/// Shared by every broadcasting elementwise op: all operands broadcast to
/// one shape; `resultElement` is the result's element type.
LogicalResult inferBroadcast(std::optional<Location> loc, StringRef opName,
                             ArrayRef<std::pair<StringRef, Value>> operands,
                             Type resultElement,
                             SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  bool first = true;
  std::string shapes;
  for (auto [name, value] : operands) {
    auto type = rankedOperand(loc, opName, name, value);
    if (failed(type))
      return failure();
    if (!shapes.empty())
      shapes += " and ";
    shapes += formatShape(type->getShape());
    if (first) {
      shape.assign(type->getShape().begin(), type->getShape().end());
      first = false;
      continue;
    }
    auto merged = broadcastShapes(shape, type->getShape());
    if (!merged)
      return inferenceError(loc, opName,
                            "operand shapes " + shapes +
                                " are not broadcast-compatible");
    shape = *merged;
  }
  inferred.push_back(RankedTensorType::get(shape, resultElement));
  return success();
}

RankedTensorType withShape(RankedTensorType type, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, type.getElementType());
}

} // namespace

namespace {
bool hasUnsignedElements(TypeRange types) {
  return llvm::any_of(types, [](Type type) { return getElementTypeOrSelf(type).isUnsignedInteger(); });
}
} // namespace

bool mlir::tian::readsUnsigned(Operation *op) {
  return op->hasAttr(kUnsignedAttr) || hasUnsignedElements(op->getOperandTypes());
}

bool mlir::tian::writesUnsigned(Operation *op) {
  return op->hasAttr(kUnsignedResultAttr) || hasUnsignedElements(op->getResultTypes());
}

//===----------------------------------------------------------------------===//
// Constants and generators
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto value = adaptor.getValueAttr();
  if (!value)
    return inferenceError(loc, getOperationName(), "needs a value");
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !isTianElementType(type.getElementType()))
    return inferenceError(loc, getOperationName(),
                          std::string("value must be a tensor of ") + kElementTypes +
                              ", got " + typeName(value.getType()));
  inferred.push_back(type);
  return success();
}

LogicalResult IotaOp::verify() {
  auto type = getResult().getType();
  if (getDim() >= static_cast<uint64_t>(type.getRank()))
    return emitOpError("dim ") << static_cast<int64_t>(getDim())
                               << " must lie in [0, " << type.getRank()
                               << ") for a result of rank " << type.getRank();
  return success();
}

LogicalResult RandomUniformOp::verify() {
  auto state = cast<RankedTensorType>(getState().getType());
  if (state.getShape() != ArrayRef<int64_t>{2})
    return emitOpError("state must be tensor<2xi64> (key, counter), got ") << state;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise with broadcasting
//===----------------------------------------------------------------------===//

namespace {
template <typename Adaptor>
LogicalResult inferBinary(std::optional<Location> loc, StringRef opName,
                          Adaptor adaptor, Type resultElement,
                          SmallVectorImpl<Type> &inferred) {
  auto lhs = rankedOperand(loc, opName, "lhs", adaptor.getLhs());
  auto rhs = rankedOperand(loc, opName, "rhs", adaptor.getRhs());
  if (failed(lhs) || failed(rhs) ||
      failed(checkSameElementType(loc, opName, *lhs, "lhs", *rhs, "rhs")))
    return failure();
  return inferBroadcast(loc, opName,
                        {{"lhs", adaptor.getLhs()}, {"rhs", adaptor.getRhs()}},
                        resultElement ? resultElement : lhs->getElementType(),
                        inferred);
}
} // namespace

#define TIAN_INFER_BINARY(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBinary(loc, getOperationName(), adaptor, Type(), inferred);    \
  }
TIAN_INFER_BINARY(AddOp)
TIAN_INFER_BINARY(SubOp)
TIAN_INFER_BINARY(MulOp)
TIAN_INFER_BINARY(DivOp)
TIAN_INFER_BINARY(PowOp)
TIAN_INFER_BINARY(MaxOp)
TIAN_INFER_BINARY(MinOp)
TIAN_INFER_BINARY(RemOp)
TIAN_INFER_BINARY(BitwiseAndOp)
TIAN_INFER_BINARY(BitwiseOrOp)
TIAN_INFER_BINARY(BitwiseXorOp)
TIAN_INFER_BINARY(ShiftLeftOp)
TIAN_INFER_BINARY(ShiftRightOp)
#undef TIAN_INFER_BINARY

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferBinary(loc, getOperationName(), adaptor,
                     IntegerType::get(ctx, 1), inferred);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto cond = rankedOperand(loc, op, "condition", adaptor.getCondition());
  auto onTrue = rankedOperand(loc, op, "on_true", adaptor.getOnTrue());
  auto onFalse = rankedOperand(loc, op, "on_false", adaptor.getOnFalse());
  if (failed(cond) || failed(onTrue) || failed(onFalse))
    return failure();
  if (!cond->getElementType().isSignlessInteger(1))
    return inferenceError(loc, op, "condition must have element type i1, got " +
                                       typeName(cond->getElementType()));
  if (failed(checkSameElementType(loc, op, *onTrue, "on_true", *onFalse,
                                  "on_false")))
    return failure();
  return inferBroadcast(loc, op,
                        {{"condition", adaptor.getCondition()},
                         {"on_true", adaptor.getOnTrue()},
                         {"on_false", adaptor.getOnFalse()}},
                        onTrue->getElementType(), inferred);
}

namespace {
/// The element type a cast or bitcast converts to, or an error naming the op.
FailureOr<Type> targetDtype(std::optional<Location> loc, StringRef op, TypeAttr dtypeAttr) {
  if (!dtypeAttr || !isTianElementType(dtypeAttr.getValue()))
    return inferenceError(loc, op,
                          std::string("dtype must be one of ") + kElementTypes + ", got " +
                              (dtypeAttr ? typeName(dtypeAttr.getValue()) : std::string("nothing")));
  return dtypeAttr.getValue();
}
} // namespace

LogicalResult CastOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand(loc, getOperationName(), "input", adaptor.getInput());
  if (failed(input))
    return failure();
  FailureOr<Type> dtype = targetDtype(loc, getOperationName(), adaptor.getDtypeAttr());
  if (failed(dtype))
    return failure();
  inferred.push_back(RankedTensorType::get(input->getShape(), *dtype));
  return success();
}

namespace {
/// A type's width in memory: i1 is stored in a byte.
unsigned storageBits(Type type) { return type.isInteger(1) ? 8 : type.getIntOrFloatBitWidth(); }
} // namespace

LogicalResult BitcastOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand(loc, getOperationName(), "input", adaptor.getInput());
  if (failed(input))
    return failure();
  FailureOr<Type> dtype = targetDtype(loc, getOperationName(), adaptor.getDtypeAttr());
  if (failed(dtype))
    return failure();
  Type from = input->getElementType(), to = *dtype;
  if (storageBits(from) != storageBits(to))
    return inferenceError(loc, getOperationName(),
                          "cannot reinterpret " + typeName(from) + " (" +
                              std::to_string(storageBits(from)) + " bits) as " + typeName(to) +
                              " (" + std::to_string(storageBits(to)) + " bits)");
  inferred.push_back(RankedTensorType::get(input->getShape(), to));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions and windows
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto lhs = rankedOperand(loc, op, "lhs", adaptor.getLhs());
  auto rhs = rankedOperand(loc, op, "rhs", adaptor.getRhs());
  if (failed(lhs) || failed(rhs) ||
      failed(checkSameElementType(loc, op, *lhs, "lhs", *rhs, "rhs")))
    return failure();
  ArrayRef<int64_t> a = lhs->getShape(), b = rhs->getShape();
  if (a.size() < 2 || b.size() < 2)
    return inferenceError(loc, op,
                          "operands must have rank >= 2, got lhs " +
                              formatShape(a) + " and rhs " + formatShape(b));
  int64_t k1 = a[a.size() - 1], k2 = b[b.size() - 2];
  if (k1 != k2 && !ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2))
    return inferenceError(loc, op,
                          "contracting dimensions differ: lhs " +
                              formatShape(a) + " has K = " + Twine(k1) +
                              ", rhs " + formatShape(b) + " has K = " +
                              Twine(k2));
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return inferenceError(loc, op,
                          "batch dimensions of lhs " + formatShape(a) +
                              " and rhs " + formatShape(b) +
                              " are not broadcast-compatible");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(a[a.size() - 2]);
  shape.push_back(b.back());
  inferred.push_back(withShape(*lhs, shape));
  return success();
}

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  auto weight = rankedOperand(loc, op, "weight", adaptor.getWeight());
  if (failed(input) || failed(weight) ||
      failed(checkSameElementType(loc, op, *input, "input", *weight, "weight")))
    return failure();
  ArrayRef<int64_t> x = input->getShape(), w = weight->getShape();
  if (x.size() != 4 || w.size() != 4)
    return inferenceError(loc, op,
                          "expects input [N, C, H, W] and weight [O, C/groups, "
                          "KH, KW], got input " +
                              formatShape(x) + " and weight " + formatShape(w));
  ArrayRef<int64_t> strides = arrayOr(adaptor.getStridesAttr(), kOnes),
                    padding = arrayOr(adaptor.getPaddingAttr(), kZeros),
                    dilations = arrayOr(adaptor.getDilationsAttr(), kOnes);
  int64_t groups = intOr(adaptor.getGroupsAttr(), 1);
  if (failed(checkArraySize(loc, op, "strides", strides, 2, 1)) ||
      failed(checkArraySize(loc, op, "padding", padding, 4, 0)) ||
      failed(checkArraySize(loc, op, "dilations", dilations, 2, 1)))
    return failure();
  if (groups < 1)
    return inferenceError(loc, op, "groups must be >= 1, got " + Twine(groups));
  if (!ShapedType::isDynamic(x[1]) && x[1] % groups != 0)
    return inferenceError(loc, op,
                          "input channels " + Twine(x[1]) +
                              " are not divisible by groups " + Twine(groups));
  if (!ShapedType::isDynamic(w[0]) && w[0] % groups != 0)
    return inferenceError(loc, op,
                          "output channels " + Twine(w[0]) +
                              " are not divisible by groups " + Twine(groups));
  if (!ShapedType::isDynamic(x[1]) && !ShapedType::isDynamic(w[1]) &&
      w[1] * groups != x[1])
    return inferenceError(loc, op,
                          "weight " + formatShape(w) + " expects " +
                              Twine(w[1] * groups) +
                              " input channels (C/groups = " + Twine(w[1]) +
                              ", groups = " + Twine(groups) + "), input " +
                              formatShape(x) + " has " + Twine(x[1]));
  SmallVector<int64_t> shape = {x[0], w[0]};
  for (int i = 0; i < 2; ++i) {
    auto size = windowOutputSize(x[2 + i], padding[i], padding[2 + i], w[2 + i],
                                 strides[i], dilations[i], /*ceilMode=*/false);
    if (!size)
      return inferenceError(loc, op,
                            "kernel " + formatShape(w.drop_front(2)) +
                                " with dilations " + formatShape(dilations) +
                                " does not fit the padded input " +
                                formatShape(x));
    shape.push_back(*size);
  }
  inferred.push_back(withShape(*input, shape));
  return success();
}

namespace {
template <typename Adaptor>
LogicalResult inferPool(std::optional<Location> loc, StringRef op,
                        Adaptor adaptor, ArrayRef<int64_t> dilations,
                        SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> x = input->getShape();
  if (x.size() != 4)
    return inferenceError(loc, op, "expects input [N, C, H, W], got " +
                                       formatShape(x));
  ArrayRef<int64_t> kernel = arrayOr(adaptor.getKernelSizeAttr(), {}),
                    strides = arrayOr(adaptor.getStridesAttr(), {}),
                    padding = arrayOr(adaptor.getPaddingAttr(), kZeros);
  if (failed(checkArraySize(loc, op, "kernel_size", kernel, 2, 1)) ||
      failed(checkArraySize(loc, op, "strides", strides, 2, 1)) ||
      failed(checkArraySize(loc, op, "padding", padding, 4, 0)) ||
      failed(checkArraySize(loc, op, "dilations", dilations, 2, 1)))
    return failure();
  SmallVector<int64_t> shape = {x[0], x[1]};
  for (int i = 0; i < 2; ++i) {
    if (padding[i] > kernel[i] / 2 || padding[2 + i] > kernel[i] / 2)
      return inferenceError(loc, op,
                            "padding " + formatShape(padding) +
                                " must be at most half the kernel " +
                                formatShape(kernel));
    auto size = windowOutputSize(x[2 + i], padding[i], padding[2 + i],
                                 kernel[i], strides[i], dilations[i],
                                 static_cast<bool>(adaptor.getCeilModeAttr()));
    if (!size)
      return inferenceError(loc, op,
                            "kernel " + formatShape(kernel) +
                                " does not fit the padded input " +
                                formatShape(x));
    shape.push_back(*size);
  }
  inferred.push_back(withShape(*input, shape));
  return success();
}
} // namespace

LogicalResult MaxPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, getOperationName(), adaptor,
                   arrayOr(adaptor.getDilationsAttr(), kOnes), inferred);
}

LogicalResult AvgPool2dOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool(loc, getOperationName(), adaptor, kOnes, inferred);
}

LogicalResult GlobalAvgPool2dOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand(loc, getOperationName(), "input", adaptor.getInput());
  if (failed(input))
    return failure();
  if (input->getRank() != 4)
    return inferenceError(loc, getOperationName(),
                          "expects input [N, C, H, W], got " +
                              formatShape(input->getShape()));
  inferred.push_back(withShape(
      *input, {input->getDimSize(0), input->getDimSize(1), 1, 1}));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {
SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<int64_t> result;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    if (!llvm::is_contained(axes, i))
      result.push_back(shape[i]);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

/// A reduction without an identity (max, min, argmax) has no value for a
/// result element whose reduced elements are none: an error, as in PyTorch.
LogicalResult checkNotEmptyReduction(std::optional<Location> loc, StringRef op,
                                     ArrayRef<int64_t> shape, ArrayRef<int64_t> axes,
                                     ArrayRef<int64_t> resultShape) {
  if (llvm::is_contained(resultShape, 0))
    return success();
  for (int64_t axis : axes)
    if (shape[axis] == 0)
      return inferenceError(loc, op, "cannot reduce axis " + Twine(axis) + " of size 0 of " +
                                         formatShape(shape) + ": it has no identity");
  return success();
}

template <typename Adaptor>
LogicalResult inferReduce(std::optional<Location> loc, StringRef op,
                          Adaptor adaptor, SmallVectorImpl<Type> &inferred,
                          bool hasIdentity) {
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> axes = arrayOr(adaptor.getAxesAttr(), {});
  if (axes.empty())
    return inferenceError(loc, op, "needs at least one axis to reduce");
  if (failed(checkAxes(loc, op, axes, input->getRank())))
    return failure();
  SmallVector<int64_t> shape = reducedShape(input->getShape(), axes,
                                            static_cast<bool>(adaptor.getKeepdimsAttr()));
  if (!hasIdentity &&
      failed(checkNotEmptyReduction(loc, op, input->getShape(), axes, shape)))
    return failure();
  inferred.push_back(withShape(*input, shape));
  return success();
}
} // namespace

#define TIAN_INFER_REDUCE(OP, HAS_IDENTITY)                                    \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferReduce(loc, getOperationName(), adaptor, inferred,             \
                       HAS_IDENTITY);                                          \
  }
TIAN_INFER_REDUCE(ReduceSumOp, true)
TIAN_INFER_REDUCE(ReduceMeanOp, true)
TIAN_INFER_REDUCE(ReduceMaxOp, false)
TIAN_INFER_REDUCE(ReduceMinOp, false)
TIAN_INFER_REDUCE(ReduceProdOp, true)
#undef TIAN_INFER_REDUCE

LogicalResult ArgmaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  int64_t axis = intOr(adaptor.getAxisAttr(), -1);
  if (failed(checkAxis(loc, op, axis, input->getRank())))
    return failure();
  SmallVector<int64_t> shape = reducedShape(input->getShape(), {axis},
                                            static_cast<bool>(adaptor.getKeepdimsAttr()));
  if (failed(checkNotEmptyReduction(loc, op, input->getShape(), {axis}, shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

namespace {
template <typename Adaptor>
LogicalResult inferSoftmaxLike(std::optional<Location> loc, StringRef op,
                               Adaptor adaptor,
                               SmallVectorImpl<Type> &inferred) {
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input) ||
      failed(checkAxis(loc, op, intOr(adaptor.getAxisAttr(), -1),
                       input->getRank())))
    return failure();
  inferred.push_back(*input);
  return success();
}
} // namespace

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferSoftmaxLike(loc, getOperationName(), adaptor, inferred);
}

LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  return inferSoftmaxLike(loc, getOperationName(), adaptor, inferred);
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  int64_t axis = intOr(adaptor.getAxisAttr(), -1);
  if (failed(checkAxis(loc, op, axis, input->getRank())))
    return failure();
  ArrayRef<int64_t> normalized = input->getShape().drop_front(axis);
  for (auto [name, value] : {std::pair<StringRef, Value>{"weight", adaptor.getWeight()},
                             {"bias", adaptor.getBias()}}) {
    if (!value)
      continue;
    auto type = rankedOperand(loc, op, name, value);
    if (failed(type) ||
        failed(checkSameElementType(loc, op, *input, "input", *type, name)))
      return failure();
    if (type->getShape() != normalized)
      return inferenceError(loc, op,
                            Twine(name) + " shape " +
                                formatShape(type->getShape()) +
                                " must equal the normalized dimensions " +
                                formatShape(normalized) + " of input " +
                                formatShape(input->getShape()));
  }
  inferred.push_back(*input);
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  if (input->getRank() < 2)
    return inferenceError(loc, op,
                          "expects input [N, C, ...] of rank >= 2, got " +
                              formatShape(input->getShape()));
  int64_t channels = input->getDimSize(1);
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
        {"bias", adaptor.getBias()},
        {"mean", adaptor.getMean()},
        {"variance", adaptor.getVariance()}}) {
    auto type = rankedOperand(loc, op, name, value);
    if (failed(type) ||
        failed(checkSameElementType(loc, op, *input, "input", *type, name)))
      return failure();
    if (type->getRank() != 1 || (type->getDimSize(0) != channels &&
                                 !ShapedType::isDynamic(channels)))
      return inferenceError(loc, op,
                            Twine(name) + " must have shape [" +
                                Twine(channels) + "] (the channels of input " +
                                formatShape(input->getShape()) + "), got " +
                                formatShape(type->getShape()));
  }
  inferred.push_back(*input);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = arrayOr(adaptor.getShapeAttr(), {});
  for (int64_t dim : shape)
    if (dim < 0)
      return inferenceError(loc, op,
                            "shape " + formatShape(shape) +
                                " must not have negative sizes");
  if (input->hasStaticShape() &&
      input->getNumElements() != ShapedType::getNumElements(shape))
    return inferenceError(loc, op,
                          "cannot reshape " + formatShape(input->getShape()) +
                              " (" + Twine(input->getNumElements()) +
                              " elements) to " + formatShape(shape) + " (" +
                              Twine(ShapedType::getNumElements(shape)) +
                              " elements)");
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult ExpandDimsOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> axes = arrayOr(adaptor.getAxesAttr(), {});
  int64_t rank = input->getRank() + axes.size();
  if (failed(checkAxes(loc, op, axes, rank)))
    return failure();
  SmallVector<int64_t> shape;
  auto next = input->getShape().begin();
  for (int64_t i = 0; i < rank; ++i)
    shape.push_back(llvm::is_contained(axes, i) ? 1 : *next++);
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> axes = arrayOr(adaptor.getAxesAttr(), {});
  if (failed(checkAxes(loc, op, axes, input->getRank())))
    return failure();
  for (int64_t axis : axes)
    if (input->getDimSize(axis) != 1)
      return inferenceError(loc, op,
                            "dimension " + Twine(axis) + " of input " +
                                formatShape(input->getShape()) +
                                " is not 1 and cannot be squeezed");
  inferred.push_back(
      withShape(*input, reducedShape(input->getShape(), axes, false)));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> perm = arrayOr(adaptor.getPermAttr(), {});
  int64_t rank = input->getRank();
  llvm::SmallSet<int64_t, 8> seen;
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm)
    valid &= p >= 0 && p < rank && seen.insert(p).second;
  if (!valid)
    return inferenceError(loc, op,
                          "perm " + formatShape(perm) +
                              " is not a permutation of the " + Twine(rank) +
                              " dimensions of input " +
                              formatShape(input->getShape()));
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(input->getDimSize(p));
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = arrayOr(adaptor.getShapeAttr(), {});
  if (!broadcastsTo(input->getShape(), shape))
    return inferenceError(loc, op,
                          "cannot broadcast " + formatShape(input->getShape()) +
                              " to " + formatShape(shape));
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return inferenceError(loc, op, "needs at least one input");
  auto first = rankedOperand(loc, op, "input #0", inputs.front());
  if (failed(first))
    return failure();
  int64_t axis = intOr(adaptor.getAxisAttr(), -1);
  if (failed(checkAxis(loc, op, axis, first->getRank())))
    return failure();
  SmallVector<int64_t> shape(first->getShape());
  for (auto [index, value] : llvm::enumerate(inputs.drop_front())) {
    std::string name = "input #" + std::to_string(index + 1);
    auto type = rankedOperand(loc, op, name, value);
    if (failed(type) ||
        failed(checkSameElementType(loc, op, *first, "input #0", *type, name)))
      return failure();
    bool compatible = type->getRank() == first->getRank();
    for (int64_t d = 0; compatible && d < first->getRank(); ++d)
      compatible = d == axis || type->getDimSize(d) == shape[d];
    if (!compatible)
      return inferenceError(loc, op,
                            Twine(name) + " shape " +
                                formatShape(type->getShape()) +
                                " must match input #0 " +
                                formatShape(first->getShape()) +
                                " except along axis " + Twine(axis));
    if (ShapedType::isDynamic(shape[axis]) ||
        type->isDynamicDim(axis))
      shape[axis] = ShapedType::kDynamic;
    else
      shape[axis] += type->getDimSize(axis);
  }
  inferred.push_back(withShape(*first, shape));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  size_t rank = input->getRank();
  ArrayRef<int64_t> starts = arrayOr(adaptor.getStartsAttr(), {}), limits = arrayOr(adaptor.getLimitsAttr(), {}),
                    steps = arrayOr(adaptor.getStepsAttr(), {});
  if (failed(checkArraySize(loc, op, "starts", starts, rank, 0)) ||
      failed(checkArraySize(loc, op, "limits", limits, rank, 0)) ||
      failed(checkArraySize(loc, op, "steps", steps, rank, 1)))
    return failure();
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    int64_t size = input->getDimSize(d);
    if (starts[d] > limits[d] ||
        (!ShapedType::isDynamic(size) && limits[d] > size))
      return inferenceError(loc, op,
                            "dimension " + Twine(d) + " of input " +
                                formatShape(input->getShape()) +
                                " cannot be sliced from " + Twine(starts[d]) +
                                " to " + Twine(limits[d]));
    shape.push_back((limits[d] - starts[d] + steps[d] - 1) / steps[d]);
  }
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  if (failed(input))
    return failure();
  size_t rank = input->getRank();
  ArrayRef<int64_t> low = arrayOr(adaptor.getLowAttr(), {}), high = arrayOr(adaptor.getHighAttr(), {});
  if (failed(checkArraySize(loc, op, "low", low, rank, 0)) ||
      failed(checkArraySize(loc, op, "high", high, rank, 0)))
    return failure();
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    int64_t size = input->getDimSize(d);
    shape.push_back(ShapedType::isDynamic(size) ? size : size + low[d] + high[d]);
  }
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef op = getOperationName();
  auto input = rankedOperand(loc, op, "input", adaptor.getInput());
  auto indices = rankedOperand(loc, op, "indices", adaptor.getIndices());
  if (failed(input) || failed(indices))
    return failure();
  if (!indices->getElementType().isSignlessInteger(32) &&
      !indices->getElementType().isSignlessInteger(64))
    return inferenceError(loc, op, "indices must be i32 or i64, got " +
                                       typeName(indices->getElementType()));
  int64_t axis = intOr(adaptor.getAxisAttr(), -1);
  if (failed(checkAxis(loc, op, axis, input->getRank())))
    return failure();
  ArrayRef<int64_t> x = input->getShape();
  SmallVector<int64_t> shape(x.take_front(axis));
  llvm::append_range(shape, indices->getShape());
  llvm::append_range(shape, x.drop_front(axis + 1));
  if (x[axis] == 0 && !llvm::is_contained(shape, 0))
    return inferenceError(loc, op, "cannot gather from axis " + Twine(axis) +
                                       " of size 0 of " + formatShape(x) +
                                       ": every index is out of range");
  inferred.push_back(withShape(*input, shape));
  return success();
}

LogicalResult mlir::tian::verifySizesFitInt64(Operation *op) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.getElementType().isIntOrFloat())
      return success();
    // Bytes, rounded up: i1 is stored as one byte per element.
    int64_t total =
        std::max<int64_t>(1, (tensor.getElementType().getIntOrFloatBitWidth() + 7) / 8);
    for (int64_t dim : tensor.getShape()) {
      if (ShapedType::isDynamic(dim))
        continue;
      if (llvm::MulOverflow(total, dim, total))
        return op->emitOpError()
               << what << " #" << index << " of type " << type
               << " has more bytes than int64 can count";
    }
    return success();
  };
  for (auto [index, type] : llvm::enumerate(op->getOperandTypes()))
    if (failed(check(type, "operand", index)))
      return failure();
  for (auto [index, type] : llvm::enumerate(op->getResultTypes()))
    if (failed(check(type, "result", index)))
      return failure();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/tian/TianOps.cpp.inc"
