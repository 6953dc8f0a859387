//===- StackLoopBuffers.cpp - a loop's small buffers as stack slots -------===//
#include "targets/cpu/Passes.h"

#include "dialects/tian/ShapeUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::tian {
#define GEN_PASS_DEF_STACKLOOPBUFFERS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct StackLoopBuffersPass : public tian::impl::StackLoopBuffersBase<StackLoopBuffersPass> {
  using StackLoopBuffersBase::StackLoopBuffersBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    SmallVector<memref::AllocOp> allocs;
    function.walk([&](memref::AllocOp alloc) {
      auto type = alloc.getType();
      Operation *parent = alloc->getParentOp();
      if (!isa<scf::ForOp>(parent) || !type.hasStaticShape() ||
          !type.getLayout().isIdentity() || type.getMemorySpace() ||
          tian::storageBytes(type) > static_cast<int64_t>(maxBytes))
        return;
      // Iterations that may run at once need buffers of their own.
      if (alloc->getParentOfType<scf::ParallelOp>() || alloc->getParentOfType<scf::ForallOp>())
        return;
      // Only buffers used in place: nothing may keep one past its iteration.
      if (llvm::any_of(alloc->getUsers(), [](Operation *user) {
            return isa<func::CallOp, func::ReturnOp, scf::YieldOp>(user);
          }))
        return;
      allocs.push_back(alloc);
    });
    IRRewriter rewriter(&getContext());
    for (memref::AllocOp alloc : allocs) {
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          rewriter.eraseOp(user);
      // One stack slot for the whole loop: each iteration overwrites what
      // the previous one left (every buffer is written before it is read,
      // as it was on the heap).
      rewriter.setInsertionPointToStart(&function.getBody().front());
      auto alloca = memref::AllocaOp::create(rewriter, alloc.getLoc(), alloc.getType(),
                                             alloc.getAlignmentAttr());
      rewriter.replaceOp(alloc, alloca);
    }
  }
};

} // namespace
