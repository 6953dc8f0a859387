//===- InputGuard.h - inputs that crash MLIR 22.1's parser ----------------===//
//
// A user's malformed file must be an error, not an abort of tian-opt. MLIR
// 22.1's parser aborts on a few inputs (fixed upstream after the release
// the pinned wheels carry, or not fixed at all); they are recognized before
// parsing.
//
//===----------------------------------------------------------------------===//
#ifndef TIANC_TOOLS_TIAN_OPT_INPUTGUARD_H
#define TIANC_TOOLS_TIAN_OPT_INPUTGUARD_H

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>
#include <string>

namespace tianc {

/// Deepest nesting of (), [] and {} the guard lets through; MLIR's
/// recursive-descent parser overflows its stack around 10,000.
constexpr int kMaxNesting = 1000;

/// Why `buffer` would crash the parser ("<file>:<line>: ..."), or nullopt.
/// Text is first scanned for what is known to crash 22.1 (`array<index:
/// ...>`, nesting deeper than kMaxNesting), for a precise message; then the
/// input is parsed once in a forked child (split at `splitMarker` as
/// tian-opt will), since upstream's parsers and the bytecode reader can be
/// made to crash or loop in ways no scan foresees. Costs one more parse.
std::optional<std::string> findParserCrash(const llvm::MemoryBuffer &buffer,
                                           const mlir::DialectRegistry &registry,
                                           llvm::StringRef splitMarker);

} // namespace tianc

#endif
