// RUN: tian-opt %s --split-input-file --tian-outline-parallel-loops | FileCheck %s

// A one-dim parallel loop becomes a task over [begin, end) and a dispatch
// call with the trip count. The view and the constant the body uses are
// recomputed in the task, which takes the buffers themselves, noalias.
// CHECK-LABEL: func.func private @kernel(
// CHECK-NOT: scf.parallel
// CHECK: memref.expand_shape
// CHECK-NEXT: %[[TRIPS:.*]] = arith.constant 4 : index
// CHECK-NEXT: call @__tian_parallel_for_kernel_task(%arg0, %arg1, %[[TRIPS]]) : (memref<16xf32>, memref<4x4xf32>, index) -> ()
// CHECK: func.func private @__tian_parallel_for_kernel_task(memref<16xf32>, memref<4x4xf32>, index)
// CHECK: func.func private @kernel_task(%[[IN:.*]]: memref<16xf32> {llvm.noalias}, %[[OUT:.*]]: memref<4x4xf32> {llvm.noalias}, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]] step
// CHECK: memref.expand_shape %[[IN]]
// CHECK: scf.for %[[J:.*]] =
// CHECK: memref.store {{.*}}, %[[OUT]][%[[J]], %[[I]]]
func.func private @kernel(%in: memref<16xf32> {llvm.noalias}, %out: memref<4x4xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %shaped = memref.expand_shape %in [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %shaped[%i, %j] : memref<4x4xf32>
      memref.store %v, %out[%j, %i] : memref<4x4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Bounds that are not 0 and 1: iteration i of the range runs the body at
// lower + i * step, and a dynamic lower bound is passed too. Inside a
// sequential loop, the dispatch runs on each of its iterations, with its
// induction variable as a parameter.
// CHECK-LABEL: func.func private @strided(
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[SPAN:.*]] = arith.subi %{{.*}}, %[[K]]
// CHECK: %[[COUNT:.*]] = arith.ceildivsi %[[SPAN]], %{{.*}}
// CHECK: %[[TRIPS:.*]] = arith.maxsi %[[COUNT]]
// CHECK: call @__tian_parallel_for_strided_task(%arg0, %[[K]], %[[TRIPS]])
// CHECK: func.func private @strided_task(%[[A:.*]]: memref<64xf32> {llvm.noalias}, %[[LOWER:.*]]: index, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: %[[STEP:.*]] = arith.constant 3 : index
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: %[[SCALED:.*]] = arith.muli %[[I]], %[[STEP]]
// CHECK: %[[INDEX:.*]] = arith.addi %[[SCALED]], %[[LOWER]]
// CHECK: memref.store %{{.*}}, %[[A]][%[[INDEX]]]
func.func private @strided(%a: memref<64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.for %k = %c0 to %c4 step %c1 {
    scf.parallel (%i) = (%k) to (%c64) step (%c3) {
      memref.store %one, %a[%i] : memref<64xf32>
      scf.reduce
    }
  }
  return
}

// -----

// A buffer whose layout the bare-pointer convention cannot pass (a dynamic
// offset): the loop stays, to run sequentially.
// CHECK-LABEL: func.func private @dynamic_layout(
// CHECK: scf.parallel
// CHECK-NOT: __tian_parallel_for
func.func private @dynamic_layout(%a: memref<8xf32, strided<[1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %one, %a[%i] : memref<8xf32, strided<[1], offset: ?>>
    scf.reduce
  }
  return
}
