//===- FusionGroups.cpp - the tian.fusion_group numbering -----------------===//
#include "passes/FusionGroups.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>

using namespace mlir;

NamedAttrList tian::fusionAttributes(Operation *op) {
  NamedAttrList attributes;
  for (StringRef name : {kFusionGroupAttr, kFusionRowsAttr})
    if (Attribute value = op->getAttr(name))
      attributes.set(name, value);
  return attributes;
}

void tian::setFusionAttributes(Operation *op, const NamedAttrList &attributes) {
  for (NamedAttribute attribute : attributes)
    op->setAttr(attribute.getName(), attribute.getValue());
}

void tian::copyFusionAttributes(Operation *from, Operation *to) {
  setFusionAttributes(to, fusionAttributes(from));
}

int64_t tian::unusedFusionGroup(Block &body) {
  int64_t next = 0;
  for (Operation &op : body)
    if (auto id = op.getAttrOfType<IntegerAttr>(kFusionGroupAttr))
      next = std::max(next, id.getInt() + 1);
  return next;
}

void tian::renumberFusionGroups(Block &body) {
  llvm::DenseMap<int64_t, int64_t> ids;
  Builder builder(body.getParent()->getContext());
  for (Operation &op : body)
    if (auto id = op.getAttrOfType<IntegerAttr>(kFusionGroupAttr)) {
      auto [it, inserted] = ids.try_emplace(id.getInt(), static_cast<int64_t>(ids.size()));
      op.setAttr(kFusionGroupAttr, builder.getI64IntegerAttr(it->second));
    }
}
