// The CPU pipeline ends in the LLVM dialect with nothing else left, results
// as out-parameters and bare data pointers as arguments.
// RUN: tian-opt %s --tian-cpu-pipeline | FileCheck %s
// The stages compose to the same thing.
// RUN: tian-opt %s --tian-optimize --tian-lower-to-linalg --tian-cpu-bufferize --tian-cpu-codegen | FileCheck %s

// CHECK-LABEL: llvm.func @mlp(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: = tian.
// CHECK-NOT: linalg.
// CHECK-NOT: unrealized_conversion_cast
// CHECK: llvm.return
func.func @mlp(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %0 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %1 = tian.add %0, %b : tensor<8x4xf32>, tensor<4xf32> -> tensor<8x4xf32>
  %2 = tian.relu %1 : tensor<8x4xf32>
  %3 = tian.log_softmax %2 axis = 1 : tensor<8x4xf32>
  return %2, %3 : tensor<8x4xf32>, tensor<8x4xf32>
}
