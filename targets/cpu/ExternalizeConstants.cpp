//===- ExternalizeConstants.cpp - large constants bypass LLVM -------------===//
//
// Weights captured as constants (47 MB for ResNet-18, and as many again
// packed by tian-block-matmuls) cost LLVM seconds to translate, optimize and
// emit, and as LLVM IR text (the form the wheel's tools exchange) they are
// hundreds of megabytes. This pass writes each large constant global's
// bytes to a file and leaves an external declaration in its place; the
// library build (tianc.compiler.native) links the files in as they are
// (an assembler `.incbin`).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::tian {
#define GEN_PASS_DEF_EXTERNALIZECONSTANTS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// The bytes of a global's initializer as they lie in memory, if it is a
/// dense array of whole bytes per element.
std::optional<ArrayRef<char>> rawBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ShapedType>(
      isa_and_nonnull<TypedAttr>(value) ? cast<TypedAttr>(value).getType() : Type());
  if (!elements || !elements.getElementType().isIntOrFloat() ||
      elements.getElementType().getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    return blob->getData();
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat()) // stored once; LLVM writes it out cheaply
      return std::nullopt;
    return dense.getRawData();
  }
  return std::nullopt;
}

struct ExternalizeConstantsPass
    : public tian::impl::ExternalizeConstantsBase<ExternalizeConstantsPass> {
  using ExternalizeConstantsBase::ExternalizeConstantsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (directory.empty()) {
      module.emitError("tian-externalize-constants needs a directory");
      return signalPassFailure();
    }
    std::string manifestPath = (llvm::Twine(directory) + "/constants.txt").str();
    std::error_code error;
    llvm::raw_fd_ostream manifest(manifestPath, error);
    if (error) {
      module.emitError("cannot write ") << manifestPath << ": " << error.message();
      return signalPassFailure();
    }
    for (auto global : module.getOps<LLVM::GlobalOp>()) {
      if (!global.getConstant())
        continue;
      std::optional<ArrayRef<char>> bytes = rawBytes(global.getValueAttr());
      if (!bytes || static_cast<int64_t>(bytes->size()) < minBytes)
        continue;
      std::string path = (llvm::Twine(directory) + "/" + global.getSymName() + ".bin").str();
      llvm::raw_fd_ostream file(path, error);
      if (error) {
        global.emitError("cannot write ") << path << ": " << error.message();
        return signalPassFailure();
      }
      file.write(bytes->data(), bytes->size());
      // One line per constant: its symbol, alignment, size and file.
      manifest << global.getSymName() << " " << global.getAlignment().value_or(16) << " "
               << bytes->size() << " " << path << "\n";
      global.removeValueAttr();
      global.setLinkage(LLVM::Linkage::External);
      global.setVisibility_(LLVM::Visibility::Hidden);
    }
  }
};

} // namespace
