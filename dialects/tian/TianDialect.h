//===- TianDialect.h - the tian dialect -------------------------*- C++ -*-===//
#ifndef TIANC_DIALECTS_TIAN_TIANDIALECT_H
#define TIANC_DIALECTS_TIAN_TIANDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/tian/TianDialect.h.inc"

#endif
