// RUN: tian-opt %s --pass-pipeline="builtin.module(func.func(tian-approximate-math{functions=exp,tanh,erf}))" | FileCheck %s
// RUN: tian-opt %s --pass-pipeline="builtin.module(func.func(tian-approximate-math{functions=tanh}))" | FileCheck %s --check-prefix=ONLY-TANH

// The listed functions become arithmetic (fma polynomials); others stay.
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK: math.log
// CHECK: return
// ONLY-TANH-LABEL: func.func @f
// ONLY-TANH: math.exp
// ONLY-TANH-NOT: math.tanh
// ONLY-TANH: math.erf
func.func @f(%x: f32, %v: vector<8xf32>) -> (f32, f32, vector<8xf32>, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %x : f32
  %2 = math.erf %v : vector<8xf32>
  %3 = math.log %x : f32
  return %0, %1, %2, %3 : f32, f32, vector<8xf32>, f32
}
