// RUN: tian-opt %s --tian-lower-parallel-dispatch | FileCheck %s

// A dispatch call becomes a struct of its arguments in the caller's entry
// block (one slot, though the call sits in a loop) and a call of the
// runtime with the task's entry; the entry loads the arguments and calls
// the task with the range it is given.
// CHECK-LABEL: llvm.func @kernel(
// CHECK: %[[SLOT:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, f32)>
// CHECK: ^bb1:
// CHECK: %[[A:.*]] = llvm.getelementptr %[[SLOT]][0, 0]
// CHECK: llvm.store %arg0, %[[A]] : !llvm.ptr, !llvm.ptr
// CHECK: %[[X:.*]] = llvm.getelementptr %[[SLOT]][0, 1]
// CHECK: llvm.store %arg1, %[[X]] : f32, !llvm.ptr
// CHECK: %[[ENTRY:.*]] = llvm.mlir.addressof @kernel_task_entry
// CHECK: llvm.call @tianc_parallel_for(%[[ENTRY]], %[[SLOT]], %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK-NOT: __tian_parallel_for
// CHECK: llvm.func internal @kernel_task_entry(%[[ARGS:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK: %[[P:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// CHECK: %[[V:.*]] = llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK: llvm.call @kernel_task(%[[P]], %[[V]], %[[BEGIN]], %[[END]])
// CHECK: llvm.func @tianc_parallel_for(!llvm.ptr, !llvm.ptr, i64)
llvm.func @kernel(%arg0: !llvm.ptr, %arg1: f32) {
  %trips = llvm.mlir.constant(16 : i64) : i64
  llvm.br ^bb1
^bb1:
  llvm.call @__tian_parallel_for_kernel_task(%arg0, %arg1, %trips) : (!llvm.ptr, f32, i64) -> ()
  llvm.return
}
llvm.func @__tian_parallel_for_kernel_task(!llvm.ptr, f32, i64)
llvm.func @kernel_task(%arg0: !llvm.ptr {llvm.noalias}, %arg1: f32, %arg2: i64, %arg3: i64) {
  llvm.return
}
