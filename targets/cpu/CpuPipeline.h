//===- CpuPipeline.h - tian to LLVM for the host CPU ------------*- C++ -*-===//
#ifndef TIANC_TARGETS_CPU_CPUPIPELINE_H
#define TIANC_TARGETS_CPU_CPUPIPELINE_H

namespace tianc {
/// Registers the named stage pipelines (tian-optimize, tian-lower-to-linalg,
/// tian-cpu-codegen) and tian-cpu-pipeline, which runs all three.
void registerCpuPipelines();
} // namespace tianc

#endif
