//===- Registration.cpp - everything tianc adds to MLIR -------------------===//
#include "passes/Registration.h"

#include "dialects/tian/TianDialect.h"
#include "passes/Passes.h"
#include "lowering/Passes.h"
#include "targets/cpu/CpuPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"

#include <mutex>

void tianc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::tian::TianDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::linalg::LinalgDialect,
                  mlir::tensor::TensorDialect>();
}

void tianc::registerPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::tian::registerTianPasses();
    mlir::tian::registerTianLoweringPasses();
    tianc::registerCpuPipelines();
  });
}
