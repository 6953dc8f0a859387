// RUN: tian-opt %s --tian-signless-integers --split-input-file | FileCheck %s
// RUN: tian-opt %s --tian-signless-integers --split-input-file | tian-opt --split-input-file --convert-tian-to-linalg | FileCheck %s --check-prefix=LINALG

// Types become signless with the same widths; the ops that read unsigned
// operands carry tian.unsigned, a cast to an unsigned type
// tian.unsigned_result. A constant keeps its bits (255 is -1 as i8).
// CHECK-LABEL: func.func @div(%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: tian.constant {tian.unsigned_result} dense<-1> : tensor<4xi8>
// CHECK: tian.div %{{.*}}, %{{.*}} {tian.unsigned, tian.unsigned_result}
// CHECK: tian.compare lt %{{.*}}, %{{.*}} {tian.unsigned} :
// CHECK-NOT: ui8
// LINALG-LABEL: func.func @div
// LINALG: arith.divui
// LINALG: arith.cmpi ult
func.func @div(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %c = tian.constant dense<255> : tensor<4xui8>
  %0 = tian.div %a, %b : tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  %1 = tian.compare lt %0, %c : tensor<4xui8>, tensor<4xui8> -> tensor<4xi1>
  %2 = tian.select %1, %0, %c : tensor<4xi1>, tensor<4xui8>, tensor<4xui8> -> tensor<4xui8>
  return %2 : tensor<4xui8>
}

// -----

// Casts: from unsigned zero-extends or converts unsigned; to unsigned from
// a float converts unsigned.
// CHECK-LABEL: func.func @casts
// CHECK: tian.cast %{{.*}} {tian.unsigned} : tensor<4xi8> to i32
// CHECK: tian.cast %{{.*}} {tian.unsigned_result} : tensor<4xf32> to i16
// LINALG-LABEL: func.func @casts
// LINALG: arith.extui {{.*}} : i8 to i32
// LINALG: arith.fptoui {{.*}} : f32 to i16
func.func @casts(%a: tensor<4xui8>, %f: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xui16>) {
  %0 = tian.cast %a : tensor<4xui8> to i32
  %1 = tian.cast %f : tensor<4xf32> to ui16
  return %0, %1 : tensor<4xi32>, tensor<4xui16>
}

// -----

// Unsigned maxima start from 0 and compare unsigned; shifts right bring in zeros.
// CHECK-LABEL: func.func @reduce
// LINALG-LABEL: func.func @reduce
// LINALG: arith.constant 0 : i32
// LINALG: arith.maxui
// LINALG: arith.shrui
func.func @reduce(%a: tensor<2x3xui32>, %s: tensor<2xui32>) -> tensor<2xui32> {
  %0 = tian.reduce_max %a axes = [1] : tensor<2x3xui32> -> tensor<2xui32>
  %1 = tian.shift_right %0, %s : tensor<2xui32>, tensor<2xui32> -> tensor<2xui32>
  return %1 : tensor<2xui32>
}

// -----

// A module without unsigned integers is left as it is.
// CHECK-LABEL: func.func @signed
// CHECK: tian.div
// CHECK-NOT: tian.unsigned
func.func @signed(%a: tensor<4xi8>, %b: tensor<4xi8>) -> tensor<4xi8> {
  %0 = tian.div %a, %b : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
