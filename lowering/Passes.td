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

#endif // TIAN_LOWERING_PASSES
