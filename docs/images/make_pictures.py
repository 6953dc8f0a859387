"""Draws the pictures in docs/plugins.md (run from the repository root):

    .venv/bin/python docs/images/make_pictures.py
"""

import sys
from pathlib import Path

import numpy as np

import tianc as tc
from tianc import functional as F
from tianc import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


class Attention(nn.Module):
    """One attention head with its residual and LayerNorm."""

    def __init__(self, width=64):
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(width, width) for _ in range(3))
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        scores = self.query(x) @ self.key(x).T / 8.0
        return self.norm(x + F.softmax(scores, -1) @ self.value(x))


def main():
    tc.manual_seed(0)
    block = Attention()
    with tc.no_grad():
        traced = tc.jit.trace(block, name="attention")
        traced(tc.tensor(np.random.default_rng(0).standard_normal((32, 64)).astype(np.float32)))
    traced.draw(HERE / "attention-graph.svg")

    from bench.models import ResNet18

    model = ResNet18()
    model.eval()
    with tc.no_grad():
        resnet = tc.jit.trace(model, name="ResNet18")
        resnet(tc.randn(1, 3, 224, 224))
    resnet.draw_memory(HERE / "resnet18-memory-plan.svg")


if __name__ == "__main__":
    main()
