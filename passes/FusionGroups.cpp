//===- FusionGroups.cpp - the tian.fusion_group numbering -----------------===//
#include "passes/FusionGroups.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

using namespace mlir;

static constexpr llvm::StringLiteral kGroup = "tian.fusion_group";

int64_t tian::unusedFusionGroup(Block &body) {
  int64_t next = 0;
  for (Operation &op : body)
    if (auto id = op.getAttrOfType<IntegerAttr>(kGroup))
      next = std::max(next, id.getInt() + 1);
  return next;
}

void tian::renumberFusionGroups(Block &body) {
  llvm::DenseMap<int64_t, int64_t> ids;
  Builder builder(body.getParent()->getContext());
  for (Operation &op : body)
    if (auto id = op.getAttrOfType<IntegerAttr>(kGroup)) {
      auto [it, inserted] = ids.try_emplace(id.getInt(), static_cast<int64_t>(ids.size()));
      op.setAttr(kGroup, builder.getI64IntegerAttr(it->second));
    }
}
