//===- FuseEpilogues.cpp - matmul and conv2d with their elementwise users -===//
//
// A matmul or convolution followed by a bias, a residual add, an activation
// or a scale writes its whole result to memory and reads it back. Joined to
// the elementwise group that consumes it, it is computed one row (matmul)
// or one output plane (conv2d) at a time, and the epilogue runs on that
// tile while it is still in cache.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/tian/TianOps.h"
#include "passes/FusionGroups.h"

namespace mlir::tian {
#define GEN_PASS_DEF_FUSEEPILOGUES
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

bool isStatic(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

/// The leading dims a contraction is tiled by, one slice at a time: the
/// rows of a matmul's result, the (image, channel) planes of a conv2d's.
std::optional<int64_t> tiledDims(Operation *op) {
  if (!isa<MatmulOp, Conv2dOp>(op) || !llvm::all_of(op->getOperandTypes(), isStatic) || !isStatic(op->getResult(0).getType()))
    return std::nullopt;
  if (isa<MatmulOp>(op))
    return cast<RankedTensorType>(op->getResult(0).getType()).getRank() - 1;
  if (auto conv = dyn_cast<Conv2dOp>(op); conv && conv.getGroups() == 1)
    return 2; // grouped convolutions lower through a reshape: not tileable
  return std::nullopt;
}

struct FuseEpiloguesPass : public tian::impl::FuseEpiloguesBase<FuseEpiloguesPass> {
  void runOnOperation() override {
    Block &body = getOperation().getBody().front();
    int64_t nextId = unusedFusionGroup(body);
    Builder builder(&getContext());
    for (Operation &op : body) {
      std::optional<int64_t> rows = tiledDims(&op);
      if (!rows || !op.getResult(0).hasOneUse())
        continue;
      Operation *user = *op.getResult(0).getUsers().begin();
      if (!isa<ElementwiseOpInterface>(user) ||
          user->getResult(0).getType() != op.getResult(0).getType())
        continue; // not an epilogue, or one that broadcasts the result
      // The group the epilogue belongs to, or the epilogue alone.
      SmallVector<Operation *> members{user};
      if (Attribute group = user->getAttr(kFusionGroupAttr)) {
        members.clear();
        for (Operation &other : body)
          if (other.getAttr(kFusionGroupAttr) == group)
            members.push_back(&other);
      }
      if (!joinable(members, op, *rows))
        continue;
      Attribute group = user->getAttr(kFusionGroupAttr);
      if (!group)
        group = builder.getI64IntegerAttr(nextId++);
      members.push_back(&op);
      for (Operation *member : members) {
        member->setAttr(kFusionGroupAttr, group);
        member->setAttr(kFusionRowsAttr, builder.getI64IntegerAttr(*rows));
      }
    }
    renumberFusionGroups(body);
  }

  /// The group's result must be the contraction's tile: the same shape, and
  /// an existing row loop must run over the same rows. A group ending in a
  /// reduction (a sum of the activations) stays as it is.
  static bool joinable(ArrayRef<Operation *> members, Operation &producer, int64_t rows) {
    Type shape = producer.getResult(0).getType();
    auto inGroup = [&](Operation *user) { return llvm::is_contained(members, user); };
    for (Operation *member : members) {
      if (auto existing = member->getAttrOfType<IntegerAttr>(kFusionRowsAttr);
          existing && existing.getInt() != rows)
        return false;
      bool escapes = !llvm::all_of(member->getResult(0).getUsers(), inGroup);
      if (escapes && (member->getResult(0).getType() != shape ||
                      !isa<ElementwiseOpInterface>(member)))
        return false;
    }
    return true;
  }
};

} // namespace
