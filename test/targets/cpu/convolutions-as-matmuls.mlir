// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-convolutions-as-matmuls))" | FileCheck %s

// A 3x3 stride-2 convolution: the filter collapsed to F x (C*KH*KW), the
// receptive fields laid out as columns (one generic yielding the input
// element at each (image, c*9 + kh*3 + kw, oh*OW + ow)), one contraction.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: linalg.conv_2d_nchw_fchw
// CHECK: tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<16x3x3x3xf32> into tensor<16x27xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x3x9x9xf32>) outs(%{{.*}} : tensor<2x27x16xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<16x27xf32>, tensor<2x27x16xf32>) outs(%{{.*}} : tensor<2x16x16xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<2x16x4x4xf32>
func.func @conv(%x: tensor<2x3x9x9xf32>, %w: tensor<16x3x3x3xf32>, %init: tensor<2x16x4x4xf32>) -> tensor<2x16x4x4xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
         ins(%x, %w : tensor<2x3x9x9xf32>, tensor<16x3x3x3xf32>) outs(%init : tensor<2x16x4x4xf32>) -> tensor<2x16x4x4xf32>
  return %0 : tensor<2x16x4x4xf32>
}

// -----

// Not f32, or dynamic: left as they are.
// CHECK-LABEL: func.func @kept
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK: linalg.conv_2d_nchw_fchw
func.func @kept(%x: tensor<1x3x9x9xf16>, %w: tensor<4x3x3x3xf16>, %init: tensor<1x4x7x7xf16>,
                %y: tensor<?x3x9x9xf32>, %v: tensor<4x3x3x3xf32>, %i: tensor<?x4x7x7xf32>) -> (tensor<1x4x7x7xf16>, tensor<?x4x7x7xf32>) {
  %0 = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x3x9x9xf16>, tensor<4x3x3x3xf16>) outs(%init : tensor<1x4x7x7xf16>) -> tensor<1x4x7x7xf16>
  %1 = linalg.conv_2d_nchw_fchw ins(%y, %v : tensor<?x3x9x9xf32>, tensor<4x3x3x3xf32>) outs(%i : tensor<?x4x7x7xf32>) -> tensor<?x4x7x7xf32>
  return %0, %1 : tensor<1x4x7x7xf16>, tensor<?x4x7x7xf32>
}

// -----

// ResNet's last stages: 49 output positions pad to two 48-wide panels
// (AVX-512's 8x48 tiles, half of it padding) or four 16-wide ones (AVX2's
// 6x16), so over constant filters (packed at compile time as the kernel's
// B) the contraction runs transposed (the positions as rows) from zeros,
// and one transpose makes it NCHW. Filters that are arguments would be
// packed on every call: kept direct. (@conv above, 16 positions and 16
// filters, pads as much either way.)
// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-convolutions-as-matmuls{vector-bits=512 vector-registers=32},canonicalize))" | FileCheck %s --check-prefix=NARROW
// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-convolutions-as-matmuls,canonicalize))" | FileCheck %s --check-prefix=NARROW
// NARROW-LABEL: func.func @conv
// NARROW-NOT: linalg.transpose
// NARROW-LABEL: func.func @narrow
// NARROW: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x49x128xf32>)
// NARROW: %[[T:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<128x72xf32>, tensor<1x72x49xf32>) outs(%[[ZERO]] : tensor<1x49x128xf32>)
// NARROW: linalg.transpose ins(%[[T]] : tensor<1x49x128xf32>) outs(%{{.*}} : tensor<1x128x49xf32>) permutation = [0, 2, 1]
// NARROW: tensor.expand_shape {{.*}} into tensor<1x128x7x7xf32>
// NARROW-LABEL: func.func @narrow_argument
// NARROW-NOT: linalg.transpose
// CHECK-LABEL: func.func @narrow
func.func @narrow(%x: tensor<1x8x9x9xf32>) -> tensor<1x128x7x7xf32> {
  %w = arith.constant dense<0.5> : tensor<128x8x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x128x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x128x7x7xf32>) -> tensor<1x128x7x7xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w : tensor<1x8x9x9xf32>, tensor<128x8x3x3xf32>) outs(%init : tensor<1x128x7x7xf32>) -> tensor<1x128x7x7xf32>
  return %0 : tensor<1x128x7x7xf32>
}

// -----

// CHECK-LABEL: func.func @narrow_argument
func.func @narrow_argument(%x: tensor<1x8x9x9xf32>, %w: tensor<128x8x3x3xf32>) -> tensor<1x128x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x128x7x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x128x7x7xf32>) -> tensor<1x128x7x7xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%x, %w : tensor<1x8x9x9xf32>, tensor<128x8x3x3xf32>) outs(%init : tensor<1x128x7x7xf32>) -> tensor<1x128x7x7xf32>
  return %0 : tensor<1x128x7x7xf32>
}
