//===- NvidiaPipeline.cpp - linalg to GPU kernels and PTX -----------------===//
//
// The NVIDIA target's stages after tian-lower-to-linalg:
//
//   tian-nvidia-kernels          bufferize; every loop nest a gpu.launch,
//                                outlined into a gpu.module; buffers in
//                                device memory                       (gpu)
//   tian-nvidia-codegen{chip=}   kernels to NVVM and PTX (embedded in a
//                                gpu.binary); host code to LLVM, calling
//                                the mgpu* runtime functions    (llvm-dialect)
//
// The host entry point takes one bare device pointer per input, weight and
// output, as the CPU targets take host pointers. Kernels are naive (one
// thread per output element, reductions in the thread); tiling, shared
// memory and tensor cores come with the codegen work of later issues.
//
//===----------------------------------------------------------------------===//
#include "targets/nvidia/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

namespace {

constexpr const char *kKernels =
    "func.func(tian-distinct-results),tian-store-bools-as-bytes,"
    "func.func(linalg-generalize-named-ops,tian-parallel-dims-outermost),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{modify-public-functions hoist-static-allocs},"
    "buffer-deallocation-pipeline,canonicalize,"
    "func.func(tian-expand-strided-copies,convert-linalg-to-parallel-loops,"
    "tian-map-loops-to-gpu,tian-device-memory),"
    "gpu-kernel-outlining,func.func(gpu-async-region),canonicalize,cse";

std::string codegenPipeline(const std::string &chip) {
  return "nvvm-attach-target{chip=" + chip + " O=3},"
         "lower-affine,convert-scf-to-cf,"
         "gpu.module(convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=1},"
         "canonicalize,cse,reconcile-unrealized-casts),"
         "expand-strided-metadata,finalize-memref-to-llvm,convert-math-to-llvm,"
         "convert-arith-to-llvm,convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
         "convert-index-to-llvm,"
         "gpu-to-llvm{use-bare-pointers-for-host use-bare-pointers-for-kernels},"
         "gpu-module-to-binary{format=isa},"
         "canonicalize,reconcile-unrealized-casts";
}

struct CodegenOptions : public mlir::PassPipelineOptions<CodegenOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("The GPU architecture (sm_80, sm_90, ...)"),
                           llvm::cl::init("sm_80")};
};

void parseOrDie(const std::string &pipeline, mlir::OpPassManager &pm) {
  // The text is ours and fixed: a parse failure is a tianc bug.
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("tianc: malformed built-in NVIDIA pipeline");
}

} // namespace

void tianc::registerNvidiaPipelines() {
  mlir::tian::registerTianNvidiaPasses();
  mlir::PassPipelineRegistration<>(
      "tian-nvidia-kernels",
      "NVIDIA stage 1: bufferize, map loop nests to GPU kernels, device memory",
      [](mlir::OpPassManager &pm) { parseOrDie(kKernels, pm); });
  mlir::PassPipelineRegistration<CodegenOptions>(
      "tian-nvidia-codegen",
      "NVIDIA stage 2: kernels to PTX (in a gpu.binary), host code to the LLVM dialect",
      [](mlir::OpPassManager &pm, const CodegenOptions &options) {
        parseOrDie(codegenPipeline(options.chip), pm);
      });
}
