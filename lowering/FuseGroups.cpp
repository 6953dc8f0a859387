//===- FuseGroups.cpp - one linalg.generic per tian fusion group ----------===//
#include "lowering/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tian {
#define GEN_PASS_DEF_FUSEGROUPS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

constexpr StringLiteral kGroup = "tian.fusion_group";

void copyGroup(Operation *from, Operation *to) {
  for (StringRef name : {kGroup.data(), "tian.fusion_rows"})
    if (Attribute value = from->getAttr(name))
      to->setAttr(name, value);
}

struct FuseGroupsPass : public tian::impl::FuseGroupsBase<FuseGroupsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Reductions of a group take producers only as generics.
    SmallVector<linalg::ReduceOp> reductions;
    getOperation()->walk([&](linalg::ReduceOp op) {
      if (op->hasAttr(kGroup))
        reductions.push_back(op);
    });
    for (linalg::ReduceOp op : reductions) {
      Attribute group = op->getAttr(kGroup);
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, op);
      if (succeeded(generic))
        copyGroup(op, *generic);
    }
    // Producer into consumer, within a group, until nothing is left to fuse.
    while (fuseOnePair(rewriter)) {
    }
  }

  bool fuseOnePair(IRRewriter &rewriter) {
    bool fused = false;
    getOperation()->walk([&](linalg::GenericOp consumer) {
      Attribute group = consumer->getAttr(kGroup);
      if (!group)
        return WalkResult::advance();
      for (OpOperand *operand : consumer.getDpsInputOperands()) {
        auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
        if (!producer || producer->getAttr(kGroup) != group ||
            !linalg::areElementwiseOpsFusable(operand))
          continue;
        // A row group keeps a value several of its ops read in one row
        // buffer rather than computing it once per reader.
        if (consumer->hasAttr("tian.fusion_rows") &&
            !llvm::all_of(producer->getUsers(), [&](Operation *user) { return user == consumer; }))
          continue;
        rewriter.setInsertionPoint(consumer);
        FailureOr<linalg::ElementwiseOpFusionResult> result =
            linalg::fuseElementwiseOps(rewriter, operand);
        if (failed(result))
          continue;
        copyGroup(consumer, result->fusedOp);
        for (auto [original, replacement] : result->replacements)
          rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
            return use.getOwner() != producer && use.getOwner() != consumer;
          });
        rewriter.eraseOp(consumer);
        if (producer->use_empty())
          rewriter.eraseOp(producer);
        fused = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return fused;
  }
};

} // namespace
