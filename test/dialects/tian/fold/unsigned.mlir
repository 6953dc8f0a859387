// Folds of ops on unsigned integers and of tian.bitcast: the unsigned
// arithmetic (255 : ui8 is the largest, not -1).
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @unsigned_arithmetic
// CHECK-DAG: tian.constant dense<[127, 2]> : tensor<2xui8>
// CHECK-DAG: tian.constant dense<[255, 2]> : tensor<2xui8>
// CHECK-DAG: tian.constant dense<false> : tensor<2xi1>
// CHECK-DAG: tian.constant dense<[6.350000e+01, 5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: tian.constant dense<[255, 2]> : tensor<2xi32>
func.func @unsigned_arithmetic() -> (tensor<2xui8>, tensor<2xui8>, tensor<2xi1>, tensor<2xf32>, tensor<2xi32>) {
  %a = tian.constant dense<[255, 2]> : tensor<2xui8>
  %b = tian.constant dense<[2, 1]> : tensor<2xui8>
  %0 = tian.div %a, %b : tensor<2xui8>, tensor<2xui8> -> tensor<2xui8>
  %1 = tian.max %a, %b : tensor<2xui8>, tensor<2xui8> -> tensor<2xui8>
  %2 = tian.compare lt %a, %b : tensor<2xui8>, tensor<2xui8> -> tensor<2xi1>
  %3 = tian.cast %0 : tensor<2xui8> to f32
  %h = tian.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %4 = tian.mul %3, %h : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  %5 = tian.cast %a : tensor<2xui8> to i32
  return %0, %1, %2, %4, %5 : tensor<2xui8>, tensor<2xui8>, tensor<2xi1>, tensor<2xf32>, tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @bitcast_constant
// CHECK: tian.constant dense<1065353216> : tensor<2xi32>
func.func @bitcast_constant() -> tensor<2xi32> {
  %a = tian.constant dense<1.0> : tensor<2xf32>
  %0 = tian.bitcast %a : tensor<2xf32> to i32
  return %0 : tensor<2xi32>
}
