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

#define GET_OP_CLASSES
#include "dialects/tian/TianOps.h.inc"

#endif
