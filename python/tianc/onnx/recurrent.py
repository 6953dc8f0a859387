"""ONNX's recurrent ops (RNN, GRU, LSTM) in terms of tianc.functional.

The input projection of every time step is one matmul (``X W^T + Wb`` over
the whole sequence); the recurrence is unrolled over the sequence, which a
model fixes when it is traced, so the compiled graph is straight-line code
(one ``H R^T`` matmul and a few fused elementwise kernels per step).
``sequence_lens`` masks the steps past each batch entry's length: its state
stops changing and its outputs are 0, in both directions (a reverse pass
starts at each sequence's own end), as ONNX says.
"""

import numpy as np

from .. import functional as F
from .ops import Unsupported, op, take, tensor

# name -> (fn(x, alpha, beta), default alpha, default beta). Functions with
# a None default take no parameter from activation_alpha / activation_beta.
_ACTIVATIONS = {
    "relu": (lambda x, a, b: F.relu(x), None, None),
    "tanh": (lambda x, a, b: F.tanh(x), None, None),
    "sigmoid": (lambda x, a, b: F.sigmoid(x), None, None),
    "affine": (lambda x, a, b: F.add(F.mul(x, a), b), 1.0, 0.0),
    "leakyrelu": (lambda x, a, b: F.where(F.ge(x, 0), x, F.mul(x, a)), 0.01, None),
    "thresholdedrelu": (lambda x, a, b: F.where(F.gt(x, a), x, 0.0), 1.0, None),
    "scaledtanh": (lambda x, a, b: F.mul(F.tanh(F.mul(x, b)), a), 1.0, 1.0),
    "hardsigmoid": (lambda x, a, b: F.clamp(F.add(F.mul(x, a), b), 0.0, 1.0), 0.2, 0.5),
    "elu": (lambda x, a, b: F.where(F.gt(x, 0), x, F.mul(F.sub(F.exp(F.minimum(x, 0.0)), 1.0), a)),
            1.0, None),
    "softsign": (lambda x, a, b: F.div(x, F.add(F.abs(x), 1.0)), None, None),
    "softplus": (lambda x, a, b: F.add(F.maximum(x, 0.0),
                                       F.log(F.add(F.exp(F.neg(F.abs(x))), 1.0))), None, None),
}

# op type -> (gates, default activations of one direction)
_KINDS = {"RNN": (1, ["Tanh"]), "GRU": (3, ["Sigmoid", "Tanh"]),
          "LSTM": (4, ["Sigmoid", "Tanh", "Tanh"])}


def _activations(kind, attrs, directions):
    """Per direction, the activation functions (alpha and beta bound)."""
    names = attrs.get("activations") or _KINDS[kind][1] * directions
    per_direction = len(_KINDS[kind][1])
    if len(names) != per_direction * directions:
        raise Unsupported(f"{kind} takes {per_direction * directions} activations here, "
                          f"got {len(names)}")
    alphas, betas = list(attrs.get("activation_alpha", [])), list(attrs.get("activation_beta", []))
    functions = []
    for name in names:
        entry = _ACTIVATIONS.get(name.lower())
        if entry is None:
            raise Unsupported(f"activation {name!r} is not supported")
        fn, alpha, beta = entry
        if alpha is not None and alphas:
            alpha = alphas.pop(0)
        if beta is not None and betas:
            beta = betas.pop(0)
        functions.append(lambda x, fn=fn, a=alpha, b=beta: fn(x, a, b))
    return [functions[d * per_direction:(d + 1) * per_direction] for d in range(directions)]


def _step_mask(lengths, t, batch, hidden):
    """[batch, 1] bools: which batch entries have a step t (None: all).
    Known lengths (the usual case) mask only the steps some entry lacks;
    lengths computed from the inputs mask every step, as tensor ops."""
    if lengths is None:
        return None
    if isinstance(lengths, np.ndarray):
        valid = lengths > t
        return None if valid.all() else F.reshape(tensor(valid), [batch, 1])
    return F.reshape(F.gt(lengths, t), [batch, 1])


def _run_direction(kind, xw, recurrent, recurrent_bias, peephole, h, c, functions, attrs,
                   order, lengths):
    """One direction over the steps in ``order``: (outputs per step, h, c)."""
    gates, hidden = _KINDS[kind][0], h.shape[-1]
    clip = attrs.get("clip")
    rt = F.transpose(recurrent, 0, 1)  # [hidden, gates * hidden]

    def clipped(v):
        return v if clip is None else F.clamp(v, -float(clip), float(clip))

    def part(v, k):
        return F.slice(v, [0, k * hidden], [v.shape[0], (k + 1) * hidden], [1, 1])

    outputs = {}
    batch = h.shape[0]
    for t in order:
        x_t = take(xw, 0, t)
        if kind == "GRU":
            f, g = functions
            hr = F.add(F.matmul(h, rt), recurrent_bias)  # [batch, 3 hidden]: z, r, h
            z = f(clipped(F.add(part(x_t, 0), part(hr, 0))))
            r = f(clipped(F.add(part(x_t, 1), part(hr, 1))))
            if attrs.get("linear_before_reset", 0):
                candidate = F.add(part(x_t, 2), F.mul(r, part(hr, 2)))
            else:
                rh = F.slice(rt, [0, 2 * hidden], [hidden, 3 * hidden], [1, 1])
                bias = F.slice(recurrent_bias, [2 * hidden], [3 * hidden], [1])
                candidate = F.add(part(x_t, 2), F.add(F.matmul(F.mul(r, h), rh), bias))
            candidate = g(clipped(candidate))
            new_h, new_c = F.add(F.mul(F.sub(1.0, z), candidate), F.mul(z, h)), None
        else:
            pre = F.add(F.add(x_t, F.matmul(h, rt)), recurrent_bias)
            if kind == "RNN":
                new_h, new_c = functions[0](clipped(pre)), None
            else:  # LSTM, gates i, o, f, c
                f, g, act_h = functions
                p_i, p_o, p_f = peephole
                i = f(clipped(F.add(part(pre, 0), F.mul(p_i, c))))
                if attrs.get("input_forget", 0):
                    forget = F.sub(1.0, i)
                else:
                    forget = f(clipped(F.add(part(pre, 2), F.mul(p_f, c))))
                new_c = F.add(F.mul(forget, c), F.mul(i, g(clipped(part(pre, 3)))))
                o = f(clipped(F.add(part(pre, 1), F.mul(p_o, new_c))))
                new_h = F.mul(o, act_h(new_c))
        valid = _step_mask(lengths, t, batch, hidden)
        if valid is not None:
            new_h = F.where(valid, new_h, h)
            new_c = None if new_c is None else F.where(valid, new_c, c)
            outputs[t] = F.where(valid, new_h, 0.0)
        else:
            outputs[t] = new_h
        h, c = new_h, new_c
    return outputs, h, c


@op("RNN", "GRU", "LSTM")
def _recurrent(node, inputs, attrs):
    kind = node.op_type
    gates = _KINDS[kind][0]
    inputs = list(inputs) + [None] * (8 - len(inputs))
    x, w, r = tensor(inputs[0]), tensor(inputs[1]), tensor(inputs[2])
    bias, lengths, initial_h = inputs[3], inputs[4], inputs[5]
    initial_c, peepholes = (inputs[6], inputs[7]) if kind == "LSTM" else (None, None)
    layout = attrs.get("layout", 0)
    if layout:
        x = F.transpose(x, 0, 1)  # [seq, batch, input]
    steps, batch = x.shape[0], x.shape[1]
    directions, hidden = w.shape[0], r.shape[-1]
    direction = attrs.get("direction", "forward")
    if direction not in ("forward", "reverse", "bidirectional"):
        raise Unsupported(f"direction {direction!r} is not supported")
    if directions != (2 if direction == "bidirectional" else 1):
        raise Unsupported(f"direction {direction!r} with W for {directions} directions")
    if lengths is not None:
        known_lengths = lengths if isinstance(lengths, np.ndarray) else lengths._data
        lengths = (np.asarray(known_lengths).reshape(-1) if known_lengths is not None
                   else F.cast(F.reshape(lengths, [-1]), np.int64))
    functions = _activations(kind, attrs, directions)
    zeros = np.zeros((directions, batch, hidden), x.dtype)

    def state(value):
        if value is None:
            return tensor(zeros)
        value = tensor(value)
        return F.transpose(value, 0, 1) if layout else value

    h0, c0 = state(initial_h), state(initial_c)
    ys, hs, cs = [], [], []
    for d in range(directions):
        w_d, r_d = take(w, 0, d), take(r, 0, d)
        if bias is None:
            input_bias = recurrent_bias = tensor(np.zeros(gates * hidden, x.dtype))
        else:
            b = tensor(bias)
            b_d = take(b, 0, d)
            input_bias = F.slice(b_d, [0], [gates * hidden], [1])
            recurrent_bias = F.slice(b_d, [gates * hidden], [2 * gates * hidden], [1])
        xw = F.add(F.matmul(x, F.transpose(w_d, 0, 1)), input_bias)  # [seq, batch, G hidden]
        peephole = None
        if kind == "LSTM":
            if peepholes is None:
                peephole = [0.0, 0.0, 0.0]
            else:
                p = tensor(peepholes)
                p_d = take(p, 0, d)
                peephole = [F.slice(p_d, [k * hidden], [(k + 1) * hidden], [1]) for k in range(3)]

        reverse = direction == "reverse" or d == 1
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        outputs, h, c = _run_direction(kind, xw, r_d, recurrent_bias, peephole, take(h0, 0, d),
                                       take(c0, 0, d) if kind == "LSTM" else None,
                                       functions[d], attrs, order, lengths)
        ys.append(F.stack([outputs[t] for t in range(steps)], 0) if steps
                  else tensor(np.zeros((0, batch, hidden), x.dtype)))
        hs.append(h)
        cs.append(c)
    y = F.stack(ys, 1)  # [seq, directions, batch, hidden]
    y_h = F.stack(hs, 0)
    y_c = F.stack(cs, 0) if kind == "LSTM" else None
    if layout:
        y = F.permute(y, [2, 0, 1, 3])
        y_h = F.transpose(y_h, 0, 1)
        y_c = None if y_c is None else F.transpose(y_c, 0, 1)
    return (y, y_h, y_c) if kind == "LSTM" else (y, y_h)


def _heads(x, heads):
    """[B, T, H*D] -> [B, H, T, D]."""
    b, t, hd = x.shape
    if hd % heads:
        raise Unsupported(f"last dim {hd} is not divisible by {heads} heads")
    return F.transpose(F.reshape(x, [b, t, heads, hd // heads]), 1, 2)


@op("LinearAttention")
def _linear_attention(node, inputs, attrs):
    """The recurrence S_t = exp(g_t) S_{t-1} + beta_t k_t (v_t - exp(g_t) S_{t-1}^T k_t)
    (its linear, gated and delta special cases), unrolled over the tokens,
    in float32 as ONNX's reference computes it."""
    inputs = list(inputs) + [None] * (6 - len(inputs))
    query, key, value, past, decay, beta = inputs[:6]
    rule = attrs.get("update_rule", "gated_delta")
    if rule not in ("linear", "gated", "delta", "gated_delta"):
        raise Unsupported(f"update_rule {rule!r} is not supported")
    gating, delta = rule in ("gated", "gated_delta"), rule in ("delta", "gated_delta")
    if gating != (decay is not None) or delta != (beta is not None):
        raise Unsupported(f"update_rule {rule!r} with decay {'given' if decay is not None else 'missing'}"
                          f" and beta {'given' if beta is not None else 'missing'}")
    q_heads, kv_heads = int(attrs["q_num_heads"]), int(attrs["kv_num_heads"])
    if q_heads <= 0 or kv_heads <= 0 or q_heads % kv_heads:
        raise Unsupported(f"q_num_heads {q_heads} is not a multiple of kv_num_heads {kv_heads}")
    query, key, value = tensor(query), tensor(key), tensor(value)
    out_dtype = query.dtype
    wide = lambda t: F.cast(t, np.float32)  # noqa: E731
    q4, k4, v4 = (wide(_heads(query, q_heads)), wide(_heads(key, kv_heads)),
                  wide(_heads(value, kv_heads)))
    b, _, steps, d_k = k4.shape
    d_v = v4.shape[-1]
    if decay is not None:
        decay = wide(tensor(decay))
        decay4 = (F.transpose(F.reshape(decay, [b, steps, kv_heads, 1]), 1, 2)
                  if decay.shape[-1] == kv_heads else _heads(decay, kv_heads))
    if beta is not None:
        beta = wide(tensor(beta))
        beta4 = F.transpose(F.reshape(beta, [b, steps, beta.shape[-1], 1]), 1, 2)
    state_dtype = out_dtype if past is None else tensor(past).dtype
    state = (tensor(np.zeros((b, kv_heads, d_k, d_v), np.float32)) if past is None
             else wide(tensor(past)))
    scale = float(attrs.get("scale", 0.0)) or 1.0 / np.sqrt(d_k)
    group = q_heads // kv_heads

    outputs = []
    for i in range(steps):
        q_t, k_t, v_t = take(q4, 2, i), take(k4, 2, i), take(v4, 2, i)
        if gating:
            state = F.mul(state, F.unsqueeze(F.exp(take(decay4, 2, i)), -1))
        if delta:
            retrieved = F.einsum("bhdm,bhd->bhm", state, k_t)
            v_t = F.mul(take(beta4, 2, i), F.sub(v_t, retrieved))
        state = F.add(state, F.mul(F.unsqueeze(k_t, -1), F.unsqueeze(v_t, -2)))
        read = state if group == 1 else F.reshape(
            F.broadcast_to(F.unsqueeze(state, 2), [b, kv_heads, group, d_k, d_v]),
            [b, q_heads, d_k, d_v])
        outputs.append(F.mul(F.einsum("bhd,bhdm->bhm", q_t, read), scale))
    output = F.stack(outputs, 2)  # [B, H_q, T, d_v]
    output = F.reshape(F.transpose(output, 1, 2), [b, steps, q_heads * d_v])
    return F.cast(output, out_dtype), F.cast(state, state_dtype)
