// RUN: tian-opt %s --pass-pipeline="builtin.module(func.func(tian-distinct-results))" | FileCheck %s

// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4xf32>, %[[Y:[^:]*]]: tensor<2xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
// CHECK: return %[[X]], %[[C]], %[[Y]] :
func.func @twice(%x: tensor<4xf32>, %y: tensor<2xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<2xf32>) {
  return %x, %x, %y : tensor<4xf32>, tensor<4xf32>, tensor<2xf32>
}

// A function whose results are already distinct is unchanged.
// CHECK-LABEL: func.func @distinct
// CHECK-NOT: linalg.copy
func.func @distinct(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}
