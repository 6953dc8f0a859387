//===- FusionGroups.h - the tian.fusion_group numbering -------*- C++ -*-===//
//
// The fusion passes mark ops with `tian.fusion_group = id` (and row loops
// with `tian.fusion_rows`); ids are dense and in program order, whichever
// passes ran. The lowering carries the attributes onto linalg.
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_PASSES_FUSIONGROUPS_H
#define TIANC_PASSES_FUSIONGROUPS_H

#include "mlir/IR/Block.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir::tian {

/// The group an op was fused into, and for a row loop the number of
/// leading dims its rows are indexed by.
inline constexpr llvm::StringLiteral kFusionGroupAttr = "tian.fusion_group";
inline constexpr llvm::StringLiteral kFusionRowsAttr = "tian.fusion_rows";

/// The fusion attributes of `op` (to keep them across a rewrite that
/// erases it).
NamedAttrList fusionAttributes(Operation *op);

/// Sets `attributes` (from fusionAttributes) on `op`.
void setFusionAttributes(Operation *op, const NamedAttrList &attributes);

/// The fusion attributes of `from`, carried onto `to` (its replacement).
void copyFusionAttributes(Operation *from, Operation *to);

/// An id no op of `body` uses yet.
int64_t unusedFusionGroup(Block &body);

/// Renumbers the groups of `body` 0, 1, ... in the order they first appear.
void renumberFusionGroups(Block &body);

} // namespace mlir::tian

#endif // TIANC_PASSES_FUSIONGROUPS_H
