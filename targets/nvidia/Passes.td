//===- Passes.td - the NVIDIA GPU target's passes ----------*- tablegen -*-===//
#ifndef TIAN_NVIDIA_PASSES
#define TIAN_NVIDIA_PASSES

include "mlir/Pass/PassBase.td"

def ParallelDimsOutermost : Pass<"tian-parallel-dims-outermost"> {
  let summary = "Interchange the loops of linalg.generic ops: parallel ones first";
  let description = [{
    `convert-linalg-to-parallel-loops` emits one `scf.parallel` per run of
    parallel loops and an `scf.for` per reduction loop, in the op's loop
    order. With every parallel loop moved ahead of every reduction loop (an
    exact interchange: the loop order of a generic does not change its
    result), each generic becomes a single `scf.parallel` over all its
    parallel loops, with the reductions inside: one GPU thread per output
    element.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MapLoopsToGpu : Pass<"tian-map-loops-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Run the loop nests of a host function as GPU kernels";
  let description = [{
    Every top-level `scf.parallel` of the function (bounds computed on the
    host) becomes a `gpu.launch` over its iteration space, linearized: blocks
    of `threads-per-block` threads, one iteration per thread, the last block
    masked. Any other top-level op that reads or writes memory (a sequential
    `scf.for` nest, a load or a store) runs in a one-thread `gpu.launch`,
    since buffers live in device memory. Allocations, copies and constants
    stay on the host side for `tian-device-memory`.
  }];
  let options = [
    Option<"threadsPerBlock", "threads-per-block", "int64_t", /*default=*/"256",
           "Threads in each block of a mapped parallel loop">
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect", "::mlir::arith::ArithDialect", "::mlir::scf::SCFDialect"
  ];
}

def DeviceMemory : Pass<"tian-device-memory", "::mlir::func::FuncOp"> {
  let summary = "Place a host function's buffers in GPU memory";
  let description = [{
    The entry point of a GPU model takes device pointers, and its kernels can
    read nothing else. This pass rewrites the host side to match:
    `memref.alloc`/`memref.dealloc` become `gpu.alloc`/`gpu.dealloc`,
    `memref.copy` becomes `gpu.memcpy`, and each `memref.get_global` of a
    constant gets a device copy, uploaded where it is read and freed before
    the function returns.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // TIAN_NVIDIA_PASSES
