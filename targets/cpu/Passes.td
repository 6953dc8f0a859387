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

#endif // TIAN_CPU_PASSES
