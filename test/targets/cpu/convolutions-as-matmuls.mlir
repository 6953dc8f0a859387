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
