//===- TianBase.td - the tian dialect, its types and enums ---*- tablegen -*-===//
#ifndef TIAN_BASE
#define TIAN_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def Tian_Dialect : Dialect {
  let name = "tian";
  let cppNamespace = "::mlir::tian";
  let summary = "tianc's high-level tensor dialect";
  let description = [{
    Value-semantic ops on builtin ranked tensors, with numpy broadcasting where
    it applies. Every op infers its result type and verifies its operands, so
    a malformed graph is rejected with the op, the operand and the shapes named.
    Primitive ops are lowered to upstream dialects; composite ops (softmax,
    layer_norm, ...) are rewritten into primitives by `tian-decompose`.
  }];
  let hasConstantMaterializer = 1;
  // Ops on empty tensors (TianEmptyTensors.cpp).
  let hasCanonicalizer = 1;
}

// Element types tianc computes with. Integers are signless (read as signed)
// or unsigned (ui8...ui64); tian-signless-integers erases the signedness
// before the lowering, leaving it on the ops that read it (tian.unsigned).
def Tian_FloatElement : AnyTypeOf<[F32, F16, BF16]>;
def Tian_AnyTensor : RankedTensorOf<[F32, F16, BF16, I8, I16, I32, I64, UI8, UI16, UI32, UI64, I1]>;
def Tian_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Tian_NumericTensor : RankedTensorOf<[F32, F16, BF16, I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
def Tian_BoolTensor : RankedTensorOf<[I1]>;
def Tian_IndexTensor : RankedTensorOf<[I32, I64]>;
def Tian_IntegerTensor : RankedTensorOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64]>;
// Bitwise ops: the integers and i1 (where they are the logical ops).
def Tian_BitsTensor : RankedTensorOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64, I1]>;

def Tian_CmpEQ : I32EnumAttrCase<"eq", 0>;
def Tian_CmpNE : I32EnumAttrCase<"ne", 1>;
def Tian_CmpLT : I32EnumAttrCase<"lt", 2>;
def Tian_CmpLE : I32EnumAttrCase<"le", 3>;
def Tian_CmpGT : I32EnumAttrCase<"gt", 4>;
def Tian_CmpGE : I32EnumAttrCase<"ge", 5>;
def Tian_ComparePredicateAttr : I32EnumAttr<"ComparePredicate",
    "elementwise comparison; floats compare ordered, except ne (true on NaN)",
    [Tian_CmpEQ, Tian_CmpNE, Tian_CmpLT, Tian_CmpLE, Tian_CmpGT, Tian_CmpGE]> {
  let cppNamespace = "::mlir::tian";
}

def Tian_GeluExact : I32EnumAttrCase<"none", 0>;
def Tian_GeluTanh : I32EnumAttrCase<"tanh", 1>;
def Tian_GeluApproximationAttr : I32EnumAttr<"GeluApproximation",
    "erf form (none) or tanh approximation of GELU",
    [Tian_GeluExact, Tian_GeluTanh]> {
  let cppNamespace = "::mlir::tian";
}

#endif // TIAN_BASE
