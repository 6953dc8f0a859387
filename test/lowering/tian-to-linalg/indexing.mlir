// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// Gather reads the index, clamps it into range and extracts the element.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<100x16xf32>, %[[I:.*]]: tensor<2x5xi64>)
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[LAST:.*]] = arith.constant 99 : index
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.*}}]
// CHECK: %[[K:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[LO:.*]] = arith.maxsi %[[K]], %[[ZERO]]
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %[[LAST]]
// CHECK: %[[D2:.*]] = linalg.index 2
// CHECK: tensor.extract %[[T]][%[[HI]], %[[D2]]]
func.func @gather(%t: tensor<100x16xf32>, %i: tensor<2x5xi64>) -> tensor<2x5x16xf32> {
  %0 = tian.gather %t[%i] axis = 0 : tensor<100x16xf32>, tensor<2x5xi64> -> tensor<2x5x16xf32>
  return %0 : tensor<2x5x16xf32>
}

// -----

// Argmax carries (value, index) and replaces both only when strictly greater.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: arith.select %[[GT]]
// CHECK: arith.select %[[GT]]
// CHECK: tensor.expand_shape {{.*}} into tensor<4x1xi64>
func.func @argmax(%x: tensor<4x10xf32>) -> tensor<4x1xi64> {
  %0 = tian.argmax %x axis = 1 keepdims : tensor<4x10xf32> -> tensor<4x1xi64>
  return %0 : tensor<4x1xi64>
}
