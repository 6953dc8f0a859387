// Round trip of tian.relu: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @relu_0
// CHECK: tian.relu %{{.*}} : tensor<2x3xf32>
func.func @relu_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @relu_1
// CHECK: tian.relu %{{.*}} : tensor<5xi32>
func.func @relu_1(%x: tensor<5xi32>) -> tensor<5xi32> {
  %0 = tian.relu %x : tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CHECK-LABEL: func.func @relu_2
// CHECK: tian.relu %{{.*}} : tensor<i64>
func.func @relu_2(%x: tensor<i64>) -> tensor<i64> {
  %0 = tian.relu %x : tensor<i64>
  return %0 : tensor<i64>
}
