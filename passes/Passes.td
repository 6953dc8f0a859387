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
    is reported at its location and the pass fails.
  }];
  let dependentDialects = ["::mlir::tian::TianDialect"];
}

#endif // TIAN_PASSES
