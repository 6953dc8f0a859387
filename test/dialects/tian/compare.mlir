// Round trip of tian.compare: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @compare_0
// CHECK: tian.compare lt %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xi1>
func.func @compare_0(%a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xi1> {
  %0 = tian.compare lt %a, %b : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

// CHECK-LABEL: func.func @compare_1
// CHECK: tian.compare ne %{{.*}}, %{{.*}} : tensor<4xi64>, tensor<4xi64> -> tensor<4xi1>
func.func @compare_1(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi1> {
  %0 = tian.compare ne %a, %b : tensor<4xi64>, tensor<4xi64> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @compare_2
// CHECK: tian.compare ge %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4x1xi1> -> tensor<4x4xi1>
func.func @compare_2(%a: tensor<4xi1>, %b: tensor<4x1xi1>) -> tensor<4x4xi1> {
  %0 = tian.compare ge %a, %b : tensor<4xi1>, tensor<4x1xi1> -> tensor<4x4xi1>
  return %0 : tensor<4x4xi1>
}
