// Verifier errors of tian.cast.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @cast_invalid_0(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'tian.cast' op dtype must be one of f32, f16, bf16, i1, i8, i16, i32, i64, ui8, ui16, ui32 or ui64, got f64}}
  %0 = tian.cast %x : tensor<4xf32> to f64
  return %0 : tensor<4xf64>
}

// -----

func.func @cast_invalid_1(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+2 {{inferred type(s) 'tensor<4xi32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "tian.cast"(%x) {dtype = i32} : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
