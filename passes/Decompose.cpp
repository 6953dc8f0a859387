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

struct TianDecomposePass
    : public tian::impl::TianDecomposeBase<TianDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeComposite>(&getContext());
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
