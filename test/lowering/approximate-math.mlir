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

// exp of f32 is tianc's own expansion: clamp (NaN passes), round x/ln2 by
// adding 1.5 * 2^23, one-fma reduction, degree-5 polynomial of 2 e^r, and
// 2^(n-1) built in the exponent field. f16 keeps its exp.
// CHECK-LABEL: func.func @exp_f32
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<-8.750000e+01> : vector<8xf32>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<8.880000e+01> : vector<8xf32>
// CHECK-DAG: %[[MAGIC:.*]] = arith.constant dense<0x4B400000> : vector<8xf32>
// CHECK-DAG: %[[LN2:.*]] = arith.constant dense<-0.693147182> : vector<8xf32>
// CHECK-DAG: %[[BIAS:.*]] = arith.constant dense<1056964608> : vector<8xi32>
// CHECK: %[[BELOW:.*]] = arith.cmpf olt, %[[X:.*]], %[[LO]]
// CHECK: %[[X1:.*]] = arith.select %[[BELOW]], %[[LO]], %[[X]]
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[X1]], %[[HI]]
// CHECK: %[[X2:.*]] = arith.select %[[ABOVE]], %[[HI]], %[[X1]]
// CHECK: %[[SHIFTED:.*]] = math.fma %[[X2]], %{{.*}}, %[[MAGIC]]
// CHECK: %[[N:.*]] = arith.subf %[[SHIFTED]], %[[MAGIC]]
// CHECK: %[[R:.*]] = math.fma %[[N]], %[[LN2]], %[[X2]]
// CHECK-COUNT-5: math.fma
// CHECK: %[[BITS:.*]] = arith.bitcast %[[SHIFTED]] : vector<8xf32> to vector<8xi32>
// CHECK: %[[EXPONENT:.*]] = arith.shli %[[BITS]]
// CHECK: %[[BIASED:.*]] = arith.addi %[[EXPONENT]], %[[BIAS]]
// CHECK: %[[SCALE:.*]] = arith.bitcast %[[BIASED]] : vector<8xi32> to vector<8xf32>
// CHECK: arith.mulf %{{.*}}, %[[SCALE]]
// CHECK: math.exp %{{.*}} : f16
// ONLY-TANH-LABEL: func.func @exp_f32
// ONLY-TANH: math.exp %{{.*}} : vector<8xf32>
func.func @exp_f32(%v: vector<8xf32>, %h: f16) -> (vector<8xf32>, f16) {
  %0 = math.exp %v : vector<8xf32>
  %1 = math.exp %h : f16
  return %0, %1 : vector<8xf32>, f16
}
