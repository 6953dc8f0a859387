"""The PyTorch surface researchers reach for first (issue 19, part 5):
functional ops, layers, losses, hooks, Module.apply / to, gradient
clipping and reprs, each against PyTorch, in eager mode and traced."""

import numpy as np
import pytest
import torch

import tianc as tc
from tianc import functional as F
from tianc import nn

rng = np.random.default_rng(19)


def _both(fn, *arrays):
    """fn's result on tianc tensors, eager and traced (as numpy)."""
    eager = fn(*[tc.tensor(a) for a in arrays]).numpy()
    traced = tc.jit.trace(fn)(*[tc.tensor(a) for a in arrays]).numpy()
    return eager, traced


def _close(got, want, tol=1e-5):
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


SPECIAL = np.array([0.0, -0.0, 1e-3, -1e-3, 30.0, -30.0, 100.0, np.inf, -np.inf, np.nan],
                   np.float32)


@pytest.mark.parametrize("name, ours, theirs", [
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: torch.nn.functional.leaky_relu(x, 0.2)),
    ("silu", F.silu, torch.nn.functional.silu),
    ("softplus", F.softplus, torch.nn.functional.softplus),
    ("softplus beta", lambda x: F.softplus(x, 2.0, 5.0),
     lambda x: torch.nn.functional.softplus(x, 2.0, 5.0)),
    ("mish", F.mish, torch.nn.functional.mish),
    ("elu", lambda x: F.elu(x, 0.5), lambda x: torch.nn.functional.elu(x, 0.5)),
])
def test_activations_match_torch_with_their_gradients(name, ours, theirs):
    x = np.concatenate([rng.standard_normal(40).astype(np.float32) * 4, SPECIAL])
    want = theirs(torch.from_numpy(x)).numpy()
    for got in _both(ours, x):
        _close(got, want)
    finite = x[np.isfinite(x)]  # 0 and -0 included: softplus'(0) is 0.5
    tx, px = tc.tensor(finite, requires_grad=True), torch.from_numpy(finite).requires_grad_()
    ours(tx).sum().backward()
    theirs(px).sum().backward()
    _close(tx.grad.numpy(), px.grad.numpy(), 1e-4)


@pytest.mark.parametrize("dim, correction, keepdim", [(None, 1, False), (1, 1, True),
                                                      ((0, 2), 0, False), (-1, 1, False)])
def test_var_and_std_match_torch(dim, correction, keepdim):
    x = rng.standard_normal((4, 5, 6)).astype(np.float32)
    px = torch.from_numpy(x)
    for fn, ref in ((F.var, torch.var), (F.std, torch.std)):
        want = ref(px, dim=dim, correction=correction, keepdim=keepdim).numpy()
        for got in _both(lambda t: fn(t, dim, correction, keepdim), x):
            _close(got, want)
    assert tc.tensor(x).std(1).shape == (4, 6)
    _close(F.var(tc.tensor(x), False).numpy(), torch.var(px, False).numpy())  # the old unbiased form
    # One element and correction 1: nan, as in PyTorch.
    assert np.isnan(F.var(tc.tensor(np.ones((1, 3), np.float32)), 0).numpy()).all()


@pytest.mark.parametrize("shape, dim", [((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -2),
                                        ((0, 4), 1), ((1,), 0)])
def test_cumsum_matches_torch(shape, dim):
    x = rng.standard_normal(shape).astype(np.float32)
    want = torch.cumsum(torch.from_numpy(x), dim).numpy()
    for got in _both(lambda t: F.cumsum(t, dim), x):
        _close(got, want)
    _close(tc.tensor(x).cumsum(dim).numpy(), want)
    if x.size:
        tx, px = tc.tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_()
        (F.cumsum(tx, dim) * tc.tensor(x)).sum().backward()
        (torch.cumsum(px, dim) * torch.from_numpy(x)).sum().backward()
        _close(tx.grad.numpy(), px.grad.numpy())


def test_cumsum_keeps_inf_and_nan_where_they_are_and_sums_integers_in_int64():
    x = np.array([1.0, np.inf, 2.0, np.nan, 3.0, -np.inf], np.float32)
    want = torch.cumsum(torch.from_numpy(x), 0).numpy()
    for got in _both(lambda t: F.cumsum(t, 0), x):
        np.testing.assert_array_equal(got, want)
    big = np.array([2**30, 2**30, 2**30, -5], np.int32)
    got = F.cumsum(tc.tensor(big), 0).numpy()
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, torch.cumsum(torch.from_numpy(big), 0).numpy())
    flags = np.array([True, False, True, True])
    np.testing.assert_array_equal(F.cumsum(tc.tensor(flags), 0).numpy(), [1, 1, 2, 3])
    v = np.arange(1, 6, dtype=np.float32)
    np.testing.assert_array_equal(F.cumsum(tc.tensor(v), 0, exclusive=True).numpy(),
                                  [0, 1, 3, 6, 10])
    np.testing.assert_array_equal(F.cumsum(tc.tensor(v), 0, reverse=True).numpy(),
                                  [15, 14, 12, 9, 5])
    np.testing.assert_array_equal(F.cumsum(tc.tensor(v), 0, exclusive=True, reverse=True).numpy(),
                                  [14, 12, 9, 5, 0])


def test_rms_norm_of_half_precision_computes_in_float32():
    x = np.array([[300.0, 400.0], [1e-3, -2e-3]], np.float16)
    want = torch.nn.functional.rms_norm(torch.from_numpy(x), (2,)).numpy()
    got = F.rms_norm(tc.tensor(x), 2).numpy()
    assert got.dtype == np.float16
    _close(got.astype(np.float32), want.astype(np.float32), 2e-3)


def test_group_norm_and_rms_norm_layers_match_torch():
    x = rng.standard_normal((2, 6, 5, 3)).astype(np.float32)
    ours, theirs = nn.GroupNorm(3, 6), torch.nn.GroupNorm(3, 6)
    weight, bias = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    for module in (ours, theirs):
        module.load_state_dict({"weight": torch.from_numpy(weight) if module is theirs else weight,
                                "bias": torch.from_numpy(bias) if module is theirs else bias})
    want = theirs(torch.from_numpy(x)).detach().numpy()
    for got in _both(ours, x):
        _close(got, want)
    ours, theirs = nn.RMSNorm(3), torch.nn.RMSNorm(3)
    want = theirs(torch.from_numpy(x)).detach().numpy()
    for got in _both(ours, x):
        _close(got, want)
    with pytest.raises(tc.TianError, match="do not split into 4 groups"):
        F.group_norm(tc.tensor(x), 4)


@pytest.mark.parametrize("batched", [True, False])
def test_conv1d_and_pools_match_torch(batched):
    x = rng.standard_normal((2, 4, 17) if batched else (4, 17)).astype(np.float32)
    tc.manual_seed(0)
    conv = nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=1)
    reference = torch.nn.Conv1d(4, 6, 3, stride=2, padding=1)
    reference.load_state_dict({k: torch.from_numpy(v) for k, v in conv.state_dict().items()})
    want = reference(torch.from_numpy(x)).detach().numpy()
    for got in _both(conv, x):
        _close(got, want, 1e-4)
    pool = nn.MaxPool1d(3, 2, padding=1)
    want = torch.nn.MaxPool1d(3, 2, padding=1)(torch.from_numpy(x)).numpy()
    for got in _both(pool, x):
        _close(got, want)
    want = torch.nn.functional.avg_pool1d(torch.from_numpy(x), 4, 3).numpy()
    for got in _both(lambda t: F.avg_pool1d(t, 4, 3), x):
        _close(got, want)


@pytest.mark.parametrize("case", ["plain", "causal", "bool mask", "float mask", "gqa", "scale",
                                  "empty row"])
def test_scaled_dot_product_attention_matches_torch(case):
    q = rng.standard_normal((2, 4, 5, 8)).astype(np.float32)
    k = rng.standard_normal((2, 2 if case == "gqa" else 4, 7, 8)).astype(np.float32)
    v = rng.standard_normal(k.shape[:-1] + (6,)).astype(np.float32)
    options = {}
    if case == "causal":
        options["is_causal"] = True
    if case == "bool mask":
        options["attn_mask"] = rng.random((5, 7)) > 0.3
    if case == "float mask":
        options["attn_mask"] = rng.standard_normal((5, 7)).astype(np.float32)
    if case == "gqa":
        options["enable_gqa"] = True
    if case == "scale":
        options["scale"] = 0.3
    if case == "empty row":  # a query that may attend to nothing: zeros, not nan
        mask = rng.random((5, 7)) > 0.3
        mask[1] = False
        options["attn_mask"] = mask
    torch_options = {key: torch.from_numpy(value) if isinstance(value, np.ndarray) else value
                     for key, value in options.items()}
    want = torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), **torch_options).numpy()
    ours = {key: tc.tensor(value) if isinstance(value, np.ndarray) else value
            for key, value in options.items()}
    for got in _both(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, **ours), q, k, v):
        _close(got, want, 1e-5)
    # The gradient of the masked form has no nan either.
    tq = tc.tensor(q, requires_grad=True)
    F.scaled_dot_product_attention(tq, tc.tensor(k), tc.tensor(v), **ours).sum().backward()
    pq = torch.from_numpy(q).requires_grad_()
    torch.nn.functional.scaled_dot_product_attention(
        pq, torch.from_numpy(k), torch.from_numpy(v), **torch_options).sum().backward()
    _close(tq.grad.numpy(), pq.grad.numpy(), 1e-4)
    if case == "causal":  # the causal mask is a constant of the graph, not an input
        traced = tc.jit.trace(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, **ours))
        traced(tc.tensor(q), tc.tensor(k), tc.tensor(v))
        assert not traced._last.captured


def test_loss_modules_match_torch():
    logits = rng.standard_normal((6, 5)).astype(np.float32)
    target = np.array([0, 4, 2, -100, 1, 3])
    for reduction in ("mean", "sum", "none"):
        want = torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1)(
            torch.from_numpy(logits), torch.from_numpy(target)).numpy()
        got = nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1)(
            tc.tensor(logits), tc.tensor(target)).numpy()
        _close(got, want)
        prediction, truth = logits, rng.standard_normal((6, 5)).astype(np.float32)
        _close(nn.MSELoss(reduction)(tc.tensor(prediction), tc.tensor(truth)).numpy(),
               torch.nn.MSELoss(reduction=reduction)(torch.from_numpy(prediction),
                                                     torch.from_numpy(truth)).numpy())
        labels = (rng.random((6, 5)) > 0.5).astype(np.float32)
        extreme = logits * 40  # e^-x overflows a naive form
        pos_weight = np.linspace(0.5, 2, 5).astype(np.float32)
        want = torch.nn.BCEWithLogitsLoss(reduction=reduction,
                                          pos_weight=torch.from_numpy(pos_weight))(
            torch.from_numpy(extreme), torch.from_numpy(labels)).numpy()
        got = nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=tc.tensor(pos_weight))(
            tc.tensor(extreme), tc.tensor(labels)).numpy()
        _close(got, want, 1e-4)
    # Its gradient, at 0 too (a zero-initialized head's first step).
    logits[0] = 0.0
    tx, px = tc.tensor(logits, requires_grad=True), torch.from_numpy(logits).requires_grad_()
    nn.BCEWithLogitsLoss(pos_weight=tc.tensor(pos_weight))(tx, tc.tensor(labels)).backward()
    torch.nn.BCEWithLogitsLoss(pos_weight=torch.from_numpy(pos_weight))(
        px, torch.from_numpy(labels)).backward()
    _close(tx.grad.numpy(), px.grad.numpy(), 1e-6)
    assert "pos_weight" in nn.BCEWithLogitsLoss(pos_weight=tc.tensor(pos_weight)).state_dict()
    with pytest.raises(NotImplementedError, match="per-class weights"):
        nn.CrossEntropyLoss(tc.ones(5))


def test_batch_norm_1d_trains_like_torch():
    x = rng.standard_normal((8, 3, 5)).astype(np.float32)
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for sample in (x, x[:, :, 0]):
        want = theirs(torch.from_numpy(sample)).detach().numpy()
        _close(ours(tc.tensor(sample)).numpy(), want, 1e-5)
    _close(ours.running_var.numpy(), theirs.running_var.numpy(), 1e-5)


def test_hooks_apply_and_to():
    model = nn.Sequential(nn.Linear(4, 3), nn.SiLU(), nn.Linear(3, 2))
    seen = []
    handle = model[0].register_forward_hook(lambda m, args, out: seen.append(out.shape))
    pre = model[2].register_forward_pre_hook(lambda m, args: (args[0] * 0.0,))
    x = tc.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    out = model(x)
    assert seen == [(5, 3)]
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(model[2].bias.numpy(), (5, 2)))
    traced = tc.jit.trace(model)  # hooks run at trace time and are part of the graph
    np.testing.assert_allclose(traced(x).numpy(), out.numpy())
    handle.remove()
    pre.remove()
    model(x)
    assert len(seen) == 2  # the trace ran the hook once more, and nothing since
    touched = []
    model.apply(lambda m: touched.append(type(m).__name__))
    assert touched == ["Linear", "SiLU", "Linear", "Sequential"]
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert not model[0].weight.numpy().any()
    model.to(tc.float16)
    assert model[0].weight.dtype == np.float16 and model(x.to(tc.float16)).dtype == np.float16


def test_a_traced_function_compiles_again_when_its_parameters_change_dtype():
    """model.to(float16) after the first call, with inputs of the same
    signature (token ids): the compiled function reads the parameters as
    float16 (a new compile), not float32 copies of them."""
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 3))
    traced = tc.jit.trace(model)
    ids = tc.tensor(np.array([[1, 2, 9], [0, 0, 3]]))
    first = traced(ids)
    assert first.dtype == np.float32
    model.to(tc.float16)
    half = traced(ids)
    assert half.dtype == np.float16 and "f16" in traced.ir("linalg")
    np.testing.assert_allclose(half.numpy().astype(np.float32), first.numpy(), rtol=1e-2,
                               atol=1e-2)


def test_clip_grad_norm_matches_torch():
    weights = [rng.standard_normal((3, 4)).astype(np.float32),
               rng.standard_normal(5).astype(np.float32)]
    for norm_type, max_norm in ((2.0, 1.0), (1.0, 0.5), (float("inf"), 0.1), (2.0, 1e6)):
        ours = [tc.tensor(w, requires_grad=True) for w in weights]
        theirs = [torch.from_numpy(w).requires_grad_() for w in weights]
        (F.sum(ours[0] * ours[0]) + F.sum(ours[1] * 3.0)).backward()
        ((theirs[0] * theirs[0]).sum() + (theirs[1] * 3.0).sum()).backward()
        total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
        want = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
        _close(total.numpy(), want.numpy(), 1e-5)
        for a, b in zip(ours, theirs):
            _close(a.grad.numpy(), b.grad.numpy(), 1e-5)
    # float16 gradients whose norm overflows float16 (300 * sqrt(12)).
    half = tc.tensor(np.full((3, 4), 1.0, np.float16), requires_grad=True)
    (half * 300.0).sum().backward()
    total = nn.utils.clip_grad_norm_([half], 1.0)
    _close(total.numpy(), 300.0 * np.sqrt(12), 1e-3)
    _close(half.grad.numpy().astype(np.float32), np.full((3, 4), 1 / np.sqrt(12)), 1e-3)


def test_clip_grad_norm_inside_a_traced_step():
    model, _ = _model_pair()
    opt = tc.optim.SGD(model.parameters(), lr=0.1)
    x = tc.tensor(rng.standard_normal((4, 6)).astype(np.float32) * 50)
    y = tc.tensor(rng.integers(0, 3, 4))

    def step(x, y):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        return norm

    before = [p.numpy().copy() for p in model.parameters()]
    norm = tc.jit.trace(step)(x, y).numpy()
    moved = np.sqrt(builtin_sum(((p.numpy() - b) ** 2).sum()
                                for p, b in zip(model.parameters(), before)))
    assert norm > 0.5 and abs(moved - 0.1 * 0.5) < 1e-4  # lr times the clipped norm
    with pytest.raises(tc.TianError, match="needs the norm's value"):
        tc.jit.trace(lambda x, y: (F.cross_entropy(model(x), y).backward(),
                                   nn.utils.clip_grad_norm_(model.parameters(), 1.0,
                                                            error_if_nonfinite=True))[1])(x, y)


builtin_sum = sum


def test_reprs_match_torch():
    pairs = [(nn.Conv2d(3, 16, 3), torch.nn.Conv2d(3, 16, 3)),
             (nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
              torch.nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)),
             (nn.Conv1d(4, 8, 5, groups=2), torch.nn.Conv1d(4, 8, 5, groups=2)),
             (nn.Linear(4, 2), torch.nn.Linear(4, 2)),
             (nn.BatchNorm2d(8), torch.nn.BatchNorm2d(8)),
             (nn.LayerNorm(64), torch.nn.LayerNorm(64)),
             (nn.GroupNorm(2, 8), torch.nn.GroupNorm(2, 8)),
             (nn.RMSNorm(3), torch.nn.RMSNorm(3)),
             (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
             (nn.Dropout(0.1), torch.nn.Dropout(0.1)),
             (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
             (nn.Embedding(10, 3), torch.nn.Embedding(10, 3)),
             (nn.Softmax(1), torch.nn.Softmax(1)),
             (nn.LayerNorm(8, elementwise_affine=False), torch.nn.LayerNorm(8, elementwise_affine=False)),
             (nn.GroupNorm(2, 8, affine=False), torch.nn.GroupNorm(2, 8, affine=False)),
             (nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum")),
             (nn.MSELoss(), torch.nn.MSELoss())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    # Softmax(dim=None) follows PyTorch's old rule: dim 1 of a 4-d input.
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    _close(nn.Softmax()(tc.tensor(x)).numpy(),
           torch.nn.functional.softmax(torch.from_numpy(x), 1).numpy())


def _model_pair(seed=0):
    tc.manual_seed(seed)
    ours = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("make", [
    lambda groups: (tc.optim.SGD(groups[0], lr=0.1, momentum=0.9, weight_decay=1e-3),
                    torch.optim.SGD(groups[1], lr=0.1, momentum=0.9, weight_decay=1e-3)),
    lambda groups: (tc.optim.Adam(groups[0], lr=0.01), torch.optim.Adam(groups[1], lr=0.01)),
    lambda groups: (tc.optim.AdamW(groups[0], lr=0.01), torch.optim.AdamW(groups[1], lr=0.01)),
])
def test_param_groups_and_resuming_from_a_checkpoint_match_torch(make, tmp_path):
    """Two groups (the second with its own lr), a schedule, a checkpoint
    after 3 steps loaded into a fresh optimizer: steps 4-6 match PyTorch's
    uninterrupted run."""
    x = rng.standard_normal((8, 6)).astype(np.float32)
    y = rng.integers(0, 3, 8)

    def groups(model):
        layers = [m for m in (model if isinstance(model, nn.Module) else model)
                  if isinstance(m, (nn.Linear, torch.nn.Linear))]
        return [{"params": list(layers[0].parameters())},
                {"params": list(layers[1].parameters()), "lr": 0.05}]

    ours, theirs = _model_pair()
    ours_opt, theirs_opt = make((groups(ours), groups(theirs)))
    ours_sched = tc.optim.StepLR(ours_opt, 2, 0.5)
    theirs_sched = torch.optim.lr_scheduler.StepLR(theirs_opt, 2, 0.5)

    def ours_step(model, opt, schedule):
        opt.zero_grad()
        F.cross_entropy(model(tc.tensor(x)), tc.tensor(y)).backward()
        opt.step()
        schedule.step()

    def theirs_step():
        theirs_opt.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        theirs_opt.step()
        theirs_sched.step()

    for _ in range(3):
        ours_step(ours, ours_opt, ours_sched)
        theirs_step()
    checkpoint = {"model": ours.state_dict(), "optimizer": ours_opt.state_dict()}
    tc.save(checkpoint["model"], tmp_path / "model.npz")
    resumed, _ = _model_pair(seed=1)  # other weights, then the checkpoint's
    resumed.load_state_dict(tc.load(tmp_path / "model.npz"))
    checkpoint["scheduler"] = ours_sched.state_dict()
    resumed_opt, _ = make((groups(resumed), groups(theirs)))
    resumed_sched = tc.optim.StepLR(resumed_opt, 2, 0.5)
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed_sched.load_state_dict(checkpoint["scheduler"])
    assert [g["lr"] for g in resumed_opt.param_groups] == theirs_sched.get_last_lr()
    for _ in range(3):
        ours_step(resumed, resumed_opt, resumed_sched)
        theirs_step()
    assert resumed_sched.get_last_lr() == theirs_sched.get_last_lr()
    for name, value in resumed.state_dict().items():
        _close(value, theirs.state_dict()[name].numpy(), 1e-5)


def test_a_traced_step_follows_group_learning_rates_without_retracing():
    ours, _ = _model_pair()
    opt = tc.optim.SGD([{"params": list(ours[0].parameters())},
                        {"params": list(ours[2].parameters()), "lr": 0.0}], lr=0.1)
    x = tc.tensor(rng.standard_normal((4, 6)).astype(np.float32))
    y = tc.tensor(rng.integers(0, 3, 4))

    @tc.jit.trace
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(ours(x), y)
        loss.backward()
        opt.step()
        return loss

    frozen = ours[2].weight.numpy().copy()
    step(x, y)
    np.testing.assert_array_equal(ours[2].weight.numpy(), frozen)  # lr 0: unchanged
    opt.param_groups[1]["lr"] = 0.1
    step(x, y)
    assert not np.array_equal(ours[2].weight.numpy(), frozen)
    assert step.num_variants == 1
    with pytest.raises(ValueError, match="has no option 'momentun'"):
        tc.optim.SGD([{"params": list(ours.parameters()), "momentun": 0.9}], lr=0.1)


def test_optimizer_checkpoints_in_pytorchs_layout():
    ours, theirs = _model_pair()
    adam, torch_adam = tc.optim.Adam(ours.parameters(), lr=0.01), torch.optim.Adam(
        theirs.parameters(), lr=0.01)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    for model, opt, framework in ((ours, adam, tc), (theirs, torch_adam, torch)):
        for _ in range(2):
            opt.zero_grad()
            model(framework.tensor(x) if framework is tc else torch.from_numpy(x)).sum().backward()
            opt.step()
    mine, reference = adam.state_dict(), torch_adam.state_dict()
    assert sorted(mine["state"]) == sorted(reference["state"])
    for index, buffers in reference["state"].items():
        assert sorted(mine["state"][index]) == sorted(buffers)
        assert float(mine["state"][index]["step"]) == float(buffers["step"])
        _close(mine["state"][index]["exp_avg"], buffers["exp_avg"].numpy(), 1e-5)
    assert mine["param_groups"][0]["params"] == reference["param_groups"][0]["params"]
    sgd = tc.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="which SGD does not keep"):
        sgd.load_state_dict(mine)


def test_indexing_with_negative_steps_masks_and_lists_matches_torch():
    x = rng.standard_normal((4, 6)).astype(np.float32)
    t, ref = tc.tensor(x), torch.from_numpy(x)
    np.testing.assert_array_equal(t[::-1].numpy(), ref.flip(0).numpy())
    np.testing.assert_array_equal(t[:, 5:0:-2].numpy(), x[:, 5:0:-2])
    np.testing.assert_array_equal(t[tc.tensor(x > 0)].numpy(), ref[ref > 0].numpy())
    np.testing.assert_array_equal(t[[0, 2, 2], 1:3].numpy(), ref[[0, 2, 2], 1:3].numpy())
    np.testing.assert_array_equal(tc.jit.trace(lambda v: v[::-1, ::2] * 2)(t).numpy(), x[::-1, ::2] * 2)


def test_item_assignment_and_in_place_ops_match_torch():
    x = rng.standard_normal((4, 6)).astype(np.float32)
    t, ref = tc.tensor(x), torch.from_numpy(x.copy())
    t[1:3, ::2] = 100.0
    ref[1:3, ::2] = 100.0
    t[tc.tensor(t.numpy() > 0.5)] = -1.0
    ref[ref > 0.5] = -1.0
    t.add_(1).mul_(2).clamp_(-1.5, 150)
    ref.add_(1).mul_(2).clamp_(-1.5, 150)
    np.testing.assert_array_equal(t.numpy(), ref.numpy())
    shared = np.ones(5, np.float32)
    tc.from_numpy(shared)[2] = 7  # written into the shared buffer
    assert shared[2] == 7
    w = tc.tensor(np.ones(3, np.float32), requires_grad=True)
    with pytest.raises(tc.TianError, match="takes part in autograd"):
        w.add_(1)
    with tc.no_grad():
        w.sub_(0.5)  # an optimizer's update
    data = tc.tensor(np.ones(3, np.float32))
    loss = (w * data).sum()
    with tc.no_grad():
        data.mul_(3)
    with pytest.raises(tc.TianError, match="updated in place"):
        loss.backward()


def test_in_place_ops_in_traced_code_rebind_and_refuse_inputs():
    def step(v):
        u = v * 1.0
        u[0] = 5.0
        u.add_(1)
        return u
    np.testing.assert_array_equal(tc.jit.trace(step)(tc.tensor(np.zeros(3, np.float32))).numpy(),
                                  [6, 1, 1])
    with pytest.raises(tc.TianError, match="input of a traced function"):
        tc.jit.trace(lambda v: v.add_(1))(tc.tensor(np.zeros(3, np.float32)))


# -- transposed convolution, interpolate, sort, flip, tc.stack ---------------------------

@pytest.mark.parametrize("shape, cout, kernel, stride, padding, output_padding, groups, dilation", [
    ((1, 3, 5, 5), 4, 3, 2, 1, 1, 1, 1),
    ((2, 4, 7, 6), 6, (3, 2), (2, 3), (1, 0), (1, 2), 2, 1),
    ((1, 2, 4, 4), 2, 3, 1, 0, 0, 1, 2),
    ((1, 1, 1, 1), 3, 4, 3, 0, 0, 1, 1),
    ((0, 2, 3, 3), 2, 2, 2, 0, 0, 1, 1),
])
def test_conv_transpose2d_matches_torch_with_gradients(shape, cout, kernel, stride, padding,
                                                       output_padding, groups, dilation):
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose2d(shape[1], cout, kernel, stride, padding, output_padding,
                                      groups, dilation=dilation)
    ours = nn.ConvTranspose2d(shape[1], cout, kernel, stride, padding, output_padding, groups,
                              dilation=dilation)
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    ours.weight.assign_(tc.tensor(theirs.weight.detach().numpy()))
    ours.bias.assign_(tc.tensor(theirs.bias.detach().numpy()))
    x = rng.standard_normal(shape).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    want = theirs(tx)
    want.square().sum().backward()
    eager, traced = _both(ours, x)
    _close(eager, want.detach().numpy(), 1e-4)
    _close(traced, want.detach().numpy(), 1e-4)
    xt = tc.tensor(x, requires_grad=True)
    (ours(xt) * ours(xt)).sum().backward()
    _close(xt.grad.numpy(), tx.grad.numpy(), 1e-4)
    _close(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), 1e-3)


def test_conv_transpose2d_refuses_bad_arguments_clearly():
    x, w = tc.randn(1, 3, 4, 4), tc.randn(3, 2, 3, 3)
    with pytest.raises(tc.TianError, match="conv_transpose2d: input .* has 4 channels"):
        F.conv_transpose2d(tc.randn(1, 4, 4, 4), w)
    with pytest.raises(tc.TianError, match="output_padding .* must be smaller"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(tc.TianError, match="test_torch_surface.py"):
        F.conv_transpose2d(x, tc.randn(3, 3))


@pytest.mark.parametrize("shape, options", [
    ((1, 2, 3, 4), dict(scale_factor=2)),
    ((1, 2, 3, 4), dict(size=(5, 7))),
    ((2, 1, 5, 4), dict(size=(2, 3))),
    ((1, 2, 3, 4), dict(scale_factor=2, mode="nearest-exact")),
    ((1, 2, 5, 4), dict(size=(3, 6), mode="nearest-exact")),
    ((1, 2, 3, 4), dict(scale_factor=2, mode="bilinear")),
    ((1, 2, 5, 4), dict(size=(3, 7), mode="bilinear")),
    ((1, 2, 3, 4), dict(size=(6, 9), mode="bilinear", align_corners=True)),
    ((1, 2, 4, 4), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    ((1, 2, 3, 4), dict(scale_factor=1.5, mode="bicubic")),
    ((1, 2, 4, 5), dict(size=(7, 3), mode="bicubic", align_corners=True)),
    ((2, 3, 7), dict(size=4, mode="linear")),
    ((2, 3, 5), dict(scale_factor=3)),
    ((1, 1, 2, 3, 2), dict(scale_factor=2, mode="trilinear")),
])
def test_interpolate_and_upsample_match_torch(shape, options):
    x = rng.standard_normal(shape).astype(np.float32)
    want = torch.nn.functional.interpolate(torch.tensor(x), **options).numpy()
    eager, traced = _both(lambda t: F.interpolate(t, **options), x)
    _close(eager, want, 1e-5)
    _close(traced, want, 1e-5)
    layer = nn.Upsample(**options)
    assert repr(layer) == repr(torch.nn.Upsample(**options))
    _close(layer(tc.tensor(x)).numpy(), want, 1e-5)


def test_interpolate_gradient_matches_torch():
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.interpolate(tx, size=(5, 7), mode="bilinear").square().sum().backward()
    ours = tc.tensor(x, requires_grad=True)
    y = F.interpolate(ours, size=(5, 7), mode="bilinear")
    (y * y).sum().backward()
    _close(ours.grad.numpy(), tx.grad.numpy(), 1e-4)


def test_interpolate_refuses_bad_arguments_clearly():
    x = tc.randn(1, 2, 3, 4)
    with pytest.raises(tc.TianError, match="exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(tc.TianError, match="mode 'area'"):
        F.interpolate(x, scale_factor=2, mode="area")
    with pytest.raises(tc.TianError, match="'linear' expects 3-D"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(tc.TianError, match="align_corners only applies"):
        F.interpolate(x, scale_factor=2, align_corners=True)


SORTABLE = np.array([[3.0, np.nan, -1.0, 3.0, -np.inf, 0.0, np.inf, -0.5, np.nan, 2.0],
                     [1.0, 1.0, 1.0, -2.0, 5.0, 5.0, -7.0, 0.0, 0.25, 1.0]], np.float32)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [-1, 0])
def test_sort_matches_torch_stable_with_nan_and_ties(descending, dim):
    want_values, want_indices = torch.sort(torch.tensor(SORTABLE), dim=dim,
                                           descending=descending, stable=True)
    for fn in (lambda t: F.sort(t, dim, descending), tc.jit.trace(lambda t: F.sort(t, dim, descending))):
        values, indices = fn(tc.tensor(SORTABLE))
        np.testing.assert_array_equal(values.numpy(), want_values.numpy())
        np.testing.assert_array_equal(indices.numpy(), want_indices.numpy())
    np.testing.assert_array_equal(tc.tensor(SORTABLE).argsort(dim, descending).numpy(),
                                  want_indices.numpy())


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_, np.float16])
def test_sort_of_other_dtypes_and_shapes(dtype):
    x = rng.integers(0, 3, (3, 4, 6)).astype(dtype)
    for dim in (0, 1, 2):
        want_values, want_indices = torch.sort(torch.tensor(x), dim=dim, stable=True)
        values, indices = tc.tensor(x).sort(dim)
        assert values.dtype == tc.tensor(x).dtype and indices.dtype == tc.int64
        np.testing.assert_array_equal(values.numpy(), want_values.numpy())
        np.testing.assert_array_equal(indices.numpy(), want_indices.numpy())
    for shape in [(0, 3), (3, 0), (1,), ()]:
        values, indices = F.sort(tc.tensor(np.ones(shape, dtype)), -1 if shape else 0)
        assert values.shape == shape and indices.shape == shape


def test_sort_gradient_flows_to_the_sorted_positions():
    x = rng.standard_normal((2, 5)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    weights = np.arange(5, dtype=np.float32)
    (torch.sort(tx, descending=True)[0] * torch.tensor(weights)).sum().backward()
    ours = tc.tensor(x, requires_grad=True)
    (F.sort(ours, descending=True)[0] * tc.tensor(weights)).sum().backward()
    _close(ours.grad.numpy(), tx.grad.numpy())


def test_flip_and_top_level_stack_match_torch():
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    for dims in (0, (1, 2), [-1]):
        want = torch.flip(torch.tensor(x), dims if not isinstance(dims, int) else (dims,)).numpy()
        eager, traced = _both(lambda t: t.flip(dims), x)
        _close(eager, want), _close(traced, want)
    a, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32)
    _close(tc.stack([tc.tensor(a), tc.tensor(b)], 1).numpy(),
           torch.stack([torch.tensor(a), torch.tensor(b)], 1).numpy())


def test_gathering_bools_reads_their_bytes():
    # A bug found once: tensor.extract of a bool tensor stored as bytes did not verify.
    mask = np.array([[True], [False], [True]])
    got = F.index_select(tc.tensor(mask), 0, tc.tensor(np.array([2, 1, 0, 1])))
    np.testing.assert_array_equal(got.numpy(), mask[[2, 1, 0, 1]])
