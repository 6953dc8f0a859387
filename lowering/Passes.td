//===- Passes.td - conversions out of tian -----------------*- tablegen -*-===//
#ifndef TIAN_LOWERING_PASSES
#define TIAN_LOWERING_PASSES

include "mlir/Pass/PassBase.td"

def ConvertTianToLinalg : Pass<"convert-tian-to-linalg"> {
  let summary = "Lower primitive tian ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Elementwise ops become one `linalg.generic` whose body is the op's own
    `buildScalar`, with broadcasting expressed in the indexing maps.
    Contractions and reductions become linalg named or generic ops, data
    movement becomes tensor ops. Composite ops must be decomposed first
    (`tian-decompose`); an op left without a lowering is reported at its
    location, naming the op.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect"
  ];
}

def SignlessIntegers : Pass<"tian-signless-integers", "::mlir::ModuleOp"> {
  let summary = "Make unsigned integer types signless, marking the ops that read them";
  let description = [{
    tian tensors may hold unsigned integers (`ui8` ... `ui64`), but arith,
    linalg and LLVM compute on signless integers with the signedness in the
    op (`arith.divui`, `arith.cmpi ult`, `arith.extui`, `arith.uitofp`).
    On tian IR, this pass marks every op whose operands are unsigned with
    `tian.unsigned` and every op whose results are with
    `tian.unsigned_result`, then retypes the module (signatures, block
    arguments, results, constants, a cast's `dtype`) to the signless
    integers of the same widths. `convert-tian-to-linalg` reads the marks
    (`tian::readsUnsigned`, `tian::writesUnsigned`) to pick the unsigned
    arithmetic. A module without unsigned integers is left as it is.
  }];
}

def StoreBoolsAsBytes : Pass<"tian-store-bools-as-bytes", "::mlir::ModuleOp"> {
  let summary = "Give i1 tensors i8 storage before bufferization";
  let description = [{
    LLVM has no addressable i1 memory (MemRefToLLVM rejects sub-byte loads
    and stores), and numpy stores a bool in a byte. On linalg-on-tensors IR,
    this pass retypes every `tensor<...xi1>` to `tensor<...xi8>` holding 0 or
    1, function signatures included; scalar i1 computations inside linalg
    bodies stay i1, with `arith.trunci` after each widened block argument
    and `arith.extui` before each i1 yield.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ExpandStridedCopies : Pass<"tian-expand-strided-copies"> {
  let summary = "Turn memref.copy of strided memrefs into linalg.copy";
  let description = [{
    MemRef-to-LLVM lowers a copy between identity-layout memrefs to a
    memcpy, but any other copy to a call of the `memrefCopy` runtime function,
    which a JIT-compiled or AOT-compiled tianc module does not link. This pass
    rewrites those copies as `linalg.copy`, which becomes plain loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DistinctResults : Pass<"tian-distinct-results", "::mlir::func::FuncOp"> {
  let summary = "Give a value returned more than once its own copy per result";
  let description = [{
    Each result of a compiled function becomes its own output buffer
    (buffer-results-to-out-params); a tensor returned twice would need one
    buffer to be two out-parameters, which upstream does not handle. Folding
    can create such returns (`w * 1.0` returned next to `w`), so on
    linalg-on-tensors IR this pass replaces every repeated return operand
    with a `linalg.copy` of it.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def FuseGroups : Pass<"tian-fuse-groups"> {
  let summary = "Fuse the linalg ops of each tian fusion group into one";
  let description = [{
    Runs right after `convert-tian-to-linalg`, which carries each op's
    `tian.fusion_group` (set by `tian-fuse-elementwise`) onto its
    `linalg.generic` or `linalg.reduce`. Grouped reductions are generalized;
    then, producer into consumer, every pair of the same group is fused
    with upstream linalg elementwise fusion, until each group is one
    `linalg.generic`. Ops of different groups, or of none, are never fused.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TileRowGroups : Pass<"tian-tile-row-groups", "::mlir::func::FuncOp"> {
  let summary = "Compute each tian row group one row at a time, in one loop";
  let description = [{
    Runs after `tian-fuse-groups`, on the groups `tian-fuse-rows` marked
    with `tian.fusion_rows` (their keepdims reductions are lowered without
    a reshape, as generics with unit parallel dims). The group's result is
    tiled by one row along its leading `tian.fusion_rows` dims into an `scf.forall`, and
    every other op of the group (and the fills that initialize its
    reductions) is fused into the loop with upstream tile-and-fuse. Inside
    the loop each op works on one row, so its temporaries are row-sized.
    Values of the group that ops outside it read are yielded by the loop
    as well.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect"
  ];
}

def MergeDivisions : Pass<"tian-merge-divisions"> {
  let summary = "Multiply by a reciprocal as one division; two sigmoid-shaped divisions as one";
  let description = [{
    `x * (1 / d)` becomes `x / d` (one rounding less). `(a / b) * (1 / d)`
    becomes `a / (b * d)` when both `b` and `d` are known to be at least 1
    (a constant of at least 1 plus an exp, absolute value, square root or
    square), which is what keeps `b * d` from underflowing and lets it
    overflow only where the quotient is below `|a| / FLT_MAX`. Sigmoids
    and the tanh GELU are such divisions: W2 (`gelu_tanh(u) * sigmoid(x)`)
    runs 9% faster with one division per element instead of two.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def ApproximateMath : Pass<"tian-approximate-math"> {
  let summary = "Replace f32 transcendental functions by inline polynomial approximations";
  let description = [{
    A call to libm's `expf` or `tanhf` inside a loop keeps LLVM from
    vectorizing it. This pass rewrites the `math` ops named in `functions`
    into arithmetic (upstream MLIR's polynomial approximations: range
    reduction, then a polynomial or rational function), which vectorizes
    with the rest of the loop. The default list holds the functions whose
    measured error stays within 1e-6 relative or 1e-7 absolute of the exact
    value over the whole f32 range (test/python/test_approximations.py);
    the others keep their libm call.
  }];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "The math ops to approximate (mnemonics: exp, tanh, erf, ...)">
  ];
  let dependentDialects = ["::mlir::math::MathDialect", "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // TIAN_LOWERING_PASSES
