// Round trip of tian.matmul: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @matmul_0
// CHECK: tian.matmul %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
func.func @matmul_0(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = tian.matmul %a, %b : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_1
// CHECK: tian.matmul %{{.*}}, %{{.*}} : tensor<2x1x4x8xf32>, tensor<3x8x5xf32> -> tensor<2x3x4x5xf32>
func.func @matmul_1(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = tian.matmul %a, %b : tensor<2x1x4x8xf32>, tensor<3x8x5xf32> -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_2
// CHECK: tian.matmul %{{.*}}, %{{.*}} : tensor<?x8xi32>, tensor<8x2xi32> -> tensor<?x2xi32>
func.func @matmul_2(%a: tensor<?x8xi32>, %b: tensor<8x2xi32>) -> tensor<?x2xi32> {
  %0 = tian.matmul %a, %b : tensor<?x8xi32>, tensor<8x2xi32> -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}
