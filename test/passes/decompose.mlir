// tian-decompose rewrites every composite op into primitives.
// RUN: tian-opt %s --tian-decompose --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>)
// CHECK: %[[ONE:.*]] = tian.constant dense<1.000000e+00>
// CHECK: %[[M:.*]] = tian.reduce_max %[[X]] axes = [1] keepdims
// CHECK: %[[S:.*]] = tian.sub %[[X]], %[[M]]
// CHECK: %[[E:.*]] = tian.exp %[[S]]
// CHECK: %[[Z:.*]] = tian.reduce_sum %[[E]] axes = [1] keepdims
// One reciprocal per row, then a multiply per element.
// CHECK: %[[INV:.*]] = tian.div %[[ONE]], %[[Z]]
// CHECK: %[[R:.*]] = tian.mul %[[E]], %[[INV]]
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = tian.softmax %x axis = 1 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>)
// CHECK: %[[S:.*]] = tian.sub %[[X]], %{{.*}}
// CHECK: %[[Z:.*]] = tian.reduce_sum
// CHECK: %[[L:.*]] = tian.log %[[Z]]
// CHECK: %[[R:.*]] = tian.sub %[[S]], %[[L]]
// CHECK: return %[[R]]
// CHECK-NOT: tian.log_softmax
func.func @log_softmax(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = tian.log_softmax %x axis = 1 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// reduce_mean is sum times 1/count; the count covers every reduced axis.
// CHECK-LABEL: func.func @reduce_mean
// CHECK: %[[C:.*]] = tian.constant dense<1.250000e-01> : tensor<f32>
// CHECK: %[[S:.*]] = tian.reduce_sum %{{.*}} axes = [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK: tian.mul %[[S]], %[[C]]
func.func @reduce_mean(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %0 = tian.reduce_mean %x axes = [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Integer means divide (truncating), as numpy's integer floor would not.
// CHECK-LABEL: func.func @reduce_mean_int
// CHECK: %[[C:.*]] = tian.constant dense<4> : tensor<i32>
// CHECK: tian.div %{{.*}}, %[[C]]
func.func @reduce_mean_int(%x: tensor<3x4xi32>) -> tensor<3xi32> {
  %0 = tian.reduce_mean %x axes = [1] : tensor<3x4xi32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>, %[[W:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK-DAG: %[[EPS:.*]] = tian.constant dense<9.99999974E-6> : tensor<f32>
// CHECK-DAG: %[[INV_N:.*]] = tian.constant dense<6.250000e-02> : tensor<f32>
// CHECK: %[[SUM:.*]] = tian.reduce_sum %[[X]] axes = [2] keepdims
// CHECK: %[[MEAN:.*]] = tian.mul %[[SUM]], %[[INV_N]]
// CHECK: %[[D:.*]] = tian.sub %[[X]], %[[MEAN]]
// CHECK: %[[SQ:.*]] = tian.mul %[[D]], %[[D]]
// CHECK: %[[VSUM:.*]] = tian.reduce_sum %[[SQ]] axes = [2] keepdims
// CHECK: %[[VAR:.*]] = tian.mul %[[VSUM]], %[[INV_N]]
// CHECK: %[[VE:.*]] = tian.add %[[VAR]], %[[EPS]]
// CHECK: %[[INV:.*]] = tian.rsqrt %[[VE]]
// CHECK: %[[N:.*]] = tian.mul %[[D]], %[[INV]]
// CHECK: %[[S:.*]] = tian.mul %[[N]], %[[W]]
// CHECK: %[[R:.*]] = tian.add %[[S]], %[[B]]
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<2x8x16xf32>, %w: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %0 = tian.layer_norm %x weight(%w : tensor<16xf32>) bias(%b : tensor<16xf32>) axis = 2 : tensor<2x8x16xf32>
  return %0 : tensor<2x8x16xf32>
}

// -----

// Batch norm folds its four parameters into one scale and shift per channel,
// reshaped to [C, 1, 1] so they broadcast along dimension 1.
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[VE:.*]] = tian.add %[[V]], %{{.*}}
// CHECK: %[[INV:.*]] = tian.rsqrt %[[VE]]
// CHECK: %[[SCALE:.*]] = tian.mul %[[G]], %[[INV]]
// CHECK: %[[MS:.*]] = tian.mul %[[M]], %[[SCALE]]
// CHECK: %[[SHIFT:.*]] = tian.sub %[[B]], %[[MS]]
// CHECK: %[[S3:.*]] = tian.reshape %[[SCALE]] to [4, 1, 1]
// CHECK: %[[T3:.*]] = tian.reshape %[[SHIFT]] to [4, 1, 1]
// CHECK: %[[Y:.*]] = tian.mul %[[X]], %[[S3]] : tensor<1x4x5x5xf32>, tensor<4x1x1xf32> -> tensor<1x4x5x5xf32>
// CHECK: tian.add %[[Y]], %[[T3]]
func.func @batch_norm(%x: tensor<1x4x5x5xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x5x5xf32> {
  %0 = tian.batch_norm %x, %g, %b, %m, %v : tensor<1x4x5x5xf32>, tensor<4xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg_pool2d
// CHECK-DAG: %[[C:.*]] = tian.constant dense<0.0204081628> : tensor<f32>
// CHECK-DAG: %[[S:.*]] = tian.reduce_sum %{{.*}} axes = [2, 3] keepdims : tensor<1x8x7x7xf32> -> tensor<1x8x1x1xf32>
// CHECK: tian.mul %[[S]], %[[C]]
// CHECK-NOT: tian.global_avg_pool2d
func.func @global_avg_pool2d(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  %0 = tian.global_avg_pool2d %x : tensor<1x8x7x7xf32> -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// Both become reshapes, and the pair folds away.
// CHECK-LABEL: func.func @expand_squeeze
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: %[[E:.*]] = tian.reshape %[[X]] to [1, 3, 4, 1] : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
// CHECK-NEXT: return %[[E]], %[[X]]
func.func @expand_squeeze(%x: tensor<3x4xf32>) -> (tensor<1x3x4x1xf32>, tensor<3x4xf32>) {
  %0 = tian.expand_dims %x axes = [0, 3] : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
  %1 = tian.squeeze %0 axes = [0, 3] : tensor<1x3x4x1xf32> -> tensor<3x4xf32>
  return %0, %1 : tensor<1x3x4x1xf32>, tensor<3x4xf32>
}

// -----

// Primitives are left alone.
// CHECK-LABEL: func.func @primitives_untouched
// CHECK-NEXT: tian.exp
// CHECK-NEXT: tian.matmul
func.func @primitives_untouched(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = tian.exp %x : tensor<4x4xf32>
  %1 = tian.matmul %0, %x : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}

// -----

// A mean over a dynamic dimension has no static count: reported, not guessed.
func.func @dynamic_mean(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tian.reduce_mean' op could not be decomposed into primitive ops}}
  %0 = tian.reduce_mean %x axes = [0] : tensor<?x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// 16-bit float sums, products and means accumulate in f32 and round once.
// CHECK-LABEL: func.func @half_sum
// CHECK-SAME: (%[[X:.*]]: tensor<4x4096xf16>)
// CHECK: %[[W:.*]] = tian.cast %[[X]] : tensor<4x4096xf16> to f32
// CHECK: %[[S:.*]] = tian.reduce_sum %[[W]] axes = [1] : tensor<4x4096xf32> -> tensor<4xf32>
// CHECK: %[[R:.*]] = tian.cast %[[S]] : tensor<4xf32> to f16
// CHECK: return %[[R]]
func.func @half_sum(%x: tensor<4x4096xf16>) -> tensor<4xf16> {
  %0 = tian.reduce_sum %x axes = [1] : tensor<4x4096xf16> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// A mean widens before it decomposes: its sum and its scaling are in f32.
// CHECK-LABEL: func.func @bf16_mean
// CHECK: %[[W:.*]] = tian.cast %{{.*}} : tensor<8x3xbf16> to f32
// CHECK: %[[S:.*]] = tian.reduce_sum %[[W]] axes = [0] keepdims : tensor<8x3xf32>
// CHECK: %[[M:.*]] = tian.mul %[[S]], %{{.*}} : tensor<1x3xf32>
// CHECK: %[[R:.*]] = tian.cast %[[M]] : tensor<1x3xf32> to bf16
// CHECK: return %[[R]]
func.func @bf16_mean(%x: tensor<8x3xbf16>) -> tensor<1x3xbf16> {
  %0 = tian.reduce_mean %x axes = [0] keepdims : tensor<8x3xbf16> -> tensor<1x3xbf16>
  return %0 : tensor<1x3xbf16>
}

// -----

// Max and min are exact in any type: they stay as they are.
// CHECK-LABEL: func.func @half_max
// CHECK-NOT: tian.cast
// CHECK: tian.reduce_max %{{.*}} : tensor<4x5xf16>
func.func @half_max(%x: tensor<4x5xf16>) -> tensor<4xf16> {
  %0 = tian.reduce_max %x axes = [1] : tensor<4x5xf16> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
