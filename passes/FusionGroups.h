//===- FusionGroups.h - the tian.fusion_group numbering -------*- C++ -*-===//
//
// The fusion passes mark ops with `tian.fusion_group = id`; ids are dense
// and in program order, whichever passes ran.
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_PASSES_FUSIONGROUPS_H
#define TIANC_PASSES_FUSIONGROUPS_H

#include "mlir/IR/Block.h"

#include <cstdint>

namespace mlir::tian {

/// An id no op of `body` uses yet.
int64_t unusedFusionGroup(Block &body);

/// Renumbers the groups of `body` 0, 1, ... in the order they first appear.
void renumberFusionGroups(Block &body);

} // namespace mlir::tian

#endif // TIANC_PASSES_FUSIONGROUPS_H
