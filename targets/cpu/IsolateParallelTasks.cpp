//===- IsolateParallelTasks.cpp - task bodies stay ordinary functions -----===//
#include "targets/cpu/Passes.h"

namespace mlir::tian {
#define GEN_PASS_DEF_ISOLATEPARALLELTASKS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct IsolateParallelTasksPass
    : public tian::impl::IsolateParallelTasksBase<IsolateParallelTasksPass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<LLVM::LLVMFuncOp>())
      if (function.getSymName().starts_with("parallel_compute_fn"))
        function.setNoInline(true);
  }
};

} // namespace
