// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// Gather reads the index, wraps a negative one from the end, clamps it into
// range and extracts the element.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<100x16xf32>, %[[I:.*]]: tensor<2x5xi64>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[SIZE:.*]] = arith.constant 100 : index
// CHECK-DAG: %[[LAST:.*]] = arith.constant 99 : index
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}]
// CHECK: %[[K:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[K]], %[[ZERO]]
// CHECK: %[[UP:.*]] = arith.addi %[[K]], %[[SIZE]]
// CHECK: %[[W:.*]] = arith.select %[[NEG]], %[[UP]], %[[K]]
// CHECK: %[[LO:.*]] = arith.maxsi %[[W]], %[[ZERO]]
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[LAST]]
// CHECK: %[[D2:.*]] = linalg.index 2
// CHECK: tensor.extract %[[T]][%[[HI]], %[[D2]]]
func.func @gather(%t: tensor<100x16xf32>, %i: tensor<2x5xi64>) -> tensor<2x5x16xf32> {
  %0 = tian.gather %t[%i] axis = 0 : tensor<100x16xf32>, tensor<2x5xi64> -> tensor<2x5x16xf32>
  return %0 : tensor<2x5x16xf32>
}

// -----

// Argmax carries (value, index) and replaces both only when strictly greater
// or at the first NaN.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[BEST:.*]]: f32, %{{.*}}: i64)
// CHECK: %[[OGT:.*]] = arith.cmpf ogt, %[[IN]], %[[BEST]]
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]]
// CHECK: %[[NUM:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]]
// CHECK: %[[FIRST:.*]] = arith.andi %[[NAN]], %[[NUM]]
// CHECK: %[[GT:.*]] = arith.ori %[[OGT]], %[[FIRST]]
// CHECK: arith.select %[[GT]]
// CHECK: arith.select %[[GT]]
// CHECK: tensor.expand_shape {{.*}} into tensor<4x1xi64>
func.func @argmax(%x: tensor<4x10xf32>) -> tensor<4x1xi64> {
  %0 = tian.argmax %x axis = 1 keepdims : tensor<4x10xf32> -> tensor<4x1xi64>
  return %0 : tensor<4x1xi64>
}
