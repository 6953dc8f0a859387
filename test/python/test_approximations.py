"""tian-approximate-math replaces libm's expf/tanhf/erff by inline
polynomials. Their error, measured against float64 over the whole f32 range
(every binade of both signs, plus a dense sweep of the interesting range),
must stay within 1e-6 relative or 1e-7 absolute."""

import math

import numpy as np
import pytest

import tianc as tc
from tianc import functional as F

rng = np.random.default_rng(0)


def _samples(lo, hi, n=1_000_000):
    top = math.log2(max(abs(lo), abs(hi)))
    every_binade = rng.choice([-1.0, 1.0], n // 2) * 2.0 ** rng.uniform(-126, top, n // 2)
    dense = rng.uniform(max(lo, -20), min(hi, 20), n // 2)
    return np.clip(np.concatenate([every_binade, dense]), lo, hi).astype(np.float32)


CASES = {
    "exp": (lambda t: t.exp(), np.exp, (-103.9, 88.7)),
    "tanh": (lambda t: t.tanh(), np.tanh, (-3e38, 3e38)),
    "erf": (F.erf, np.vectorize(math.erf), (-3e38, 3e38)),
    "sigmoid": (F.sigmoid, lambda x: 0.5 * (1 + np.tanh(x / 2)), (-3e38, 3e38)),
    # Computed as x / (1 + exp(-2u)); the reference is the tanh form.
    "gelu_tanh": (lambda t: F.gelu(t, "tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
                  (-3e38, 3e38)),
}


@pytest.mark.parametrize("name", CASES)
def test_error_bound_over_the_float_range(name):
    ours, exact, (lo, hi) = CASES[name]
    x = _samples(lo, hi, 200_000 if name == "erf" else 1_000_000)
    got = ours(tc.tensor(x)).numpy().astype(np.float64)
    want = exact(x.astype(np.float64))
    err = np.abs(got - want)
    within = (err <= 1e-6 * np.abs(want)) | (err <= 1e-7)
    assert within.all(), f"{name}: worst inputs {x[~within][:5]}, errors {err[~within][:5]}"


def test_special_values():
    x = tc.tensor(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45], np.float32))
    exp = x.exp().numpy()
    assert exp[0] == 1 and exp[2] == np.inf and exp[3] == 0 and np.isnan(exp[4])
    tanh = x.tanh().numpy()
    assert tanh[2] == 1 and tanh[3] == -1 and np.isnan(tanh[4]) and tanh[0] == 0
    erf = F.erf(x).numpy()
    assert erf[2] == 1 and erf[3] == -1 and np.isnan(erf[4])
    sigmoid = F.sigmoid(x).numpy()
    assert sigmoid[0] == 0.5 and sigmoid[2] == 1 and sigmoid[3] == 0 and np.isnan(sigmoid[4])
    gelu = F.gelu(x, "tanh").numpy()
    assert gelu[0] == 0 and gelu[2] == np.inf and np.isnan(gelu[4])


def test_exp_overflow_and_underflow_edges():
    # exp's range ends: the largest finite result, the first inf, the
    # smallest normal results and the flush to zero below them.
    x = np.array([88.72, 88.7228, 88.723, 89.0, 1e10, -87.0, -87.3, -87.5, -88.0, -1e10],
                 np.float32)
    got = tc.tensor(x).exp().numpy().astype(np.float64)
    with np.errstate(over="ignore"):
        want = np.exp(x.astype(np.float64))
    finite = want < np.finfo(np.float32).max
    assert np.all(np.isinf(got[~finite])), got
    err = np.abs(got[finite] - want[finite])
    assert np.all((err <= 1e-6 * want[finite]) | (err <= 1e-7)), (got, want)


def test_the_compiled_code_calls_no_libm():
    traced = tc.jit.trace(lambda x: x.exp() + x.tanh() + F.erf(x))
    traced(tc.ones(8))
    llvm = traced.ir("llvm-dialect")
    for name in ("expf", "tanhf", "erff", "llvm.intr.exp", "llvm.intr.tanh"):
        assert name not in llvm
