// RUN: tian-opt %s --split-input-file --tian-outline-kernels | FileCheck %s

#id = affine_map<(i) -> (i)>

// Each linalg op becomes a private kernel called from the function. Its
// parameters are its root buffers (arguments and arena views, each once);
// the views between them and the constants its body reads are cloned inside.

// Distinct buffers are noalias.
// CHECK: func.func private @f_kernel0(%{{.*}}: memref<64xf32> {llvm.noalias}, %{{.*}}: memref<64xf32> {llvm.noalias})
// CHECK: arith.constant 2.0
// CHECK: linalg.generic

// In place through two views of one slot: one parameter, read and written.
// CHECK: func.func private @f_kernel1(%[[P:.*]]: memref<64xf32> {llvm.noalias})
// CHECK: linalg.generic {{.*}} ins(%[[P]] : memref<64xf32>) outs(%[[P]] : memref<64xf32>)

// A reshaped view is cloned inside the kernel.
// CHECK: func.func private @f_kernel2(%[[IN:.*]]: memref<64xf32> {llvm.noalias}, %{{.*}}: memref<8x8xf32> {llvm.noalias})
// CHECK: memref.expand_shape %[[IN]]

// CHECK-LABEL: func.func @f(
// CHECK: call @f_kernel0(%{{.*}}, %[[A:.*]]) : (memref<64xf32>, memref<64xf32>) -> ()
// CHECK: call @f_kernel1(%[[A]]) : (memref<64xf32>) -> ()
// CHECK: call @f_kernel2(%{{.*}}, %{{.*}}) : (memref<64xf32>, memref<8x8xf32>) -> ()
// CHECK-NOT: linalg.
// CHECK: return
func.func @f(%x: memref<64xf32>, %out: memref<8x8xf32>) {
  %arena = memref.alloc() {alignment = 64 : i64} : memref<512xi8>
  %c0 = arith.constant 0 : index
  %a = memref.view %arena[%c0][] : memref<512xi8> to memref<64xf32>
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<64xf32>) outs(%a : memref<64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.mulf %v, %two : f32
    linalg.yield %m : f32
  }
  %c0b = arith.constant 0 : index
  %b = memref.view %arena[%c0b][] : memref<512xi8> to memref<64xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<64xf32>) outs(%b : memref<64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.negf %v : f32
    linalg.yield %m : f32
  }
  %shaped = memref.expand_shape %b [[0, 1]] output_shape [8, 8] : memref<64xf32> into memref<8x8xf32>
  linalg.copy ins(%shaped : memref<8x8xf32>) outs(%out : memref<8x8xf32>)
  memref.dealloc %arena : memref<512xi8>
  return
}

// -----

// Two views that overlap partly are never noalias.
// CHECK: func.func private @g_kernel0(%{{.*}}: memref<16xf32>, %{{.*}}: memref<16xf32>) {
func.func @g(%x: memref<16xf32>) {
  %arena = memref.alloc() : memref<128xi8>
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index  // %a is bytes [0, 64), %b [32, 96)
  %a = memref.view %arena[%c0][] : memref<128xi8> to memref<16xf32>
  %b = memref.view %arena[%c32][] : memref<128xi8> to memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  memref.dealloc %arena : memref<128xi8>
  return
}
