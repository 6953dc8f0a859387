//===- Registration.h - everything tianc adds to MLIR -----------*- C++ -*-===//
//
// One entry point for every host of tianc's dialects and passes: tian-opt,
// the Python extension and the plugin library all call these two.
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_PASSES_REGISTRATION_H
#define TIANC_PASSES_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tianc {
/// Adds the tian dialect (and the dialects its lowering creates).
void registerDialects(mlir::DialectRegistry &registry);
/// Registers tian's passes and pipelines by name, once per process.
void registerPasses();
} // namespace tianc

#endif
