// RUN: rm -rf %t && mkdir -p %t
// RUN: tian-opt %s --tian-externalize-constants="directory=%t min-bytes=16" | FileCheck %s
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/constants.txt
// RUN: od -A n -t f4 %t/weights.bin | FileCheck %s --check-prefix=BYTES

// A large constant's bytes go to a file; the global becomes a hidden
// external declaration that the code still loads from.
// CHECK: llvm.mlir.global external hidden constant @weights() {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>
// MANIFEST: weights 64 32 {{.*}}/weights.bin
// BYTES: 1 2 3 4
// BYTES-NEXT: 5 6 7 8
llvm.mlir.global private constant @weights(dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<8 x f32>

// Small, splat and mutable globals stay as they are.
// CHECK: llvm.mlir.global private constant @small(dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>)
// CHECK: llvm.mlir.global private constant @zeros(dense<0.000000e+00> : tensor<64xf32>)
// CHECK: llvm.mlir.global private @state(dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]> : tensor<5xf32>)
// MANIFEST-NOT: small
// MANIFEST-NOT: zeros
// MANIFEST-NOT: state
llvm.mlir.global private constant @small(dense<[1.0, 2.0]> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>
llvm.mlir.global private constant @zeros(dense<0.0> : tensor<64xf32>) {addr_space = 0 : i32} : !llvm.array<64 x f32>
llvm.mlir.global private @state(dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>) {addr_space = 0 : i32} : !llvm.array<5 x f32>

llvm.func @read() -> f32 {
  %0 = llvm.mlir.addressof @weights : !llvm.ptr
  %1 = llvm.load %0 : !llvm.ptr -> f32
  llvm.return %1 : f32
}
