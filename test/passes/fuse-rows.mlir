// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-fuse-elementwise,tian-fuse-rows))" | FileCheck %s

// softmax then layer_norm (as tian-decompose writes them): every op works
// row by row over the last axis, so all of them are one row group, and the
// earlier elementwise groups inside it are merged into it.
// CHECK-LABEL: func.func @softmax_layer_norm
// CHECK-COUNT-15: {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64}
// CHECK-NOT: fusion_group
// CHECK: return
func.func @softmax_layer_norm(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = tian.constant dense<1.0> : tensor<f32>
  %eps = tian.constant dense<1.0e-5> : tensor<f32>
  %inv = tian.constant dense<0.125> : tensor<f32>
  %m = tian.reduce_max %x axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.sub %x, %m : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %1 = tian.exp %0 : tensor<4x8xf32>
  %s = tian.reduce_sum %1 axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %r = tian.div %one, %s : tensor<f32>, tensor<4x1xf32> -> tensor<4x1xf32>
  %p = tian.mul %1, %r : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %sum = tian.reduce_sum %p axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %mean = tian.mul %sum, %inv : tensor<4x1xf32>, tensor<f32> -> tensor<4x1xf32>
  %c = tian.sub %p, %mean : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %sq = tian.mul %c, %c : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %ss = tian.reduce_sum %sq axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %var = tian.mul %ss, %inv : tensor<4x1xf32>, tensor<f32> -> tensor<4x1xf32>
  %ve = tian.add %var, %eps : tensor<4x1xf32>, tensor<f32> -> tensor<4x1xf32>
  %rs = tian.rsqrt %ve : tensor<4x1xf32>
  %y = tian.mul %c, %rs : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// A weight shared by every row broadcasts along the row: it joins. Rows
// indexed by two leading dims: tian.fusion_rows = 2.
// CHECK-LABEL: func.func @two_row_dims
// CHECK: tian.reduce_sum {{.*}} tian.fusion_rows = 2
// CHECK: tian.div {{.*}} tian.fusion_rows = 2
// CHECK: tian.mul {{.*}} tian.fusion_rows = 2
func.func @two_row_dims(%x: tensor<2x3x8xf32>, %w: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %s = tian.reduce_sum %x axes = [2] keepdims : tensor<2x3x8xf32> -> tensor<2x3x1xf32>
  %0 = tian.div %x, %s : tensor<2x3x8xf32>, tensor<2x3x1xf32> -> tensor<2x3x8xf32>
  %1 = tian.mul %0, %w : tensor<2x3x8xf32>, tensor<8xf32> -> tensor<2x3x8xf32>
  return %1 : tensor<2x3x8xf32>
}

// -----

// The row sum is also returned: the loop yields it next to the division.
// CHECK-LABEL: func.func @two_exits
// CHECK: tian.reduce_sum {{.*}} tian.fusion_rows = 1
// CHECK: tian.div {{.*}} tian.fusion_rows = 1
func.func @two_exits(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %s = tian.reduce_sum %x axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.div %x, %s : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %0, %s : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// Reductions that are not over the trailing axes, or drop the reduced
// dims, or cover the whole tensor, define no rows.
// CHECK-LABEL: func.func @not_rows
// CHECK-NOT: fusion_rows
// CHECK: return
func.func @not_rows(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = tian.reduce_sum %x axes = [0] keepdims : tensor<4x8xf32> -> tensor<1x8xf32>
  %0 = tian.div %x, %a : tensor<4x8xf32>, tensor<1x8xf32> -> tensor<4x8xf32>
  %b = tian.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %c = tian.reshape %b to [4, 1] : tensor<4xf32> -> tensor<4x1xf32>
  %1 = tian.div %x, %c : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %d = tian.reduce_sum %x axes = [0, 1] keepdims : tensor<4x8xf32> -> tensor<1x1xf32>
  %2 = tian.div %x, %d : tensor<4x8xf32>, tensor<1x1xf32> -> tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A reduction that is the group's only result consumes nothing reduced:
// elementwise fusion already made it one pass; no row loop.
// CHECK-LABEL: func.func @reduction_only
// CHECK: tian.mul {{.*}} {tian.fusion_group = 0 : i64}
// CHECK: tian.reduce_sum {{.*}} {tian.fusion_group = 0 : i64}
// CHECK-NOT: fusion_rows
func.func @reduction_only(%x: tensor<4x8xf32>) -> tensor<4x1xf32> {
  %0 = tian.mul %x, %x : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %s = tian.reduce_sum %0 axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  return %s : tensor<4x1xf32>
}

// -----

// An input computed by another kind of op (a transpose) is read before the
// loop: the group forms around it. But a row statistic that reaches the
// group again through another op (here a transpose that broadcasts it
// across rows) would make the loop depend on itself: no group.
// CHECK-LABEL: func.func @transposes
// CHECK: tian.transpose
// CHECK-NOT: fusion_rows
// CHECK-SAME: -> tensor<8x8xf32>
// CHECK: tian.reduce_sum {{.*}} tian.fusion_rows = 1
// CHECK: tian.div {{.*}} tian.fusion_rows = 1
// CHECK: tian.reduce_sum
// CHECK-NOT: fusion_rows
// CHECK-SAME: -> tensor<8x1xf32>
// CHECK: tian.transpose
// CHECK: tian.div
// CHECK-NOT: fusion_rows
// CHECK: return
func.func @transposes(%x: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %t = tian.transpose %x perm = [1, 0] : tensor<8x8xf32> -> tensor<8x8xf32>
  %s = tian.reduce_sum %x axes = [1] keepdims : tensor<8x8xf32> -> tensor<8x1xf32>
  %0 = tian.div %t, %s : tensor<8x8xf32>, tensor<8x1xf32> -> tensor<8x8xf32>
  %s2 = tian.reduce_sum %x axes = [1] keepdims : tensor<8x8xf32> -> tensor<8x1xf32>
  %st = tian.transpose %s2 perm = [1, 0] : tensor<8x1xf32> -> tensor<1x8xf32>
  %1 = tian.div %x, %s2 : tensor<8x8xf32>, tensor<8x1xf32> -> tensor<8x8xf32>
  %2 = tian.div %1, %st : tensor<8x8xf32>, tensor<1x8xf32> -> tensor<8x8xf32>
  return %0, %2 : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// log_softmax next to softmax, sharing max, exp and sum: two sinks. The
// larger slice (softmax, then scaled) is the row loop; log_softmax's log
// and subtraction read the shifted values and the sum the loop yields, and
// the ops that read them before the loop's place move after it.
// CHECK-LABEL: func.func @two_sinks
// CHECK: tian.reduce_max {{.*}} tian.fusion_rows = 1
// CHECK: tian.sub {{.*}} tian.fusion_rows = 1
// CHECK: tian.exp {{.*}} tian.fusion_rows = 1
// CHECK: tian.reduce_sum {{.*}} tian.fusion_rows = 1
// CHECK: tian.div {{.*}} tian.fusion_rows = 1
// CHECK: tian.mul {{.*}} tian.fusion_rows = 1
// CHECK: tian.mul {{.*}} tian.fusion_rows = 1
// CHECK-NEXT: tian.log
// CHECK-NOT: fusion_rows
// CHECK-NEXT: tian.sub
// CHECK-NOT: fusion_rows
// CHECK: return
func.func @two_sinks(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %one = tian.constant dense<1.0> : tensor<f32>
  %three = tian.constant dense<3.0> : tensor<f32>
  %m = tian.reduce_max %x axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.sub %x, %m : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %1 = tian.exp %0 : tensor<4x8xf32>
  %s = tian.reduce_sum %1 axes = [1] keepdims : tensor<4x8xf32> -> tensor<4x1xf32>
  %l = tian.log %s : tensor<4x1xf32>
  %logp = tian.sub %0, %l : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %r = tian.div %one, %s : tensor<f32>, tensor<4x1xf32> -> tensor<4x1xf32>
  %p = tian.mul %1, %r : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %y = tian.mul %p, %three : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf32>
  return %logp, %y : tensor<4x8xf32>, tensor<4x8xf32>
}
