"""The on-disk cache of compiled functions.

A compiled function is stored as a shared library (the ExecutionEngine's
object code, linked with the system C compiler) next to a small JSON file
with its stage texts. The key hashes the tian module's bytecode (constants
included), the tianc version, the native extension's build, the MLIR
version and the optimization level, so a new tianc, a rebuilt lowering or
a changed model never reuses a stale entry.

Location: $TIANC_CACHE_DIR, else ~/.cache/tianc. TIANC_CACHE_DIR=off turns
the cache off. Linking runs in the background; a library that fails to link
or load is skipped with one warning, and the function is compiled as usual.
"""

import ctypes
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mlir.passmanager import PassManager

log = logging.getLogger("tianc")
_stats = {"hits": 0, "misses": 0, "stored": 0}
#: Bumped whenever cached libraries are built differently (2: -Bsymbolic).
CACHE_FORMAT = 2
_linker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianc-cache")
_pending = []
_warned = set()
_libraries = []  # loaded libraries stay loaded for the process's lifetime
_lock = threading.Lock()


def directory():
    setting = os.environ.get("TIANC_CACHE_DIR")
    if setting == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "tianc"


def stats():
    """Hits, misses and stored entries of this process."""
    return dict(_stats)


def _build_identity():
    from importlib.metadata import version

    from .. import __version__
    from .._native import _tian

    native = Path(_tian.__file__).stat()
    return (f"{CACHE_FORMAT}|{__version__}|{version('xtc-mlir-python-bindings')}|"
            f"{native.st_size}|{native.st_mtime_ns}")


_identity = None


def key(module, entry, variant):
    """The cache key; ``variant`` names the opt level and pipelines used."""
    global _identity
    if _identity is None:
        _identity = _build_identity()
    # Locations (the user's file:line) do not change the code: hash without them.
    stripped = module.operation.clone()
    PassManager.parse("builtin.module(strip-debuginfo)", module.context).run(stripped)
    buffer = io.BytesIO()
    stripped.write_bytecode(buffer)
    stripped.erase()
    digest = hashlib.sha256()
    for part in (_identity, entry, str(variant)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(buffer.getvalue())
    return digest.hexdigest()


def load(cache_key, entry):
    """(address of the packed entry point, stage texts) or None. Libraries
    the code calls (the async runtime) are found through its rpath."""
    root = directory()
    if root is None:
        return None
    library, meta = root / f"{cache_key}.so", root / f"{cache_key}.json"
    if not (library.exists() and meta.exists()):
        _stats["misses"] += 1
        return None
    try:
        handle = ctypes.CDLL(str(library))
        address = ctypes.cast(getattr(handle, f"_mlir_{entry}"), ctypes.c_void_p).value
        stages = json.loads(meta.read_text())
    except (OSError, AttributeError, ValueError) as error:
        _warn("load", f"tianc: cached {library.name} could not be loaded ({error}); recompiling")
        _stats["misses"] += 1
        return None
    _libraries.append(handle)
    _stats["hits"] += 1
    return address, stages


def store(cache_key, engine, stages, runtime=()):
    """Writes the engine's object code and links it in the background."""
    root = directory()
    compiler = shutil.which(os.environ.get("CC", "cc"))
    if root is None or compiler is None:
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        obj = workdir / "code.o"
        engine.dump_to_object_file(str(obj))
    except OSError as error:
        _warn("store", f"tianc: cannot write the compile cache at {root} ({error})")
        return
    _pending.append(_linker.submit(_link, compiler, workdir, obj, root, cache_key, stages,
                                   list(runtime)))


def _link(compiler, workdir, obj, root, cache_key, stages, runtime):
    library = workdir / "code.so"
    # -Bsymbolic: the entry wrapper must call this library's function, not a
    # namesake already loaded (a traced function named `step` otherwise
    # calls libc's regexp step()).
    libraries = []
    for path in runtime:
        libraries += [path, f"-Wl,-rpath,{Path(path).parent}"]
    try:
        try:
            result = subprocess.run([compiler, "-shared", "-Wl,-Bsymbolic", "-o", str(library),
                                     str(obj), *libraries, "-lm"], capture_output=True, text=True)
        except OSError as error:  # seen once at interpreter exit: EFAULT from the spawn
            _warn("link", f"tianc: could not run {compiler} to link a cache entry: {error}")
            return
        if result.returncode != 0 or not library.exists():
            _warn("link", f"tianc: could not link a cache entry with {compiler}: "
                          f"{result.stderr.strip()[:300]}")
            return
        (workdir / "meta.json").write_text(json.dumps(stages))
        # Publish atomically: the .json appears last, and load() needs both.
        os.replace(library, root / f"{cache_key}.so")
        os.replace(workdir / "meta.json", root / f"{cache_key}.json")
        with _lock:
            _stats["stored"] += 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def flush():
    """Waits until every cache entry of this process is written."""
    while _pending:
        _pending.pop().result()


def _warn(kind, message):
    if kind not in _warned:
        _warned.add(kind)
        log.warning(message)


import atexit  # noqa: E402

atexit.register(flush)
