// Elementwise ops become one linalg.generic whose body is the op's scalar
// definition, with numpy broadcasting in the indexing maps.
// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<4x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
func.func @add_broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = tian.add %a, %b : tensor<4x3xf32>, tensor<3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A size-1 dimension that stretches is read at index 0; a rank-0 operand
// reads the empty map.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #{{.*}}, #[[SCALAR]], #{{.*}}]
// CHECK: arith.select
func.func @select_broadcast(%c: tensor<4x1xi1>, %a: tensor<4x3xf32>, %b: tensor<f32>) -> tensor<4x3xf32> {
  %0 = tian.select %c, %a, %b : tensor<4x1xi1>, tensor<4x3xf32>, tensor<f32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @int_ops
// CHECK: arith.divsi
// CHECK: arith.maxsi
// CHECK: arith.cmpi slt
func.func @int_ops(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi1>) {
  %0 = tian.div %a, %b : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %1 = tian.relu %0 : tensor<4xi32>
  %2 = tian.compare lt %a, %b : tensor<4xi32>, tensor<4xi32> -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @float_unary
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.rsqrt
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: arith.maximumf
func.func @float_unary(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = tian.exp %x : tensor<8xf32>
  %1 = tian.log %0 : tensor<8xf32>
  %2 = tian.rsqrt %1 : tensor<8xf32>
  %3 = tian.tanh %2 : tensor<8xf32>
  %4 = tian.erf %3 : tensor<8xf32>
  %5 = tian.relu %4 : tensor<8xf32>
  return %5 : tensor<8xf32>
}

// -----

// sigmoid and gelu are single scalar expressions, not tensor subgraphs.
// The tanh GELU is x / (1 + exp(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3):
// -2u = x (-2 sqrt(2/pi) + (-2 sqrt(2/pi) 0.044715) x^2).
// CHECK-LABEL: func.func @activations
// CHECK-DAG: %[[CUBIC:.*]] = arith.constant -0.0713548139 : f32
// CHECK-DAG: %[[LINEAR:.*]] = arith.constant -1.59576917 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[X2:.*]] = arith.mulf %[[X]], %[[X]]
// CHECK: %[[SLOPE:.*]] = math.fma %[[X2]], %[[CUBIC]], %[[LINEAR]]
// CHECK: %[[ARG:.*]] = arith.mulf %[[X]], %[[SLOPE]]
// CHECK: %[[E:.*]] = math.exp %[[ARG]]
// CHECK: %[[D:.*]] = arith.addf %[[ONE]], %[[E]]
// CHECK: arith.divf %[[X]], %[[D]]
// CHECK-NOT: linalg.generic
func.func @activations(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = tian.sigmoid %x : tensor<8xf32>
  %1 = tian.gelu %0 approximate = tanh : tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func.func @casts
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.cmpf une
// CHECK: arith.uitofp %{{.*}} : i1 to f16
func.func @casts(%x: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xf16>) {
  %0 = tian.cast %x : tensor<4xf32> to i32
  %1 = tian.cast %x : tensor<4xf32> to i1
  %2 = tian.cast %1 : tensor<4xi1> to f16
  return %0, %2 : tensor<4xi32>, tensor<4xf16>
}
