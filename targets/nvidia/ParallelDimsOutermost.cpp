//===- ParallelDimsOutermost.cpp - parallel loops before reductions -------===//
#include "targets/nvidia/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tian {
#define GEN_PASS_DEF_PARALLELDIMSOUTERMOST
#include "targets/nvidia/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct ParallelDimsOutermostPass
    : public tian::impl::ParallelDimsOutermostBase<ParallelDimsOutermostPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation()->walk([&](linalg::GenericOp op) { generics.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      SmallVector<unsigned> order;
      auto iterators = op.getIteratorTypesArray();
      for (unsigned i = 0; i < iterators.size(); ++i)
        if (linalg::isParallelIterator(iterators[i]))
          order.push_back(i);
      for (unsigned i = 0; i < iterators.size(); ++i)
        if (!linalg::isParallelIterator(iterators[i]))
          order.push_back(i);
      if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order))) {
        op.emitError("tianc: cannot move the parallel loops of this op outermost");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
