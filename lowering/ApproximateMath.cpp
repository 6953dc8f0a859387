//===- ApproximateMath.cpp - inline approximations of f32 math ------------===//
#include "lowering/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::tian {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct ApproximateMathPass : public tian::impl::ApproximateMathBase<ApproximateMathPass> {
  using ApproximateMathBase::ApproximateMathBase;

  void runOnOperation() override {
    llvm::StringSet<> chosen;
    for (const std::string &name : functions)
      chosen.insert("math." + name);
    auto selected = [&](StringRef name) { return chosen.contains(name); };
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, selected);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
