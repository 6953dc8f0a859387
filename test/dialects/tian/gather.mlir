// Round trip of tian.gather: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @gather_0
// CHECK: tian.gather %{{.*}}[%{{.*}}] axis = 0 : tensor<100x16xf32>, tensor<2x5xi64> -> tensor<2x5x16xf32>
func.func @gather_0(%t: tensor<100x16xf32>, %i: tensor<2x5xi64>) -> tensor<2x5x16xf32> {
  %0 = tian.gather %t[%i] axis = 0 : tensor<100x16xf32>, tensor<2x5xi64> -> tensor<2x5x16xf32>
  return %0 : tensor<2x5x16xf32>
}

// -----

// CHECK-LABEL: func.func @gather_1
// CHECK: tian.gather %{{.*}}[%{{.*}}] axis = 1 : tensor<4x10x3xf32>, tensor<7xi32> -> tensor<4x7x3xf32>
func.func @gather_1(%t: tensor<4x10x3xf32>, %i: tensor<7xi32>) -> tensor<4x7x3xf32> {
  %0 = tian.gather %t[%i] axis = 1 : tensor<4x10x3xf32>, tensor<7xi32> -> tensor<4x7x3xf32>
  return %0 : tensor<4x7x3xf32>
}
