// softmax then LayerNorm through the whole CPU pipeline: one row-loop
// kernel whose row buffers are stack slots (no heap allocation anywhere),
// and with threads the row loop is shared among the cores while the loops
// of one row run inside a task.
// RUN: tian-opt %s --tian-cpu-pipeline | FileCheck %s
// RUN: tian-opt %s --tian-optimize --tian-lower-to-linalg --tian-cpu-bufferize --tian-cpu-codegen=threads=1 | FileCheck %s --check-prefix=THREADS

// CHECK-LABEL: llvm.func @softmax_layer_norm_kernel0(
// CHECK-COUNT-3: llvm.alloca
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @aligned_alloc
// CHECK-LABEL: llvm.func @softmax_layer_norm(
// CHECK-NOT: alloc
// CHECK: llvm.call @softmax_layer_norm_kernel0
// CHECK-NOT: llvm.call
// CHECK: llvm.return

// THREADS-LABEL: llvm.func @softmax_layer_norm_kernel0(
// THREADS: llvm.call @tianc_parallel_for(
// THREADS-LABEL: llvm.func @softmax_layer_norm_kernel0_task(
// THREADS-COUNT-3: llvm.alloca
// THREADS-NOT: llvm.call @aligned_alloc
// THREADS-NOT: llvm.call @malloc
// THREADS: llvm.func internal @softmax_layer_norm_kernel0_task_entry(
func.func @softmax_layer_norm(%x: tensor<512x256xf32>) -> tensor<512x256xf32> {
  %0 = tian.softmax %x axis = 1 : tensor<512x256xf32>
  %1 = tian.layer_norm %0 axis = 1 : tensor<512x256xf32>
  return %1 : tensor<512x256xf32>
}
