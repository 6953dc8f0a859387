"""The benchmark models (W4 ResNet-18, W5 encoder block): compiled, eager and
torch agree."""

import numpy as np
import torch

import tianc as tc
from bench import models


def rel_err(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_resnet18_compiled_and_eager_match_torch():
    reference = models.randomize_batchnorm(models.TorchResNet18()).eval()
    model = models.load_from_torch(models.ResNet18(), reference).eval()
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    with torch.no_grad():
        want = reference(torch.from_numpy(x)).numpy()
    compiled = tc.jit.trace(model, capture_as_const=True)(tc.tensor(x)).numpy()
    eager = model(tc.tensor(x)).numpy()
    assert rel_err(compiled, want) < 1e-4
    assert rel_err(eager, want) < 1e-4
    assert rel_err(compiled, eager) < 1e-5


def test_encoder_block_compiled_and_eager_match_torch():
    reference = models.TorchEncoderBlock().eval()
    model = models.load_from_torch(models.EncoderBlock(), reference,
                                   models.torch_state_for_tianc_encoder).eval()
    x = np.random.default_rng(1).standard_normal((1, 128, 256)).astype(np.float32)
    with torch.no_grad():
        want = reference(torch.from_numpy(x)).numpy()
    compiled = tc.jit.trace(model)(tc.tensor(x)).numpy()
    eager = model(tc.tensor(x)).numpy()
    assert rel_err(compiled, want) < 1e-4
    assert rel_err(eager, want) < 1e-4
