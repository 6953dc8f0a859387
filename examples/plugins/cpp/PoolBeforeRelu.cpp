//===- PoolBeforeRelu.cpp - an example tianc plugin -------------------------===//
//
// A pass plugin written against tian's C++ API, built by tianc_add_plugin:
//
//   tian-opt --load-pass-plugin=build/plugins/libTianPoolBeforeRelu.so \
//            --tian-example-pool-before-relu model.mlir
//   tc.passes.load_plugin("build/plugins/libTianPoolBeforeRelu.so")
//   tc.jit.trace(model, passes="tian-example-pool-before-relu")
//
// The rewrite: max_pool2d(relu(x)) -> relu(max_pool2d(x)). ReLU is monotonic,
// so the two agree (a window always holds one element of x), and the ReLU
// then runs on the pooled tensor: a quarter of the elements for a 2x2
// stride 2 pool.
//
// The library also carries a (tiny) dialect, to show --load-dialect-plugin.
//
//===----------------------------------------------------------------------===//
#include "dialects/tian/TianOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace {

struct PoolBeforeRelu : OpRewritePattern<tian::MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tian::MaxPool2dOp pool,
                                PatternRewriter &rewriter) const override {
    auto relu = pool.getInput().getDefiningOp<tian::ReluOp>();
    if (!relu || !relu->hasOneUse())
      return rewriter.notifyMatchFailure(pool, "the input is not a ReLU used once");
    auto earlier = cast<tian::MaxPool2dOp>(rewriter.clone(*pool));
    earlier.getInputMutable().assign(relu.getInput());
    rewriter.replaceOpWithNewOp<tian::ReluOp>(pool, earlier.getResult());
    return success();
  }
};

// A hand-written pass (PassWrapper): a plugin may equally declare its
// passes in a Passes.td of its own, as tianc's are.
struct PoolBeforeReluPass : PassWrapper<PoolBeforeReluPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PoolBeforeReluPass)

  StringRef getArgument() const final { return "tian-example-pool-before-relu"; }
  StringRef getDescription() const final {
    return "Example plugin: max-pool before ReLU (max_pool2d(relu(x)) -> relu(max_pool2d(x)))";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<tian::TianDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PoolBeforeRelu>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// A dialect with no ops of its own (unknown ops allowed): what a dialect
/// plugin registers.
class ExampleDialect : public Dialect {
public:
  explicit ExampleDialect(MLIRContext *context)
      : Dialect(getDialectNamespace(), context, TypeID::get<ExampleDialect>()) {
    allowUnknownOperations();
  }
  static StringRef getDialectNamespace() { return "tian_example"; }
};

} // namespace

MLIR_DECLARE_EXPLICIT_TYPE_ID(ExampleDialect)
MLIR_DEFINE_EXPLICIT_TYPE_ID(ExampleDialect)

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "TianPoolBeforeRelu", "0.1",
          []() { PassRegistration<PoolBeforeReluPass>(); }};
}

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "TianExampleDialect", "0.1",
          [](DialectRegistry *registry) { registry->insert<ExampleDialect>(); }};
}
