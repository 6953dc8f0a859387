//===- Passes.td - the CPU targets' passes -----------------*- tablegen -*-===//
#ifndef TIAN_CPU_PASSES
#define TIAN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def OutlineKernels : Pass<"tian-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Give each linalg op of a bufferized function its own kernel function";
  let description = [{
    Every top-level linalg op of a public function moves into a private
    function that takes the op's root buffers (function arguments, arena
    views, allocations, globals: each once) and its scalars, with the views
    between them cloned inside; the op becomes a call. A buffer that no
    other root of the op overlaps is marked `llvm.noalias`.

    This is how LLVM learns that an op's buffers are distinct: the memory
    plan carves every temporary out of one arena, and two views of one base
    pointer with variable indices may alias as far as LLVM can prove, which
    blocks vectorization and hoisting. When LLVM inlines a kernel (each has
    one call site), its noalias parameters become alias scopes that hold for
    that op only, which is exactly what is true: buffers sharing bytes never
    live during the same op. Inputs, weights and outputs are distinct
    buffers (outputs are never the caller's inputs).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"];
}

def PrepareParallelLoops : Pass<"tian-prepare-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Make a kernel's parallel loops safe to hand to async-parallel-for";
  let description = [{
    `async-parallel-for{memref-noalias}` outlines each `scf.parallel` into a
    task function and marks every buffer it captures `llvm.noalias`, which
    LLVM needs to vectorize the loop body. That is only true when the
    captured buffers are distinct. In a kernel of `tian-outline-kernels`,
    this pass clones the views a loop reads (reshapes, subviews of the
    parameters) into the loop body, so that the loop captures parameters
    only; when the kernel's parameters are not all noalias, its parallel
    loops become sequential `scf.for` nests instead (they stay correct and
    single-threaded).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // TIAN_CPU_PASSES
