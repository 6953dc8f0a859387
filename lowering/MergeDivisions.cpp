//===- MergeDivisions.cpp - fewer float divisions in products -------------===//
//
// A division is the slowest float operation there is (on Zen 3 a 256-bit
// divide takes the divider 3.5 cycles, a multiply half a cycle), and
// sigmoid-shaped activations bring one each: sigmoid(x) = 1 / (1 + e^-x),
// the tanh GELU x / (1 + e^-2u). Their products (a GELU gated by a sigmoid,
// SiLU as x * sigmoid(x)) need one division, not two:
//
//   x * (1 / d)        ->  x / d          one rounding less, never worse;
//   (a / b) * (1 / d)  ->  a / (b * d)    when b >= 1 and d >= 1.
//
// The second needs the bounds: b * d could otherwise underflow to 0 (and
// the quotient become inf) or overflow where the true quotient is not
// tiny. With both at least 1, b * d >= 1 never underflows, and it
// overflows only where |a / (b d)| < |a| / FLT_MAX. A bound is known for
// `1 + e` where 1 is a constant of at least 1 and e is never negative (an
// exp, an absolute value, a square root, a square); NaN passes through
// either form alike. A reciprocal of a loop-invariant denominator stays:
// one division per row and a multiply per element beat a division each.
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tian {
#define GEN_PASS_DEF_MERGEDIVISIONS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// A float constant (scalar or splat) of at least 1.
bool isConstantAtLeastOne(Value v) {
  APFloat value(APFloat::Bogus());
  if (!matchPattern(v, m_ConstantFloat(&value)))
    return false;
  APFloat::cmpResult order = value.compare(APFloat(value.getSemantics(), 1));
  return order == APFloat::cmpGreaterThan || order == APFloat::cmpEqual;
}

/// Never below zero (NaN aside).
bool isNonNegative(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op)
    return false;
  if (isa<math::ExpOp, math::AbsFOp, math::SqrtOp>(op))
    return true;
  auto square = dyn_cast<arith::MulFOp>(op);
  return square && square.getLhs() == square.getRhs();
}

/// Never below one (NaN aside): a constant, or a constant plus a value
/// that is never negative.
bool isAtLeastOne(Value v) {
  if (isConstantAtLeastOne(v))
    return true;
  auto add = v.getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  return (isConstantAtLeastOne(add.getLhs()) && isNonNegative(add.getRhs())) ||
         (isConstantAtLeastOne(add.getRhs()) && isNonNegative(add.getLhs()));
}

/// `1 / d`, used only by `user` and not invariant in the loop around it:
/// d. (A reciprocal computed once per row and multiplied per element, as
/// softmax does, is cheaper than a division per element.)
Value reciprocalOperand(Value v, Operation *user) {
  auto div = v.getDefiningOp<arith::DivFOp>();
  if (!div || !div->hasOneUse() || !matchPattern(div.getLhs(), m_OneFloat()))
    return {};
  auto loop = user->getParentOfType<LoopLikeOpInterface>();
  if (loop && loop.isDefinedOutsideOfLoop(div.getRhs()))
    return {};
  return div.getRhs();
}

struct MergeDivisions : OpRewritePattern<arith::MulFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::MulFOp op, PatternRewriter &rewriter) const override {
    for (auto [x, other] : {std::pair(op.getLhs(), op.getRhs()), std::pair(op.getRhs(), op.getLhs())}) {
      Value d = reciprocalOperand(other, op);
      if (!d)
        continue;
      // (a / b) * (1 / d) -> a / (b * d)
      auto quotient = x.getDefiningOp<arith::DivFOp>();
      if (quotient && quotient->hasOneUse() && isAtLeastOne(quotient.getRhs()) &&
          isAtLeastOne(d)) {
        Value product = arith::MulFOp::create(rewriter, op.getLoc(), quotient.getRhs(), d,
                                              op.getFastmathAttr());
        rewriter.replaceOpWithNewOp<arith::DivFOp>(op, quotient.getLhs(), product,
                                                   op.getFastmathAttr());
        return success();
      }
      // x * (1 / d) -> x / d
      rewriter.replaceOpWithNewOp<arith::DivFOp>(op, x, d, op.getFastmathAttr());
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no reciprocal operand");
  }
};

struct MergeDivisionsPass : public tian::impl::MergeDivisionsBase<MergeDivisionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeDivisions>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
