//===- TianInterfaces.td - interfaces of tian ops ----------*- tablegen -*-===//
#ifndef TIAN_INTERFACES
#define TIAN_INTERFACES

include "mlir/IR/OpBase.td"

def Tian_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let cppNamespace = "::mlir::tian";
  let description = [{
    An op that applies one scalar function at every position of its operands
    (broadcast numpy-style to the result shape). `buildScalar` emits that
    function in arith/math: it is the single definition of the op's
    arithmetic, used by the lowering, by fusion and so by the eager kernels.
  }];
  let methods = [
    InterfaceMethod<
      "Emits the scalar computation for one element; `scalarOperands` are the "
      "elements of the operands, in order.",
      "::mlir::Value", "buildScalar",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::Location":$loc,
           "::mlir::ValueRange":$scalarOperands)>
  ];
}

def Tian_DecomposableOpInterface : OpInterface<"DecomposableOpInterface"> {
  let cppNamespace = "::mlir::tian";
  let description = [{
    A composite op: it is defined by a rewrite into primitive tian ops, which
    `tian-decompose` applies before lowering. Keeping composites until then
    lets the importers and the tracer emit them, and lets later passes match
    them whole.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the equivalent primitive ops at the builder's insertion point "
      "and returns the value that replaces the op's result.",
      "::mlir::Value", "decompose", (ins "::mlir::OpBuilder &":$builder)>
  ];
}

#endif // TIAN_INTERFACES
