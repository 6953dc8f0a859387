//===- TianDialect.cpp - the tian dialect ---------------------------------===//
#include "dialects/tian/TianDialect.h"
#include "dialects/tian/TianOps.h"

using namespace mlir;
using namespace mlir::tian;

#include "dialects/tian/TianDialect.cpp.inc"
#include "dialects/tian/TianEnums.cpp.inc"
#include "dialects/tian/TianInterfaces.cpp.inc"

void TianDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/tian/TianOps.cpp.inc"
      >();
}

Operation *TianDialect::materializeConstant(OpBuilder &builder,
                                            Attribute value, Type type,
                                            Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
