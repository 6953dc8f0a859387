// Verifier errors of tian.bitcast.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @bitcast_invalid_0(%x: tensor<4xf32>) -> tensor<4xi16> {
  // expected-error @+1 {{'tian.bitcast' op cannot reinterpret f32 (32 bits) as i16 (16 bits)}}
  %0 = tian.bitcast %x : tensor<4xf32> to i16
  return %0 : tensor<4xi16>
}

// -----

func.func @bitcast_invalid_1(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'tian.bitcast' op dtype must be one of f32, f16, bf16, i1, i8, i16, i32, i64, ui8, ui16, ui32 or ui64, got f64}}
  %0 = tian.bitcast %x : tensor<4xf32> to f64
  return %0 : tensor<4xf64>
}
