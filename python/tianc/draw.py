"""Pictures of what the compiler did, for a traced function:

    f.draw("graph.svg")          # its ops, fused kernels as clusters (Graphviz)
    f.draw_memory("plan.png")    # its memory plan: buffers over time (matplotlib)

In Jupyter a traced function that has run shows its graph inline
(``_repr_svg_``). Graphviz and matplotlib are optional: the error says how
to install them when they are missing. Both pictures come from what the
compile recorded (the tian-optimized graph, the memory plan), not from a
new compile.
"""

import os
from pathlib import Path

from ._dispatch import TianError

_GRAPHVIZ_HELP = ("pip install graphviz (the Python package) and the Graphviz programs "
                  "(apt-get install graphviz, brew install graphviz, conda install graphviz)")
_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
# Larger graphs are not drawn inline in Jupyter (dot takes seconds on them).
INLINE_NODES = 1500
# Fill colours for fused kernels, cycled: a kernel's ops share one.
_PALETTE = ("#cfe2f3", "#d9ead3", "#fff2cc", "#f4cccc", "#d9d2e9", "#fce5cd", "#d0e0e3")


def _graphviz():
    try:
        import graphviz
    except ImportError:
        raise TianError(f"drawing a graph needs Graphviz: {_GRAPHVIZ_HELP}") from None
    return graphviz


def _short_type(text):
    """tensor<64x64xf32> -> 64x64 f32."""
    if text.startswith("tensor<") and text.endswith(">"):
        *dims, element = text[len("tensor<"):-1].split("x")
        return f"{'x'.join(dims) or 'scalar'} {element}"
    return text


def _short_where(where):
    if not where:
        return ""
    path, _, line = where.rpartition(":")
    return f"{os.path.basename(path)}:{line}" if path and line.isdigit() else where


def graph(name, recorded):
    """A graphviz.Digraph of a recorded graph (pipeline._graph): one node
    per op (name, file:line, result type), one cluster per fused kernel."""
    graphviz = _graphviz()
    dot = graphviz.Digraph(name, graph_attr={"rankdir": "TB", "fontname": "Helvetica",
                                              "label": f"{name}: tian ops after optimization; "
                                                       "boxes are fused kernels",
                                              "labelloc": "t"},
                           node_attr={"shape": "box", "style": "rounded,filled",
                                      "fillcolor": "white", "fontname": "Helvetica",
                                      "fontsize": "10"})
    nodes = recorded["nodes"]
    groups = {}
    for index, node in enumerate(nodes):
        groups.setdefault(node.get("group"), []).append(index)
    for index, node in enumerate(nodes):
        if node.get("group") is None:
            dot.node(str(index), **_node_style(node))
    for group, members in sorted((g, m) for g, m in groups.items() if g is not None):
        rows = nodes[members[0]].get("rows", 0)
        kind = f"row loop over {rows} dim(s)" if rows else "one loop nest"
        colour = _PALETTE[group % len(_PALETTE)]
        with dot.subgraph(name=f"cluster_{group}") as cluster:
            cluster.attr(label=f"kernel {group}: {len(members)} ops, {kind}", style="rounded,filled",
                         fillcolor=colour, color="#666666", fontname="Helvetica", fontsize="10")
            for index in members:
                cluster.node(str(index), **_node_style(nodes[index]))
    for source, target in recorded["edges"]:
        dot.edge(str(source), str(target))
    return dot


def _node_style(node):
    op = node["op"]
    lines = [op.removeprefix("tian.")]
    if node.get("where"):
        lines.append(_short_where(node["where"]))
    if node.get("type"):
        lines.append(_short_type(node["type"]))
    style = {"label": "\n".join(lines), "tooltip": node.get("where") or op}
    if op.startswith("input"):
        style.update(shape="ellipse", fillcolor="#eeeeee")
    elif op == "func.return":
        style.update(label="return", shape="ellipse", fillcolor="#eeeeee")
    elif op == "tian.constant":
        style.update(shape="note", fillcolor="#f3f3f3", fontsize="8")
    elif op in ("tian.matmul", "tian.conv2d"):
        style.update(penwidth="2")
    return style


def render_graph(dot, path):
    """Writes the graph to ``path`` in the format its suffix names (.svg,
    .png, .pdf, or .dot for the Graphviz source, which needs no programs)."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TianError(f"cannot draw into {path.name}: the file name ends in one of "
                        f"{', '.join(_FORMATS)}")
    if fmt == "dot":
        path.write_text(dot.source)
        return path
    graphviz = _graphviz()
    try:
        data = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise TianError(f"the Graphviz program 'dot' is not installed: {_GRAPHVIZ_HELP}; "
                        "or draw into a .dot file") from None
    path.write_bytes(data)
    return path


def svg(dot):
    """The graph as SVG text, or None without Graphviz's programs."""
    graphviz = _graphviz()
    try:
        return dot.pipe(format="svg").decode()
    except graphviz.ExecutableNotFound:
        return None


def memory_figure(name, layout, plan):
    """A matplotlib Figure of a memory plan: each temporary buffer a box from
    its first to its last op (x) over its bytes in the arena (y)."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle
    except ImportError:
        raise TianError("drawing the memory plan needs matplotlib: pip install matplotlib") from None
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axes = figure.add_subplot()
    buffers = layout.get("buffers", [])
    scale, unit = _byte_unit(max([plan.get("planned_peak_bytes", 0)] +
                                 [b["offset"] + b["bytes"] for b in buffers]))
    for index, buffer in enumerate(buffers):
        colour = _PALETTE[index % len(_PALETTE)]
        axes.add_patch(Rectangle((buffer["start"], buffer["offset"] / scale),
                                 buffer["end"] - buffer["start"] + 1, buffer["bytes"] / scale,
                                 facecolor=colour, edgecolor="#444444", linewidth=0.6))
        if len(buffers) <= 40:
            axes.text(buffer["start"] + 0.1, (buffer["offset"] + buffer["bytes"] / 2) / scale,
                      _short_where(buffer["where"]) or f"#{index}", fontsize=7, va="center")
    steps = max([layout.get("steps", 1)] + [b["end"] + 1 for b in buffers])
    peak = plan.get("planned_peak_bytes", 0) / scale
    bound = plan.get("lower_bound_bytes", 0) / scale
    axes.axhline(peak, color="#cc0000", linewidth=1, label=f"arena {peak:.4g} {unit}")
    if bound and bound != peak:
        axes.axhline(bound, color="#0055cc", linewidth=1, linestyle="--",
                     label=f"lower bound {bound:.4g} {unit}")
    axes.set_xlim(0, steps)
    axes.set_ylim(0, max(peak, 1e-9) * 1.08)
    axes.set_xlabel("op of the bufferized function (time)")
    axes.set_ylabel(f"offset in the arena ({unit})")
    naive = plan.get("naive_bytes", 0) / scale
    axes.set_title(f"{name}: {len(buffers)} temporaries in {peak:.4g} {unit} "
                   f"(without a plan: {naive:.4g} {unit})", fontsize=10)
    axes.legend(loc="upper right", fontsize=8)
    return figure


def _byte_unit(largest):
    for scale, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if largest >= scale:
            return scale, unit
    return 1, "bytes"


def save_figure(figure, path):
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise TianError(f"cannot draw into {path.name}: the file name ends in .png, .svg or .pdf")
    figure.savefig(path, dpi=150)
    return path
