//===- TianScalar.cpp - the scalar arithmetic of elementwise ops ----------===//
//
// ElementwiseOpInterface::buildScalar for every elementwise tian op: what
// one output element is, in arith and math. This is the op's definition of
// its arithmetic; the lowering to linalg, fusion and the eager kernels all
// call it, so they cannot disagree.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tian;

namespace {

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
}

Value intConstant(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

} // namespace

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

Value NegOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::NegFOp::create(b, loc, args[0]);
  return arith::SubIOp::create(b, loc, intConstant(b, loc, args[0].getType(), 0),
                               args[0]);
}

Value AbsOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return math::AbsFOp::create(b, loc, args[0]);
  if (readsUnsigned(*this))
    return args[0];
  return math::AbsIOp::create(b, loc, args[0]);
}

Value ReluOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Type type = args[0].getType();
  if (isFloat(args[0]))
    // maxnumf: relu(NaN) = 0 would hide NaNs; maximumf propagates them as
    // PyTorch does.
    return arith::MaximumFOp::create(b, loc, args[0],
                                     floatConstant(b, loc, type, 0.0));
  if (readsUnsigned(*this))
    return args[0];
  return arith::MaxSIOp::create(b, loc, args[0], intConstant(b, loc, type, 0));
}

Value ExpOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::ExpOp::create(b, loc, args[0]);
}

Value LogOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::LogOp::create(b, loc, args[0]);
}

Value SqrtOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::SqrtOp::create(b, loc, args[0]);
}

Value RsqrtOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::RsqrtOp::create(b, loc, args[0]);
}

Value TanhOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::TanhOp::create(b, loc, args[0]);
}

Value SigmoidOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Type type = args[0].getType();
  Value one = floatConstant(b, loc, type, 1.0);
  Value expNeg =
      math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, args[0]));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, expNeg));
}

Value ErfOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  // erf is odd: the sign of x is the result's, which upstream's polynomial
  // approximation loses for -0 (erf(-0) came out +0, so rsqrt(erf(-0)) was
  // +inf, not -inf: found by the differential suite).
  return math::CopySignOp::create(b, loc, math::ErfOp::create(b, loc, args[0]), args[0]);
}

Value AsinOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::AsinOp::create(b, loc, args[0]);
}

Value AcosOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::AcosOp::create(b, loc, args[0]);
}

Value AtanOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::AtanOp::create(b, loc, args[0]);
}

// asinh, acosh and atanh are built from log1p and sqrt: LLVM has no
// intrinsic for them, and a vectorized libm call would be unrolled only
// after the vector ops are lowered. log1p keeps them exact near 0 (and 1).
namespace {
/// log(1 + x), exact near 0 (Kahan: log(u) * x / (u - 1) with u = 1 + x
/// corrects the rounding of u); math.log1p lowers to a plain log(1 + x).
Value accurateLog1p(OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  Value u = arith::AddFOp::create(b, loc, x, floatConstant(b, loc, type, 1.0));
  Value d = arith::SubFOp::create(b, loc, u, floatConstant(b, loc, type, 1.0));
  Value corrected = arith::MulFOp::create(b, loc, math::LogOp::create(b, loc, u),
                                          arith::DivFOp::create(b, loc, x, d));
  Value exact = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, d,
                                      floatConstant(b, loc, type, 0.0));
  Value infinite = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, u,
                                         floatConstant(b, loc, type, INFINITY));
  return arith::SelectOp::create(
      b, loc, exact, x, arith::SelectOp::create(b, loc, infinite, u, corrected));
}

/// Where asinh and acosh switch to log(2|x|): past it x^2 would lose the 1
/// (2^12 for f32 and bf16) or overflow (f16 squares past 256 to inf; 2^7
/// keeps the dropped 1 / (4 x^2) below f16's precision).
double largeMagnitude(Type type) { return type.isF16() ? 128.0 : 4096.0; }

/// log(|x|) + ln 2, what asinh and acosh tend to for large |x|.
Value logTwiceMagnitude(OpBuilder &b, Location loc, Value magnitude) {
  return arith::AddFOp::create(b, loc, math::LogOp::create(b, loc, magnitude),
                               floatConstant(b, loc, magnitude.getType(), M_LN2));
}
} // namespace

Value AsinhOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  // sign(x) log1p(|x| + x^2 / (1 + sqrt(1 + x^2)))
  Type type = args[0].getType();
  Value one = floatConstant(b, loc, type, 1.0);
  Value magnitude = math::AbsFOp::create(b, loc, args[0]);
  Value square = arith::MulFOp::create(b, loc, magnitude, magnitude);
  Value root = math::SqrtOp::create(b, loc, arith::AddFOp::create(b, loc, square, one));
  Value inner = arith::AddFOp::create(
      b, loc, magnitude,
      arith::DivFOp::create(b, loc, square, arith::AddFOp::create(b, loc, root, one)));
  Value large = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, magnitude,
                                      floatConstant(b, loc, type, largeMagnitude(type)));
  Value result = arith::SelectOp::create(b, loc, large, logTwiceMagnitude(b, loc, magnitude),
                                         accurateLog1p(b, loc, inner));
  return math::CopySignOp::create(b, loc, result, args[0]);
}

Value AcoshOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  // log1p(t + sqrt(2t + t^2)) with t = x - 1; NaN below 1 (sqrt of < 0).
  Type type = args[0].getType();
  Value t = arith::SubFOp::create(b, loc, args[0], floatConstant(b, loc, type, 1.0));
  Value twoT = arith::AddFOp::create(b, loc, t, t);
  Value root = math::SqrtOp::create(
      b, loc, arith::AddFOp::create(b, loc, twoT, arith::MulFOp::create(b, loc, t, t)));
  Value small = accurateLog1p(b, loc, arith::AddFOp::create(b, loc, t, root));
  Value large = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, args[0],
                                      floatConstant(b, loc, type, largeMagnitude(type)));
  Value result =
      arith::SelectOp::create(b, loc, large, logTwiceMagnitude(b, loc, args[0]), small);
  // Below 1 it is NaN (t (t + 2) overflows to inf for large negative f16).
  Value below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, args[0],
                                      floatConstant(b, loc, type, 1.0));
  return arith::SelectOp::create(b, loc, below, floatConstant(b, loc, type, NAN), result);
}

Value AtanhOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  // sign(x) log1p(2|x| / (1 - |x|)) / 2: +-inf at +-1, NaN beyond. On |x|
  // the ratio stays positive, so log1p never cancels near -1.
  Type type = args[0].getType();
  Value magnitude = math::AbsFOp::create(b, loc, args[0]);
  Value ratio = arith::DivFOp::create(
      b, loc, arith::AddFOp::create(b, loc, magnitude, magnitude),
      arith::SubFOp::create(b, loc, floatConstant(b, loc, type, 1.0), magnitude));
  Value half = arith::MulFOp::create(b, loc, accurateLog1p(b, loc, ratio),
                                     floatConstant(b, loc, type, 0.5));
  return math::CopySignOp::create(b, loc, half, args[0]);
}

Value BitwiseNotOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::XOrIOp::create(b, loc, args[0],
                               intConstant(b, loc, args[0].getType(), -1));
}

Value SinOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::SinOp::create(b, loc, args[0]);
}

Value CosOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::CosOp::create(b, loc, args[0]);
}

Value FloorOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::FloorOp::create(b, loc, args[0]);
}

Value CeilOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::CeilOp::create(b, loc, args[0]);
}

Value NotOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::XOrIOp::create(b, loc, args[0],
                               intConstant(b, loc, args[0].getType(), 1));
}

Value GeluOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  Type type = x.getType();
  if (getApproximate() == GeluApproximation::tanh) {
    // 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3), written
    // as x / (1 + exp(-2u)): the same function with one exp and one
    // division instead of a rational tanh, and no cancellation in 1 + tanh
    // for negative x.
    double twoSqrt2OverPi = 2.0 * std::sqrt(2.0 / M_PI);
    Value x2 = arith::MulFOp::create(b, loc, x, x);
    Value slope = math::FmaOp::create(
        b, loc, x2, floatConstant(b, loc, type, -twoSqrt2OverPi * 0.044715),
        floatConstant(b, loc, type, -twoSqrt2OverPi));
    Value expNeg2u =
        math::ExpOp::create(b, loc, arith::MulFOp::create(b, loc, x, slope));
    Value one = floatConstant(b, loc, type, 1.0);
    return arith::DivFOp::create(b, loc, x,
                                 arith::AddFOp::create(b, loc, one, expNeg2u));
  }
  // 0.5 x (1 + erf(x / sqrt(2)))
  Value inner = math::ErfOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, x, floatConstant(b, loc, type, M_SQRT1_2)));
  return arith::MulFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, floatConstant(b, loc, type, 0.5), x),
      arith::AddFOp::create(b, loc, floatConstant(b, loc, type, 1.0), inner));
}

//===----------------------------------------------------------------------===//
// Binary and ternary
//===----------------------------------------------------------------------===//

Value AddOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::AddFOp::create(b, loc, args[0], args[1]);
  return arith::AddIOp::create(b, loc, args[0], args[1]);
}

Value SubOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::SubFOp::create(b, loc, args[0], args[1]);
  return arith::SubIOp::create(b, loc, args[0], args[1]);
}

Value MulOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::MulFOp::create(b, loc, args[0], args[1]);
  return arith::MulIOp::create(b, loc, args[0], args[1]);
}

namespace {
/// The divisor an integer division can use without trapping (x86's idiv
/// faults on 0 and on MIN / -1): 1 in those two cases (only 0 when the
/// division is unsigned).
Value safeDivisor(OpBuilder &b, Location loc, Value lhs, Value rhs, bool isUnsigned) {
  Type type = rhs.getType();
  unsigned bits = type.getIntOrFloatBitWidth();
  Value zero = intConstant(b, loc, type, 0);
  Value byZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rhs, zero);
  if (isUnsigned)
    return arith::SelectOp::create(b, loc, byZero, intConstant(b, loc, type, 1), rhs);
  Value minimum = arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, APInt::getSignedMinValue(bits)));
  Value overflow = arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, minimum),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rhs,
                            intConstant(b, loc, type, -1)));
  return arith::SelectOp::create(b, loc, arith::OrIOp::create(b, loc, byZero, overflow),
                                 intConstant(b, loc, type, 1), rhs);
}
} // namespace

Value DivOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::DivFOp::create(b, loc, args[0], args[1]);
  // x / 0 is 0 (numpy's value) and MIN / -1 wraps to MIN, never a trap.
  Type type = args[1].getType();
  bool isUnsigned = readsUnsigned(*this);
  Value divisor = safeDivisor(b, loc, args[0], args[1], isUnsigned);
  Value quotient = isUnsigned ? Value(arith::DivUIOp::create(b, loc, args[0], divisor))
                              : Value(arith::DivSIOp::create(b, loc, args[0], divisor));
  Value byZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, args[1],
                                       intConstant(b, loc, type, 0));
  return arith::SelectOp::create(b, loc, byZero, intConstant(b, loc, type, 0), quotient);
}

Value RemOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  // arith.remf is LLVM's frem: C's fmod, exact (a - trunc(a / b) * b rounds
  // twice and is NaN for an infinite b).
  if (isFloat(args[0]))
    return arith::RemFOp::create(b, loc, args[0], args[1]);
  // x % 0 is 0 (numpy's value) and MIN % -1 is 0, never a trap.
  bool isUnsigned = readsUnsigned(*this);
  Value divisor = safeDivisor(b, loc, args[0], args[1], isUnsigned);
  if (isUnsigned)
    return arith::RemUIOp::create(b, loc, args[0], divisor);
  return arith::RemSIOp::create(b, loc, args[0], divisor);
}

Value PowOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return math::PowFOp::create(b, loc, args[0], args[1]);
}

Value MaxOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::MaximumFOp::create(b, loc, args[0], args[1]);
  if (readsUnsigned(*this))
    return arith::MaxUIOp::create(b, loc, args[0], args[1]);
  return arith::MaxSIOp::create(b, loc, args[0], args[1]);
}

Value MinOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return arith::MinimumFOp::create(b, loc, args[0], args[1]);
  if (readsUnsigned(*this))
    return arith::MinUIOp::create(b, loc, args[0], args[1]);
  return arith::MinSIOp::create(b, loc, args[0], args[1]);
}

Value BitwiseAndOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::AndIOp::create(b, loc, args[0], args[1]);
}

Value BitwiseOrOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::OrIOp::create(b, loc, args[0], args[1]);
}

Value BitwiseXorOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::XOrIOp::create(b, loc, args[0], args[1]);
}

namespace {
/// Whether a shift amount is in [0, bit width): compared unsigned, a
/// negative amount is huge. arith's shifts are poison outside that range.
Value shiftInRange(OpBuilder &b, Location loc, Value amount) {
  Type type = amount.getType();
  return arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::ult, amount,
      intConstant(b, loc, type, type.getIntOrFloatBitWidth()));
}
} // namespace

Value ShiftLeftOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Type type = args[0].getType();
  return arith::SelectOp::create(b, loc, shiftInRange(b, loc, args[1]),
                                 arith::ShLIOp::create(b, loc, args[0], args[1]),
                                 intConstant(b, loc, type, 0));
}

Value ShiftRightOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Type type = args[0].getType();
  // An unsigned shift brings in zeros: shifted out of range, nothing is left.
  if (readsUnsigned(*this))
    return arith::SelectOp::create(b, loc, shiftInRange(b, loc, args[1]),
                                   arith::ShRUIOp::create(b, loc, args[0], args[1]),
                                   intConstant(b, loc, type, 0));
  Value signOnly = arith::ShRSIOp::create(
      b, loc, args[0], intConstant(b, loc, type, type.getIntOrFloatBitWidth() - 1));
  return arith::SelectOp::create(b, loc, shiftInRange(b, loc, args[1]),
                                 arith::ShRSIOp::create(b, loc, args[0], args[1]),
                                 signOnly);
}

Value CompareOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0])) {
    arith::CmpFPredicate pred = arith::CmpFPredicate::OEQ;
    switch (getPredicate()) {
    case ComparePredicate::eq: pred = arith::CmpFPredicate::OEQ; break;
    case ComparePredicate::ne: pred = arith::CmpFPredicate::UNE; break;
    case ComparePredicate::lt: pred = arith::CmpFPredicate::OLT; break;
    case ComparePredicate::le: pred = arith::CmpFPredicate::OLE; break;
    case ComparePredicate::gt: pred = arith::CmpFPredicate::OGT; break;
    case ComparePredicate::ge: pred = arith::CmpFPredicate::OGE; break;
    }
    return arith::CmpFOp::create(b, loc, pred, args[0], args[1]);
  }
  // i1 orders false < true (unsigned); wider integers are signed unless
  // their type said unsigned.
  bool isBool = args[0].getType().isInteger(1) || readsUnsigned(*this);
  arith::CmpIPredicate pred = arith::CmpIPredicate::eq;
  switch (getPredicate()) {
  case ComparePredicate::eq: pred = arith::CmpIPredicate::eq; break;
  case ComparePredicate::ne: pred = arith::CmpIPredicate::ne; break;
  case ComparePredicate::lt:
    pred = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::le:
    pred = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::gt:
    pred = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::ge:
    pred = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return arith::CmpIOp::create(b, loc, pred, args[0], args[1]);
}

Value SelectOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
}

Value CastOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  Type from = x.getType();
  // The result's scalar type: signless, as the lowering's block arguments.
  Type to = getElementTypeOrSelf(getResult().getType());
  bool fromUnsigned = readsUnsigned(*this);
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    // bool(x) is x != 0, as in numpy and PyTorch.
    if (isFloat(x))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   floatConstant(b, loc, from, 0.0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 intConstant(b, loc, from, 0));
  }
  if (isa<FloatType>(to)) {
    if (isFloat(x)) {
      if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
        return arith::ExtFOp::create(b, loc, to, x);
      if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
        return arith::TruncFOp::create(b, loc, to, x);
      // f16 <-> bf16: same width, different formats; go through f32.
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
      return arith::TruncFOp::create(b, loc, to, wide);
    }
    if (from.isInteger(1) || fromUnsigned)
      return arith::UIToFPOp::create(b, loc, to, x);
    return arith::SIToFPOp::create(b, loc, to, x);
  }
  if (isFloat(x))
    return writesUnsigned(*this) ? Value(arith::FPToUIOp::create(b, loc, to, x))
                                 : Value(arith::FPToSIOp::create(b, loc, to, x));
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, to, x);
  if (fromWidth == toWidth)
    return x; // ui8 <-> i8: the same bits
  if (from.isInteger(1) || fromUnsigned)
    return arith::ExtUIOp::create(b, loc, to, x);
  return arith::ExtSIOp::create(b, loc, to, x);
}

Value BitcastOp::buildScalar(OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  Type from = x.getType();
  Type to = getElementTypeOrSelf(getResult().getType());
  if (from == to)
    return x; // ui8 <-> i8 after tian-signless-integers: the same bits
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, intConstant(b, loc, from, 0));
  if (from.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, x);
  return arith::BitcastOp::create(b, loc, to, x);
}
