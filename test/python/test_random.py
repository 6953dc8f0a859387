"""Random numbers: tian.random_uniform (Philox4x32-10) in eager mode and in
compiled code, seeded by tc.manual_seed, advancing on every call."""

import numpy as np
import pytest

import tianc as tc
from tianc import functional as F
from tianc import nn

M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
MASK = 0xFFFFFFFF


def philox4x32_10(counter, key):
    """An independent reference: Random123's philox4x32 with 10 rounds."""
    c, k = list(counter), list(key)
    for round in range(10):
        if round:
            k = [(k[0] + W0) & MASK, (k[1] + W1) & MASK]
        p0, p1 = M0 * c[0], M1 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & MASK, (p0 >> 32) ^ c[3] ^ k[1], p0 & MASK]
    return c


def test_reference_matches_random123_known_answers():
    # kat_vectors of Random123 1.14 for philox4x32_10.
    assert philox4x32_10([0, 0, 0, 0], [0, 0]) == [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]
    assert philox4x32_10([MASK] * 4, [MASK] * 2) == [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]
    assert philox4x32_10([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344],
                         [0xA4093822, 0x299F31D0]) == [0xD16CFE09, 0x94FDCCEB, 0x5001E420,
                                                       0x24126EA1]


def expected_uniform(seed, start, count):
    key = seed % 2**64
    values = []
    for i in range(start, start + count):
        word = philox4x32_10([i & MASK, (i >> 32) & MASK, 0, 0], [key & MASK, key >> 32])[0]
        values.append((word >> 8) * 2.0**-24)
    return np.array(values, np.float32)


@pytest.mark.parametrize("seed", [0, 7, -3, 2**40 + 5])
def test_rand_is_philox_of_the_counter(seed):
    tc.manual_seed(seed)
    first, second = tc.rand(3, 5), tc.rand(7)
    np.testing.assert_array_equal(first.numpy().ravel(), expected_uniform(seed, 0, 15))
    np.testing.assert_array_equal(second.numpy(), expected_uniform(seed, 15, 7))


def test_eager_and_compiled_draw_the_same_stream():
    def noisy(x):
        return x + tc.rand(4, 3), F.dropout(x, 0.5), tc.randn(2, 3)

    x = tc.ones(4, 3)
    tc.manual_seed(11)
    eager = [[t.numpy() for t in noisy(x)] for _ in range(3)]
    tc.manual_seed(11)
    step = tc.jit.trace(noisy)
    compiled = [[t.numpy() for t in step(x)] for _ in range(3)]
    for e, c in zip(eager, compiled):
        for a, b in zip(e, c):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    # Every call draws new numbers: no frozen mask.
    assert not np.array_equal(compiled[0][1], compiled[1][1])
    assert not np.array_equal(compiled[0][0], compiled[2][0])


def test_a_compiled_training_step_with_dropout_draws_a_new_mask_each_step():
    tc.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 64), nn.Dropout(0.5), nn.Linear(64, 1))
    optimizer = tc.optim.SGD(model.parameters(), lr=0.0)  # the weights stay: compare masks
    hidden = []

    def step(x):
        optimizer.zero_grad()
        out = model(x)
        out.sum().backward()
        optimizer.step()
        return out

    compiled = tc.jit.trace(step)
    x = tc.ones(16, 8)
    for _ in range(3):
        hidden.append(compiled(x).numpy())
    assert not np.array_equal(hidden[0], hidden[1]) and not np.array_equal(hidden[1], hidden[2])
    model.eval()
    assert np.array_equal(model(x).numpy(), model(x).numpy())


def test_constants_capture_keeps_the_generator_an_argument():
    tc.manual_seed(3)
    weights = tc.randn(4, 4)
    noisy = tc.jit.trace(lambda x: x @ weights + tc.rand(2, 4), capture_as_const=True)
    first, second = noisy(tc.ones(2, 4)).numpy(), noisy(tc.ones(2, 4)).numpy()
    assert not np.array_equal(first, second)


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others():
    tc.manual_seed(42)
    a = tc.rand(100).numpy()
    tc.manual_seed(42)
    b = tc.rand(100).numpy()
    tc.manual_seed(43)
    c = tc.rand(100).numpy()
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_distributions():
    tc.manual_seed(9)
    uniform = tc.rand(200_000).numpy()
    assert 0.0 <= uniform.min() and uniform.max() < 1.0
    counts = np.histogram(uniform, bins=20, range=(0, 1))[0]
    expected = len(uniform) / 20
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 degrees of freedom: p < 1e-3 above 43.8
    normal = tc.randn(200_000).numpy()
    assert abs(normal.mean()) < 0.01 and abs(normal.std() - 1) < 0.01
    assert np.isfinite(normal).all()


def test_dropout_scales_and_keeps_the_right_share():
    tc.manual_seed(5)
    out = F.dropout(tc.ones(100_000), 0.25).numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.01


def test_float16_and_empty_draws():
    tc.manual_seed(1)
    half = tc.rand(1000, dtype=tc.float16)
    assert half.dtype == tc.float16 and half.numpy().max() <= 1.0
    assert tc.rand(0, 3).shape == (0, 3) and tc.randn(2, 0).shape == (2, 0)
    with pytest.raises(tc.TianError, match="random numbers are floating-point"):
        tc.rand(3, dtype=tc.int64)


def test_aot_model_takes_the_generator_state(tmp_path):
    """An AOT model that draws takes [key, counter] as its last input and
    returns the advanced state: from {seed, 0} the C program draws what
    eager mode draws after tc.manual_seed(seed), run after run."""
    from test_aot import _build_and_run

    def noisy(x):
        return F.dropout(x, 0.5, training=True) + tc.randn(8)

    x = tc.tensor(np.arange(32, dtype=np.float32).reshape(4, 8))
    result = tc.aot.compile(noisy, (x,), "x86_64-linux-gnu", tmp_path / "out", progress=False)
    manifest = result.manifest
    assert [i["name"] for i in manifest["inputs"]] == ["x", "rng_state"]
    assert manifest["inputs"][1]["shape"] == [2] and manifest["inputs"][1]["dtype"] == "int64"
    assert [o["name"] for o in manifest["outputs"]] == ["output0", "rng_state_next"]
    assert "const int64_t *rng_state" in result.path("header").read_text()

    tc.manual_seed(1234)
    state = np.array([1234, 0], np.int64)
    for run in range(2):
        expected = noisy(x).numpy()
        result.example_arrays = [x.numpy(), state]
        (tmp_path / f"run{run}").mkdir()
        got, state = _build_and_run(result, tmp_path / f"run{run}", "cc")
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
        np.testing.assert_array_equal(state, tc.random.generator_state().numpy())
    assert state[1] > 0


def test_aot_refuses_training_steps(tmp_path):
    weight = tc.ones(3, requires_grad=True)

    def step(x):
        weight.assign_(weight - x)
        return weight

    with pytest.raises(tc.aot.AotError, match="updates parameters"):
        tc.aot.compile(step, (tc.ones(3),), "x86_64-linux-gnu", tmp_path, progress=False)
