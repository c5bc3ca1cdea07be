#!/usr/bin/python3
"""Writes the golden values Lepton's parity tests compare against, computed with PyTorch.

Run from the repository root with Debian's Python (PyTorch 1.13.1, CPU):

    /usr/bin/python3 tools/golden/make_golden.py

It writes lepton-core/src/test/resources/golden/{ops,losses,optimizers,images,conv}.json. Every case
stores its inputs, so the Java tests need nothing but the JSON. A tensor is {"shape": [...], "data":
[...]} (row-major float32 values). Computation runs in float64 and is stored rounded to float32, so
the goldens carry no float32 rounding noise of their own.

It also writes attention.json, transformer.json and recurrent.json there: MultiHeadAttention,
TransformerEncoder, LSTM and GRU cases, run as PyTorch's modules with Keras' weights mapped into
them.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join("lepton-core", "src", "test", "resources", "golden")
torch.manual_seed(1234)


def t(x):
    x = x.detach().to(torch.float32)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def rand(*shape, low=-2.0, high=2.0):
    # Rounded through float32 so that Java sees exactly the values used here.
    return (torch.rand(*shape, dtype=torch.float64) * (high - low) + low).float().double()


def op_case(fn, **inputs):
    """Forward output and the gradient of sum(out * grad_output) for each input."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves)
    grad_output = rand(*out.shape)
    out.backward(grad_output)
    return {
        "inputs": {k: t(v) for k, v in inputs.items()},
        "grad_output": t(grad_output),
        "output": t(out),
        "grads": {k: t(v.grad) for k, v in leaves.items()},
    }


def ops():
    return {
        "matmul": op_case(lambda a, b: a @ b, a=rand(3, 4), b=rand(4, 5)),
        "softmax": op_case(lambda x: torch.softmax(x, -1), x=rand(3, 5)),
        "log_softmax": op_case(lambda x: torch.log_softmax(x, -1), x=rand(3, 5)),
        "gelu": op_case(lambda x: F.gelu(x), x=rand(2, 6)),
        "sigmoid": op_case(lambda x: torch.sigmoid(x), x=rand(2, 6)),
        "tanh": op_case(lambda x: torch.tanh(x), x=rand(2, 6)),
        "elu": op_case(lambda x: F.elu(x, alpha=1.0), x=rand(2, 6)),
        "leaky_relu": op_case(lambda x: F.leaky_relu(x, 0.2), x=rand(2, 6)),
        "sum_axis1": op_case(lambda x: x.sum(1), x=rand(2, 3, 4)),
        "mean_axis0_keepdims": op_case(lambda x: x.mean(0, keepdim=True), x=rand(3, 4)),
    }


def powers():
    """Tensor.pow: whole exponents on negative bases too, fractional and negative ones on positive
    bases (PyTorch takes exponent 0.5 as a square root)."""
    return {
        "pow_square": op_case(lambda x: x.pow(2.0), x=rand(2, 6)),
        "pow_cube": op_case(lambda x: x.pow(3.0), x=rand(2, 6)),
        "pow_sqrt": op_case(lambda x: x.pow(0.5), x=rand(2, 6, low=0.1, high=2.0)),
        "pow_2_5": op_case(lambda x: x.pow(2.5), x=rand(2, 6, low=0.1, high=2.0)),
        "pow_neg_1_5": op_case(lambda x: x.pow(-1.5), x=rand(2, 6, low=0.5, high=2.0)),
    }


def loss_case(fn, y_true, y_pred, **config):
    pred = y_pred.clone().requires_grad_(True)
    value = fn(y_true, pred)
    value.backward()
    return {"config": config, "y_true": t(y_true), "y_pred": t(y_pred),
            "value": float(value), "grad": t(pred.grad)}


def keras_cce_from_probs(target, p):
    # Keras: normalize each row to sum 1, clip to [eps, 1 - eps], then -sum(target * log p).
    p = (p / p.sum(-1, keepdim=True)).clamp(1e-7, 1 - 1e-7)
    return -(target * p.log()).sum(-1).mean()


def losses():
    binary = torch.tensor([[1.], [0.], [1.], [1.], [0.], [0.]], dtype=torch.float64)
    labels = torch.tensor([2., 0., 1., 2.], dtype=torch.float64)
    one_hot = F.one_hot(labels.long(), 3).double()
    probs = torch.softmax(rand(4, 3), -1)
    return {
        "mean_squared_error": loss_case(F.mse_loss, rand(4, 3), rand(4, 3)),
        "mean_absolute_error": loss_case(F.l1_loss, rand(4, 3), rand(4, 3)),
        "huber": loss_case(lambda y, p: F.huber_loss(p, y, delta=0.7), rand(4, 3), rand(4, 3),
                           delta=0.7),
        "binary_crossentropy_probs": loss_case(
            lambda y, p: F.binary_cross_entropy(p, y), binary, rand(6, 1, low=0.05, high=0.95),
            from_logits=False),
        "binary_crossentropy_logits": loss_case(
            lambda y, p: F.binary_cross_entropy_with_logits(p, y), binary, rand(6, 1, low=-6, high=6),
            from_logits=True),
        "categorical_crossentropy_logits": loss_case(
            lambda y, p: F.cross_entropy(p, y), one_hot, rand(4, 3), from_logits=True),
        "categorical_crossentropy_probs": loss_case(
            keras_cce_from_probs, one_hot, probs, from_logits=False),
        "sparse_categorical_crossentropy_logits": loss_case(
            lambda y, p: F.cross_entropy(p, y.long()), labels, rand(4, 3), from_logits=True),
        "sparse_categorical_crossentropy_probs": loss_case(
            lambda y, p: keras_cce_from_probs(F.one_hot(y.long(), 3).double(), p), labels, probs,
            from_logits=False),
    }


STEPS = 3


def optimizer_case(make, name, config, manual_update=None):
    """Three steps on fixed parameters with fixed gradients; parameters recorded after each."""
    params = {"w": rand(3, 4), "b": rand(4)}
    grads = [{k: rand(*v.shape) for k, v in params.items()} for _ in range(STEPS)]
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    opt = make(list(leaves.values())) if make else None
    state = {}
    after = []
    for step in range(STEPS):
        if opt:
            for k, leaf in leaves.items():
                leaf.grad = grads[step][k].clone()
            opt.step()
        else:
            with torch.no_grad():
                for k, leaf in leaves.items():
                    manual_update(k, leaf, grads[step][k], step + 1, state)
        after.append({k: t(v) for k, v in leaves.items()})
    return {"optimizer": name, "config": config, "params": {k: t(v) for k, v in params.items()},
            "grads": [{k: t(v) for k, v in g.items()} for g in grads], "after": after}


def keras_rmsprop(lr, rho, momentum, eps):
    """Keras RMSprop, written out: epsilon inside the square root, momentum on the increment."""
    def update(name, p, g, step, state):
        v = state.setdefault(name + "/velocity", torch.zeros_like(p))
        b = state.setdefault(name + "/momentum", torch.zeros_like(p))
        v.mul_(rho).add_((1 - rho) * g * g)
        increment = lr * g / torch.sqrt(v + eps)
        b.mul_(momentum).add_(increment)
        p.sub_(b)
    return update


def optimizers():
    o = torch.optim
    return {
        "sgd": optimizer_case(lambda p: o.SGD(p, lr=0.1), "sgd", {"learning_rate": 0.1}),
        "sgd_momentum": optimizer_case(
            lambda p: o.SGD(p, lr=0.1, momentum=0.9), "sgd",
            {"learning_rate": 0.1, "momentum": 0.9}),
        "sgd_nesterov": optimizer_case(
            lambda p: o.SGD(p, lr=0.1, momentum=0.9, nesterov=True), "sgd",
            {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
        "adam": optimizer_case(
            lambda p: o.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8), "adam",
            {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}),
        "adam_large_eps": optimizer_case(
            lambda p: o.Adam(p, lr=0.01, betas=(0.8, 0.9), eps=0.1), "adam",
            {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 0.1}),
        "adamw": optimizer_case(
            lambda p: o.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), "adamw",
            {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8,
             "weight_decay": 0.1}),
        # With epsilon 0 Keras' and PyTorch's RMSprop are the same update (also with momentum and
        # centered, at a constant learning rate), so torch.optim checks the rest of the formula.
        "rmsprop": optimizer_case(
            lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0), "rmsprop",
            {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.0}),
        "rmsprop_momentum": optimizer_case(
            lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5), "rmsprop",
            {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.0, "momentum": 0.5}),
        "rmsprop_centered": optimizer_case(
            lambda p: o.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, centered=True), "rmsprop",
            {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.0, "centered": True}),
        # Where epsilon sits (inside the square root, as in Keras) is checked against the formula.
        "rmsprop_keras_epsilon": optimizer_case(
            None, "rmsprop", {"learning_rate": 0.01, "rho": 0.9, "epsilon": 0.1, "momentum": 0.5},
            manual_update=keras_rmsprop(0.01, 0.9, 0.5, 0.1)),
    }


def resize_case(h, w, channels, out_h, out_w):
    """Keras' default image resize: bilinear, half-pixel centers, no antialiasing; channels last."""
    image = rand(h, w, channels, low=0.0, high=255.0)
    out = F.interpolate(image.permute(2, 0, 1)[None], size=(out_h, out_w), mode="bilinear",
                        align_corners=False)
    return {"image": t(image), "output": t(out[0].permute(1, 2, 0))}


def images():
    return {
        "resize_down": resize_case(7, 9, 3, 4, 5),
        "resize_up": resize_case(3, 4, 1, 7, 6),
        "resize_mixed": resize_case(5, 3, 2, 2, 8),
    }


def keras_mha_weights(heads, key_dim, dq, dk, dv):
    """Random Keras MultiHeadAttention weights (value_dim = key_dim, output size = dq)."""
    kernels = {"query": rand(dq, heads, key_dim, low=-0.5, high=0.5),
               "key": rand(dk, heads, key_dim, low=-0.5, high=0.5),
               "value": rand(dv, heads, key_dim, low=-0.5, high=0.5),
               "attention_output": rand(heads, key_dim, dq, low=-0.5, high=0.5)}
    biases = {"query": rand(heads, key_dim, low=-0.5, high=0.5),
              "key": rand(heads, key_dim, low=-0.5, high=0.5),
              "value": rand(heads, key_dim, low=-0.5, high=0.5),
              "attention_output": rand(dq, low=-0.5, high=0.5)}
    return kernels, biases


def load_mha(mha, kernels, biases):
    """Puts Keras MultiHeadAttention weights into torch.nn.MultiheadAttention: Keras'
    query/kernel (d, heads, key_dim) reshaped to (d, heads * key_dim) is PyTorch's q_proj_weight
    transposed, the heads in the same order; likewise key, value and attention_output
    (heads, key_dim, out). PyTorch needs heads * key_dim to equal the query size."""
    embed = mha.embed_dim
    with torch.no_grad():
        projections = [kernels[n].reshape(-1, embed).T for n in ("query", "key", "value")]
        if mha.in_proj_weight is not None:  # PyTorch packs the three when all sizes are equal
            mha.in_proj_weight.copy_(torch.cat(projections))
        else:
            mha.q_proj_weight.copy_(projections[0])
            mha.k_proj_weight.copy_(projections[1])
            mha.v_proj_weight.copy_(projections[2])
        mha.in_proj_bias.copy_(torch.cat([biases[n].reshape(-1)
                                          for n in ("query", "key", "value")]))
        mha.out_proj.weight.copy_(kernels["attention_output"].reshape(embed, embed).T)
        mha.out_proj.bias.copy_(biases["attention_output"])
    return {**{n + "/kernel": t(k) for n, k in kernels.items()},
            **{n + "/bias": t(b) for n, b in biases.items()}}


def forward_backward(fn, inputs):
    """Runs fn on copies of the inputs that require gradients; the output, a random output
    gradient and the inputs' gradients, as op_case stores them."""
    leaves = {n: x.clone().requires_grad_(True) for n, x in inputs.items()}
    out = fn(**leaves)
    grad_output = rand(*out.shape)
    out.backward(grad_output)
    return {"output": t(out), "grad_output": t(grad_output),
            "grads": {n: t(x.grad) for n, x in leaves.items()}}


def mha_case(heads, key_dim, query, value, key, value_mask=None, causal=False):
    """Keras MultiHeadAttention run as torch.nn.MultiheadAttention with the weights mapped."""
    mha = torch.nn.MultiheadAttention(heads * key_dim, heads, bias=True, kdim=key.shape[-1],
                                      vdim=value.shape[-1], batch_first=True)
    weights = load_mha(mha, *keras_mha_weights(heads, key_dim, query.shape[-1], key.shape[-1],
                                               value.shape[-1]))
    padding = None if value_mask is None else value_mask == 0  # True marks a padded key
    causal_mask = None
    if causal:
        steps = torch.arange(query.shape[1])
        causal_mask = steps[None, :] > steps[:, None]  # True: key j after query i is hidden
    case = {"num_heads": heads, "key_dim": key_dim, "use_causal_mask": causal,
            "query": t(query), "value": t(value), "key": t(key), "weights": weights,
            **forward_backward(lambda query, value, key: mha(
                query, key, value, key_padding_mask=padding, attn_mask=causal_mask)[0],
                {"query": query, "value": value, "key": key})}
    if value_mask is not None:
        case["value_mask"] = t(value_mask)
    return case


def attention():
    torch.manual_seed(2024)  # its own seed: the values do not depend on the sections run before
    x = rand(2, 4, 8)
    return {
        "cross_attention_with_padded_keys": mha_case(
            2, 4, rand(2, 3, 8), rand(2, 5, 6), rand(2, 5, 6),
            value_mask=torch.tensor([[1., 1., 1., 1., 1.], [1., 1., 1., 0., 0.]])),
        "causal_self_attention": mha_case(4, 2, x, x, x, causal=True),
    }


def encoder_case(heads, intermediate, x, mask, normalize_first):
    """keras_hub's TransformerEncoder (relu, layer_norm_epsilon 1e-5, no dropout) run as
    torch.nn.TransformerEncoderLayer, whose post-norm and norm_first blocks are the same
    computation; the padding mask hides keys in both. Dense kernels are PyTorch's Linear weights
    transposed."""
    hidden = x.shape[-1]
    layer = torch.nn.TransformerEncoderLayer(hidden, heads, intermediate, dropout=0.0,
                                             activation="relu", layer_norm_eps=1e-5,
                                             batch_first=True, norm_first=normalize_first)
    weights = {"self_attention_layer/" + k: v for k, v in load_mha(
        layer.self_attn, *keras_mha_weights(heads, hidden // heads, hidden, hidden,
                                            hidden)).items()}
    dense = {"feedforward_intermediate_dense": (layer.linear1, hidden, intermediate),
             "feedforward_output_dense": (layer.linear2, intermediate, hidden)}
    norms = {"self_attention_layer_norm": layer.norm1, "feedforward_layer_norm": layer.norm2}
    with torch.no_grad():
        for name, (linear, fan_in, fan_out) in dense.items():
            kernel, bias = rand(fan_in, fan_out, low=-0.5, high=0.5), rand(fan_out)
            linear.weight.copy_(kernel.T)
            linear.bias.copy_(bias)
            weights.update({name + "/kernel": t(kernel), name + "/bias": t(bias)})
        for name, norm in norms.items():
            gamma, beta = rand(hidden, low=0.5, high=1.5), rand(hidden, low=-0.5, high=0.5)
            norm.weight.copy_(gamma)
            norm.bias.copy_(beta)
            weights.update({name + "/gamma": t(gamma), name + "/beta": t(beta)})
    # Gradients on: PyTorch's inference fast path would write zeros at padded steps.
    return {"num_heads": heads, "intermediate_dim": intermediate,
            "normalize_first": normalize_first, "x": t(x), "mask": t(mask), "weights": weights,
            **forward_backward(lambda x: layer(x, src_key_padding_mask=mask == 0), {"x": x})}


def transformer():
    torch.manual_seed(2025)
    mask = torch.tensor([[1., 1., 1., 1., 1.], [1., 1., 1., 0., 0.]])
    return {
        "encoder_post_norm": encoder_case(2, 12, rand(2, 5, 8), mask, False),
        "encoder_pre_norm": encoder_case(4, 6, rand(2, 5, 8), mask, True),
    }


def swap_first_blocks(w, units):
    """Keras' GRU gate order z, r, h <-> PyTorch's r, z, n (the swap is its own inverse)."""
    return torch.cat([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], -1)


def recurrent_case(kind, units, x, lengths=None):
    """torch.nn.LSTM/GRU (batch_first) fed Keras-layout weights: kernel (in, G*u), recurrent_kernel
    (u, G*u), bias (G*u) for the LSTM or (2, G*u) for the GRU. Keras' LSTM gate order i, f, c, o is
    PyTorch's i, f, g, o; Keras' reset-after GRU is PyTorch's GRU with z and r swapped. Outputs: the
    sequence (when no lengths are given), and the final h (and c). With lengths the batch is right-
    padded and packed, so the final states are those after each sequence's last valid step, as Keras'
    masking gives; the gradients are of sum(output * grad) over every output."""
    gates = 4 if kind == "lstm" else 3
    features = x.shape[-1]
    weights = {"kernel": rand(features, gates * units, low=-0.6, high=0.6),
               "recurrent_kernel": rand(units, gates * units, low=-0.6, high=0.6),
               "bias": rand(*((gates * units,) if kind == "lstm" else (2, gates * units)),
                            low=-0.5, high=0.5)}
    order = (lambda w: w) if kind == "lstm" else (lambda w: swap_first_blocks(w, units))
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(features, units, batch_first=True)
    with torch.no_grad():
        module.weight_ih_l0.copy_(order(weights["kernel"]).T)
        module.weight_hh_l0.copy_(order(weights["recurrent_kernel"]).T)
        if kind == "lstm":
            module.bias_ih_l0.copy_(weights["bias"])
            module.bias_hh_l0.zero_()
        else:
            module.bias_ih_l0.copy_(order(weights["bias"][0]))
            module.bias_hh_l0.copy_(order(weights["bias"][1]))
    xs = x.clone().requires_grad_(True)
    if lengths is None:
        seq, state = module(xs)
        outputs = {"sequence": seq}
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(xs, torch.tensor(lengths),
                                                         batch_first=True, enforce_sorted=False)
        _, state = module(packed)
        outputs = {}
    h, c = state if kind == "lstm" else (state, None)
    outputs["h"] = h[0]
    if c is not None:
        outputs["c"] = c[0]
    grad_outputs = {k: rand(*v.shape) for k, v in outputs.items()}
    sum(((v * grad_outputs[k]).sum() for k, v in outputs.items())).backward()
    grads = {"x": xs.grad, "kernel": order(module.weight_ih_l0.grad.T),
             "recurrent_kernel": order(module.weight_hh_l0.grad.T)}
    if kind == "lstm":
        grads["bias"] = module.bias_ih_l0.grad
    else:
        grads["bias"] = torch.stack([order(module.bias_ih_l0.grad), order(module.bias_hh_l0.grad)])
    return {"units": units, "lengths": lengths, "x": t(x),
            "weights": {k: t(v) for k, v in weights.items()},
            "outputs": {k: t(v) for k, v in outputs.items()},
            "grad_outputs": {k: t(v) for k, v in grad_outputs.items()},
            "grads": {k: t(v) for k, v in grads.items()}}


def recurrent():
    torch.manual_seed(2026)  # its own seed: the values do not depend on the sections run before
    return {
        "lstm": recurrent_case("lstm", 4, rand(2, 5, 3, low=-1, high=1)),
        "lstm_right_padded": recurrent_case("lstm", 3, rand(3, 6, 2, low=-1, high=1), [6, 2, 4]),
        "gru": recurrent_case("gru", 4, rand(2, 5, 3, low=-1, high=1)),
        "gru_right_padded": recurrent_case("gru", 3, rand(3, 6, 2, low=-1, high=1), [3, 6, 1]),
    }


def tf_same_pad(size, kernel, stride, dilation):
    """TensorFlow's `same` padding (before, after): total // 2 before, the rest after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def padded(x, kernel, stride, dilation, same, value):
    """x (NCHW) padded as TensorFlow pads a `same` window, with `value`."""
    if not same:
        return x
    top, bottom = tf_same_pad(x.shape[2], kernel[0], stride[0], dilation[0])
    left, right = tf_same_pad(x.shape[3], kernel[1], stride[1], dilation[1])
    return F.pad(x, (left, right, top, bottom), value=value)


def conv_case(x_shape, k_shape, stride, same, dilation):
    """Lepton's channels-last conv2d (+ bias): kernel (kh, kw, in, out), as Keras stores it."""
    def fn(x, kernel, bias):
        xp = padded(nchw(x), k_shape[:2], stride, dilation, same, 0.0)
        return nhwc(F.conv2d(xp, kernel.permute(3, 2, 0, 1), bias, stride=stride,
                             dilation=dilation))
    case = op_case(fn, x=rand(*x_shape), kernel=rand(*k_shape, low=-0.5, high=0.5),
                   bias=rand(k_shape[3]))
    case["config"] = {"strides": list(stride), "same": same, "dilation": list(dilation)}
    return case


def pool_case(kind, x_shape, pool, stride, same):
    """Channels-last pooling; `same` pads as TensorFlow, averaging only in-image cells."""
    def fn(x):
        if kind == "max":
            xp = padded(nchw(x), pool, stride, (1, 1), same, -math.inf)
            return nhwc(F.max_pool2d(xp, pool, stride))
        sums = F.avg_pool2d(padded(nchw(x), pool, stride, (1, 1), same, 0.0), pool, stride,
                            divisor_override=1)
        ones = torch.ones_like(nchw(x))
        counts = F.avg_pool2d(padded(ones, pool, stride, (1, 1), same, 0.0), pool, stride,
                              divisor_override=1)
        return nhwc(sums / counts)
    case = op_case(fn, x=rand(*x_shape))
    case["config"] = {"pool": list(pool), "strides": list(stride), "same": same}
    return case


def batch_norm_case(x_shape, keras_momentum, eps):
    """Training-mode BatchNormalization over every axis but the last (channels-last): the output
    and its gradients, and the moving statistics after one step. PyTorch's momentum is Keras'
    1 - momentum; PyTorch updates running_var with the unbiased batch variance where Keras uses
    the biased one, so the Keras moving variance is written out from the biased variance."""
    channels = x_shape[-1]
    x = rand(*x_shape)
    gamma, beta = rand(channels, low=0.5, high=1.5), rand(channels)
    moving_mean, moving_var = rand(channels), rand(channels, low=0.5, high=1.5)
    running_mean, running_var = moving_mean.clone(), moving_var.clone()

    def fn(x, gamma, beta):
        first = nchw if x.dim() == 4 else lambda v: v  # PyTorch wants channels at axis 1
        last = nhwc if x.dim() == 4 else lambda v: v
        return last(F.batch_norm(first(x), running_mean, running_var, gamma, beta, training=True,
                                 momentum=1 - keras_momentum, eps=eps))
    case = op_case(fn, x=x, gamma=gamma, beta=beta)
    biased_var = x.reshape(-1, channels).var(0, unbiased=False)
    case["config"] = {"momentum": keras_momentum, "epsilon": eps}
    case["moving_before"] = {"mean": t(moving_mean), "variance": t(moving_var)}
    case["moving_after"] = {
        "mean": t(running_mean),  # PyTorch's, with its momentum = 1 - Keras'
        "variance": t(keras_momentum * moving_var + (1 - keras_momentum) * biased_var),
        "pytorch_running_var": t(running_var)}
    return case


def conv():
    torch.manual_seed(4321)  # its own stream: adding cases here leaves the other files unchanged
    return {
        "conv2d_valid": conv_case((2, 5, 6, 3), (3, 3, 3, 4), (1, 1), False, (1, 1)),
        "conv2d_same": conv_case((2, 5, 6, 3), (3, 3, 3, 4), (1, 1), True, (1, 1)),
        "conv2d_same_stride2": conv_case((2, 7, 6, 2), (3, 2, 2, 3), (2, 2), True, (1, 1)),
        "conv2d_valid_stride_2x1": conv_case((1, 7, 6, 2), (2, 3, 2, 3), (2, 1), False, (1, 1)),
        "conv2d_same_dilation2": conv_case((2, 6, 7, 2), (3, 3, 2, 3), (1, 1), True, (2, 2)),
        "conv2d_valid_dilation_2x1": conv_case((1, 7, 6, 3), (2, 3, 3, 2), (1, 1), False, (2, 1)),
        "max_pool_valid": pool_case("max", (2, 6, 7, 3), (2, 2), (2, 2), False),
        "max_pool_same_3x3_stride2": pool_case("max", (2, 7, 6, 3), (3, 3), (2, 2), True),
        "avg_pool_valid": pool_case("avg", (2, 6, 7, 3), (2, 2), (2, 2), False),
        "avg_pool_same_3x3_stride2": pool_case("avg", (2, 7, 6, 3), (3, 3), (2, 2), True),
        "batch_norm_training": batch_norm_case((4, 3, 3, 5), 0.9, 1e-3),
        "batch_norm_training_2d": batch_norm_case((6, 4), 0.99, 1e-3),
    }


def main():
    torch.set_default_dtype(torch.float64)
    os.makedirs(OUT, exist_ok=True)
    files = (("ops", ops()), ("losses", losses()), ("optimizers", optimizers()),
             ("images", images()), ("attention", attention()), ("transformer", transformer()),
             ("recurrent", recurrent()), ("conv", conv()))
    # Drawn after every other case, so that adding them left the other cases' inputs as they were.
    files[0][1].update(powers())
    for name, cases in files:
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump({"generator": "tools/golden/make_golden.py", "torch": torch.__version__,
                       "cases": cases}, f, indent=1)
            f.write("\n")
        print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
