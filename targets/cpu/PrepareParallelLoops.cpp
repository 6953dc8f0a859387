//===- PrepareParallelLoops.cpp - parallel loops that capture params only -===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_PREPAREPARALLELLOOPS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// The view ops between a function argument and `value`, outermost first;
/// empty if `value` is not a view of an argument.
SmallVector<Operation *> viewChain(Value value) {
  SmallVector<Operation *> chain;
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>()) {
    if (view->getNumOperands() != 1)
      return {};
    chain.push_back(view);
    value = view.getViewSource();
  }
  if (!isa<BlockArgument>(value))
    return {};
  return SmallVector<Operation *>(llvm::reverse(chain));
}

/// scf.parallel -> a nest of scf.for with the same body (no reductions).
void makeSequential(scf::ParallelOp loop) {
  OpBuilder builder(loop);
  IRMapping mapping;
  Location loc = loop.getLoc();
  for (auto [iv, lower, upper, step] :
       llvm::zip(loop.getInductionVars(), loop.getLowerBound(), loop.getUpperBound(),
                 loop.getStep())) {
    auto inner = scf::ForOp::create(builder, loc, lower, upper, step);
    mapping.map(iv, inner.getInductionVar());
    builder.setInsertionPointToStart(inner.getBody());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  loop.erase();
}

struct PrepareParallelLoopsPass
    : public tian::impl::PrepareParallelLoopsBase<PrepareParallelLoopsPass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    unsigned buffers = 0;
    bool distinct = true;
    for (unsigned i = 0; i < function.getNumArguments(); ++i) {
      if (!isa<MemRefType>(function.getArgument(i).getType()))
        continue;
      ++buffers;
      distinct &= function.getArgAttr(i, "llvm.noalias") != nullptr;
    }
    // Only kernels (private functions) are parallelized.
    bool parallel = function.isPrivate() && (distinct || buffers <= 1);
    SmallVector<scf::ParallelOp> loops;
    for (Operation &op : function.getBody().front())
      if (auto loop = dyn_cast<scf::ParallelOp>(&op))
        loops.push_back(loop);
    for (scf::ParallelOp loop : loops) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(loop.getRegion(), captured);
      bool sinkable = loop.getNumResults() == 0;
      for (Value value : captured)
        if (isa<MemRefType>(value.getType()) && !isa<BlockArgument>(value) &&
            viewChain(value).empty())
          sinkable = false; // a buffer from elsewhere: not provably distinct
      if (!parallel || !sinkable) {
        if (loop.getNumResults() == 0)
          makeSequential(loop);
        continue;
      }
      OpBuilder builder(loop.getBody(), loop.getBody()->begin());
      for (Value value : captured) {
        SmallVector<Operation *> chain = viewChain(value);
        if (chain.empty())
          continue;
        IRMapping mapping;
        for (Operation *view : chain)
          builder.clone(*view, mapping);
        Value inside = mapping.lookup(value);
        replaceAllUsesInRegionWith(value, inside, loop.getRegion());
      }
    }
  }
};

} // namespace
