// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-tian-to-linalg,tian-fuse-groups))" | FileCheck %s

// A group of elementwise ops becomes one linalg.generic whose body holds
// every op; the op outside the group stays on its own.
// CHECK-LABEL: func.func @chain
// CHECK: %[[F:.*]] = linalg.generic
// CHECK-SAME: tian.fusion_group = 0
// CHECK: arith.mulf
// CHECK: math.tanh
// CHECK: arith.addf
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[F]]
// CHECK: math.exp
// CHECK-NOT: linalg.generic
func.func @chain(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = tian.mul %x, %x {tian.fusion_group = 0 : i64} : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %1 = tian.tanh %0 {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %2 = tian.add %1, %x {tian.fusion_group = 0 : i64} : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %3 = tian.exp %2 : tensor<64xf32>
  return %3 : tensor<64xf32>
}

// -----

// A reduction with its elementwise producer: one generic with a reduction
// loop that computes exp on the fly.
// CHECK-LABEL: func.func @exp_sum
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.reduce
func.func @exp_sum(%x: tensor<4x16xf32>) -> tensor<4xf32> {
  %0 = tian.exp %x {tian.fusion_group = 0 : i64} : tensor<4x16xf32>
  %1 = tian.reduce_sum %0 axes = [1] {tian.fusion_group = 0 : i64} : tensor<4x16xf32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Different groups are never fused with each other.
// CHECK-LABEL: func.func @two_groups
// CHECK-COUNT-2: linalg.generic
func.func @two_groups(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = tian.exp %x {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %1 = tian.neg %0 {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %2 = tian.tanh %1 {tian.fusion_group = 1 : i64} : tensor<64xf32>
  %3 = tian.abs %2 {tian.fusion_group = 1 : i64} : tensor<64xf32>
  return %3 : tensor<64xf32>
}

// -----

// exp read by its sum and by a later division (softmax): fused into the
// sum's pass, which also yields it; the division reads that result, so exp
// is computed once. When only the sum reads the product (x * x), the fused
// op yields no unused copy of it.
// CHECK-LABEL: func.func @shared_producer
// CHECK: %[[F:.*]]:2 = linalg.generic
// CHECK: %[[E:.*]] = math.exp
// CHECK: linalg.yield %[[E]], %{{.*}} : f32, f32
// CHECK: linalg.generic {{.*}} ins(%[[F]]#0, %[[F]]#1
// CHECK-NOT: math.exp
// CHECK: %[[SQ:.*]] = linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.yield %{{.*}} : f32
func.func @shared_producer(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %e = tian.exp %x {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>
  %s = tian.reduce_sum %e axes = [1] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  %y = tian.div %e, %s {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %q = tian.mul %x, %x {tian.fusion_group = 1 : i64} : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %t = tian.reduce_sum %q axes = [1] keepdims {tian.fusion_group = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  return %y, %t : tensor<4x8xf32>, tensor<4x1xf32>
}

// -----

// LayerNorm's centered value c, read twice by c * c (fused first into the
// sum of squares) and once more by the final scaling: computed once, in
// the pass that sums its squares, which yields it for the scaling.
// CHECK-LABEL: func.func @read_twice
// CHECK: %[[F:.*]]:2 = linalg.generic
// CHECK: %[[C:.*]] = arith.subf
// CHECK: arith.mulf %[[C]], %[[C]]
// CHECK: linalg.yield %[[C]], %{{.*}} : f32, f32
// CHECK: linalg.generic {{.*}} ins(%[[F]]#0, %[[F]]#1 : tensor<4x8xf32>, tensor<4x1xf32>)
// CHECK-NOT: arith.subf
func.func @read_twice(%x: tensor<4x8xf32>, %m: tensor<4x1xf32>) -> tensor<4x8xf32> {
  %c = tian.sub %x, %m {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %sq = tian.mul %c, %c {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  %v = tian.reduce_sum %sq axes = [1] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  %y = tian.mul %c, %v {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
