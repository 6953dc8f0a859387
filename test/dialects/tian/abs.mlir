// Round trip of tian.abs: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @abs_0
// CHECK: tian.abs %{{.*}} : tensor<2x3xf32>
func.func @abs_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.abs %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @abs_1
// CHECK: tian.abs %{{.*}} : tensor<5xi32>
func.func @abs_1(%x: tensor<5xi32>) -> tensor<5xi32> {
  %0 = tian.abs %x : tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @abs_2
// CHECK: tian.abs %{{.*}} : tensor<i64>
func.func @abs_2(%x: tensor<i64>) -> tensor<i64> {
  %0 = tian.abs %x : tensor<i64>
  return %0 : tensor<i64>
}
