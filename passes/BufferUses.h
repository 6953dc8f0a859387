//===- BufferUses.h - what an op does to a buffer -------------*- C++ -*-===//
//
// Questions about bufferized ops that more than one pass asks
// (tian-plan-memory, tian-block-matmuls).
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_PASSES_BUFFERUSES_H
#define TIANC_PASSES_BUFFERUSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tian {

/// Does `op` write every element of `buffer` without reading it first?
/// Then the buffer's earlier contents are dead there.
inline bool overwritesWhole(Operation *op, Value buffer) {
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return copy.getTarget() == buffer && copy.getSource() != buffer;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics())
    return false;
  bool written = false;
  for (OpOperand &operand : op->getOpOperands()) {
    if (operand.get() != buffer)
      continue;
    if (!linalgOp.isDpsInit(&operand) || linalgOp.payloadUsesValueFromOperand(&operand) ||
        !linalgOp.getMatchingIndexingMap(&operand).isPermutation() || written)
      return false;
    written = true;
  }
  return written;
}

} // namespace mlir::tian

#endif // TIANC_PASSES_BUFFERUSES_H
