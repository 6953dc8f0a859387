//===- VerifyLowered.cpp - nothing but the LLVM dialect is left -----------===//
#include "targets/cpu/Passes.h"

namespace mlir::tian {
#define GEN_PASS_DEF_VERIFYLOWERED
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct VerifyLoweredPass : public tian::impl::VerifyLoweredBase<VerifyLoweredPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto *llvmDialect = getContext().getLoadedDialect<LLVM::LLVMDialect>();
    WalkResult result = module.walk([&](Operation *op) {
      if (op == module.getOperation() || op->getDialect() == llvmDialect)
        return WalkResult::advance();
      op->emitOpError("was not lowered to the LLVM dialect: a tianc bug, "
                      "please report it with this IR");
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
