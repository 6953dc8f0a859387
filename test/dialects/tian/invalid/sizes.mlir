// Every tian op rejects a tensor whose byte size does not fit in int64: the
// lowering's size computations would overflow and abort the pipeline.
// RUN: tian-opt %s --split-input-file --verify-diagnostics

func.func @result_too_large(%a: tensor<4294967296x1xf32>, %b: tensor<1x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  // expected-error @+1 {{'tian.matmul' op result #0 of type 'tensor<4294967296x4294967296xf32>' has more bytes than int64 can count}}
  %0 = tian.matmul %a, %b : tensor<4294967296x1xf32>, tensor<1x4294967296xf32> -> tensor<4294967296x4294967296xf32>
  return %0 : tensor<4294967296x4294967296xf32>
}

// -----

// The element count fits, the bytes do not (2^62 elements of 4 bytes).
func.func @operand_too_large(%a: tensor<4611686018427387904xf32>) -> tensor<4611686018427387904xf32> {
  // expected-error @+1 {{'tian.exp' op operand #0 of type 'tensor<4611686018427387904xf32>' has more bytes than int64 can count}}
  %0 = tian.exp %a : tensor<4611686018427387904xf32>
  return %0 : tensor<4611686018427387904xf32>
}

// -----

// 2^60 f32 elements (2^62 bytes) fit.
func.func @largest_fits(%a: tensor<1152921504606846976xf32>) -> tensor<1152921504606846976xf32> {
  %0 = tian.exp %a : tensor<1152921504606846976xf32>
  return %0 : tensor<1152921504606846976xf32>
}
