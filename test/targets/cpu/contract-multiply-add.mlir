// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-contract-multiply-add))" | FileCheck %s

// Float multiplies, adds and subtracts get `contract` on top of the flags
// they had; divisions, integer ops and other flags are left alone.
// CHECK-LABEL: func.func @f
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: arith.subf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : vector<8xf32>
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
func.func @f(%a: f32, %b: f32, %v: vector<8xf32>, %i: i32) -> (f32, vector<8xf32>, f32, i32) {
  %0 = arith.mulf %a, %b : f32
  %1 = arith.addf %0, %b : f32
  %2 = arith.subf %v, %v fastmath<reassoc> : vector<8xf32>
  %3 = arith.divf %1, %a : f32
  %4 = arith.addi %i, %i : i32
  return %1, %2, %3, %4 : f32, vector<8xf32>, f32, i32
}

// -----

// The fast exp's final multiply keeps its own rounding (its overflow to inf
// is the result for large inputs).
// CHECK-LABEL: func.func @no_contract
// CHECK: arith.mulf %{{.*}}, %{{.*}} {tian.no_contract} : f32
// CHECK: arith.subf %{{.*}}, %{{.*}} fastmath<contract> : f32
func.func @no_contract(%a: f32, %b: f32) -> f32 {
  %0 = arith.mulf %a, %b {tian.no_contract} : f32
  %1 = arith.subf %0, %b : f32
  return %1 : f32
}
