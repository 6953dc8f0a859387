//===- FuseGroups.cpp - one linalg.generic per tian fusion group ----------===//
#include "lowering/Passes.h"
#include "passes/FusionGroups.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tian {
#define GEN_PASS_DEF_FUSEGROUPS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

using tian::kFusionGroupAttr;

struct FuseGroupsPass : public tian::impl::FuseGroupsBase<FuseGroupsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Reductions of a group take producers only as generics.
    SmallVector<linalg::ReduceOp> reductions;
    getOperation()->walk([&](linalg::ReduceOp op) {
      if (op->hasAttr(kFusionGroupAttr))
        reductions.push_back(op);
    });
    for (linalg::ReduceOp op : reductions) {
      NamedAttrList fusion = tian::fusionAttributes(op); // op is replaced
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, op);
      if (succeeded(generic))
        tian::setFusionAttributes(*generic, fusion);
    }
    // Producer into consumer, within a group, until nothing is left to fuse.
    while (fuseOnePair(rewriter)) {
    }
  }

  bool fuseOnePair(IRRewriter &rewriter) {
    bool fused = false;
    getOperation()->walk([&](linalg::GenericOp consumer) {
      Attribute group = consumer->getAttr(kFusionGroupAttr);
      if (!group)
        return WalkResult::advance();
      for (OpOperand *operand : consumer.getDpsInputOperands()) {
        auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
        if (!producer || producer->getAttr(kFusionGroupAttr) != group ||
            !linalg::areElementwiseOpsFusable(operand))
          continue;
        // Another reader of the producer reads the fused op's extra result
        // instead (nothing is computed twice), so it must come after it; a
        // consumer reading the producer twice (x * x) then takes it whole.
        bool onlyConsumer = llvm::all_of(producer->getUsers(),
                                         [&](Operation *user) { return user == consumer; });
        bool readOnce = llvm::count_if(consumer->getOperands(), [&](Value value) {
                          return value.getDefiningOp() == producer;
                        }) == 1;
        if (!onlyConsumer &&
            (!readOnce || !llvm::all_of(producer->getUsers(), [&](Operation *user) {
              return user == consumer || (user->getBlock() == consumer->getBlock() &&
                                          consumer->isBeforeInBlock(user));
            })))
          continue;
        rewriter.setInsertionPoint(consumer);
        FailureOr<linalg::ElementwiseOpFusionResult> result =
            linalg::fuseElementwiseOps(rewriter, operand);
        if (failed(result))
          continue;
        tian::copyFusionAttributes(consumer, result->fusedOp);
        for (auto [original, replacement] : result->replacements)
          rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
            return use.getOwner() != producer && use.getOwner() != consumer;
          });
        rewriter.eraseOp(consumer);
        if (producer->use_empty())
          rewriter.eraseOp(producer);
        // Fusion into a reduction keeps the producer's value as a result
        // even when nothing reads it: it would be stored for nothing.
        auto fusedOp = cast<linalg::GenericOp>(result->fusedOp);
        NamedAttrList fusion = tian::fusionAttributes(fusedOp); // fusedOp may be replaced
        FailureOr<linalg::GenericOp> pruned =
            linalg::deduplicateOperandsAndRemoveDeadResults(rewriter, fusedOp, true);
        if (succeeded(pruned))
          tian::setFusionAttributes(*pruned, fusion);
        fused = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return fused;
  }
};

} // namespace
