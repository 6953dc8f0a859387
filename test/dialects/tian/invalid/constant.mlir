// Verifier errors of tian.constant.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @constant_invalid_0() -> tensor<2xf64> {
  // expected-error @+1 {{'tian.constant' op value must be a tensor of f32, f16, bf16, i1, i8, i16, i32, i64, ui8, ui16, ui32 or ui64, got tensor<2xf64>}}
  %0 = tian.constant dense<1.000000e+00> : tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @constant_invalid_1() -> tensor<3xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "tian.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
