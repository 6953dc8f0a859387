//===- SignlessIntegers.cpp - erase integer signedness before the lowering -===//
//
// tian tensors may hold unsigned integers (ui8 ... ui64); arith, linalg and
// LLVM compute on signless integers and put the signedness in the op
// (divui, cmpi ult, extui, uitofp). This pass moves it there: each tian op
// that reads unsigned operands gets tian.unsigned, each that produces
// unsigned results tian.unsigned_result, and then every type and attribute
// in the module (signatures, block arguments, constants, a cast's dtype)
// becomes signless with the same bits. The lowering reads the marks through
// tian::readsUnsigned and tian::writesUnsigned.
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"

#include "dialects/tian/TianOps.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::tian {
#define GEN_PASS_DEF_SIGNLESSINTEGERS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

Type signless(Type type) {
  return IntegerType::get(type.getContext(), type.getIntOrFloatBitWidth());
}

struct SignlessIntegersPass : public tian::impl::SignlessIntegersBase<SignlessIntegersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool any = false;
    module.walk([&](Operation *op) {
      if (!isa_and_nonnull<tian::TianDialect>(op->getDialect()))
        return;
      if (tian::readsUnsigned(op)) {
        op->setAttr(tian::kUnsignedAttr, UnitAttr::get(op->getContext()));
        any = true;
      }
      if (tian::writesUnsigned(op)) {
        op->setAttr(tian::kUnsignedResultAttr, UnitAttr::get(op->getContext()));
        any = true;
      }
    });
    if (!any)
      return; // nothing unsigned: leave the module untouched (and fast)

    // Dense constants hold raw bits that the replacer below does not
    // retype: reinterpret them (255 : ui8 is -1 : i8).
    module.walk([&](tian::ConstantOp constant) {
      if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
          dense && dense.getElementType().isUnsignedInteger())
        constant.setValueAttr(dense.bitcast(signless(dense.getElementType())));
    });

    AttrTypeReplacer replacer;
    replacer.addReplacement([](IntegerType type) -> std::optional<Type> {
      if (!type.isUnsigned())
        return std::nullopt;
      return signless(type);
    });
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false, /*replaceTypes=*/true);
  }
};

} // namespace
