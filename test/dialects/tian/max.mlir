// Round trip of tian.max: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @max_0
// CHECK: tian.max %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
func.func @max_0(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.max %a, %b : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @max_1
// CHECK: tian.max %{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
func.func @max_1(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = tian.max %a, %b : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @max_2
// CHECK: tian.max %{{.*}}, %{{.*}} : tensor<?x3xi32>, tensor<i32> -> tensor<?x3xi32>
func.func @max_2(%a: tensor<?x3xi32>, %b: tensor<i32>) -> tensor<?x3xi32> {
  %0 = tian.max %a, %b : tensor<?x3xi32>, tensor<i32> -> tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}
