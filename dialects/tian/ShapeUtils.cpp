//===- ShapeUtils.cpp - shape rules shared by tian ops --------------------===//
#include "dialects/tian/ShapeUtils.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string tian::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << '?';
    else
      os << dim;
  });
  os << ']';
  return text;
}

int64_t tian::storageBytes(ShapedType type) {
  return type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
}

std::optional<llvm::SmallVector<int64_t>>
tian::broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                      llvm::ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align trailing dimensions; missing leading ones act as 1.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l == r || r == 1) {
      result[i] = l;
    } else if (l == 1) {
      result[i] = r;
    } else if (ShapedType::isDynamic(l) || ShapedType::isDynamic(r)) {
      // A dynamic dimension against a static one > 1 must equal it at run time.
      result[i] = ShapedType::isDynamic(l) ? r : l;
    } else {
      return std::nullopt;
    }
  }
  return result;
}

bool tian::broadcastsTo(llvm::ArrayRef<int64_t> from,
                        llvm::ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[offset + i] &&
        !ShapedType::isDynamic(from[i]) && !ShapedType::isDynamic(to[offset + i]))
      return false;
  return true;
}

std::optional<int64_t> tian::windowOutputSize(int64_t size, int64_t padBegin,
                                              int64_t padEnd, int64_t kernel,
                                              int64_t stride, int64_t dilation,
                                              bool ceilMode) {
  if (ShapedType::isDynamic(size))
    return ShapedType::kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = size + padBegin + padEnd - span;
  if (room < 0)
    return std::nullopt;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  // With ceil_mode, the last window must start inside the input or the
  // leading padding, as PyTorch and ONNX define it.
  if (ceilMode && (out - 1) * stride >= size + padBegin)
    --out;
  return out;
}

llvm::LogicalResult tian::inferenceError(std::optional<Location> loc,
                                         llvm::StringRef opName,
                                         const llvm::Twine &message) {
  return emitOptionalError(loc, "'", opName, "' op ", message);
}
