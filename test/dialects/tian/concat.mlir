// Round trip of tian.concat: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @concat_0
// CHECK: tian.concat %{{.*}}, %{{.*}} axis = 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
func.func @concat_0(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = tian.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<2x5xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @concat_1
// CHECK: tian.concat %{{.*}}, %{{.*}}, %{{.*}} axis = 0 : tensor<4xi64>, tensor<4xi64>, tensor<4xi64> -> tensor<12xi64>
func.func @concat_1(%a: tensor<4xi64>) -> tensor<12xi64> {
  %0 = tian.concat %a, %a, %a axis = 0 : tensor<4xi64>, tensor<4xi64>, tensor<4xi64> -> tensor<12xi64>
  return %0 : tensor<12xi64>
}
