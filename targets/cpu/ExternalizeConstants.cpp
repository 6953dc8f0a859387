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

/// The bytes of a global's initializer as they lie in memory: a dense
/// array of 1, 2, 4 or 8-byte scalars whose count matches the global's
/// (nested) LLVM array type, so that LLVM's layout of it is the same bytes.
std::optional<ArrayRef<char>> rawBytes(LLVM::GlobalOp global) {
  auto typed = dyn_cast_or_null<TypedAttr>(global.getValueAttr());
  auto shaped = typed ? dyn_cast<ShapedType>(typed.getType()) : ShapedType();
  if (!shaped || !shaped.hasStaticShape() || !shaped.getElementType().isIntOrFloat())
    return std::nullopt;
  unsigned bits = shaped.getElementType().getIntOrFloatBitWidth();
  if (bits != 8 && bits != 16 && bits != 32 && bits != 64)
    return std::nullopt;
  Type type = global.getGlobalType();
  int64_t count = 1;
  while (auto array = dyn_cast<LLVM::LLVMArrayType>(type)) {
    count *= array.getNumElements();
    type = array.getElementType();
  }
  if (!type.isIntOrFloat() || type.getIntOrFloatBitWidth() != bits ||
      count != shaped.getNumElements())
    return std::nullopt;
  std::optional<ArrayRef<char>> bytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(typed)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      bytes = blob->getData();
  } else if (auto dense = dyn_cast<DenseElementsAttr>(typed)) {
    if (!dense.isSplat()) // stored once; LLVM writes it out cheaply
      bytes = dense.getRawData();
  }
  if (!bytes || static_cast<int64_t>(bytes->size()) != count * (bits / 8))
    return std::nullopt;
  return bytes;
}

/// Closes `file`, reporting a failed write as an error on `op` (a stream
/// with an unreported error aborts the process when it is destroyed).
LogicalResult closeChecked(llvm::raw_fd_ostream &file, StringRef path, Operation *op) {
  file.close();
  if (!file.has_error())
    return success();
  op->emitError("cannot write ") << path << ": " << file.error().message();
  file.clear_error();
  return failure();
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
      std::optional<ArrayRef<char>> bytes = rawBytes(global);
      if (!bytes || static_cast<int64_t>(bytes->size()) < minBytes)
        continue;
      std::string path = (llvm::Twine(directory) + "/" + global.getSymName() + ".bin").str();
      llvm::raw_fd_ostream file(path, error);
      if (error) {
        global.emitError("cannot write ") << path << ": " << error.message();
        (void)closeChecked(manifest, manifestPath, module);
        return signalPassFailure();
      }
      file.write(bytes->data(), bytes->size());
      if (failed(closeChecked(file, path, global))) {
        (void)closeChecked(manifest, manifestPath, module);
        return signalPassFailure();
      }
      // One line per constant: its symbol, alignment, size and file.
      manifest << global.getSymName() << " " << global.getAlignment().value_or(16) << " "
               << bytes->size() << " " << path << "\n";
      global.removeValueAttr();
      global.setLinkage(LLVM::Linkage::External);
      global.setVisibility_(LLVM::Visibility::Hidden);
    }
    if (failed(closeChecked(manifest, manifestPath, module)))
      return signalPassFailure();
  }
};

} // namespace
