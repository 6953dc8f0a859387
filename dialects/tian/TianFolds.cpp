//===- TianFolds.cpp - folders of tian ops --------------------------------===//
//
// Algebraic identities (x + 0, x * 1, transpose of transpose, ...) and
// constant folding. Constant folding evaluates with APFloat/APInt and is
// limited to the ops whose IEEE result is exact and unambiguous (+ - * /,
// min, max, comparisons, casts, data movement); transcendental functions are
// left to the compiled code so folding never disagrees with it.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;
using namespace mlir::tian;

namespace {

/// Dense constants up to this many elements are folded element by element;
/// splats of any size fold in O(1).
constexpr int64_t kMaxFoldElements = 1 << 16;

bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type elem = dense.getElementType();
  if (isa<FloatType>(elem))
    return dense.getSplatValue<APFloat>().isExactlyValue(value);
  if (elem.isInteger(1))
    return false;
  return dense.getSplatValue<APInt>().getSExtValue() ==
         static_cast<int64_t>(value);
}

/// For each position of `resultShape`, the linear index of the element of an
/// operand of shape `operandShape` that broadcasts to it.
SmallVector<int64_t> broadcastIndices(ArrayRef<int64_t> operandShape,
                                      ArrayRef<int64_t> resultShape) {
  int64_t rank = resultShape.size(), offset = rank - operandShape.size();
  SmallVector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= offset; --d) {
    int64_t size = operandShape[d - offset];
    strides[d] = size == 1 ? 0 : stride;
    stride *= size;
  }
  int64_t total = ShapedType::getNumElements(resultShape);
  SmallVector<int64_t> indices(total), counter(rank, 0);
  int64_t linear = 0;
  for (int64_t i = 0; i < total; ++i) {
    indices[i] = linear;
    for (int64_t d = rank - 1; d >= 0; --d) {
      linear += strides[d];
      if (++counter[d] < resultShape[d])
        break;
      linear -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return indices;
}

/// Evaluates `fn` on constant operands at every position of the broadcast
/// result. Returns null when an operand is not constant, the result is too
/// large, or `fn` declines an element (division by zero, say).
template <typename In, typename Out>
Attribute foldElementwise(ArrayRef<Attribute> operands, Type resultType,
                          llvm::function_ref<std::optional<Out>(ArrayRef<In>)> fn) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape())
    return {};
  SmallVector<DenseElementsAttr> dense;
  bool allSplat = true;
  for (Attribute attr : operands) {
    auto d = dyn_cast_or_null<DenseElementsAttr>(attr);
    if (!d)
      return {};
    allSplat &= d.isSplat();
    dense.push_back(d);
  }
  if (allSplat) {
    SmallVector<In> args;
    for (DenseElementsAttr d : dense)
      args.push_back(d.getSplatValue<In>());
    std::optional<Out> value = fn(args);
    if (!value)
      return {};
    return DenseElementsAttr::get(type, ArrayRef<Out>(*value));
  }
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<SmallVector<In>> values;
  SmallVector<SmallVector<int64_t>> maps;
  for (DenseElementsAttr d : dense) {
    values.push_back(llvm::to_vector(d.getValues<In>()));
    maps.push_back(broadcastIndices(d.getType().getShape(), type.getShape()));
  }
  SmallVector<Out> results;
  SmallVector<In> args;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    args.clear();
    for (size_t k = 0; k < values.size(); ++k)
      args.push_back(values[k][maps[k][i]]);
    std::optional<Out> value = fn(args);
    if (!value)
      return {};
    results.push_back(*value);
  }
  return DenseElementsAttr::get(type, results);
}

bool isFloatTensor(Type type) {
  return isa<FloatType>(cast<ShapedType>(type).getElementType());
}

/// Folds a binary arithmetic op on constants: `floatFn` or `intFn` by the
/// element type.
Attribute foldArithmetic(
    ArrayRef<Attribute> operands, Type resultType,
    llvm::function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>
        floatFn,
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &)>
        intFn) {
  if (isFloatTensor(resultType))
    return foldElementwise<APFloat, APFloat>(
        operands, resultType,
        [&](ArrayRef<APFloat> a) { return floatFn(a[0], a[1]); });
  if (!intFn)
    return {};
  return foldElementwise<APInt, APInt>(
      operands, resultType, [&](ArrayRef<APInt> a) { return intFn(a[0], a[1]); });
}

/// `value` stands for the result when it has the result's exact type.
OpFoldResult sameTypeOrNull(Value value, Type resultType) {
  return value.getType() == resultType ? OpFoldResult(value) : OpFoldResult();
}

} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  if (isFloatTensor(getType()))
    return foldElementwise<APFloat, APFloat>(
        adaptor.getOperands(), getType(),
        [](ArrayRef<APFloat> a) -> std::optional<APFloat> { return -a[0]; });
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APInt> a) -> std::optional<APInt> { return -a[0]; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<AbsOp>())
    return inner.getResult();
  if (isFloatTensor(getType()))
    return foldElementwise<APFloat, APFloat>(
        adaptor.getOperands(), getType(),
        [](ArrayRef<APFloat> a) -> std::optional<APFloat> { return abs(a[0]); });
  if (readsUnsigned(*this))
    return sameTypeOrNull(getInput(), getType());
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APInt> a) -> std::optional<APInt> { return a[0].abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<ReluOp>())
    return inner.getResult();
  if (isFloatTensor(getType()))
    return foldElementwise<APFloat, APFloat>(
        adaptor.getOperands(), getType(),
        [](ArrayRef<APFloat> a) -> std::optional<APFloat> {
          return llvm::maximum(a[0], APFloat::getZero(a[0].getSemantics()));
        });
  if (readsUnsigned(*this))
    return sameTypeOrNull(getInput(), getType());
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APInt> a) -> std::optional<APInt> {
        return a[0].isNegative() ? APInt::getZero(a[0].getBitWidth()) : a[0];
      });
}

namespace {
Attribute foldRound(ArrayRef<Attribute> operands, Type type,
                    llvm::RoundingMode mode) {
  return foldElementwise<APFloat, APFloat>(
      operands, type, [&](ArrayRef<APFloat> a) -> std::optional<APFloat> {
        APFloat r = a[0];
        r.roundToIntegral(mode);
        return r;
      });
}
} // namespace

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldRound(adaptor.getOperands(), getType(),
                   llvm::RoundingMode::TowardNegative);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldRound(adaptor.getOperands(), getType(),
                   llvm::RoundingMode::TowardPositive);
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APInt> a) -> std::optional<APInt> { return ~a[0]; });
}

OpFoldResult BitwiseNotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<BitwiseNotOp>())
    return inner.getInput();
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [](ArrayRef<APInt> a) -> std::optional<APInt> { return ~a[0]; });
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    if (auto same = sameTypeOrNull(getLhs(), getType()))
      return same;
  if (isSplatOf(adaptor.getLhs(), 0))
    if (auto same = sameTypeOrNull(getRhs(), getType()))
      return same;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 0))
    if (auto same = sameTypeOrNull(getLhs(), getType()))
      return same;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    if (auto same = sameTypeOrNull(getLhs(), getType()))
      return same;
  if (isSplatOf(adaptor.getLhs(), 1))
    if (auto same = sameTypeOrNull(getRhs(), getType()))
      return same;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    if (auto same = sameTypeOrNull(getLhs(), getType()))
      return same;
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      },
      [isUnsigned = readsUnsigned(*this)](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Leave division by zero and INT_MIN / -1 to run time.
        if (b.isZero() || (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      });
}

OpFoldResult RemOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat result = a;
        result.mod(b); // C's fmod, exactly
        return result;
      },
      [isUnsigned = readsUnsigned(*this)](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Not folded: division by zero (undefined behaviour in the code).
        if (b.isZero() || (!isUnsigned && a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return isUnsigned ? a.urem(b) : a.srem(b);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOf(adaptor.getRhs(), 1))
    return sameTypeOrNull(getLhs(), getType());
  return {};
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return sameTypeOrNull(getLhs(), getType());
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      },
      [isUnsigned = readsUnsigned(*this)](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return (isUnsigned ? a.uge(b) : a.sge(b)) ? a : b;
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return sameTypeOrNull(getLhs(), getType());
  return foldArithmetic(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      },
      [isUnsigned = readsUnsigned(*this)](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return (isUnsigned ? a.ule(b) : a.sle(b)) ? a : b;
      });
}

OpFoldResult BitwiseAndOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return sameTypeOrNull(getLhs(), getType());
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                          return a & b;
                        });
}

OpFoldResult BitwiseOrOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return sameTypeOrNull(getLhs(), getType());
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                          return a | b;
                        });
}

OpFoldResult BitwiseXorOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                          return a ^ b;
                        });
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [isUnsigned = readsUnsigned(*this)](const APInt &a,
                                                            const APInt &b) -> std::optional<APInt> {
                          if ((!isUnsigned && b.isNegative()) || b.uge(a.getBitWidth()))
                            return APInt::getZero(a.getBitWidth());
                          return a.shl(b);
                        });
}

OpFoldResult ShiftRightOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(adaptor.getOperands(), getType(), nullptr,
                        [isUnsigned = readsUnsigned(*this)](const APInt &a,
                                                            const APInt &b) -> std::optional<APInt> {
                          if (isUnsigned)
                            return b.uge(a.getBitWidth()) ? APInt::getZero(a.getBitWidth())
                                                          : a.lshr(b);
                          if (b.isNegative() || b.uge(a.getBitWidth()))
                            return a.ashr(a.getBitWidth() - 1);
                          return a.ashr(b);
                        });
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  ComparePredicate pred = getPredicate();
  auto asBit = [](bool b) { return APInt(1, b ? 1 : 0); };
  if (isa<FloatType>(getLhs().getType().getElementType()))
    return foldElementwise<APFloat, APInt>(
        adaptor.getOperands(), getType(),
        [&](ArrayRef<APFloat> a) -> std::optional<APInt> {
          APFloat::cmpResult c = a[0].compare(a[1]);
          switch (pred) {
          case ComparePredicate::eq: return asBit(c == APFloat::cmpEqual);
          case ComparePredicate::ne: return asBit(c != APFloat::cmpEqual);
          case ComparePredicate::lt: return asBit(c == APFloat::cmpLessThan);
          case ComparePredicate::le:
            return asBit(c == APFloat::cmpLessThan || c == APFloat::cmpEqual);
          case ComparePredicate::gt: return asBit(c == APFloat::cmpGreaterThan);
          case ComparePredicate::ge:
            return asBit(c == APFloat::cmpGreaterThan || c == APFloat::cmpEqual);
          }
          return std::nullopt;
        });
  // i1 compares as unsigned (false < true), wider integers as their type
  // says (signless: signed).
  bool isBool = getLhs().getType().getElementType().isInteger(1) || readsUnsigned(*this);
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [&](ArrayRef<APInt> a) -> std::optional<APInt> {
        int c = isBool ? (a[0].ult(a[1]) ? -1 : a[0] == a[1] ? 0 : 1)
                       : (a[0].slt(a[1]) ? -1 : a[0] == a[1] ? 0 : 1);
        switch (pred) {
        case ComparePredicate::eq: return asBit(c == 0);
        case ComparePredicate::ne: return asBit(c != 0);
        case ComparePredicate::lt: return asBit(c < 0);
        case ComparePredicate::le: return asBit(c <= 0);
        case ComparePredicate::gt: return asBit(c > 0);
        case ComparePredicate::ge: return asBit(c >= 0);
        }
        return std::nullopt;
      });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return sameTypeOrNull(getOnTrue(), getType());
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  if (cond && cond.isSplat())
    return sameTypeOrNull(
        cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse(), getType());
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type from = getInput().getType().getElementType();
  Type to = getType().getElementType();
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    const llvm::fltSemantics &sem = toFloat.getFloatSemantics();
    if (isa<FloatType>(from))
      return foldElementwise<APFloat, APFloat>(
          adaptor.getOperands(), getType(),
          [&](ArrayRef<APFloat> a) -> std::optional<APFloat> {
            APFloat r = a[0];
            bool lost;
            r.convert(sem, APFloat::rmNearestTiesToEven, &lost);
            return r;
          });
    bool isSigned = !from.isInteger(1) && !readsUnsigned(*this);
    return foldElementwise<APInt, APFloat>(
        adaptor.getOperands(), getType(),
        [&](ArrayRef<APInt> a) -> std::optional<APFloat> {
          APFloat r(sem);
          r.convertFromAPInt(a[0], isSigned, APFloat::rmNearestTiesToEven);
          return r;
        });
  }
  unsigned width = to.getIntOrFloatBitWidth();
  if (isa<FloatType>(from))
    return foldElementwise<APFloat, APInt>(
        adaptor.getOperands(), getType(),
        [&](ArrayRef<APFloat> a) -> std::optional<APInt> {
          if (width == 1)
            return APInt(1, a[0].isZero() ? 0 : 1);
          llvm::APSInt r(width, /*isUnsigned=*/writesUnsigned(*this));
          bool exact;
          // Out-of-range and NaN inputs have no defined result: leave them.
          if (a[0].convertToInteger(r, APFloat::rmTowardZero, &exact) !=
                  APFloat::opOK &&
              a[0].convertToInteger(r, APFloat::rmTowardZero, &exact) !=
                  APFloat::opInexact)
            return std::nullopt;
          return APInt(r);
        });
  bool zeroExtend = from.isInteger(1) || readsUnsigned(*this);
  return foldElementwise<APInt, APInt>(
      adaptor.getOperands(), getType(),
      [&](ArrayRef<APInt> a) -> std::optional<APInt> {
        if (width == 1)
          return APInt(1, a[0].isZero() ? 0 : 1);
        return zeroExtend ? a[0].zextOrTrunc(width) : a[0].sextOrTrunc(width);
      });
}

OpFoldResult BitcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  Type from = getInput().getType().getElementType(), to = getType().getElementType();
  if (!dense || from.isInteger(1) || to.isInteger(1))
    return {};
  return dense.bitcast(to);
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // result dim i = inner input dim innerPerm[perm[i]].
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPerm()[p]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!dense)
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(getType());
  if (!getType().hasStaticShape() || getType().getNumElements() > kMaxFoldElements)
    return {};
  // Gather the input element for each result position.
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  ArrayRef<int64_t> outShape = getType().getShape();
  int64_t rank = perm.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inShape[d + 1];
  SmallVector<Attribute> values(dense.getValues<Attribute>());
  SmallVector<Attribute> result;
  SmallVector<int64_t> counter(rank, 0);
  for (int64_t i = 0, e = getType().getNumElements(); i < e; ++i) {
    int64_t source = 0;
    for (int64_t d = 0; d < rank; ++d)
      source += counter[d] * inStrides[perm[d]];
    result.push_back(values[source]);
    for (int64_t d = rank - 1; d >= 0 && ++counter[d] == outShape[d]; --d)
      counter[d] = 0;
  }
  return DenseElementsAttr::get(getType(), result);
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat())
    return dense.resizeSplat(getType());
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return sameTypeOrNull(getInputs().front(), getType());
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat())
    return dense.resizeSplat(getType());
  return {};
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
