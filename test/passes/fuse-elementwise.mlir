// RUN: tian-opt %s --split-input-file --tian-fuse-elementwise | FileCheck %s

// An elementwise chain with broadcasting and constants: one group.
// CHECK-LABEL: func.func @chain
// CHECK: tian.constant
// CHECK-NOT: fusion_group
// CHECK: tian.mul {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.add {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.tanh {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.add {{.*}} {tian.fusion_group = 0 : i64}
func.func @chain(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %c = tian.constant dense<1.5> : tensor<f32>
  %0 = tian.mul %x, %c : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf32>
  %1 = tian.add %0, %b : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>
  %2 = tian.tanh %1 : tensor<4x8xf32>
  %3 = tian.add %2, %x : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// -----

// Elementwise producers into a reduction: exp(x - m) and its sum are one
// pass. The reduction ends the group: the division that reads the sum
// starts another, and exp, read by both kernels, is computed once, in its
// own group with the subtraction.
// CHECK-LABEL: func.func @softmax_like
// CHECK: tian.reduce_max
// CHECK-NOT: fusion_group
// CHECK-SAME: -> tensor<4x1xf32>
// CHECK: tian.sub {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.exp {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.mul {{.*}} {tian.fusion_group = 1 : i64}
// CHECK: tian.reduce_sum {{.*}} {tian.fusion_group = 1 : i64}
// CHECK: tian.div
// CHECK-NOT: fusion_group
// CHECK-SAME: -> tensor<4x8xf32>
func.func @softmax_like(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %m = tian.reduce_max %x axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.sub %x, %m : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %1 = tian.exp %0 : tensor<4x8xf32>
  %sq = tian.mul %1, %1 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %s = tian.reduce_sum %sq axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %2 = tian.div %1, %s : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %2, %s : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// Must not fuse: a producer whose value is also needed outside the group
// (here returned) would be computed twice; it stays its own kernel.
// CHECK-LABEL: func.func @used_outside
// CHECK: tian.exp
// CHECK-NOT: fusion_group
// CHECK-SAME: tensor<16xf32>
// CHECK: tian.neg
// CHECK-NOT: fusion_group
func.func @used_outside(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %0 = tian.exp %x : tensor<16xf32>
  %1 = tian.neg %0 : tensor<16xf32>
  return %0, %1 : tensor<16xf32>, tensor<16xf32>
}

// -----

// Must not fuse: a producer that its consumer broadcasts (a smaller shape)
// would be recomputed for every broadcast element.
// CHECK-LABEL: func.func @broadcast_producer
// CHECK: tian.exp
// CHECK-NOT: fusion_group
// CHECK-SAME: tensor<8xf32>
func.func @broadcast_producer(%b: tensor<8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = tian.exp %b : tensor<8xf32>
  %1 = tian.add %x, %0 : tensor<4x8xf32>, tensor<8xf32> -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// Must not fuse: two reductions of one producer (LayerNorm's mean and
// variance of x would each need it): the producer goes to neither.
// Nor does a matmul join a group (its epilogue is not fused yet).
// CHECK-LABEL: func.func @two_reductions
// CHECK-NOT: fusion_group
// CHECK: return
func.func @two_reductions(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>) {
  %0 = tian.exp %x : tensor<4x8xf32>
  %1 = tian.reduce_sum %0 axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %2 = tian.reduce_max %0 axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %3 = tian.matmul %x, %w : tensor<4x8xf32>, tensor<8x8xf32> -> tensor<4x8xf32>
  %4 = tian.relu %3 : tensor<4x8xf32>
  return %1, %2, %4 : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>
}
