//===- FuseElementwise.cpp - group elementwise chains and reductions ------===//
#include "passes/Passes.h"

#include "dialects/tian/TianOps.h"
#include "passes/FusionGroups.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"

namespace mlir::tian {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

bool isElementwise(Operation *op) {
  return isa<ElementwiseOpInterface>(op) && op->getNumResults() == 1 && hasStaticShapes(op);
}

bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(op) && hasStaticShapes(op);
}

/// Can `user` compute `value` inside its own loop nest, element for element?
bool fusesInto(Value value, Operation *user) {
  if (isReduction(user))
    return user->getOperand(0) == value;
  return isElementwise(user) &&
         value.getType() == RankedTensorType::get(
                                cast<RankedTensorType>(user->getResult(0).getType()).getShape(),
                                cast<RankedTensorType>(value.getType()).getElementType());
}

struct FuseElementwisePass : public tian::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    Block &body = getOperation().getBody().front();
    llvm::EquivalenceClasses<Operation *> groups;
    for (Operation &op : body)
      if (isElementwise(&op) || isReduction(&op))
        groups.insert(&op);
    // Consumers first: when a producer is considered, its users' groups are final.
    for (Operation &op : llvm::reverse(body)) {
      if (!isElementwise(&op))
        continue;
      Value result = op.getResult(0);
      Operation *leader = nullptr;
      bool joins = !result.use_empty();
      for (Operation *user : result.getUsers()) {
        if (!fusesInto(result, user)) {
          joins = false;
          break;
        }
        Operation *userLeader = groups.getLeaderValue(user);
        if (leader && leader != userLeader) {
          joins = false; // users in two kernels: it would be computed twice
          break;
        }
        leader = userLeader;
      }
      if (joins)
        groups.unionSets(&op, leader);
    }
    // Number the groups of two or more ops in program order.
    llvm::DenseMap<Operation *, int64_t> ids;
    llvm::DenseMap<Operation *, int64_t> sizes;
    for (Operation &op : body)
      if (groups.contains(&op))
        ++sizes[groups.getLeaderValue(&op)];
    Builder builder(&getContext());
    for (Operation &op : body) {
      if (!groups.contains(&op))
        continue;
      Operation *leader = groups.getLeaderValue(&op);
      if (sizes[leader] < 2)
        continue;
      auto [it, inserted] = ids.try_emplace(leader, ids.size());
      op.setAttr(kFusionGroupAttr, builder.getI64IntegerAttr(it->second));
    }
  }
};

} // namespace
