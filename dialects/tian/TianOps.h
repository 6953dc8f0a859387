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

/// Unsigned integers: tian's integer types are signless (read as signed) or
/// unsigned. tian-signless-integers makes every type signless before the
/// lowering (arith computes on signless integers) and marks the ops that
/// read unsigned operands with kUnsignedAttr, and those that wrote unsigned
/// results with kUnsignedResultAttr.
inline constexpr llvm::StringLiteral kUnsignedAttr = "tian.unsigned";
inline constexpr llvm::StringLiteral kUnsignedResultAttr = "tian.unsigned_result";

/// Whether `op` reads its integer operands as unsigned numbers: their
/// element type is unsigned, or tian-signless-integers recorded that it was.
bool readsUnsigned(Operation *op);
/// Whether `op`'s integer results are unsigned numbers (a cast to ui8 ...).
bool writesUnsigned(Operation *op);

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
