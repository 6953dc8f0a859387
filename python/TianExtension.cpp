//===- TianExtension.cpp - tianc._native._tian ----------------------------===//
//
// Makes tian's dialect and passes known to the upstream MLIR Python
// bindings. It only exchanges a DialectRegistry capsule, so the plain CPython
// API is enough.
//
//===----------------------------------------------------------------------===//
#include <Python.h>

#include <dlfcn.h>

#include <cstdint>

#include "mlir-c/Bindings/Python/Interop.h"
#include "mlir/CAPI/IR.h"
#include "mlir/IR/DialectRegistry.h"

#include "passes/Registration.h"

namespace {

/// register_dialects(registry: mlir.ir.DialectRegistry) -> None
PyObject *registerDialects(PyObject *, PyObject *registryObject) {
  PyObject *capsule =
      PyObject_GetAttrString(registryObject, MLIR_PYTHON_CAPI_PTR_ATTR);
  if (!capsule)
    return nullptr;
  MlirDialectRegistry registry = mlirPythonCapsuleToDialectRegistry(capsule);
  Py_DECREF(capsule);
  if (mlirDialectRegistryIsNull(registry)) {
    PyErr_SetString(PyExc_TypeError,
                    "register_dialects expects an mlir.ir.DialectRegistry");
    return nullptr;
  }
  tianc::registerDialects(*unwrap(registry));
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

PyMethodDef methods[] = {
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
