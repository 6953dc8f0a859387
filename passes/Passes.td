//===- Passes.td - tian's own passes -----------------------*- tablegen -*-===//
#ifndef TIAN_PASSES
#define TIAN_PASSES

include "mlir/Pass/PassBase.td"

def TianDecompose : Pass<"tian-decompose"> {
  let summary = "Rewrite composite tian ops into primitive tian ops";
  let description = [{
    Applies DecomposableOpInterface::decompose to every composite op
    (softmax, log_softmax, layer_norm, batch_norm, reduce_mean,
    global_avg_pool2d, expand_dims, squeeze) until none is left, folding as
    it goes. A composite that cannot be decomposed (it needs a dynamic size)
    is reported at its location and the pass fails. Sums, products and
    means of 16-bit floats become casts around the same reduction in f32,
    so they accumulate in f32 and round once.
  }];
  let dependentDialects = ["::mlir::tian::TianDialect"];
}

def TransposeSmallOperand : Pass<"tian-transpose-small-operand", "::mlir::func::FuncOp"> {
  let summary = "Transpose the small operands of a matmul, not the large one";
  let description = [{
    `x @ W.T` (every Linear layer) would copy the whole weight into its
    transpose on every call: 3 MiB per step for W1's first layer, which
    then dominates the step's memory peak. For a 2-D `matmul(A,
    transpose(B))` where B has more elements than A and the result
    together, this pass computes `transpose(matmul(B, transpose(A)))`
    instead; and `transpose(matmul(A, B))` with a result larger than A and
    B together (a weight's gradient, `(x.T @ g).T`) becomes
    `matmul(transpose(B), transpose(A))`. The values are the same (each
    element is the same dot product, summed in the same order); only small
    tensors move.

    With `swap-operands=false` (the CPU's blocked matmul kernels, whose
    packing reads an operand in any layout at no cost) only the second
    rewrite runs: an operand's transpose is free there, the product's is a
    full strided copy.
  }];
  let options = [
    Option<"swapOperands", "swap-operands", "bool", /*default=*/"true",
           "Also rewrite A @ B.T as (B @ A.T).T when B is the large one">
  ];
}

def FuseElementwise : Pass<"tian-fuse-elementwise", "::mlir::func::FuncOp"> {
  let summary = "Group elementwise chains, and their reductions, into kernels";
  let description = [{
    Marks the ops that compile into one loop nest with the same
    `tian.fusion_group` id; the lowering (`tian-fuse-groups`) then fuses
    exactly those. A group is a connected chain of elementwise ops
    (numpy broadcasting and constants included) ending either in an
    elementwise op or in one reduction (`reduce_sum`, `reduce_max`,
    `reduce_min`, `reduce_prod`) that consumes it: softmax's
    `exp(x - max)` and the sum over it become one pass.

    The rules that keep it correct and profitable, decided consumer first:
    - a producer joins only if every one of its users is in one and the
      same group: work is never duplicated into two kernels, and a value
      needed outside the group is computed once and stored;
    - a producer whose result a consumer broadcasts (a smaller shape) does
      not join: fusing would recompute it for every broadcast element;
    - a reduction ends its group: its consumers (the division of softmax,
      say) start another, since they need the whole reduced value;
    - only ops with static shapes; tian ops have no side effects, so nothing
      crosses one.
    Groups of a single op get no attribute.
  }];
}

def FuseRows : Pass<"tian-fuse-rows", "::mlir::func::FuncOp"> {
  let summary = "Group reductions over rows with their consumers into one row loop";
  let description = [{
    Runs after `tian-fuse-elementwise`. A reduction over the trailing axes
    (with `keepdims`) and the elementwise ops around it that work row by
    row (whole rows, or one statistic per row broadcast back along it)
    form one group: `tian.fusion_group` as usual, plus `tian.fusion_rows`,
    the number of leading dims the rows are indexed by. The lowering
    (`tian-tile-row-groups`) computes such a group one row at a time, so
    softmax followed by layer_norm reads its input once instead of five
    times, and the intermediate rows stay in L1.

    The rules:
    - every op of the group has the same rows and row shape; operands may
      broadcast along the row (a LayerNorm weight) but never across rows;
    - the group is computed for one result, the op no other op of it reads:
      of the connected row ops, the backward slice of the sink with the
      most ops (softmax's sink when a log_softmax shares its exp);
    - values of the group other ops read are yielded by the row loop too
      (nothing is recomputed); those readers move after the group's last
      op, where the loop will be, and a reader that feeds the group back
      (a cycle) means no group;
    - the group must consume a reduction inside it, otherwise
      `tian-fuse-elementwise` already fused what there is to fuse.
    Groups are numbered in program order again afterwards.
  }];
}

def FuseEpilogues : Pass<"tian-fuse-epilogues", "::mlir::func::FuncOp"> {
  let summary = "Join a matmul or conv2d to the elementwise group that consumes it";
  let description = [{
    Runs after `tian-fuse-rows`. A `matmul`, or a `conv2d` without groups,
    whose only user is an elementwise op of the same shape (a bias, a
    residual add, an activation, a scale: the epilogue) joins that op's
    group, and the group becomes a row loop (`tian.fusion_rows`): over the
    rows of the matmul's result, or over the (image, channel) planes of the
    convolution's. The lowering (`tian-tile-row-groups`) computes one row
    or plane of the contraction and runs the epilogue on it while it is in
    cache, instead of writing the whole result and reading it back. An
    existing row group (a LayerNorm after the matmul) is joined when it runs
    over the same rows.

    Must not fuse:
    - a contraction with other users (its result is needed whole anyway);
    - an epilogue that broadcasts the result (another shape);
    - a group whose result is not elementwise of the contraction's shape (a
      reduction of the activations) or whose rows differ;
    - grouped convolutions (they lower through a reshape, which the tiler
      cannot fuse through).
    Prologues (elementwise producers of a matmul's operands) are not fused:
    they would be recomputed for every output column.
  }];
}

def PlanMemory : Pass<"tian-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Place every temporary buffer of a function in one arena";
  let description = [{
    Runs on bufferized IR (after buffer-results-to-out-params and the buffer
    deallocation pipeline), where every temporary is a `memref.alloc` in the
    function body. Each buffer's lifetime runs from the first to the last
    top-level op that uses it (through views); buffers whose lifetimes do
    not overlap may share bytes. Buffers are placed greedily by size, each at
    the best-fitting free gap among the buffers it overlaps in time (the
    "greedy by size" planner of TFLite and MegEngine), 64-byte aligned.

    In place: when an elementwise `linalg.generic` reads buffer A for the last
    time and is the first writer of buffer B, with the same indexing map for
    both and the same size, B takes A's bytes (each element is read before it
    is written, by the same iteration). Never when A is read later.

    The function then allocates one `memref<N x i8>` arena on entry and
    frees it before returning (per call: thread-safe with no locking); each
    buffer becomes a `memref.view` at its offset. Function arguments
    (inputs, weights, outputs) are not in the arena. Buffers the pass cannot
    follow (allocated in a nested region, escaping, with a dynamic shape or a
    non-identity layout) keep their own allocation. Passing a buffer to a
    call escapes, unless the call is marked `tian.no_capture`: the callee
    uses its memrefs during the call only (tian-block-matmuls' tile calls).

    The function gets a `tian.memory_plan` dictionary: `naive_bytes` (the
    sum of the planned buffers: what the code allocated before, all live to
    the end), `lower_bound_bytes` (the most bytes live at any op, with the
    in-place rule), `planned_peak_bytes` (the arena) and `buffers`.
  }];
  let options = [
    Option<"inPlace", "in-place", "bool", /*default=*/"true",
           "Let an elementwise op's output take the bytes of an input that dies there">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect"];
}

def Rematerialize : Pass<"tian-rematerialize", "::mlir::func::FuncOp"> {
  let summary = "Recompute cheap elementwise results instead of keeping them alive";
  let description = [{
    Runs on linalg on tensors, before bufferization. A training step keeps
    forward activations alive until the backward pass reads them. When such
    a value is produced by a cheap elementwise `linalg.generic` (arith only,
    no transcendental functions), the op is cloned right before its first
    use after the widest gap between its uses (at least `min-gap` ops), and
    the later uses read the clone, when that pays: the value's bytes freed
    over the gap must exceed the bytes its inputs must hold longer to be
    read at the late point (function arguments and constants cost nothing). This is the cheap end of MegEngine's sublinear
    memory and of DTR: recompute what costs one pass over live data.
  }];
  let options = [
    Option<"minGap", "min-gap", "int64_t", /*default=*/"4",
           "Ops between two uses of a value before its later uses recompute it">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

#endif // TIAN_PASSES
