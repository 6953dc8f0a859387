// tian-opt lists tianc's passes next to the upstream ones.
// RUN: tian-opt --help | FileCheck %s
// CHECK: --canonicalize
// CHECK: --tian-decompose
// CHECK-SAME: Rewrite composite tian ops into primitive tian ops
