//===- ShapeUtils.h - shape rules shared by tian ops ------------*- C++ -*-===//
//
// The shape arithmetic behind result-type inference. Dynamic dimensions
// (ShapedType::kDynamic) are carried through wherever the rule allows, so the
// same code serves static and dynamic shapes.
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_DIALECTS_TIAN_SHAPEUTILS_H
#define TIANC_DIALECTS_TIAN_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace mlir::tian {

/// "[2, 3, ?]": how shapes appear in every tian diagnostic.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Bytes of a static shaped value's elements (an i1 takes a byte).
int64_t storageBytes(ShapedType type);

/// numpy broadcasting of two shapes; std::nullopt when a pair of dimensions
/// is neither equal nor 1.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// True when `from` broadcasts to exactly `to`.
bool broadcastsTo(llvm::ArrayRef<int64_t> from, llvm::ArrayRef<int64_t> to);

/// Output length of a sliding window over `size` elements (convolution and
/// pooling), or std::nullopt if the window does not fit even once.
std::optional<int64_t> windowOutputSize(int64_t size, int64_t padBegin,
                                        int64_t padEnd, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        bool ceilMode);

/// Reports an inference failure as "'tian.<op>' op <message>", the same
/// prefix the verifier uses, and returns failure.
llvm::LogicalResult inferenceError(std::optional<Location> loc,
                                   llvm::StringRef opName,
                                   const llvm::Twine &message);

} // namespace mlir::tian

#endif
