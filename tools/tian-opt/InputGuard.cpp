//===- InputGuard.cpp - inputs that crash MLIR 22.1's parser --------------===//
#include "InputGuard.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <thread>

using namespace llvm;

namespace {

std::string fileName(const MemoryBuffer &buffer) {
  StringRef name = buffer.getBufferIdentifier();
  return name.empty() || name == "-" ? "<stdin>" : name.str();
}

int64_t lineAt(StringRef text, size_t offset) {
  return 1 + static_cast<int64_t>(text.take_front(offset).count('\n'));
}

/// The inputs known to crash 22.1's parser, with a precise message.
std::optional<std::string> scanText(const MemoryBuffer &buffer) {
  StringRef text = buffer.getBuffer();
  auto at = [&](size_t offset) {
    return fileName(buffer) + ":" + std::to_string(lineAt(text, offset)) + ": ";
  };
  int depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    if (c == '"') { // a string literal: skip it, escapes included
      for (++i; i < e && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      continue;
    }
    if (c == '/' && text.substr(i).starts_with("//")) {
      i = text.find('\n', i);
      if (i == StringRef::npos)
        break;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > tianc::kMaxNesting)
        return at(i) + "the input nests brackets deeper than " +
               std::to_string(tianc::kMaxNesting) + " levels, which overflows MLIR's parser";
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == 'a' && text.substr(i).starts_with("array")) {
      StringRef rest = text.substr(i + 5).ltrim();
      if (rest.consume_front("<") && rest.ltrim().starts_with("index") &&
          rest.ltrim().drop_front(5).ltrim().starts_with(":"))
        return at(i) + "`array<index: ...>` attributes crash the parser of MLIR 22.1 "
                       "(fixed upstream after that release); use array<i64: ...>";
    }
  }
  return std::nullopt;
}

/// The pieces tian-opt parses one by one: the split-input-file chunks, with
/// the line each starts on.
SmallVector<std::pair<StringRef, int64_t>> chunks(StringRef text, StringRef marker) {
  SmallVector<std::pair<StringRef, int64_t>> pieces;
  size_t start = 0;
  while (!marker.empty()) {
    size_t found = text.find(marker, start);
    if (found == StringRef::npos)
      break;
    pieces.push_back({text.slice(start, found), lineAt(text, start)});
    start = found + marker.size();
  }
  pieces.push_back({text.substr(start), lineAt(text, start)});
  return pieces;
}

/// Parses `buffer` in a forked child, quietly; the child's fate is the
/// answer. Upstream's custom parsers have assertions a malformed file can
/// reach (linalg.transpose's `permutation`, say), and a corrupted bytecode
/// length can make the reader loop: no pre-check finds them all.
std::optional<std::string> probeParse(const MemoryBuffer &buffer,
                                      const mlir::DialectRegistry &registry,
                                      StringRef splitMarker) {
  bool bytecode = mlir::isBytecode(buffer.getMemBufferRef());
  int progress[2];
  if (pipe(progress) != 0)
    return std::nullopt; // cannot probe: parse as usual
  pid_t child = fork();
  if (child < 0) {
    close(progress[0]);
    close(progress[1]);
    return std::nullopt;
  }
  if (child == 0) {
    close(progress[0]);
    int null = open("/dev/null", O_WRONLY); // assertion texts and stack dumps
    if (null >= 0)
      dup2(null, STDERR_FILENO);
    mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
    context.getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    mlir::ParserConfig config(&context);
    if (bytecode) {
      mlir::Block block;
      (void)mlir::readBytecodeFile(buffer.getMemBufferRef(), &block, config);
    } else {
      for (auto [text, line] : chunks(buffer.getBuffer(), splitMarker)) {
        if (write(progress[1], &line, sizeof line) != sizeof line)
          break;
        mlir::Block block;
        (void)mlir::parseSourceString(text, &block, config);
      }
    }
    _exit(0);
  }
  close(progress[1]);
  // Far above what a valid file of this size takes to parse.
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::seconds(10 + buffer.getBufferSize() / (10 << 20));
  int status = 0;
  bool finished = true;
  while (true) {
    pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child)
      break;
    if (done < 0 && errno != EINTR) {
      close(progress[0]);
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      finished = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  int64_t line = 0, next;
  while (read(progress[0], &next, sizeof next) == sizeof next)
    line = next;
  close(progress[0]);
  if (finished && !WIFSIGNALED(status))
    return std::nullopt;
  std::string where = fileName(buffer) + (bytecode ? "" : ":" + std::to_string(line)) + ": ";
  std::string what = bytecode ? "the bytecode is corrupt: MLIR's bytecode reader"
                              : "the input (the part from this line on) makes MLIR's parser";
  if (!finished)
    return where + what + (bytecode ? " did not finish reading it" : " run forever");
  return where + what + (bytecode ? " crashed reading it (" : " crash (") +
         strsignal(WTERMSIG(status)) + ")";
}

} // namespace

std::optional<std::string> tianc::findParserCrash(const MemoryBuffer &buffer,
                                                  const mlir::DialectRegistry &registry,
                                                  StringRef splitMarker) {
  if (!mlir::isBytecode(buffer.getMemBufferRef()))
    if (std::optional<std::string> known = scanText(buffer))
      return known;
  return probeParse(buffer, registry, splitMarker);
}
