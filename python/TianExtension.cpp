//===- TianExtension.cpp - tianc._native._tian ----------------------------===//
//
// Makes tian's dialect and passes known to the upstream MLIR Python
// bindings. It only exchanges a DialectRegistry capsule, so the plain CPython
// API is enough.
//
//===----------------------------------------------------------------------===//
#include <Python.h>

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

PyMethodDef methods[] = {
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
