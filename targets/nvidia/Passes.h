//===- Passes.h - the NVIDIA GPU target's passes ----------------*- C++ -*-===//
#ifndef TIAN_TARGETS_NVIDIA_PASSES_H
#define TIAN_TARGETS_NVIDIA_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tian {
#define GEN_PASS_DECL
#include "targets/nvidia/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/nvidia/Passes.h.inc"
} // namespace mlir::tian

namespace tianc {
/// Registers tian-nvidia-kernels and tian-nvidia-codegen{chip=...}.
void registerNvidiaPipelines();
} // namespace tianc

#endif // TIAN_TARGETS_NVIDIA_PASSES_H
