#!/usr/bin/python3
"""Evaluates the example models in float64 with numpy, independently of tandem's kernels.

The expected values in core/onnx/example_models_test.cpp come from this script: the input
is x[i] = float32(sin(0.37 * i)) in C order, and it prints some outputs by flat index, and two
weighted sums that any misplaced element would change.
Run with Debian's python: /usr/bin/python3 numpy_forward.py
"""
import math
import os

import numpy as np
import onnx
from onnx import numpy_helper


def conv(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), group=1, **_):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (x.shape[2] - kh) // strides[0] + 1
    ow = (x.shape[3] - kw) // strides[1] + 1
    out = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + strides[0] * oh:strides[0], j:j + strides[1] * ow:strides[1]]
                out[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    return out if b is None else out + b.reshape(1, -1, 1, 1)


def batchnorm(x, scale, bias, mean, var, epsilon=1e-5, **_):
    shape = (1, -1, 1, 1)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + epsilon) * scale.reshape(shape) + bias.reshape(shape)


def layernorm(x, scale, bias, epsilon=1e-5, **_):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * scale + bias


def softmax(x, axis=-1, **_):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def hard_sigmoid(x, alpha=0.2, beta=0.5, **_):
    return np.clip(alpha * x + beta, 0, 1)


OPS = {
    "Conv": lambda x, w, b=None, **a: conv(x, w, b, **a),
    "BatchNormalization": batchnorm,
    "LayerNormalization": layernorm,
    "Relu": lambda x, **_: np.maximum(x, 0),
    "HardSwish": lambda x, **_: x * np.clip(x / 6 + 0.5, 0, 1),
    "HardSigmoid": hard_sigmoid,
    "GlobalAveragePool": lambda x, **_: x.mean(axis=(2, 3), keepdims=True),
    "Flatten": lambda x, axis=1, **_: x.reshape(int(np.prod(x.shape[:axis])), -1),
    "Gemm": lambda a, b, c, transB=0, **_: a @ (b.T if transB else b) + c,
    "Softmax": softmax,
    "Add": lambda a, b, **_: a + b,
    "Mul": lambda a, b, **_: a * b,
    "Div": lambda a, b, **_: a / b,
    "MatMul": lambda a, b, **_: a @ b,
    "Erf": lambda x, **_: np.vectorize(math.erf)(x),
    "Transpose": lambda x, perm, **_: x.transpose(perm),
    "Reshape": lambda x, shape, **_: x.reshape([int(d) for d in shape]),
    "Shape": lambda x, **_: np.array(x.shape, np.int64),
    "Gather": lambda x, i, axis=0, **_: np.take(x, i, axis=axis),
    "Unsqueeze": lambda x, axes, **_: np.expand_dims(x, tuple(int(a) for a in axes)),
    "Concat": lambda *xs, axis=0: np.concatenate(xs, axis=axis),
}


def run(path, shape):
    model = onnx.load(path)
    values = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == 1
              else numpy_helper.to_array(t) for t in model.graph.initializer}
    count = int(np.prod(shape))
    values[model.graph.input[0].name] = np.sin(0.37 * np.arange(count)).astype(np.float32).astype(np.float64).reshape(shape)
    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        attrs.pop("kernel_shape", None)
        result = OPS[node.op_type](*[values[i] for i in node.input], **attrs)
        values[node.output[0]] = result
    return values[model.graph.output[0].name]


def report(name, shape, picks):
    out = run(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), shape).ravel()
    weights = np.cos(0.1 * np.arange(out.size))
    print(f"{name} {list(shape)}:")
    print("  " + ", ".join(f"{{{i}, {out[i]!r}}}" for i in picks))
    print(f"  sum of squares {(out ** 2).sum()!r}, sum of cos(0.1 i) * out[i] {(weights * out).sum()!r}")


if __name__ == "__main__":
    report("mobilenet_tiny.onnx", (2, 3, 32, 32), range(20))
    report("transformer_block.onnx", (1, 16, 64), (0, 1, 63, 64, 500, 777, 1023))
