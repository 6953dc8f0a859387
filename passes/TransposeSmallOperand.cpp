//===- TransposeSmallOperand.cpp - A @ B.T as (B @ A.T).T when B is big ---===//
#include "passes/Passes.h"

#include "dialects/tian/TianOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tian {
#define GEN_PASS_DEF_TRANSPOSESMALLOPERAND
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

int64_t elements(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.hasStaticShape() ? type.getNumElements() : -1;
}

struct SwapTransposedOperand : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &rewriter) const override {
    auto transpose = op.getRhs().getDefiningOp<TransposeOp>();
    if (!transpose || cast<RankedTensorType>(op.getLhs().getType()).getRank() != 2 ||
        cast<RankedTensorType>(transpose.getInput().getType()).getRank() != 2)
      return failure();
    Value big = transpose.getInput();
    int64_t bigSize = elements(big), lhsSize = elements(op.getLhs()),
            resultSize = elements(op.getResult());
    if (bigSize < 0 || lhsSize < 0 || resultSize < 0 || bigSize <= lhsSize + resultSize)
      return failure();
    SmallVector<int64_t> swap{1, 0};
    Location loc = op.getLoc();
    Value lhsT = TransposeOp::create(rewriter, loc, op.getLhs(), swap);
    Value product = MatmulOp::create(rewriter, loc, big, lhsT);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, product, swap);
    return success();
  }
};

/// The other side: `transpose(A @ B)` with a result larger than A and B
/// together becomes `B.T @ A.T` (gradients of weights: `(x.T @ g).T`).
struct TransposeOperandsNotResult : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto matmul = op.getInput().getDefiningOp<MatmulOp>();
    if (!matmul || !matmul->hasOneUse() ||
        cast<RankedTensorType>(matmul.getLhs().getType()).getRank() != 2 ||
        cast<RankedTensorType>(matmul.getRhs().getType()).getRank() != 2)
      return failure();
    int64_t resultSize = elements(op.getResult()), lhsSize = elements(matmul.getLhs()),
            rhsSize = elements(matmul.getRhs());
    if (resultSize < 0 || lhsSize < 0 || rhsSize < 0 || resultSize <= lhsSize + rhsSize)
      return failure();
    SmallVector<int64_t> swap{1, 0};
    Location loc = op.getLoc();
    Value rhsT = TransposeOp::create(rewriter, loc, matmul.getRhs(), swap);
    Value lhsT = TransposeOp::create(rewriter, loc, matmul.getLhs(), swap);
    rewriter.replaceOpWithNewOp<MatmulOp>(op, rhsT, lhsT);
    return success();
  }
};

struct TransposeSmallOperandPass
    : public tian::impl::TransposeSmallOperandBase<TransposeSmallOperandPass> {
  using TransposeSmallOperandBase::TransposeSmallOperandBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposeOperandsNotResult>(&getContext());
    if (swapOperands)
      patterns.add<SwapTransposedOperand>(&getContext());
    TransposeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
