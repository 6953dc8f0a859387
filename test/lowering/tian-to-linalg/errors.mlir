// An op the lowering cannot handle is reported at its location, naming the
// op and the reason, instead of "failed to legalize".
// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file --verify-diagnostics

func.func @composite_not_decomposed(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'tian.softmax' op is a composite op: run tian-decompose before lowering}}
  %0 = tian.softmax %x axis = 1 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'tian.exp' op has dynamic shapes, which are not lowered yet}}
  %0 = tian.exp %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
