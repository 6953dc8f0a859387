// Round trip of tian.neg: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @neg_0
// CHECK: tian.neg %{{.*}} : tensor<2x3xf32>
func.func @neg_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.neg %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @neg_1
// CHECK: tian.neg %{{.*}} : tensor<5xi32>
func.func @neg_1(%x: tensor<5xi32>) -> tensor<5xi32> {
  %0 = tian.neg %x : tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @neg_2
// CHECK: tian.neg %{{.*}} : tensor<i64>
func.func @neg_2(%x: tensor<i64>) -> tensor<i64> {
  %0 = tian.neg %x : tensor<i64>
  return %0 : tensor<i64>
}
