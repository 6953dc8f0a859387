// Round trip of tian.select: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @select_0
// CHECK: tian.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
func.func @select_0(%c: tensor<2x3xi1>, %a: tensor<2x3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = tian.select %c, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @select_1
// CHECK: tian.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<2x1xi32>, tensor<1x3xi32> -> tensor<2x3xi32>
func.func @select_1(%c: tensor<3xi1>, %a: tensor<2x1xi32>, %b: tensor<1x3xi32>) -> tensor<2x3xi32> {
  %0 = tian.select %c, %a, %b : tensor<3xi1>, tensor<2x1xi32>, tensor<1x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}
