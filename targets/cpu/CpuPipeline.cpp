//===- CpuPipeline.cpp - tian to LLVM for the host CPU --------------------===//
//
// The stages of the CPU compiler, each a named pass pipeline so that
// tian-opt, the Python JIT and IR dumps all run exactly the same passes:
//
//   tian-optimize         decompose composites, fold, CSE        (tian)
//   tian-lower-to-linalg  tian -> linalg/tensor/arith/math       (linalg)
//   tian-cpu-codegen      bufferize, loops, LLVM dialect         (llvm-dialect)
//
// Entry points take their results as trailing out-parameters and, with
// static shapes, every memref is a bare data pointer: a caller passes one
// pointer per input and per output.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/CpuPipeline.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

namespace {

constexpr const char *kOptimize =
    "func.func(tian-decompose),canonicalize,cse";

constexpr const char *kLowerToLinalg =
    "func.func(convert-tian-to-linalg),canonicalize,cse";

constexpr const char *kCpuCodegen =
    "func.func(tian-distinct-results),tian-store-bools-as-bytes,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{modify-public-functions hoist-static-allocs},"
    "buffer-deallocation-pipeline,"
    "func.func(tian-expand-strided-copies,convert-linalg-to-loops),lower-affine,convert-scf-to-cf,"
    "expand-strided-metadata,finalize-memref-to-llvm,convert-math-to-llvm,"
    "convert-math-to-libm,convert-arith-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
    "convert-index-to-llvm,reconcile-unrealized-casts";

void registerStage(const char *name, const char *description,
                   std::string pipeline) {
  mlir::PassPipelineRegistration<>(
      name, description, [pipeline](mlir::OpPassManager &pm) {
        // The text is ours and fixed: a parse failure is a tianc bug.
        if (mlir::failed(mlir::parsePassPipeline(pipeline, pm)))
          llvm::report_fatal_error("tianc: malformed built-in pipeline");
      });
}

} // namespace

void tianc::registerCpuPipelines() {
  registerStage("tian-optimize",
                "tian stage 1: decompose composites, canonicalize, CSE",
                kOptimize);
  registerStage("tian-lower-to-linalg",
                "tian stage 2: lower tian to linalg, tensor, arith and math",
                kLowerToLinalg);
  registerStage("tian-cpu-codegen",
                "tian stage 3: bufferize and lower to the LLVM dialect for the "
                "host CPU (bare-pointer calling convention, results as "
                "out-parameters)",
                kCpuCodegen);
  registerStage("tian-cpu-pipeline", "tian -> LLVM dialect for the host CPU",
                std::string(kOptimize) + "," + kLowerToLinalg + "," +
                    kCpuCodegen);
}
