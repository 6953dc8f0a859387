// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant() -> tensor<2xf32> {
  %0 = tian.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @iota
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[C:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: arith.sitofp %[[C]] : i64 to f32
func.func @iota() -> tensor<2x4xf32> {
  %0 = tian.iota dim = 1 : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
