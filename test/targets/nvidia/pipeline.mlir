// The NVIDIA stages: every loop nest becomes an outlined kernel launched
// from the host function, and the kernels end as PTX for the chip asked for.
// RUN: tian-opt %s --tian-optimize=rows=false --tian-lower-to-linalg --tian-nvidia-kernels | FileCheck %s --check-prefix=KERNELS
// RUN: tian-opt %s --tian-optimize=rows=false --tian-lower-to-linalg --tian-nvidia-kernels \
// RUN:   --tian-nvidia-codegen=chip=sm_90 | FileCheck %s --check-prefix=PTX

// KERNELS-LABEL: func.func @mlp(%{{.*}}: memref<8x16xf32>, %{{.*}}: memref<16x4xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<8x4xf32>)
// KERNELS-NOT: memref.alloc
// KERNELS: gpu.launch_func async
// KERNELS-NOT: scf.
// KERNELS: gpu.wait
// KERNELS: return
// KERNELS: gpu.module
// KERNELS: gpu.func @{{.*}} kernel

// PTX-LABEL: llvm.func @mlp(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// PTX: gpu.launch_func
// PTX: gpu.binary @{{.*}} [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}assembly = "{{.*}}.target sm_90
func.func @mlp(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %0 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %1 = tian.add %0, %b : tensor<8x4xf32>, tensor<4xf32> -> tensor<8x4xf32>
  %2 = tian.gelu %1 approximate = tanh : tensor<8x4xf32>
  %3 = tian.softmax %2 axis = 1 : tensor<8x4xf32>
  return %3 : tensor<8x4xf32>
}
