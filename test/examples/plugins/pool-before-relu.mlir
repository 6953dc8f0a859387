// The example C++ plugin (examples/plugins/cpp), loaded into tian-opt: its
// pass is a flag of its own and uses tian's op classes.
// RUN: tian-opt %s --load-pass-plugin=%plugins/libTianPoolBeforeRelu.so --tian-example-pool-before-relu | FileCheck %s
// RUN: tian-opt %s --load-pass-plugin %plugins/libTianPoolBeforeRelu.so --pass-pipeline="builtin.module(tian-example-pool-before-relu)" | FileCheck %s
// RUN: tian-opt --load-pass-plugin=%plugins/libTianPoolBeforeRelu.so --help | FileCheck %s --check-prefix=HELP
// RUN: tian-opt --load-dialect-plugin=%plugins/libTianPoolBeforeRelu.so --show-dialects | FileCheck %s --check-prefix=DIALECT
// RUN: not tian-opt %s --load-pass-plugin=%plugins/no-such-plugin.so 2>&1 | FileCheck %s --check-prefix=MISSING

// HELP: --tian-example-pool-before-relu {{.*}}Example plugin: max-pool before ReLU
// DIALECT: Available Dialects: {{.*}}tian,tian_example,
// MISSING: tian-opt: cannot load the pass plugin {{.*}}no-such-plugin.so

// CHECK-LABEL: func.func @relu_then_pool
// CHECK-NEXT: %[[P:.*]] = tian.max_pool2d %arg0 {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[R:.*]] = tian.relu %[[P]] : tensor<1x2x2x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @relu_then_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %r = tian.relu %x : tensor<1x2x4x4xf32>
  %p = tian.max_pool2d %r {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %p : tensor<1x2x2x2xf32>
}

// A ReLU that something else reads too stays where it is.
// CHECK-LABEL: func.func @relu_used_twice
// CHECK-NEXT: tian.relu %arg0
// CHECK-NEXT: tian.max_pool2d
func.func @relu_used_twice(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  %r = tian.relu %x : tensor<1x2x4x4xf32>
  %p = tian.max_pool2d %r {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %p, %r : tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
