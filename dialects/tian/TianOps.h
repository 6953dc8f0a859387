//===- TianOps.h - ops of the tian dialect ----------------------*- C++ -*-===//
#ifndef TIANC_DIALECTS_TIAN_TIANOPS_H
#define TIANC_DIALECTS_TIAN_TIANOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/tian/TianDialect.h"
#include "dialects/tian/TianEnums.h.inc"
#include "dialects/tian/TianInterfaces.h.inc"

namespace mlir::tian {
/// Fails (with the tensor's shape) when a tensor operand or result of `op`
/// has a byte size that does not fit in int64.
LogicalResult verifySizesFitInt64(Operation *op);

template <typename ConcreteType>
class SizesFitInt64 : public OpTrait::TraitBase<ConcreteType, SizesFitInt64> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifySizesFitInt64(op);
  }
};
} // namespace mlir::tian

#define GET_OP_CLASSES
#include "dialects/tian/TianOps.h.inc"

#endif
