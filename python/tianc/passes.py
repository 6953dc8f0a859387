"""Compiler passes as plugins: passes written in Python, C++ plugins, and
where in tianc's pipelines they run.

    @tc.passes.register("mul-by-one", summary="drop multiplications by 1")
    def mul_by_one(module, *, limit=0):      # keyword defaults are the options
        ...                                  # rewrite `module` (an mlir.ir.Operation)

    f = tc.jit.trace(fn, passes="mul-by-one")                 # at its own point
    f = tc.jit.trace(fn, passes={"linalg": ["mul-by-one{limit=2}", "cse"]})
    tc.passes.load_plugin("libmy_passes.python.so")           # C++ passes
    tc.passes.list()                                          # what there is

A pass runs at one of the *points* below: at the end of the stage of that
name (whose text, ``traced.ir(point)``, shows the pass's work), or for
``tian`` right after capture, before tianc optimizes anything (its work
shows from ``ir("tian-optimized")`` on). A Python pass gets the
whole ``builtin.module`` and rewrites it with the upstream bindings
(``mlir.ir``, ``mlir.rewrite`` pattern sets); a name that is no Python pass
is an MLIR pass (upstream, tian's own, or a loaded plugin's), written as in
an MLIR pipeline (``canonicalize``, ``func.func(tian-fuse-rows)``). The
module is verified after every pass, and a failing pass names itself and
the stage in the compile error. Eager kernels do not run plugin passes.
"""

import dataclasses
import difflib
import hashlib
import inspect
import logging
import re
import traceback
from pathlib import Path

from mlir import ir
from mlir.passmanager import PassManager

from . import _fingerprint
from ._dispatch import TianError

log = logging.getLogger("tianc")

#: Where a pass can run, in pipeline order, with what the IR is there.
POINTS = {
    "tian": "after capture: the traced tian function as recorded",
    "tian-optimized": "after tian's optimizations and fusion (tian ops)",
    "linalg": "after the lowering to linalg on tensors",
    "bufferized": "after bufferization and the memory plan (memrefs; CPU targets)",
}
DEFAULT_POINT = "tian-optimized"

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")


@dataclasses.dataclass
class PythonPass:
    """A registered Python pass: ``run(module, **options)``."""
    name: str
    summary: str
    point: str
    options: dict  # option name -> default value (its type is the option's)
    run: object
    origin: str  # file:line of its definition
    fingerprint: str  # changes when its code does (the compile cache's key)


@dataclasses.dataclass(frozen=True)
class PassInfo:
    """One line of ``list()``: ``kind`` is "python", "plugin" or "tian"
    (a built-in pass of tianc's pipelines); ``points`` are where it runs
    (a built-in pass: the stages whose pipelines contain it)."""
    name: str
    summary: str
    kind: str
    points: tuple
    options: tuple = ()


@dataclasses.dataclass(frozen=True)
class _Use:
    """A pass in a pipeline: a PythonPass with its options, or MLIR text;
    ``point`` is where it was placed."""
    text: str  # for the cache key and messages
    python: PythonPass = None
    options: tuple = ()
    point: str = DEFAULT_POINT


_registry = {}
_plugins = {}  # path -> {"name", "version", "names", "passes", "digest"}


def register(name=None, *, after=DEFAULT_POINT, summary=None, options=None):
    """Registers a Python pass: a function ``fn(module, *, option=default)``
    or a class whose instances (made with the options as keyword arguments)
    have ``run(module)``. ``after`` is its point (see POINTS) unless a
    pipeline places it; ``summary`` defaults to the first line of its
    docstring; ``options`` (name -> default) default to the keyword
    parameters with defaults of the function or of the class's __init__.
    Registering a name again replaces the earlier pass. Returns the
    function or class unchanged, so it works as a decorator."""

    if callable(name):  # @tc.passes.register, without arguments
        return register(None, after=after, summary=summary, options=options)(name)

    def decorate(target):
        pass_name = name or target.__name__.replace("_", "-")
        if not _NAME.match(pass_name):
            raise TianError(f"a pass name is lower case letters, digits, '-', '_' and '.': "
                            f"{pass_name!r}")
        if after not in POINTS:
            raise TianError(f"pass {pass_name!r}: unknown point {after!r}; points are "
                            f"{', '.join(POINTS)}")
        if pass_name not in _registry and _native().pass_description(pass_name) is not None:
            raise TianError(f"pass {pass_name!r}: an MLIR pass has that name already")
        if not callable(target):
            raise TianError(f"pass {pass_name!r}: register a function or a class, "
                            f"not {type(target).__name__}")
        declared = dict(options) if options is not None else _keyword_defaults(target)
        text = summary or (inspect.getdoc(target) or "").split("\n", 1)[0].strip()
        _registry[pass_name] = PythonPass(pass_name, text, after, declared, _runner(target),
                                          _origin(target), _fingerprint.digest(target))
        target.__tianc_pass__ = pass_name
        return target

    return decorate


def _keyword_defaults(target):
    """The options: keyword parameters with defaults, after the module (a
    function's first parameter; a class's __init__ takes options only)."""
    function = target.__init__ if inspect.isclass(target) else target
    try:
        parameters = [*inspect.signature(function).parameters.values()]
    except (TypeError, ValueError):
        return {}
    if inspect.isclass(target):
        parameters = parameters[1:]  # self
    elif parameters and parameters[0].kind != inspect.Parameter.KEYWORD_ONLY:
        parameters = parameters[1:]  # the module
    return {p.name: p.default for p in parameters
            if p.default is not inspect.Parameter.empty
            and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def _runner(target):
    if inspect.isclass(target):
        if not callable(getattr(target, "run", None)):
            raise TianError(f"pass class {target.__name__} has no run(self, module) method")
        return lambda module, **options: target(**options).run(module)
    return target


def _origin(target):
    try:
        return f"{inspect.getsourcefile(target)}:{inspect.getsourcelines(target)[1]}"
    except (OSError, TypeError):
        return getattr(target, "__module__", "?")


def _native():
    from ._native import _tian

    return _tian


def load_plugin(path):
    """Loads a C++ plugin built by ``tianc_add_plugin`` (its Python-process
    library, ``lib<name>.python.so``; given the tools' ``lib<name>.so``, the
    one next to it) into this process: its passes become nameable in
    pipelines and are listed by ``list()``, its dialects known to every
    Context made afterwards. Returns the names of the passes it added."""
    path = Path(path).resolve()
    if not path.name.endswith(".python.so"):
        sibling = path.with_name(path.name[:-len(".so")] + ".python.so")
        if sibling.exists():
            path = sibling
    if not path.exists():
        raise TianError(f"no plugin at {path}")
    data = path.read_bytes()
    if b"libMLIR.so\0" in data:
        raise TianError(f"{path} is linked against libMLIR.so, the tools' MLIR (tian-opt): "
                        "loaded here it would bring a second MLIR into the process. Load the "
                        "library tianc_add_plugin builds for Python, lib<name>.python.so")
    key = str(path)
    if key in _plugins:
        return [*_plugins[key]["passes"]]
    native = _native()
    before = set(_registered_mlir_passes())
    entries = [name for name in ("mlirGetPassPluginInfo", "mlirGetDialectPluginInfo")
               if name.encode() + b"\0" in data]  # the dynamic symbol table, unrun
    if not entries:
        raise TianError(f"{path} is not an MLIR plugin: it defines neither "
                        "mlirGetPassPluginInfo nor mlirGetDialectPluginInfo")
    info = {"name": path.stem, "version": "", "passes": [],
            "digest": hashlib.sha256(data).hexdigest()[:16]}
    # A second copy of a loaded plugin (another path, same passes) would
    # register its passes again under other TypeIDs, which MLIR aborts on.
    loaded = tuple(name for p in _plugins.values() for name in p["names"])
    info["names"] = []
    try:
        if "mlirGetDialectPluginInfo" in entries:
            from mlir._mlir_libs import get_dialect_registry

            info["name"], info["version"] = native.load_dialect_plugin(
                str(path), get_dialect_registry(), loaded)
            info["names"].append(info["name"])
        if "mlirGetPassPluginInfo" in entries:
            info["name"], info["version"] = native.load_pass_plugin(str(path), loaded)
            info["names"].append(info["name"])
    except OSError as error:
        raise TianError(str(error)) from None
    _registered_mlir_passes.cache = None
    info["passes"] = sorted(set(_registered_mlir_passes()) - before)
    _plugins[key] = info
    return [*info["passes"]]


def _registered_mlir_passes():
    """{argument: summary} of every MLIR pass and pipeline registered in
    this process (cached until a plugin loads)."""
    if getattr(_registered_mlir_passes, "cache", None) is None:
        found = {}
        try:
            listing = _native().registered_passes()
        except OSError as error:  # no temporary file for the listing: no hints, no list
            log.warning("tianc: cannot list MLIR's passes: %s", error)
            listing = ""
        for line in listing.splitlines():
            match = re.match(r"  --([\w.-]+)\s+-\s+(.*)", line)  # options are indented further
            if match:
                found[match.group(1)] = match.group(2).strip()
        _registered_mlir_passes.cache = found
    return _registered_mlir_passes.cache


def list():  # noqa: A001  (tc.passes.list(); this module calls no builtin list())
    """Every pass a pipeline can name that tianc adds: tian's built-in passes
    (with the stages whose pipelines run them), Python passes and the
    passes of loaded plugins. Upstream MLIR's passes are nameable too
    (``tian-opt --help`` lists them)."""
    infos = []
    stages = _builtin_stages()
    from_plugins = {name for plugin in _plugins.values() for name in plugin["passes"]}
    for name, summary in sorted(_registered_mlir_passes().items()):
        if name in from_plugins:
            continue
        if name.startswith(("tian", "convert-tian")):
            infos.append(PassInfo(name, summary, "tian", tuple(stages.get(name, ()))))
    for plugin in _plugins.values():
        for name in plugin["passes"]:
            infos.append(PassInfo(name, _registered_mlir_passes().get(name, ""),
                                  f"plugin {plugin['name']}", ()))
    for p in _registry.values():
        infos.append(PassInfo(p.name, p.summary, "python", (p.point,),
                              tuple(f"{k}={v!r}" for k, v in p.options.items())))
    return infos


def _builtin_stages():
    """{pass argument: [stage, ...]} of the tian passes in the CPU stages'
    pipelines, as the registered pipelines expand."""
    from .compiler.pipeline import cpu_stages

    where = {}
    context = ir.Context()
    # Every option that adds passes: threads, rematerialization, row loops.
    variants = cpu_stages(threads=True, rematerialize=True) + cpu_stages(blocked_matmuls=False)
    for stage, pipeline in variants:
        text = str(PassManager.parse(f"builtin.module({pipeline})", context))
        for name in re.findall(r"([a-z][\w-]*)(?=[{(,)]|$)", text):
            if name.startswith(("tian-", "convert-tian")) and stage not in where.get(name, []):
                where.setdefault(name, []).append(stage)
    return where


# ---------------------------------------------------------------- pipelines

def parse(spec):
    """{point: [_Use, ...]} from what ``tc.jit.trace(passes=...)`` takes:

    - a pipeline string: ``"a,b{n=2},linalg(c,func.func(cse))"``: a name or
      ``name{option=value ...}`` runs at its own point (an MLIR pass: at
      tian-optimized); ``point(...)`` places the passes inside;
    - a list of such names, registered functions or classes;
    - a dict {point: a pipeline string or list}."""
    if spec is None:
        return {}
    placed = {}
    if isinstance(spec, dict):
        for point, items in spec.items():
            if point not in POINTS:
                raise TianError(f"unknown pass point {point!r}; points are {', '.join(POINTS)}")
            for _, use in _items(items, point):
                placed.setdefault(point, []).append(use)
        return placed
    for point, use in _items(spec, None):
        placed.setdefault(point, []).append(use)
    return placed


def _items(items, point):
    """(point, _Use) for a pipeline string or list, at ``point`` (None: each
    pass at its own)."""
    if isinstance(items, str):
        items = _split(items)
    elif callable(items) or not hasattr(items, "__iter__"):
        items = [items]
    else:  # a list whose strings may be pipelines themselves ("a,b")
        items = [part for item in items
                 for part in (_split(item) if isinstance(item, str) else [item])]
    for item in items:
        if isinstance(item, str):
            match = re.fullmatch(r"\s*([\w.-]+)\s*\((.*)\)\s*", item, re.S)
            if match and match.group(1) in POINTS:
                if point is not None:
                    raise TianError(f"pass point {match.group(1)!r} inside point {point!r}")
                yield from _items(match.group(2), match.group(1))
                continue
            use = _use(item.strip())
        elif callable(item):
            name = getattr(item, "__tianc_pass__", None)
            if name is None or name not in _registry:
                raise TianError(f"{getattr(item, '__name__', item)!r} is not a registered pass: "
                                "decorate it with @tc.passes.register(...)")
            use = _use(name)
        else:
            raise TianError(f"a pass is a name or a registered function, not {item!r}")
        placed = point or (use.python.point if use.python else DEFAULT_POINT)
        yield placed, dataclasses.replace(use, point=placed)


def _split(text):
    """Top-level comma-separated items of a pipeline string."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "({"
        depth -= char in ")}"
        if depth < 0:
            raise TianError(f"unbalanced brackets in the pass pipeline {text!r}")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth != 0:
        raise TianError(f"unbalanced brackets in the pass pipeline {text!r}")
    parts.append(current)
    return [p for p in parts if p.strip()]


def _use(text):
    match = re.fullmatch(r"([\w.-]+)\s*(?:\{(.*)\})?", text, re.S)
    name = match.group(1) if match else None
    if name in _registry:
        python = _registry[name]
        return _Use(text, python, tuple(_options(python, match.group(2) or "").items()))
    # An MLIR pass, upstream or a plugin's: its own parser checks it.
    try:
        PassManager.parse(f"builtin.module({text})", ir.Context())
    except ValueError as error:
        known = [*_registry, *_registered_mlir_passes()]
        close = difflib.get_close_matches(name or text, known, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        said = re.search(r"error: (.*)", str(error))
        raise TianError(f"unknown pass or bad pipeline {text!r}{hint}: not a Python pass "
                        f"(tc.passes.list()), and MLIR says: "
                        f"{said.group(1) if said else str(error).strip()}") from None
    return _Use(text)


def _options(python, text):
    values = dict(python.options)
    for item in text.split():
        key, sep, value = item.partition("=")
        key = key.replace("-", "_")  # MLIR spells options with dashes
        if not sep or key not in python.options:
            known = ", ".join(python.options) or "none"
            raise TianError(f"pass {python.name!r} has no option {key!r} (its options: {known})")
        values[key] = _convert(python.name, key, value, python.options[key])
    return values


def _convert(pass_name, key, value, default):
    if default is None:  # an option without a type: a string, or none
        return None if value.lower() == "none" else value
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        if isinstance(default, (int, float)):
            return type(default)(value)
    except ValueError:
        raise TianError(f"pass {pass_name!r}: option {key}={value} is not a "
                        f"{type(default).__name__}") from None
    return value


def with_passes(stages, placed):
    """The stages (name, pipeline) with the placed passes added: a pass at
    point P runs at the end of stage P (at the start of the first stage for
    ``tian``). A pipeline is then a list of MLIR texts and _Uses."""
    if not placed:
        return stages
    names = [name for name, _ in stages]
    for point in placed:
        if point != "tian" and point not in names:
            raise TianError(f"this target's pipeline has no stage {point!r} for passes "
                            f"{', '.join(u.text for u in placed[point])} (its stages: "
                            f"{', '.join(names)})")
    result = []
    for index, (name, pipeline) in enumerate(stages):
        parts = [pipeline] if isinstance(pipeline, str) else [*pipeline]
        if index == 0:
            parts = placed.get("tian", []) + parts
        parts += placed.get(name, [])
        result.append((name, parts if len(parts) > 1 or not isinstance(parts[0], str)
                       else parts[0]))
    return tuple(result)


def pipeline_text(pipeline):
    """A stage's pipeline as text, Python passes named with their code's
    fingerprint: what the compile cache keys on."""
    if isinstance(pipeline, str):
        return pipeline
    text = ",".join(p if isinstance(p, str) else
                    (f"python:{p.python.name}{dict(p.options)}@{p.python.fingerprint}"
                     if p.python else p.text) for p in pipeline)
    # Any added pass may be (or run) a plugin's: a rebuilt plugin is new code.
    plugins = ",".join(sorted(f"{p['name']}@{p['digest']}" for p in _plugins.values()))
    return f"{text}|plugins:{plugins}" if plugins else text


class PassFailure(Exception):
    """A Python pass raised: carries the pass and the traceback text."""

    def __init__(self, use, error):
        super().__init__(f"{type(error).__name__}: {error}")
        self.use, self.error = use, error
        self.trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))


def pass_manager(pipeline, context, failures):
    """A PassManager for a stage's pipeline; a Python pass that raises is
    recorded in ``failures`` and fails the run."""
    if isinstance(pipeline, str):
        return PassManager.parse(f"builtin.module({pipeline})", context)
    manager = PassManager("builtin.module", context)
    for part in pipeline:
        if isinstance(part, str):
            manager.add(part)
        elif part.python is None:
            manager.add(part.text)
        else:
            manager.add(_run_recording(part, failures), name=part.python.name,
                        argument=part.python.name, description=part.python.summary)
    return manager


def _run_recording(use, failures):
    options = dict(use.options)

    def run(op, pass_):
        try:  # with the module's Context and location active
            with op.context, op.location:
                use.python.run(op, **options)
        except BaseException as error:  # reported (or re-raised) by the compile
            failures.append(PassFailure(use, error))
            pass_.signal_pass_failure()

    return run

