"""A digest of user code, for the caches that must not serve stale results
when it changes: a Python pass (the compile cache keys on it) and a custom
op's body (the eager kernel cache keys on it).

It covers the loaded code, not the file on disk (a file edited while the
process runs the old code would otherwise be stored under the new code's
key):

- the bytecode of the function, or of every method of a class and of its
  bases defined in the same module, with their constants and nested
  functions;
- default values and closure contents;
- the functions, classes and simple constants of the user's own modules
  that the code names, followed a few levels deep.

Modules and library code (numpy, tianc, mlir) are versioned by their
installations, which the compile cache's identity covers.
"""

import hashlib
import inspect
import marshal
import types

_SIMPLE = (int, float, complex, str, bytes, bool, type(None))
_LIBRARIES = ("tianc", "mlir", "numpy", "builtins", "torch", "onnx")
_DEPTH = 4


def digest(obj) -> str:
    state = hashlib.sha256()
    _feed(obj, state, set(), 0)
    return state.hexdigest()[:16]


def _feed(obj, state, seen, depth):
    if id(obj) in seen or depth > _DEPTH:
        return
    seen.add(id(obj))
    if inspect.isclass(obj):
        state.update(obj.__qualname__.encode())
        for name, member in sorted(vars(obj).items()):
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if isinstance(member, property):
                member = member.fget
            if inspect.isfunction(member):
                _feed(member, state, seen, depth + 1)
            elif isinstance(member, _SIMPLE):
                state.update(repr((name, member)).encode())
        for base in obj.__bases__:
            if base.__module__ == obj.__module__:
                _feed(base, state, seen, depth + 1)
        return
    function = getattr(obj, "__func__", obj)
    code = getattr(function, "__code__", None)
    if code is None:  # a callable object: its class's code
        if not inspect.isclass(type(obj)) or type(obj).__module__ in ("builtins",):
            state.update(repr(obj).encode())
            return
        _feed(type(obj), state, seen, depth + 1)
        return
    state.update(marshal.dumps(code))
    state.update(repr(function.__defaults__).encode())
    state.update(repr(sorted((function.__kwdefaults__ or {}).items())).encode())
    for cell in function.__closure__ or ():
        try:
            _value(cell.cell_contents, state, seen, depth)
        except ValueError:  # an empty cell
            pass
    names = set()
    _names(code, names)
    module_globals = function.__globals__
    for name in sorted(names):
        if name in module_globals:
            state.update(name.encode())
            _value(module_globals[name], state, seen, depth)


def _names(code, names):
    names.update(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            _names(constant, names)


def _value(value, state, seen, depth):
    if isinstance(value, _SIMPLE):
        state.update(repr(value).encode())
    elif isinstance(value, (tuple, frozenset)) and len(value) < 64:
        for item in value:
            _value(item, state, seen, depth)
    elif inspect.isfunction(value) or inspect.isclass(value) or inspect.ismethod(value):
        module = getattr(value, "__module__", "") or ""
        if not module.split(".")[0] in _LIBRARIES:
            _feed(value, state, seen, depth + 1)
    elif getattr(value, "nbytes", 1 << 30) <= 1 << 16 and hasattr(value, "tobytes"):
        state.update(repr((getattr(value, "shape", None), str(getattr(value, "dtype", "")))).encode())
        state.update(value.tobytes())  # a small array the code reads
    else:
        state.update(type(value).__qualname__.encode())
