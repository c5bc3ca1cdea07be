#!/usr/bin/python3
"""Writes the golden values Lepton's parity tests compare against, computed with PyTorch.

Run from the repository root with Debian's Python (PyTorch 1.13.1, CPU):

    /usr/bin/python3 tools/golden/make_golden.py

It writes lepton-core/src/test/resources/golden/{ops,losses,optimizers,conv}.json. Every case stores its
inputs, so the Java tests need nothing but the JSON. A tensor is {"shape": [...], "data": [...]}
(row-major float32 values). Computation runs in float64 and is stored rounded to float32, so the
goldens carry no float32 rounding noise of their own.
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
    for name, cases in (("ops", ops()), ("losses", losses()), ("optimizers", optimizers()),
                        ("conv", conv())):
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump({"generator": "tools/golden/make_golden.py", "torch": torch.__version__,
                       "cases": cases}, f, indent=1)
            f.write("\n")
        print("wrote", path, len(cases), "cases")


if __name__ == "__main__":
    main()
