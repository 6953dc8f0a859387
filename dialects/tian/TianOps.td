//===- TianOps.td - operations of the tian dialect ---------*- tablegen -*-===//
//
// One record per op. Its verifier and result-type inference live in
// TianOps.cpp, its folder in TianFolds.cpp, its scalar arithmetic (if
// elementwise) in TianScalar.cpp, its decomposition (if composite) in
// TianDecompositions.cpp. docs/adding-an-op.md lists every place to touch.
//
//===----------------------------------------------------------------------===//
#ifndef TIAN_OPS
#define TIAN_OPS

include "dialects/tian/TianBase.td"
include "dialects/tian/TianInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

// Every tensor an op takes or makes has a byte size that fits in int64: a
// larger one would overflow the sizes computed by the lowering and abort it.
def Tian_SizesFitInt64 : NativeOpTrait<"SizesFitInt64"> {
  let cppNamespace = "::mlir::tian";
}

class Tian_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tian_Dialect, mnemonic, !listconcat([Tian_SizesFitInt64], traits)>;

// Ops whose result type is computed from operands and attributes by a
// hand-written inferReturnTypes (TianOps.cpp); it also reports bad shapes.
class Tian_InferredOp<string mnemonic, list<Trait> traits = []>
    : Tian_Op<mnemonic, !listconcat([Pure, InferTypeOpAdaptor], traits)>;

//===----------------------------------------------------------------------===//
// Constants and generators
//===----------------------------------------------------------------------===//

def Tian_ConstantOp : Tian_InferredOp<"constant", [ConstantLike]> {
  let summary = "a tensor constant";
  let description = [{
    ```mlir
    %0 = tian.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Tian_IotaOp : Tian_Op<"iota", [Pure]> {
  let summary = "0, 1, 2, ... along one dimension, repeated along the others";
  let description = [{
    The result type is the op's only shape information, so it is written out:
    ```mlir
    %0 = tian.iota dim = 1 : tensor<2x4xi64>
    ```
  }];
  let arguments = (ins I64Attr:$dim);
  let results = (outs Tian_NumericTensor:$result);
  let assemblyFormat = "`dim` `=` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Tian_RandomUniformOp : Tian_Op<"random_uniform", [Pure]> {
  let summary = "uniform random numbers in [0, 1) from a counter-based generator";
  let description = [{
    Element `i` (row-major) of the result is Philox4x32-10 (Salmon et al.,
    "Parallel random numbers: as easy as 1, 2, 3", SC'11) of the 64-bit
    counter `state[1] + i` under the 64-bit key `state[0]`: the top 24 bits
    of its first output word, times 2^-24. The op is a pure function of its
    state; tianc's generator (`tc.manual_seed`) passes its state in and
    advances the counter by the element count after every draw, in eager
    mode and in compiled code alike, so both draw the same numbers.
    ```mlir
    %u = tian.random_uniform %state : tensor<2xi64> -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins TensorOf<[I64]>:$state);
  let results = (outs Tian_FloatTensor:$result);
  let assemblyFormat = "$state attr-dict `:` type($state) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

class Tian_UnaryOp<string mnemonic, Type TensorType, string desc,
                   list<Trait> traits = []>
    : Tian_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType,
          InferTypeOpInterface,
          DeclareOpInterfaceMethods<Tian_ElementwiseOpInterface>], traits)> {
  let summary = desc;
  let arguments = (ins TensorType:$input);
  let results = (outs TensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Tian_NegOp : Tian_UnaryOp<"neg", Tian_NumericTensor, "-x"> { let hasFolder = 1; }
def Tian_AbsOp : Tian_UnaryOp<"abs", Tian_NumericTensor, "|x|"> { let hasFolder = 1; }
def Tian_ReluOp : Tian_UnaryOp<"relu", Tian_NumericTensor, "max(x, 0)"> { let hasFolder = 1; }
def Tian_ExpOp : Tian_UnaryOp<"exp", Tian_FloatTensor, "e^x">;
def Tian_LogOp : Tian_UnaryOp<"log", Tian_FloatTensor, "natural logarithm">;
def Tian_SqrtOp : Tian_UnaryOp<"sqrt", Tian_FloatTensor, "square root">;
def Tian_RsqrtOp : Tian_UnaryOp<"rsqrt", Tian_FloatTensor, "1 / sqrt(x)">;
def Tian_TanhOp : Tian_UnaryOp<"tanh", Tian_FloatTensor, "hyperbolic tangent">;
def Tian_SigmoidOp : Tian_UnaryOp<"sigmoid", Tian_FloatTensor, "1 / (1 + e^-x)">;
def Tian_ErfOp : Tian_UnaryOp<"erf", Tian_FloatTensor, "error function">;
def Tian_SinOp : Tian_UnaryOp<"sin", Tian_FloatTensor, "sine">;
def Tian_CosOp : Tian_UnaryOp<"cos", Tian_FloatTensor, "cosine">;
def Tian_FloorOp : Tian_UnaryOp<"floor", Tian_FloatTensor, "round down"> { let hasFolder = 1; }
def Tian_CeilOp : Tian_UnaryOp<"ceil", Tian_FloatTensor, "round up"> { let hasFolder = 1; }
def Tian_NotOp : Tian_UnaryOp<"not", Tian_BoolTensor, "logical not"> { let hasFolder = 1; }
def Tian_AsinOp : Tian_UnaryOp<"asin", Tian_FloatTensor, "arcsine (NaN outside [-1, 1])">;
def Tian_AcosOp : Tian_UnaryOp<"acos", Tian_FloatTensor, "arccosine (NaN outside [-1, 1])">;
def Tian_AtanOp : Tian_UnaryOp<"atan", Tian_FloatTensor, "arctangent">;
def Tian_AsinhOp : Tian_UnaryOp<"asinh", Tian_FloatTensor, "inverse hyperbolic sine">;
def Tian_AcoshOp : Tian_UnaryOp<"acosh", Tian_FloatTensor,
    "inverse hyperbolic cosine (NaN below 1)">;
def Tian_AtanhOp : Tian_UnaryOp<"atanh", Tian_FloatTensor,
    "inverse hyperbolic tangent (NaN outside [-1, 1])">;
def Tian_BitwiseNotOp : Tian_UnaryOp<"bitwise_not", Tian_IntegerTensor,
    "~x, every bit flipped (bools use tian.not)"> { let hasFolder = 1; }

def Tian_GeluOp : Tian_UnaryOp<"gelu", Tian_FloatTensor,
    "Gaussian error linear unit, exact (erf) or tanh-approximated"> {
  let arguments = (ins Tian_FloatTensor:$input,
      DefaultValuedAttr<Tian_GeluApproximationAttr,
                        "::mlir::tian::GeluApproximation::none">:$approximate);
  let assemblyFormat =
      "$input (`approximate` `=` $approximate^)? attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Elementwise binary and ternary, with numpy broadcasting
//===----------------------------------------------------------------------===//

class Tian_BroadcastOp<string mnemonic, list<Trait> traits = []>
    : Tian_InferredOp<mnemonic, !listconcat(
          [DeclareOpInterfaceMethods<Tian_ElementwiseOpInterface>], traits)>;

class Tian_BinaryOp<string mnemonic, Type TensorType, string desc>
    : Tian_BroadcastOp<mnemonic> {
  let summary = desc;
  let description = [{
    Both operands have the same element type; their shapes broadcast as in
    numpy (trailing dimensions align, a dimension of size 1 stretches).
  }];
  let arguments = (ins TensorType:$lhs, TensorType:$rhs);
  let results = (outs TensorType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) "
                       "`->` type($result)";
  let hasFolder = 1;
}

def Tian_AddOp : Tian_BinaryOp<"add", Tian_NumericTensor, "lhs + rhs">;
def Tian_SubOp : Tian_BinaryOp<"sub", Tian_NumericTensor, "lhs - rhs">;
def Tian_MulOp : Tian_BinaryOp<"mul", Tian_NumericTensor, "lhs * rhs">;
def Tian_DivOp : Tian_BinaryOp<"div", Tian_NumericTensor,
    "lhs / rhs (integers: truncating division)">;
def Tian_PowOp : Tian_BinaryOp<"pow", Tian_FloatTensor, "lhs ^ rhs">;
def Tian_MaxOp : Tian_BinaryOp<"max", Tian_NumericTensor,
    "elementwise maximum (NaN wins)">;
def Tian_MinOp : Tian_BinaryOp<"min", Tian_NumericTensor,
    "elementwise minimum (NaN wins)">;
def Tian_RemOp : Tian_BinaryOp<"rem", Tian_NumericTensor,
    "remainder of truncating division, the sign of lhs (C's fmod; exact for floats)">;
def Tian_BitwiseAndOp : Tian_BinaryOp<"bitwise_and", Tian_BitsTensor, "lhs & rhs">;
def Tian_BitwiseOrOp : Tian_BinaryOp<"bitwise_or", Tian_BitsTensor, "lhs | rhs">;
def Tian_BitwiseXorOp : Tian_BinaryOp<"bitwise_xor", Tian_BitsTensor, "lhs ^ rhs">;
def Tian_ShiftLeftOp : Tian_BinaryOp<"shift_left", Tian_IntegerTensor,
    "lhs << rhs; 0 where rhs is negative or at least the bit width">;
def Tian_ShiftRightOp : Tian_BinaryOp<"shift_right", Tian_IntegerTensor,
    "lhs >> rhs, sign-filling; where rhs is negative or at least the bit width, "
    "0 for lhs >= 0 and -1 below">;

def Tian_CompareOp : Tian_BroadcastOp<"compare"> {
  let summary = "elementwise comparison, giving i1";
  let description = [{
    ```mlir
    %m = tian.compare lt %a, %b : tensor<4xf32>, tensor<f32> -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Tian_ComparePredicateAttr:$predicate,
                       Tian_AnyTensor:$lhs, Tian_AnyTensor:$rhs);
  let results = (outs Tian_BoolTensor:$result);
  let assemblyFormat = "$predicate $lhs `,` $rhs attr-dict `:` type($lhs) `,` "
                       "type($rhs) `->` type($result)";
  let hasFolder = 1;
}

def Tian_SelectOp : Tian_BroadcastOp<"select"> {
  let summary = "condition ? on_true : on_false, elementwise (numpy.where)";
  let arguments = (ins Tian_BoolTensor:$condition, Tian_AnyTensor:$on_true,
                       Tian_AnyTensor:$on_false);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` "
      "type($condition) `,` type($on_true) `,` type($on_false) `->` type($result)";
  let hasFolder = 1;
}

def Tian_CastOp : Tian_BroadcastOp<"cast"> {
  let summary = "converts the element type";
  let description = [{
    Floats round to nearest when narrowed; float to integer truncates toward
    zero; anything to i1 is `x != 0`; i1 to a number is 0 or 1.
    ```mlir
    %1 = tian.cast %0 : tensor<4xf32> to i32
    ```
  }];
  let arguments = (ins Tian_AnyTensor:$input, TypeAttr:$dtype);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` $dtype";
  let hasFolder = 1;
}

def Tian_BitcastOp : Tian_BroadcastOp<"bitcast"> {
  let summary = "reinterprets each element's bits as another type of the same width";
  let description = [{
    numpy's `view(dtype)` and ONNX's BitCast, element by element: the
    widths must match (i1 counts as its byte: true is 1, and a byte is true
    when it is not 0).
    ```mlir
    %1 = tian.bitcast %0 : tensor<4xf32> to i32
    ```
  }];
  let arguments = (ins Tian_AnyTensor:$input, TypeAttr:$dtype);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` $dtype";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and windows
//===----------------------------------------------------------------------===//

def Tian_MatmulOp : Tian_InferredOp<"matmul"> {
  let summary = "batched matrix product, batch dimensions broadcast";
  let description = [{
    lhs `[..., M, K]` times rhs `[..., K, N]` gives `[..., M, N]`; both ranks
    are at least 2 and the leading (batch) dimensions broadcast as in numpy.
  }];
  let arguments = (ins Tian_NumericTensor:$lhs, Tian_NumericTensor:$rhs);
  let results = (outs Tian_NumericTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) "
                       "`->` type($result)";
}

def Tian_Conv2dOp : Tian_InferredOp<"conv2d"> {
  let summary = "2-D convolution, NCHW input, OIHW weight";
  let description = [{
    input `[N, C, H, W]`, weight `[O, C / groups, KH, KW]`, result
    `[N, O, OH, OW]`. `padding` is `[top, left, bottom, right]`.
    Bias is a separate broadcast add, which fusion folds into the kernel.
    Integer convolutions (ONNX's ConvInteger) accumulate in their own type.
  }];
  let arguments = (ins Tian_NumericTensor:$input, Tian_NumericTensor:$weight,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Tian_NumericTensor:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` "
                       "type($weight) `->` type($result)";
}

class Tian_Pool2dOp<string mnemonic, string desc, Type TensorType = Tian_FloatTensor>
    : Tian_InferredOp<mnemonic> {
  let summary = desc;
  let description = [{
    NCHW. `padding` is `[top, left, bottom, right]`. With `ceil_mode` the
    output size rounds up, but no window starts inside the bottom/right
    padding (the PyTorch and ONNX rule).
  }];
  let results = (outs TensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Tian_MaxPool2dOp : Tian_Pool2dOp<"max_pool2d", "2-D max pooling", Tian_NumericTensor> {
  let arguments = (ins Tian_NumericTensor:$input,
      DenseI64ArrayAttr:$kernel_size, DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      UnitAttr:$ceil_mode);
}

def Tian_AvgPool2dOp : Tian_Pool2dOp<"avg_pool2d", "2-D average pooling"> {
  let arguments = (ins Tian_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel_size, DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      UnitAttr:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
}

def Tian_GlobalAvgPool2dOp : Tian_InferredOp<"global_avg_pool2d",
    [DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = "mean over H and W, keeping them as size 1";
  let arguments = (ins Tian_FloatTensor:$input);
  let results = (outs Tian_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Tian_ReduceOp<string mnemonic, string desc, list<Trait> traits = []>
    : Tian_InferredOp<mnemonic, traits> {
  let summary = desc;
  let description = [{
    Reduces over `axes` (sorted, unique, in `[0, rank)`); with `keepdims` the
    reduced dimensions stay as size 1.
    ```mlir
    %1 = tian.reduce_sum %0 axes = [1] keepdims : tensor<2x3xf32> -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins Tian_NumericTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs Tian_NumericTensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes (`keepdims` $keepdims^)? "
                       "attr-dict `:` type($input) `->` type($result)";
}

def Tian_ReduceSumOp : Tian_ReduceOp<"reduce_sum", "sum over axes">;
def Tian_ReduceMaxOp : Tian_ReduceOp<"reduce_max", "maximum over axes">;
def Tian_ReduceMinOp : Tian_ReduceOp<"reduce_min", "minimum over axes">;
def Tian_ReduceProdOp : Tian_ReduceOp<"reduce_prod", "product over axes">;
def Tian_ReduceMeanOp : Tian_ReduceOp<"reduce_mean",
    "mean over axes",
    [DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]>;

def Tian_ArgmaxOp : Tian_InferredOp<"argmax"> {
  let summary = "index of the first maximum along one axis, as i64";
  let arguments = (ins Tian_NumericTensor:$input, I64Attr:$axis,
                       UnitAttr:$keepdims);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input `axis` `=` $axis (`keepdims` $keepdims^)? "
                       "attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Normalizations (composites)
//===----------------------------------------------------------------------===//

class Tian_SoftmaxLikeOp<string mnemonic, string desc>
    : Tian_InferredOp<mnemonic,
          [DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = desc;
  let arguments = (ins Tian_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Tian_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input)";
}

def Tian_SoftmaxOp : Tian_SoftmaxLikeOp<"softmax",
    "exp(x - max) / sum(exp(x - max)) along axis">;
def Tian_LogSoftmaxOp : Tian_SoftmaxLikeOp<"log_softmax",
    "x - max - log(sum(exp(x - max))) along axis">;

def Tian_LayerNormOp : Tian_InferredOp<"layer_norm",
    [AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = "normalizes over dimensions [axis, rank)";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * weight + bias`, mean and (biased)
    variance over the trailing dimensions from `axis`; `weight` and `bias`
    are optional and shaped like those trailing dimensions.
  }];
  let arguments = (ins Tian_FloatTensor:$input,
      Optional<Tian_FloatTensor>:$weight, Optional<Tian_FloatTensor>:$bias,
      I64Attr:$axis, DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Tian_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`weight` `(` $weight^ `:` type($weight) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? `axis` `=` $axis attr-dict
    `:` type($input)
  }];
}

def Tian_BatchNormOp : Tian_InferredOp<"batch_norm",
    [AllTypesMatch<["scale", "bias", "mean", "variance"]>,
     DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = "inference batch normalization over channel dimension 1";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias` with the four
    parameters of shape `[C]`, C = input dimension 1.
  }];
  let arguments = (ins Tian_FloatTensor:$input, Tian_FloatTensor:$scale,
      Tian_FloatTensor:$bias, Tian_FloatTensor:$mean,
      Tian_FloatTensor:$variance,
      DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Tian_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance "
                       "attr-dict `:` type($input) `,` type($scale)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Tian_ReshapeOp : Tian_InferredOp<"reshape"> {
  let summary = "same elements in row-major order, new shape";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `to` $shape attr-dict `:` type($input) `->` "
                       "type($result)";
  let hasFolder = 1;
}

def Tian_ExpandDimsOp : Tian_InferredOp<"expand_dims",
    [DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = "inserts size-1 dimensions at `axes` of the result";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes attr-dict `:` type($input) "
                       "`->` type($result)";
}

def Tian_SqueezeOp : Tian_InferredOp<"squeeze",
    [DeclareOpInterfaceMethods<Tian_DecomposableOpInterface>]> {
  let summary = "removes size-1 dimensions at `axes`";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes attr-dict `:` type($input) "
                       "`->` type($result)";
}

def Tian_TransposeOp : Tian_InferredOp<"transpose"> {
  let summary = "permutes dimensions: result dim i is input dim perm[i]";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `perm` `=` $perm attr-dict `:` type($input) "
                       "`->` type($result)";
  let hasFolder = 1;
}

def Tian_BroadcastToOp : Tian_InferredOp<"broadcast_to"> {
  let summary = "numpy broadcast to an explicit shape";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `to` $shape attr-dict `:` type($input) `->` "
                       "type($result)";
  let hasFolder = 1;
}

def Tian_ConcatOp : Tian_InferredOp<"concat"> {
  let summary = "joins tensors along an existing axis";
  let arguments = (ins Variadic<Tian_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$inputs `axis` `=` $axis attr-dict `:` type($inputs) "
                       "`->` type($result)";
  let hasFolder = 1;
}

def Tian_SliceOp : Tian_InferredOp<"slice"> {
  let summary = "strided slice: [start, limit) with step, per dimension";
  let description = [{
    One entry per dimension; `0 <= start <= limit <= size`, `step >= 1`.
    The result has `ceil((limit - start) / step)` elements along each one.
  }];
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$steps);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `starts` `=` $starts `limits` `=` $limits "
      "`steps` `=` $steps attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Tian_PadOp : Tian_InferredOp<"pad"> {
  let summary = "pads every dimension with a constant";
  let arguments = (ins Tian_AnyTensor:$input, DenseI64ArrayAttr:$low,
      DenseI64ArrayAttr:$high, DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `low` `=` $low `high` `=` $high attr-dict `:` "
                       "type($input) `->` type($result)";
  let hasFolder = 1;
}

def Tian_GatherOp : Tian_InferredOp<"gather"> {
  let summary = "numpy.take along one axis (embedding lookup)";
  let description = [{
    Result shape: `input.shape[:axis] + indices.shape + input.shape[axis+1:]`.
    A negative index counts from the end (`-1` is the last element), as in
    Python. Indices still outside `[0, size)` after that are clamped into it,
    so no index reads outside the input; eager mode raises an error for them
    before the op runs.
    ```mlir
    %e = tian.gather %table[%ids] axis = 0 : tensor<100x16xf32>, tensor<2x5xi64> -> tensor<2x5x16xf32>
    ```
  }];
  let arguments = (ins Tian_AnyTensor:$input, Tian_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Tian_AnyTensor:$result);
  let assemblyFormat = "$input `[` $indices `]` `axis` `=` $axis attr-dict "
                       "`:` type($input) `,` type($indices) `->` type($result)";
}

#endif // TIAN_OPS
