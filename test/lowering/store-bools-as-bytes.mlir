// RUN: tian-opt %s --tian-store-bools-as-bytes --split-input-file | FileCheck %s

// Signatures, tensors and constants switch to i8; the scalar logic stays i1.
// CHECK-LABEL: func.func @mask(%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.constant dense<[1, 0, 1, 1]> : tensor<4xi8>
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<4xi8>)
// CHECK: ^bb0(%{{.*}}: f32, %[[M:.*]]: i8, %[[C:.*]]: i8, %{{.*}}: i8):
// CHECK-DAG: %[[MB:.*]] = arith.trunci %[[M]] : i8 to i1
// CHECK-DAG: %[[CB:.*]] = arith.trunci %[[C]] : i8 to i1
// CHECK: %[[LT:.*]] = arith.cmpf olt
// CHECK: %[[AND:.*]] = arith.andi %[[LT]], %[[MB]] : i1
// CHECK: %[[OR:.*]] = arith.ori %[[AND]], %[[CB]] : i1
// CHECK: %[[OUT:.*]] = arith.extui %[[OR]] : i1 to i8
// CHECK: linalg.yield %[[OUT]] : i8
#id = affine_map<(d0) -> (d0)>
func.func @mask(%x: tensor<4xf32>, %m: tensor<4xi1>) -> tensor<4xi1> {
  %c = arith.constant dense<[true, false, true, true]> : tensor<4xi1>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xi1>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %m, %c : tensor<4xf32>, tensor<4xi1>, tensor<4xi1>) outs(%e : tensor<4xi1>) {
  ^bb0(%a: f32, %b: i1, %k: i1, %o: i1):
    %lt = arith.cmpf olt, %a, %zero : f32
    %and = arith.andi %lt, %b : i1
    %or = arith.ori %and, %k : i1
    linalg.yield %or : i1
  } -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Data movement on bool tensors only changes the types.
// CHECK-LABEL: func.func @moves(%{{.*}}: tensor<2x3xi8>) -> tensor<3x2xi8>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3xi8>) outs(%{{.*}} : tensor<3x2xi8>)
func.func @moves(%x: tensor<2x3xi1>) -> tensor<3x2xi1> {
  %e = tensor.empty() : tensor<3x2xi1>
  %0 = linalg.transpose ins(%x : tensor<2x3xi1>) outs(%e : tensor<3x2xi1>) permutation = [1, 0]
  return %0 : tensor<3x2xi1>
}

// -----

// Non-bool code is untouched.
// CHECK-LABEL: func.func @untouched(%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: i8
func.func @untouched(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// A bool tensor carried through a loop: scf.forall's shared output (its
// block argument) takes the same i8 storage as the loop's result.
// CHECK-LABEL: func.func @through_forall
// CHECK: scf.forall (%{{.*}}) in (4) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<4xi8>)
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%{{.*}}] [1] [1] : tensor<1xi8> into tensor<4xi8>
func.func @through_forall(%m: tensor<4xi1>) -> tensor<4xi1> {
  %e = tensor.empty() : tensor<4xi1>
  %0 = scf.forall (%i) in (4) shared_outs(%out = %e) -> (tensor<4xi1>) {
    %s = tensor.extract_slice %m[%i] [1] [1] : tensor<4xi1> to tensor<1xi1>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %out[%i] [1] [1] : tensor<1xi1> into tensor<4xi1>
    }
  }
  return %0 : tensor<4xi1>
}

// -----

// An element gathered from a bool tensor (tensor.extract) is read as a byte
// and truncated; one written into bool storage (tensor.insert) is extended.
// CHECK-LABEL: func.func @gather_bools(%{{.*}}: tensor<3xi8>, %{{.*}}: tensor<2xindex>) -> tensor<2xi8>
// CHECK: %[[BYTE:.*]] = tensor.extract %{{.*}}[%{{.*}}] : tensor<3xi8>
// CHECK: %[[BIT:.*]] = arith.trunci %[[BYTE]] : i8 to i1
// CHECK: %[[OUT:.*]] = arith.extui %[[BIT]] : i1 to i8
// CHECK: linalg.yield %[[OUT]] : i8
// CHECK-LABEL: func.func @insert_bool
// CHECK: %[[WIDE:.*]] = arith.extui %{{.*}} : i1 to i8
// CHECK: tensor.insert %[[WIDE]] into %{{.*}} : tensor<4xi8>
#id1 = affine_map<(d0) -> (d0)>
func.func @gather_bools(%x: tensor<3xi1>, %i: tensor<2xindex>) -> tensor<2xi1> {
  %e = tensor.empty() : tensor<2xi1>
  %0 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%i : tensor<2xindex>) outs(%e : tensor<2xi1>) {
  ^bb0(%k: index, %o: i1):
    %v = tensor.extract %x[%k] : tensor<3xi1>
    linalg.yield %v : i1
  } -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

func.func @insert_bool(%t: tensor<4xi1>, %b: i1, %k: index) -> tensor<4xi1> {
  %0 = tensor.insert %b into %t[%k] : tensor<4xi1>
  return %0 : tensor<4xi1>
}
