"""Pictures of a traced function: its graph with the fused kernels
(Graphviz) and its memory plan (matplotlib), and the errors without them."""

import sys

import numpy as np
import pytest

import tianc as tc
from tianc import functional as F


def _attention_like():
    f = tc.jit.trace(lambda x: F.softmax(F.relu(x @ x.T) + 1.0, -1) @ x)
    f(tc.tensor(np.random.default_rng(0).standard_normal((32, 16)).astype(np.float32)))
    return f


def test_graph_has_every_op_its_line_and_the_kernels_as_clusters(tmp_path):
    f = _attention_like()
    source = f.draw(tmp_path / "graph.dot").source
    assert (tmp_path / "graph.dot").read_text() == source
    assert "subgraph cluster_0" in source and "row loop over 1 dim(s)" in source
    for op in ("matmul", "softmax" if "softmax" in source else "reduce_max", "relu", "input 0"):
        assert op in source
    assert "test_draw.py:" in source  # each op names the user's line
    svg = (tmp_path / "graph.svg")
    f.draw(svg)
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg")) and "kernel 0" in svg.read_text()
    f.draw(tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in f._repr_svg_()


def test_memory_picture_has_one_box_per_temporary(tmp_path):
    f = _attention_like()
    figure = f.draw_memory(tmp_path / "plan.png")
    assert (tmp_path / "plan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (axes,) = figure.axes
    assert len(axes.patches) == f.memory_report()["buffers"] > 0
    assert "temporaries" in axes.get_title()
    f.draw_memory(tmp_path / "plan.svg")
    assert "<svg" in (tmp_path / "plan.svg").read_text()


def test_nothing_to_draw_before_the_first_call_and_bad_names():
    f = tc.jit.trace(lambda x: x + 1.0)
    assert f._repr_svg_() is None
    with pytest.raises(tc.TianError, match="has not been called yet"):
        f.draw()
    f(tc.ones(3))
    with pytest.raises(tc.TianError, match=r"cannot draw into graph.jpeg: the file name ends in"):
        f.draw("graph.jpeg")
    with pytest.raises(tc.TianError, match=r"ends in .png, .svg or .pdf"):
        f.draw_memory("plan.dot")


def test_missing_optional_dependencies_say_how_to_install_them(tmp_path, monkeypatch):
    f = _attention_like()
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program
    with pytest.raises(tc.TianError, match=r"the Graphviz program 'dot' is not installed: "
                                           r"pip install graphviz"):
        f.draw(tmp_path / "graph.svg")
    assert f._repr_svg_() is None
    f.draw(tmp_path / "graph.dot")  # the source needs no program
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(tc.TianError, match=r"drawing a graph needs Graphviz: pip install graphviz"):
        f.draw()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(tc.TianError, match=r"needs matplotlib: pip install matplotlib"):
        f.draw_memory()
