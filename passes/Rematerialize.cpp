//===- Rematerialize.cpp - recompute cheap values near their late uses ----===//
#include "passes/Passes.h"

#include "dialects/tian/ShapeUtils.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::tian {
#define GEN_PASS_DEF_REMATERIALIZE
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// An elementwise generic computed from its inputs by a few arith ops:
/// recomputing it costs one pass over data that is live anyway.
bool isCheapElementwise(linalg::GenericOp op) {
  if (op.getNumResults() != 1 || op.getNumLoops() != op.getNumParallelLoops() ||
      op.getNumDpsInputs() > 3)
    return false;
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.payloadUsesValueFromOperand(&init) || !init.get().getDefiningOp<tensor::EmptyOp>())
      return false;
  unsigned count = 0;
  for (Operation &inner : op.getBody()->without_terminator()) {
    if (inner.getDialect()->getNamespace() != "arith" || ++count > 8)
      return false;
  }
  return true;
}

int64_t bytes(Value value) { return tian::storageBytes(cast<ShapedType>(value.getType())); }

struct RematerializePass : public tian::impl::RematerializeBase<RematerializePass> {
  using RematerializeBase::RematerializeBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal() || !function.getBody().hasOneBlock())
      return;
    Block &body = function.getBody().front();
    SmallVector<linalg::GenericOp> candidates;
    for (Operation &op : body)
      if (auto generic = dyn_cast<linalg::GenericOp>(&op); generic && isCheapElementwise(generic))
        candidates.push_back(generic);
    for (linalg::GenericOp op : candidates)
      rematerialize(op, body);
  }

  void rematerialize(linalg::GenericOp op, Block &body) {
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t index = 0;
    for (Operation &top : body)
      position[&top] = index++;
    auto at = [&](Operation *user) { return position.lookup(body.findAncestorOpInBlock(*user)); };

    // The uses in program order, and the widest gap between two of them.
    SmallVector<std::pair<int64_t, OpOperand *>> uses;
    for (OpOperand &use : op->getResult(0).getUses())
      uses.push_back({at(use.getOwner()), &use});
    llvm::sort(uses, [](auto &a, auto &b) { return a.first < b.first; });
    int64_t previous = position.lookup(op), split = -1, widest = 0;
    for (unsigned i = 0; i < uses.size(); ++i) {
      if (uses[i].first - previous > widest && i > 0) {
        widest = uses[i].first - previous;
        split = i;
      }
      previous = uses[i].first;
    }
    if (split < 0 || widest < minGap)
      return;
    int64_t lateAt = uses[split].first;
    // Worth it when the bytes freed over the gap exceed what the inputs
    // must additionally hold to be read at the late point.
    int64_t freed = bytes(op->getResult(0)) * widest, extended = 0;
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value value = input->get();
      if (isa<BlockArgument>(value) || value.getDefiningOp<arith::ConstantOp>())
        continue;
      int64_t end = 0;
      for (OpOperand &use : value.getUses())
        if (use.getOwner() != op)
          end = std::max(end, at(use.getOwner()));
      extended += bytes(value) * std::max<int64_t>(0, lateAt - end);
    }
    if (extended >= freed)
      return;
    Operation *anchor = body.findAncestorOpInBlock(*uses[split].second->getOwner());
    OpBuilder builder(anchor);
    IRMapping mapping;
    for (OpOperand &init : op.getDpsInitsMutable())
      mapping.map(init.get(), builder.clone(*init.get().getDefiningOp())->getResult(0));
    Operation *copy = builder.clone(*op, mapping);
    for (unsigned i = split; i < uses.size(); ++i)
      uses[i].second->set(copy->getResult(0));
  }
};

} // namespace
