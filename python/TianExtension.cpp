//===- TianExtension.cpp - tianc._native._tian ----------------------------===//
//
// Makes tian's dialect and passes known to the upstream MLIR Python
// bindings. It only exchanges a DialectRegistry capsule, so the plain CPython
// API is enough.
//
//===----------------------------------------------------------------------===//
#include <Python.h>

#include <dlfcn.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "mlir-c/Bindings/Python/Interop.h"
#include "mlir/CAPI/IR.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"

#include "passes/Registration.h"

namespace {

/// The DialectRegistry behind an mlir.ir.DialectRegistry, or null with a
/// Python error set (`function` names the caller in it).
mlir::DialectRegistry *dialectRegistryOf(PyObject *registryObject, const char *function) {
  PyObject *capsule =
      PyObject_GetAttrString(registryObject, MLIR_PYTHON_CAPI_PTR_ATTR);
  if (!capsule)
    return nullptr;
  MlirDialectRegistry registry = mlirPythonCapsuleToDialectRegistry(capsule);
  Py_DECREF(capsule);
  if (mlirDialectRegistryIsNull(registry)) {
    PyErr_Format(PyExc_TypeError, "%s expects an mlir.ir.DialectRegistry", function);
    return nullptr;
  }
  return unwrap(registry);
}

/// register_dialects(registry: mlir.ir.DialectRegistry) -> None
PyObject *registerDialects(PyObject *, PyObject *registryObject) {
  mlir::DialectRegistry *registry = dialectRegistryOf(registryObject, "register_dialects");
  if (!registry)
    return nullptr;
  tianc::registerDialects(*registry);
  Py_RETURN_NONE;
}

/// register_passes() -> None: tian's passes become nameable in pipelines.
PyObject *registerPasses(PyObject *, PyObject *) {
  tianc::registerPasses();
  Py_RETURN_NONE;
}

/// The bytes of an allocation the compiled code could not make since the
/// last call (tian-check-allocations reports them to tianc's runtime,
/// libtianc_parallel.so, which tianc.compiler loads with global symbols).
int64_t takeAllocationFailure() {
  using Take = int64_t (*)();
  // Looked up once: the eager hot path calls this after every kernel.
  static Take take =
      reinterpret_cast<Take>(dlsym(RTLD_DEFAULT, "tianc_take_allocation_failure"));
  return take ? take() : 0;
}

/// invoke(address, arrays) -> None: calls a compiled entry point's packed
/// wrapper (void(void**)) with the data pointers of C-contiguous buffers.
/// This is the eager hot path: no ctypes objects per call. A failed
/// allocation in the code raises MemoryError.
PyObject *invoke(PyObject *, PyObject *args) {
  unsigned long long address;
  PyObject *arrays;
  if (!PyArg_ParseTuple(args, "KO!", &address, &PyTuple_Type, &arrays))
    return nullptr;
  constexpr Py_ssize_t kMaxArgs = 256;
  Py_ssize_t count = PyTuple_GET_SIZE(arrays);
  if (count > kMaxArgs) {
    PyErr_SetString(PyExc_ValueError, "invoke: too many arguments");
    return nullptr;
  }
  Py_buffer views[kMaxArgs];
  void *pointers[kMaxArgs];
  void *packed[kMaxArgs];
  Py_ssize_t acquired = 0;
  for (; acquired < count; ++acquired) {
    if (PyObject_GetBuffer(PyTuple_GET_ITEM(arrays, acquired), &views[acquired],
                           PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) != 0)
      break;
    pointers[acquired] = views[acquired].buf;
    packed[acquired] = &pointers[acquired];
  }
  if (acquired == count) {
    auto *entry = reinterpret_cast<void (*)(void **)>(address);
    Py_BEGIN_ALLOW_THREADS entry(packed);
    Py_END_ALLOW_THREADS
  }
  for (Py_ssize_t i = 0; i < acquired; ++i)
    PyBuffer_Release(&views[i]);
  if (acquired != count)
    return nullptr;
  if (int64_t bytes = takeAllocationFailure())
    return PyErr_Format(PyExc_MemoryError,
                        "the compiled function could not allocate %lld bytes for its "
                        "temporaries",
                        static_cast<long long>(bytes));
  Py_RETURN_NONE;
}

/// pass_description(argument) -> str | None: the summary of a registered
/// pass or pass pipeline, None when no pass has that name.
PyObject *passDescription(PyObject *, PyObject *nameObject) {
  const char *name = PyUnicode_AsUTF8(nameObject);
  if (!name)
    return nullptr;
  if (const mlir::PassInfo *info = mlir::PassInfo::lookup(name))
    return PyUnicode_FromString(info->getPassDescription().str().c_str());
  if (const mlir::PassPipelineInfo *info = mlir::PassPipelineInfo::lookup(name))
    return PyUnicode_FromString(info->getPassDescription().str().c_str());
  Py_RETURN_NONE;
}

/// registered_passes() -> str: MLIR's listing of every registered pass
/// (mlir::printRegisteredPasses, as `tian-opt --help` prints it). The
/// registry has no other way to enumerate its entries; the listing goes to
/// llvm::outs(), which is standard output: it is caught in a file.
PyObject *registeredPasses(PyObject *, PyObject *) {
  llvm::outs().flush();
  fflush(stdout);
  FILE *file = tmpfile();
  if (!file)
    return PyErr_SetFromErrno(PyExc_OSError);
  int saved = dup(STDOUT_FILENO);
  if (saved < 0 || dup2(fileno(file), STDOUT_FILENO) < 0) {
    if (saved >= 0)
      close(saved);
    fclose(file);
    return PyErr_SetFromErrno(PyExc_OSError);
  }
  mlir::printRegisteredPasses();
  llvm::outs().flush();
  bool restored = dup2(saved, STDOUT_FILENO) >= 0;
  close(saved);
  if (!restored) {
    fclose(file);
    return PyErr_SetFromErrno(PyExc_OSError);
  }
  std::string text;
  rewind(file);
  char chunk[4096];
  for (size_t n; (n = fread(chunk, 1, sizeof chunk, file)) > 0;)
    text.append(chunk, n);
  fclose(file);
  return PyUnicode_FromStringAndSize(text.data(), static_cast<Py_ssize_t>(text.size()));
}

/// Opens a plugin built for the Python process (against
/// libMLIRPythonCAPI.so, as tianc_add_plugin builds it) and finds `entry`.
/// The MLIR symbols and tian's own (this module: op classes, their TypeIDs,
/// tian's passes) are made global first, so that the plugin's undefined
/// references bind to the one copy already loaded.
void *openPlugin(const char *path, const char *entry) {
  Dl_info self;
  if (dladdr(reinterpret_cast<void *>(&openPlugin), &self) && self.dli_fname)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  Dl_info capi;
  if (dladdr(reinterpret_cast<void *>(&mlirDialectRegistryDestroy), &capi) && capi.dli_fname)
    dlopen(capi.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  void *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    PyErr_Format(PyExc_OSError, "cannot load the plugin %s: %s", path, dlerror());
    return nullptr;
  }
  void *symbol = dlsym(handle, entry);
  if (!symbol) {
    PyErr_Format(PyExc_OSError, "%s is not an MLIR plugin of that kind: it has no %s()", path,
                 entry);
    dlclose(handle);
    return nullptr;
  }
  return symbol;
}

/// Whether `name` is in the tuple `loaded` (the names of the plugins
/// loaded so far); sets an error if so.
bool alreadyLoaded(const char *path, const char *name, PyObject *loaded) {
  if (!name)
    return false;
  for (Py_ssize_t i = 0, n = PyTuple_GET_SIZE(loaded); i < n; ++i) {
    const char *other = PyUnicode_AsUTF8(PyTuple_GET_ITEM(loaded, i));
    if (other && std::string(other) == name) {
      PyErr_Format(PyExc_OSError,
                   "%s is the plugin %s, which is loaded already (from another file): "
                   "a second copy would register its passes twice",
                   path, name);
      return true;
    }
  }
  return false;
}

/// Opens the plugin at `path`, calls its entry point `entryName` (which
/// returns an Info: PassPluginLibraryInfo or DialectPluginLibraryInfo) and,
/// unless a plugin of that name is in `loaded` or it is built for another
/// plugin API, hands the info to `registerIt`. Returns (name, version).
template <typename Info, typename Register>
PyObject *loadPlugin(const char *path, const char *entryName, PyObject *loaded,
                     Register registerIt) {
  auto entry = reinterpret_cast<Info (*)()>(openPlugin(path, entryName));
  if (!entry)
    return nullptr;
  Info info = entry();
  if (alreadyLoaded(path, info.pluginName, loaded))
    return nullptr;
  if (info.apiVersion != MLIR_PLUGIN_API_VERSION || !registerIt(info))
    return PyErr_Format(PyExc_OSError, "%s is built for MLIR plugin API %u, this MLIR has %u",
                        path, info.apiVersion, MLIR_PLUGIN_API_VERSION);
  return Py_BuildValue("(ss)", info.pluginName ? info.pluginName : "",
                       info.pluginVersion ? info.pluginVersion : "");
}

/// load_pass_plugin(path, loaded) -> (name, version): registers the
/// plugin's passes, unless a plugin of that name is in `loaded`.
PyObject *loadPassPlugin(PyObject *, PyObject *args) {
  const char *path;
  PyObject *loaded;
  if (!PyArg_ParseTuple(args, "sO!", &path, &PyTuple_Type, &loaded))
    return nullptr;
  return loadPlugin<mlir::PassPluginLibraryInfo>(
      path, "mlirGetPassPluginInfo", loaded, [](const mlir::PassPluginLibraryInfo &info) {
        if (!info.registerPassRegistryCallbacks)
          return false;
        info.registerPassRegistryCallbacks();
        return true;
      });
}

/// load_dialect_plugin(path, registry, loaded) -> (name, version): inserts
/// the plugin's dialects into `registry` (an mlir.ir.DialectRegistry),
/// unless a plugin of that name is in `loaded`.
PyObject *loadDialectPlugin(PyObject *, PyObject *args) {
  const char *path;
  PyObject *registryObject, *loaded;
  if (!PyArg_ParseTuple(args, "sOO!", &path, &registryObject, &PyTuple_Type, &loaded))
    return nullptr;
  mlir::DialectRegistry *registry = dialectRegistryOf(registryObject, "load_dialect_plugin");
  if (!registry)
    return nullptr;
  return loadPlugin<mlir::DialectPluginLibraryInfo>(
      path, "mlirGetDialectPluginInfo", loaded,
      [registry](const mlir::DialectPluginLibraryInfo &info) {
        if (!info.registerDialectRegistryCallbacks)
          return false;
        info.registerDialectRegistryCallbacks(registry);
        return true;
      });
}

PyMethodDef methods[] = {
    {"pass_description", passDescription, METH_O,
     "The summary of a registered pass or pipeline, or None."},
    {"registered_passes", registeredPasses, METH_NOARGS,
     "MLIR's listing of every registered pass and pipeline."},
    {"load_pass_plugin", loadPassPlugin, METH_VARARGS,
     "Load an MLIR pass plugin built for the Python process; register its passes."},
    {"load_dialect_plugin", loadDialectPlugin, METH_VARARGS,
     "Load an MLIR dialect plugin built for the Python process into a DialectRegistry."},
    {"invoke", invoke, METH_VARARGS,
     "Call a compiled function's packed wrapper with C-contiguous buffers."},
    {"register_dialects", registerDialects, METH_O,
     "Insert the tian dialect into an mlir.ir.DialectRegistry."},
    {"register_passes", registerPasses, METH_NOARGS,
     "Register tian's passes with MLIR's global pass registry."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef moduleDef = {PyModuleDef_HEAD_INIT, "_tian",
                         "tian dialect and passes for the MLIR Python bindings",
                         -1, methods};

} // namespace

PyMODINIT_FUNC PyInit__tian() { return PyModule_Create(&moduleDef); }
