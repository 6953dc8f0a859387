//===- Registration.cpp - everything tianc adds to MLIR -------------------===//
#include "passes/Registration.h"

#include "dialects/tian/TianDialect.h"
#include "passes/Passes.h"
#include "lowering/Passes.h"
#include "targets/cpu/CpuPipeline.h"
#include "targets/nvidia/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include <mutex>

void tianc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::tian::TianDialect, mlir::arith::ArithDialect,
                  mlir::math::MathDialect, mlir::linalg::LinalgDialect,
                  mlir::tensor::TensorDialect>();
  // Row groups are tiled and fused through linalg's TilingInterface.
  mlir::linalg::registerTilingInterfaceExternalModels(registry);
  // The NVIDIA target serializes gpu.modules to PTX in-process
  // (gpu-module-to-binary), which needs these translations.
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::registerGPUDialectTranslation(registry);
  mlir::registerNVVMDialectTranslation(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void tianc::registerPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::tian::registerTianPasses();
    mlir::tian::registerTianLoweringPasses();
    tianc::registerCpuPipelines();
    tianc::registerNvidiaPipelines();
  });
}
