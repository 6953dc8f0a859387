//===- Decompose.cpp - composite tian ops into primitives -----------------===//
#include "passes/Passes.h"

#include "dialects/tian/TianOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tian {
#define GEN_PASS_DEF_TIANDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

struct DecomposeComposite
    : public OpInterfaceRewritePattern<DecomposableOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(DecomposableOpInterface op,
                                PatternRewriter &rewriter) const override {
    Value replacement = op.decompose(rewriter);
    if (!replacement)
      return rewriter.notifyMatchFailure(op, "cannot be decomposed");
    rewriter.replaceOp(op, replacement);
    return success();
  }
};

/// Sums, products and means of 16-bit floats accumulate in f32 and round
/// once at the end, as numpy and PyTorch do: an f16 accumulator loses every
/// addend below half its last place (a sum of 4096 ones stays at 2048).
template <typename OpTy>
struct AccumulateHalfInFloat : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto inputType = op.getInput().getType();
    auto elem = dyn_cast<FloatType>(inputType.getElementType());
    if (!elem || elem.getWidth() >= 32)
      return rewriter.notifyMatchFailure(op, "accumulates in its own type");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Value wide = CastOp::create(rewriter, loc, inputType.clone(f32), op.getInput(),
                                TypeAttr::get(f32));
    Value reduced = OpTy::create(rewriter, loc, wide, op.getAxes(), op.getKeepdims());
    auto resultType = cast<RankedTensorType>(op.getType());
    rewriter.replaceOpWithNewOp<CastOp>(op, resultType, reduced, TypeAttr::get(elem));
    return success();
  }
};

struct TianDecomposePass
    : public tian::impl::TianDecomposeBase<TianDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeComposite>(&getContext());
    // Benefit 2: a mean widens before it decomposes (its sum and its
    // division by the count both in f32, so a large sum cannot overflow).
    patterns.add<AccumulateHalfInFloat<ReduceSumOp>, AccumulateHalfInFloat<ReduceProdOp>,
                 AccumulateHalfInFloat<ReduceMeanOp>>(&getContext(), /*benefit=*/2);
    // Composites of empty tensors fold instead (their decompositions would
    // reduce over nothing, which max has no identity for).
    getContext().getLoadedDialect<TianDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
      getOperation()->emitError("tian-decompose did not converge");
      return signalPassFailure();
    }
    bool leftOver = false;
    getOperation()->walk([&](DecomposableOpInterface op) {
      op->emitOpError("could not be decomposed into primitive ops (it needs "
                      "static sizes along the dimensions it works on)");
      leftOver = true;
    });
    if (leftOver)
      signalPassFailure();
  }
};

} // namespace
