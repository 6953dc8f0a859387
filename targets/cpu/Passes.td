//===- Passes.td - the CPU targets' passes -----------------*- tablegen -*-===//
#ifndef TIAN_CPU_PASSES
#define TIAN_CPU_PASSES

include "mlir/Pass/PassBase.td"

def OutlineKernels : Pass<"tian-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Give each linalg op or row loop of a bufferized function its own kernel function";
  let description = [{
    Every top-level linalg op (or row loop, `scf.forall`) of a public
    function moves into a private
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

def DropEmptyBuffers : Pass<"tian-drop-empty-buffers", "::mlir::ModuleOp"> {
  let summary = "Remove the work on buffers with no elements and retype them as memref<0xT>";
  let description = [{
    Copies and linalg ops that write only buffers with no elements do
    nothing and are erased, with the allocations and globals of such buffers
    that are then unused. A function argument with no elements that is left
    unused becomes `memref<0xT>`: the bare-pointer calling convention cannot
    lower a multi-dimensional memref with a zero dimension (its strides are
    degenerate), which left a half-lowered module behind. The caller passes
    a pointer either way.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def VerifyLowered : Pass<"tian-verify-lowered", "::mlir::ModuleOp"> {
  let summary = "Fail unless every op is in the LLVM dialect";
  let description = [{
    The last pass of the CPU codegen stage. A conversion that leaves an op
    of another dialect behind (upstream conversions may skip what they
    cannot convert, without an error) is reported at that op, so that
    `tian-opt --tian-cpu-pipeline` never exits 0 with a half-lowered module
    and the JIT never hands one to LLVM.
  }];
}

def CheckAllocations : Pass<"tian-check-allocations", "::mlir::ModuleOp"> {
  let summary = "Return early, reporting the bytes, when a function's allocation fails";
  let description = [{
    After every `memref.alloc` at the top level of a function that returns
    nothing (results are out-parameters), the allocated pointer is tested.
    When it is null, the function calls `tianc_allocation_failed(bytes)`,
    frees what it allocated before, and returns; the rest of its body runs
    only when the allocation succeeded (it moves into an `scf.if`).

    The caller turns the report into an error: tianc's JIT call raises
    `MemoryError` naming the bytes, the AOT runtime returns
    `TIANC_ERROR_OUT_OF_MEMORY`. Without this check, a temporary arena too
    large for the machine was a null pointer the code wrote through.
    Allocations inside loops (the matmul kernels' packing buffers of a few
    KiB per task) are not checked.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def MergeIdenticalKernels : Pass<"tian-merge-identical-kernels", "::mlir::ModuleOp"> {
  let summary = "Make kernels with the same code one function";
  let description = [{
    Private functions whose text is the same apart from their name and
    locations (the kernels tian-outline-kernels makes for a model's repeated
    layers: same ops, shapes, attributes and argument attributes) are
    merged: every call goes to the first, the others are erased. LLVM then
    compiles each distinct kernel once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def BlockMatmuls : Pass<"tian-block-matmuls", "::mlir::ModuleOp"> {
  let summary = "Rewrite f32 matmuls as packed, cache- and register-blocked loop nests";
  let description = [{
    Each top-level f32 contraction of a bufferized function (a
    `linalg.generic` of a multiply and an add with one reduction dim and
    projected-permutation maps: matmuls, batched matmuls, either operand
    transposed, convolutions as matmuls) with static shapes becomes the loop
    nest of GotoBLAS and BLIS in scf, memref and vector ops:

    - B is packed once into panels of `columns` floats across, zero-padded
      (`scf.forall`, one task per panel);
    - one `scf.forall` over tasks of (outer dims, a block of rows, a block
      of panels); per block of the reduction, the task packs its rows of A
      into tiles of `rows` and, panel by panel, runs the micro-kernel over
      every row tile: `rows x vectors` vector accumulators carried by the
      reduction loop, each step one broadcast of A per row and one
      multiply-add per accumulator.

    The tile is the one with the most multiply-adds per load that fits the
    target's registers (`vector-bits`, `vector-registers`: 6x16 on AVX2,
    9x48 on AVX-512, 9x12 on NEON; see targets/cpu/MicroKernelShape.h). The
    reduction is split into equal blocks of about 256 (the packed panel in
    half of L1), the rows into blocks whose packed A fits in half of L2,
    and both are split further until there are 16 tasks. Padding with
    zeros gives every loop a static trip count; edge tiles skip rows past M
    and mask columns past N. A copy that only this contraction reads (a
    `linalg.transpose`, or a `linalg.generic` yielding its input through
    an affine map: im2col's columns) is dropped and read through by the
    packing, and a zero
    `linalg.fill` of C right before it becomes zero accumulators. Products
    of fewer than `min-multiply-adds`, with one row, or narrower than one
    vector stay as they are.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "The width of the target's vector registers in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "How many vector registers the target has">,
    Option<"minMultiplyAdds", "min-multiply-adds", "int64_t", /*default=*/"32768",
           "The smallest product (M * N * K) worth blocking">
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvolutionsAsMatmuls : Pass<"tian-convolutions-as-matmuls", "::mlir::func::FuncOp"> {
  let summary = "Rewrite f32 NCHW convolutions as im2col and one contraction";
  let description = [{
    Each `linalg.conv_2d_nchw_fchw` on static f32 tensors becomes upstream's
    im2col form (`linalg::rewriteInIm2Col`): a `linalg.generic` that lays
    each output position's receptive field out as a column, then a
    contraction of the filter, F x (C*KH*KW), with those columns, per image.
    `tian-block-matmuls` then runs it on the matmul kernel. Grouped and
    depthwise convolutions stay as they are.

    The kernel's register tile (`vector-bits`, `vector-registers`: the
    same tile `tian-block-matmuls` picks) pads the filters to whole row
    tiles and the output positions to whole column panels. When the output
    is small (ResNet's 7x7 stage: 49 positions, two 48-wide panels on
    AVX-512), that is up to half of the work: then the contraction is
    computed transposed, positions as rows and filters as columns, into a
    temporary that one `linalg.transpose` copies into the NCHW result,
    when the filters are constants (their packing, as the kernel's B,
    happens at compile time).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"256",
           "The width of the target's vector registers in bits">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "How many vector registers the target has">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def PrepareParallelLoops : Pass<"tian-prepare-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Make a kernel's parallel loops safe to run as tasks on all cores";
  let description = [{
    `tian-outline-parallel-loops` outlines each `scf.parallel` into a
    task function and marks every buffer it captures `llvm.noalias`, which
    LLVM needs to vectorize the loop body. That is only true when the
    captured buffers are distinct. In a kernel of `tian-outline-kernels`,
    this pass clones the views a loop reads (reshapes, subviews of the
    parameters) into the loop body, so that the loop captures parameters
    only; when the kernel's parameters are not all noalias, its parallel
    loops become sequential `scf.for` nests instead (they stay correct and
    single-threaded). So do loops with less than `min-work` operations to
    share out (counted statically: ops in the body times trip counts),
    where waking the workers would cost more than it saves, and loops
    nested in a parallel loop. A multi-dimensional loop is split over its
    outer dims only: each task runs whole innermost loops, which vectorize.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"131072",
           "The fewest operations a loop must run to be shared among threads">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def StackLoopBuffers : Pass<"tian-stack-loop-buffers", "::mlir::func::FuncOp"> {
  let summary = "Give the small buffers of a sequential loop body one stack slot each";
  let description = [{
    A row loop (`tian-tile-row-groups`) allocates its row-sized temporaries
    in the loop body; on the heap that is a malloc and a free per row and
    per buffer. On the sequential loops of the last stage (after
    `tian-outline-parallel-loops` has outlined each task's loop into a
    function of its own), this pass moves every static, identity-layout `memref.alloc`
    of at most `max-bytes` that sits directly in an `scf.for` body to a
    `memref.alloca` at the function's entry, dropping its deallocation:
    one stack slot serves every iteration. Buffers inside `scf.parallel`
    or `scf.forall` (iterations that may run at once) and buffers passed
    to calls or yielded stay on the heap.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", /*default=*/"65536",
           "The largest buffer moved to the stack">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def OutlineParallelLoops : Pass<"tian-outline-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Make each one-dim parallel loop a task function and a dispatch call";
  let description = [{
    Every one-dim `scf.parallel` without results (what
    `tian-prepare-parallel-loops` keeps parallel) becomes a private task
    function `<function>_task(captured..., %begin, %end)` that runs
    iterations [begin, end) in an `scf.for`, and, in its place, a call of
    the declaration `__tian_parallel_for_<task>(captured..., %trips)`,
    which `tian-lower-parallel-dispatch` lowers to the runtime's
    `tianc_parallel_for` on the LLVM dialect. Constants, globals and views
    are recomputed in the task rather than passed, so the task's buffer
    parameters are the buffers themselves, marked `llvm.noalias` (the
    promise `tian-prepare-parallel-loops` makes: they are distinct). A
    loop with a parameter the bare-pointer convention cannot pass (a
    dynamic layout) stays a loop and runs sequentially.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect"];
}

def ExternalizeConstants : Pass<"tian-externalize-constants", "::mlir::ModuleOp"> {
  let summary = "Write large constant globals to files and declare them external";
  let description = [{
    On the LLVM dialect, every constant global whose initializer is a dense
    array of at least `min-bytes` bytes is written, as it lies in memory,
    to `<directory>/<symbol>.bin` and becomes a hidden external declaration;
    `<directory>/constants.txt` lists each one (symbol, alignment, bytes,
    file). tianc.compiler.native links the files into the library with an
    assembler `.incbin`, so weights captured as constants never pass
    through LLVM.
  }];
  let options = [
    Option<"directory", "directory", "std::string", /*default=*/"\"\"",
           "Where the constants' files go">,
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"4096",
           "The smallest constant written to a file">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def LowerParallelDispatch : Pass<"tian-lower-parallel-dispatch", "::mlir::ModuleOp"> {
  let summary = "Lower parallel-loop dispatches to calls of tianc_parallel_for";
  let description = [{
    On the LLVM dialect, each call of a `__tian_parallel_for_<task>`
    declaration (`tian-outline-parallel-loops`) becomes stores of its
    arguments into a struct on the caller's stack (one slot, in the entry
    block) and `tianc_parallel_for(@<task>_entry, %struct, %trips)`: the
    thread pool (targets/cpu/ParallelRuntime.cpp) splits [0, trips) into
    blocks and calls `<task>_entry(%struct, %begin, %end)` for each, which
    loads the arguments and calls the task.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def PrefetchNextRow : Pass<"tian-prefetch-next-row", "::mlir::func::FuncOp"> {
  let summary = "Prefetch the next row of the inputs a row loop reads";
  let description = [{
    A row loop reads each row of its input from memory at the start of the
    row (the max of softmax), then computes on it from L1. A row of 4 KiB is
    a page, and hardware prefetchers stop at page boundaries, so every row
    starts with cache misses. In an `scf.for` whose body takes whole rows of
    a 2-D parameter (`memref.subview %arg[%iv, 0] [1, n] [1, 1]`), this pass
    prefetches row `iv + distance * step` (one `memref.prefetch` per 64-byte
    line) at the start of the body, so its loads overlap the work on the
    rows before it. Rows the loop writes are not: prefetching one reads it
    into the cache, the very read a non-temporal store
    (tian-vectorize-loops) skips; with them prefetched W6 ran 20% slower on
    two threads. W6 with the input rows alone, one row ahead: 13% faster
    on one core, unchanged on two; two rows ahead, 10-20% faster again on
    one core and 10% on two (three, four and eight rows ahead: the same as
    two).
  }];
  let options = [
    Option<"distance", "distance", "int64_t", /*default=*/"2",
           "How many rows ahead to prefetch">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

def ContractMultiplyAdd : Pass<"tian-contract-multiply-add", "::mlir::func::FuncOp"> {
  let summary = "Let LLVM fuse a float multiply and the add that reads it into one fma";
  let description = [{
    Marks every `arith.mulf`, `arith.addf` and `arith.subf` with the
    `contract` fast-math flag (and nothing else), which lets LLVM turn
    `a * b + c` into one fused multiply-add: one rounding instead of two, so
    the result is at least as accurate, as GCC does by default
    (`-ffp-contract=fast`) and as CUDA does. In a fused loop each
    contraction is one instruction and one rounding latency less on the
    chain: W2 (`x * 1.5 + 0.25`, `1 + exp(...)` twice, `g * s + x`) runs 12%
    faster on one core. Eager kernels (one op each) have nothing to
    contract; compiled code may differ from them by the rounding saved.
    An op marked `tian.no_contract` is left alone: the last multiply of the
    fast exp, whose overflow to inf an fma would skip.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def VectorizeLoops : Pass<"tian-vectorize-loops", "::mlir::func::FuncOp"> {
  let summary = "Rewrite innermost scalar loops as vector-dialect loops";
  let description = [{
    An innermost `scf.for` (unit step, no results) whose loads and stores
    are contiguous along the induction variable, or do not depend on it,
    becomes a loop of `vector.load`, vector arith/math ops and
    `vector.store` over `vector-bits / (widest element bits)` elements per
    step, followed by the original loop for the remainder. Scalars the loop
    does not move along are broadcast. A reduction in the linalg-to-loops
    form (load, combine, store at fixed indices: sums, products, min/max,
    bitwise) gets a vector accumulator carried by the loop and one
    `vector.reduction` after it; float sums and products only when marked
    `reassoc`. Vectors wider than the target's registers are split by LLVM
    into independent registers, which is how the loop is unrolled.

    Stores into a buffer of at least `streaming-bytes` are non-temporal
    (`nontemporal`, 64-byte `alignment`): a buffer that large would not
    stay in cache for its next reader, and a streaming store skips the
    read for ownership an ordinary store makes, a third of the memory
    traffic of a kernel that reads one buffer and writes one. Their
    alignment is only known at run time, so the vector loop comes in two
    versions under an `scf.if` on the store addresses.

    A loop is left scalar (LLVM's loop vectorizer still sees it) when the
    induction variable is used any other way (strided or transposed
    access, iota), when its body has regions or side effects other than
    loads and stores, when a buffer it writes is also read at other
    indices, or when two of its buffers may alias (distinct allocations
    and `llvm.noalias` parameters are known not to).
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"2048",
           "Bits of one vector operation (wider than a register: unrolled); "
           "halved, down to 128, for loops known to be shorter">,
    Option<"streamingBytes", "streaming-bytes", "int64_t", /*default=*/"16777216",
           "Stores into buffers of at least this many bytes bypass the caches "
           "when aligned (0: never)">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect", "::mlir::arith::ArithDialect"];
}

#endif // TIAN_CPU_PASSES
