// RUN: tian-opt %s --tian-verify-lowered --split-input-file --verify-diagnostics

// An op a conversion skipped is an error, not a half-lowered module.
// expected-error @+1 {{'func.func' op was not lowered to the LLVM dialect: a tianc bug}}
func.func @f(%arg0: memref<4x0xf32>) {
  llvm.return
}

// -----

llvm.func @lowered(%arg0: !llvm.ptr) {
  llvm.return
}
