// Round trip of tian.pow: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @pow_0
// CHECK: tian.pow %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
func.func @pow_0(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.pow %a, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pow_1
// CHECK: tian.pow %{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
func.func @pow_1(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = tian.pow %a, %b : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @pow_2
// CHECK: tian.pow %{{.*}}, %{{.*}} : tensor<?x3xf16>, tensor<f16> -> tensor<?x3xf16>
func.func @pow_2(%a: tensor<?x3xf16>, %b: tensor<f16>) -> tensor<?x3xf16> {
  %0 = tian.pow %a, %b : tensor<?x3xf16>, tensor<f16> -> tensor<?x3xf16>
  return %0 : tensor<?x3xf16>
}
