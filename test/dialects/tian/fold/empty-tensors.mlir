// Ops on tensors with no elements fold to constants (TianEmptyTensors.cpp).
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s
// RUN: tian-opt %s --tian-decompose --split-input-file | FileCheck %s --check-prefix=DECOMPOSE

// An empty result is an empty constant, whatever the op.
// CHECK-LABEL: func.func @empty_results
// CHECK-DAG: %[[E:.*]] = tian.constant dense<0.000000e+00> : tensor<4x0xf32>
// CHECK-DAG: %[[T:.*]] = tian.constant dense<0.000000e+00> : tensor<0x4xf32>
// CHECK: return %[[E]], %[[T]]
func.func @empty_results(%x: tensor<4x0xf32>) -> (tensor<4x0xf32>, tensor<0x4xf32>) {
  %0 = tian.exp %x : tensor<4x0xf32>
  %1 = tian.transpose %0 perm = [1, 0] : tensor<4x0xf32> -> tensor<0x4xf32>
  return %0, %1 : tensor<4x0xf32>, tensor<0x4xf32>
}

// -----

// Reductions over nothing: sum 0, product 1, mean NaN.
// CHECK-LABEL: func.func @reductions
// CHECK-DAG: tian.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<0x7FC00000> : tensor<3x1xf32>
// CHECK-NOT: tian.reduce
func.func @reductions(%x: tensor<3x0xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>) {
  %0 = tian.reduce_sum %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  %1 = tian.reduce_prod %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  %2 = tian.reduce_mean %x axes = [1] keepdims : tensor<3x0xf32> -> tensor<3x1xf32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>
}

// -----

// A matmul with K = 0 is zeros; a concat drops its empty operands; padding
// nothing gives the padding value.
// CHECK-LABEL: func.func @others
// CHECK-SAME: (%{{.*}}: tensor<3x0xf32>, %{{.*}}: tensor<0x2xf32>, %[[Y:.*]]: tensor<2x3xf32>, %{{.*}}: tensor<0x3xf32>)
// CHECK-DAG: %[[Z:.*]] = tian.constant dense<0.000000e+00> : tensor<3x2xf32>
// CHECK-DAG: %[[P:.*]] = tian.constant dense<5.000000e-01> : tensor<2x2xf32>
// CHECK: return %[[Z]], %[[Y]], %[[P]]
func.func @others(%a: tensor<3x0xf32>, %b: tensor<0x2xf32>, %y: tensor<2x3xf32>, %e: tensor<0x3xf32>)
    -> (tensor<3x2xf32>, tensor<2x3xf32>, tensor<2x2xf32>) {
  %0 = tian.matmul %a, %b : tensor<3x0xf32>, tensor<0x2xf32> -> tensor<3x2xf32>
  %1 = tian.concat %e, %y, %e axis = 0 : tensor<0x3xf32>, tensor<2x3xf32>, tensor<0x3xf32> -> tensor<2x3xf32>
  %2 = tian.pad %b low = [1, 0] high = [1, 0] {value = 0.5 : f64} : tensor<0x2xf32> -> tensor<2x2xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<2x3xf32>, tensor<2x2xf32>
}

// -----

// tian-decompose folds a composite on an empty tensor instead of expanding
// it (softmax would take a max over nothing).
// DECOMPOSE-LABEL: func.func @softmax
// DECOMPOSE-NEXT: %[[E:.*]] = tian.constant dense<0.000000e+00> : tensor<3x0xf32>
// DECOMPOSE-NEXT: return %[[E]]
func.func @softmax(%x: tensor<3x0xf32>) -> tensor<3x0xf32> {
  %0 = tian.softmax %x axis = 1 : tensor<3x0xf32>
  return %0 : tensor<3x0xf32>
}
