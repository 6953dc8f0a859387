//===- tian-opt.cpp - mlir-opt with the tian dialect and passes -----------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/ToolOutputFile.h"

#include <vector>

#include "InputGuard.h"
#include "passes/Registration.h"

namespace {
/// Loads one plugin (mlir::PassPlugin or mlir::DialectPlugin) and registers
/// what it brings; false, with the reason on stderr, when it does not load.
template <typename Plugin, typename Register>
bool loadPlugin(const std::string &path, const char *kind, Register registerIt) {
  llvm::Expected<Plugin> plugin = Plugin::load(path);
  if (!plugin) {
    llvm::errs() << "tian-opt: cannot load the " << kind << " plugin " << path << ": "
                 << llvm::toString(plugin.takeError()) << "\n";
    return false;
  }
  registerIt(*plugin);
  return true;
}

/// Loads the plugins named by --load-pass-plugin and --load-dialect-plugin
/// (`=path` or a separate `path`) before the command line is parsed, so a
/// plugin's passes are flags of their own and listed by --help (mlir-opt
/// loads them while parsing, too late for both). Returns the arguments
/// without those options; false if a plugin failed to load.
bool loadPlugins(int argc, char **argv, mlir::DialectRegistry &registry,
                 std::vector<char *> &rest) {
  bool ok = true;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    bool passPlugin = arg.consume_front("--load-pass-plugin") ||
                      arg.consume_front("-load-pass-plugin");
    bool dialectPlugin = !passPlugin && (arg.consume_front("--load-dialect-plugin") ||
                                         arg.consume_front("-load-dialect-plugin"));
    if (!passPlugin && !dialectPlugin) {
      rest.push_back(argv[i]);
      continue;
    }
    std::string path;
    if (arg.consume_front("="))
      path = arg.str();
    else if (arg.empty() && i + 1 < argc)
      path = argv[++i];
    else {
      rest.push_back(argv[i]); // not ours (a longer option name): let the parser judge
      continue;
    }
    bool loaded =
        passPlugin
            ? loadPlugin<mlir::PassPlugin>(path, "pass",
                                           [](auto &plugin) { plugin.registerPassRegistryCallbacks(); })
            : loadPlugin<mlir::DialectPlugin>(path, "dialect", [&](auto &plugin) {
                plugin.registerDialectRegistryCallbacks(registry);
              });
    ok = ok && loaded;
  }
  rest.push_back(nullptr);
  return ok;
}
} // namespace

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  tianc::registerDialects(registry);
  tianc::registerPasses();
  std::vector<char *> arguments;
  if (!loadPlugins(argc, argv, registry, arguments))
    return 1;
  argc = static_cast<int>(arguments.size()) - 1;
  argv = arguments.data();
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "tian-opt: the tianc optimizer driver\n", registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
  // What MlirOptMain does, with the input checked before it is parsed.
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << "tian-opt: " << error << "\n";
    return 1;
  }
  if (std::optional<std::string> crash = tianc::findParserCrash(*input, registry,
                                                                     config.inputSplitMarker())) {
    llvm::errs() << "tian-opt: error: " << *crash << "\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "tian-opt: " << error << "\n";
    return 1;
  }
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
