// RUN: tian-opt %s --tian-isolate-parallel-tasks | FileCheck %s

// The task functions async-parallel-for outlines are kept out of the
// coroutines that call them; other functions are left to the inliner.
// CHECK: llvm.func @parallel_compute_fn(
// CHECK-SAME: no_inline
// CHECK: llvm.func @parallel_compute_fn_1(
// CHECK-SAME: no_inline
// CHECK: llvm.func @kernel(
// CHECK-NOT: no_inline
// CHECK-SAME: {
llvm.func @parallel_compute_fn(%arg0: i64) {
  llvm.return
}
llvm.func @parallel_compute_fn_1(%arg0: i64) {
  llvm.return
}
llvm.func @kernel(%arg0: i64) {
  llvm.return
}
