//===- CpuPipeline.cpp - tian to LLVM for the host CPU --------------------===//
//
// The stages of the CPU compiler, each a named pass pipeline so that
// tian-opt, the Python JIT and IR dumps all run exactly the same passes:
//
//   tian-optimize         decompose composites, fold, CSE        (tian)
//   tian-lower-to-linalg  tian -> linalg/tensor/arith/math       (linalg)
//                         (unsigned integers become signless first)
//   tian-cpu-bufferize    bufferize, plan memory                 (bufferized)
//   tian-cpu-codegen      loops, vector loops, LLVM dialect      (llvm-dialect)
//
// Entry points take their results as trailing out-parameters and, with
// static shapes, every memref is a bare data pointer: a caller passes one
// pointer per input and per output.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/CpuPipeline.h"
#include "targets/cpu/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

namespace {

/// Fusion groups are decided on tian (visible in the tian-optimized stage)
/// and carried out right after the lowering to linalg.
/// With `blockedMatmuls` (tian-block-matmuls in the codegen stage), the
/// operands of a matmul stay as they are (the packing reads any layout; only
/// a transposed product becomes a product of transposes) and
/// matmuls and convolutions take no epilogue row loop: the kernel needs the
/// whole product (one row of it, or one plane, reuses nothing).
std::string optimizePipeline(bool fusion, bool rows, bool blockedMatmuls) {
  return std::string("func.func(tian-decompose),canonicalize,") +
         (blockedMatmuls ? "func.func(tian-transpose-small-operand{swap-operands=false}),canonicalize,"
                         : "func.func(tian-transpose-small-operand),canonicalize,") +
         "cse" +
         (fusion ? ",func.func(tian-fuse-elementwise" : "") +
         (fusion && rows ? std::string(",tian-fuse-rows") +
                               (blockedMatmuls ? ")" : ",tian-fuse-epilogues)")
          : fusion      ? ")"
                        : "");
}

constexpr const char *kLowerToLinalg =
    "tian-signless-integers,func.func(convert-tian-to-linalg,tian-fuse-groups,canonicalize,tian-tile-row-groups),canonicalize,cse";

/// Rematerialization runs on tensors (CSE would undo it any earlier); the
/// memory plan on the bufferized function.
/// Matmuls become blocked kernels before the plan, so that their packed
/// operands are planned temporaries and the copies they read through
/// (transposes, im2col) are gone from it.
std::string bufferizePipeline(bool planMemory, bool rematerialize, bool blockMatmuls = true,
                              int64_t vectorBits = 256, int64_t vectorRegisters = 16) {
  std::string tile = "vector-bits=" + std::to_string(vectorBits) +
                     " vector-registers=" + std::to_string(vectorRegisters);
  return std::string(blockMatmuls ? "func.func(tian-convolutions-as-matmuls{" + tile + "},canonicalize),"
                                  : "") +
         "func.func(tian-distinct-results),tian-store-bools-as-bytes," +
         (rematerialize ? "func.func(tian-rematerialize)," : "") +
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-results-to-out-params{modify-public-functions hoist-static-allocs},"
         "buffer-deallocation-pipeline" +
         (blockMatmuls ? ",tian-block-matmuls{" + tile + "}" : std::string()) +
         (planMemory ? ",func.func(tian-plan-memory)" : "");
}

/// With `threads`, the outermost parallel loop of every kernel with enough
/// work (tian-prepare-parallel-loops decides) becomes a task function that
/// tianc's thread pool (targets/cpu/ParallelRuntime.cpp) runs on ranges of
/// its iterations: tian-outline-parallel-loops, then, on the LLVM dialect,
/// tian-lower-parallel-dispatch.
std::string codegenPipeline(bool threads) {
  std::string loops = threads
      ? "func.func(scf-forall-to-parallel,"
        "convert-linalg-to-parallel-loops,"
        "tian-prepare-parallel-loops),"
        "tian-outline-parallel-loops,"
        "func.func(convert-linalg-to-loops,"
      : "func.func(scf-forall-to-for,convert-linalg-to-loops,";
  // Strided copies (a convolution's padding) become linalg.copy before the
  // kernels are outlined: kernels of their own, shared among the cores and
  // merged where they repeat, not loops in the entry function.
  return "tian-drop-empty-buffers,func.func(tian-expand-strided-copies),tian-outline-kernels,tian-merge-identical-kernels,"
         "tian-check-allocations," + loops +
         "tian-vectorize-loops,tian-merge-divisions,math-extend-to-supported-types,"
         "tian-approximate-math{functions=exp,tanh,erf},tian-stack-loop-buffers,"
         "tian-prefetch-next-row,tian-contract-multiply-add),expand-strided-metadata,lower-affine,"
         "convert-scf-to-cf,convert-vector-to-llvm,finalize-memref-to-llvm,convert-math-to-llvm,"
         "convert-math-to-libm,"
         "convert-arith-to-llvm,convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
         "convert-index-to-llvm,reconcile-unrealized-casts" +
         std::string(threads ? ",tian-lower-parallel-dispatch" : "") + ",tian-verify-lowered";
}

struct CodegenOptions : public mlir::PassPipelineOptions<CodegenOptions> {
  Option<bool> threads{*this, "threads",
                       llvm::cl::desc("Run parallel loops on all cores (calls "
                                      "tianc_parallel_for of libtianc_parallel at run time)"),
                       llvm::cl::init(false)};
};

struct OptimizeOptions : public mlir::PassPipelineOptions<OptimizeOptions> {
  Option<bool> fusion{*this, "fusion",
                      llvm::cl::desc("Group ops into fused kernels (tian-fuse-elementwise)"),
                      llvm::cl::init(true)};
  Option<bool> rows{*this, "rows",
                    llvm::cl::desc("With fusion, also fuse reductions with their consumers "
                                   "into row loops (tian-fuse-rows; CPU only for now)"),
                    llvm::cl::init(true)};
  Option<bool> blockedMatmuls{
      *this, "blocked-matmuls",
      llvm::cl::desc("The codegen stage blocks matmuls (tian-block-matmuls): keep their "
                     "operands' layout and give them no epilogue row loops"),
      llvm::cl::init(false)};
};

struct BufferizeOptions : public mlir::PassPipelineOptions<BufferizeOptions> {
  Option<bool> planMemory{*this, "plan-memory",
                          llvm::cl::desc("Place temporaries in one arena (tian-plan-memory)"),
                          llvm::cl::init(true)};
  Option<bool> rematerialize{
      *this, "rematerialize",
      llvm::cl::desc("Recompute cheap activations near late uses (tian-rematerialize)"),
      llvm::cl::init(false)};
  Option<bool> blockMatmuls{*this, "block-matmuls",
                            llvm::cl::desc("Convolutions as matmuls, f32 matmuls as blocked "
                                           "kernels (tian-block-matmuls)"),
                            llvm::cl::init(true)};
  Option<int64_t> vectorBits{*this, "vector-bits",
                             llvm::cl::desc("The target's vector register width (matmul tiles)"),
                             llvm::cl::init(256)};
  Option<int64_t> vectorRegisters{*this, "vector-registers",
                                  llvm::cl::desc("The target's vector register count (matmul tiles)"),
                                  llvm::cl::init(16)};
};

void parseOrDie(const std::string &pipeline, mlir::OpPassManager &pm) {
  // The text is ours and fixed: a parse failure is a tianc bug.
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm)))
    llvm::report_fatal_error("tianc: malformed built-in pipeline");
}

void registerStage(const char *name, const char *description,
                   std::string pipeline) {
  mlir::PassPipelineRegistration<>(
      name, description, [pipeline](mlir::OpPassManager &pm) { parseOrDie(pipeline, pm); });
}

} // namespace

void tianc::registerCpuPipelines() {
  mlir::tian::registerTianCpuPasses();
  mlir::PassPipelineRegistration<OptimizeOptions>(
      "tian-optimize", "tian stage 1: decompose composites, canonicalize, CSE, fusion groups",
      [](mlir::OpPassManager &pm, const OptimizeOptions &options) {
        parseOrDie(optimizePipeline(options.fusion, options.rows, options.blockedMatmuls), pm);
      });
  registerStage("tian-lower-to-linalg",
                "tian stage 2: lower tian to linalg, tensor, arith and math",
                kLowerToLinalg);
  mlir::PassPipelineRegistration<BufferizeOptions>(
      "tian-cpu-bufferize",
      "tian stage 3: bufferize (results as out-parameters), plan memory into one arena",
      [](mlir::OpPassManager &pm, const BufferizeOptions &options) {
        parseOrDie(bufferizePipeline(options.planMemory, options.rematerialize,
                                     options.blockMatmuls, options.vectorBits,
                                     options.vectorRegisters),
                   pm);
      });
  mlir::PassPipelineRegistration<CodegenOptions>(
      "tian-cpu-codegen",
      "tian stage 4: lower bufferized code to the LLVM dialect for the host CPU "
      "(bare-pointer calling convention)",
      [](mlir::OpPassManager &pm, const CodegenOptions &options) {
        parseOrDie(codegenPipeline(options.threads), pm);
      });
  registerStage("tian-cpu-pipeline", "tian -> LLVM dialect for the host CPU",
                optimizePipeline(true, true, true) + "," + kLowerToLinalg + "," +
                    bufferizePipeline(true, false) + "," + codegenPipeline(false));
}
