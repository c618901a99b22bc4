#!/usr/bin/python3
"""Writes the two example models tandem's tests and docs use, with seeded random weights.

Run with Debian's python (it has python3-onnx and numpy): /usr/bin/python3 make_examples.py
  mobilenet_tiny.onnx     MobileNet-v3-style CNN, input [batch, 3, 32, 32], opset 14
                          (HardSwish first exists in opset 14)
  transformer_block.onnx  one encoder block, input [1, 16, 64], opset 17
The output is deterministic: same script, same bytes.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class GraphBuilder:
    """Collects nodes and initializers; names every node and value after its role."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(self, name, shape, fan_in):
        scale = np.sqrt(2.0 / fan_in)
        return self.const(name, (self.rng.standard_normal(shape) * scale).astype(np.float32))

    def node(self, op, inputs, name, outputs=None, **attrs):
        outputs = outputs or [name]
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]


# ---------------------------------------------------------------- mobilenet_tiny

def conv_bn(b, x, name, cin, cout, kernel, stride=1, group=1, act=None):
    """Conv (no bias) + BatchNormalization + optional activation, as exporters emit them."""
    w = b.weight(name + ".w", (cout, cin // group, kernel, kernel), cin // group * kernel * kernel)
    y = b.node("Conv", [x, w], name, kernel_shape=[kernel, kernel], strides=[stride, stride],
               pads=[kernel // 2] * 4, group=group)
    bn = [b.const(f"{name}.bn.{p}", v.astype(np.float32)) for p, v in (
        ("scale", b.rng.uniform(0.5, 1.5, cout)), ("bias", b.rng.normal(0, 0.1, cout)),
        ("mean", b.rng.normal(0, 0.1, cout)), ("var", b.rng.uniform(0.5, 1.5, cout)))]
    y = b.node("BatchNormalization", [y] + bn, name + ".bn", epsilon=1e-5)
    if act:
        y = b.node(act, [y], name + "." + act.lower())
    return y


def squeeze_excite(b, x, name, channels, reduced):
    pooled = b.node("GlobalAveragePool", [x], name + ".pool")
    w1 = b.weight(name + ".fc1.w", (reduced, channels, 1, 1), channels)
    b1 = b.const(name + ".fc1.b", np.zeros(reduced, np.float32))
    h = b.node("Relu", [b.node("Conv", [pooled, w1, b1], name + ".fc1")], name + ".relu")
    w2 = b.weight(name + ".fc2.w", (channels, reduced, 1, 1), reduced)
    b2 = b.const(name + ".fc2.b", b.rng.normal(0, 0.1, channels).astype(np.float32))
    gate = b.node("HardSigmoid", [b.node("Conv", [h, w2, b2], name + ".fc2")], name + ".gate",
                  alpha=1.0 / 6, beta=0.5)
    return b.node("Mul", [x, gate], name + ".scale")


def inverted_residual(b, x, name, cin, expand, cout, stride, act, se):
    y = conv_bn(b, x, name + ".expand", cin, expand, 1, act=act) if expand != cin else x
    y = conv_bn(b, y, name + ".dw", expand, expand, 3, stride=stride, group=expand, act=act)
    if se:
        y = squeeze_excite(b, y, name + ".se", expand, max(8, expand // 4))
    y = conv_bn(b, y, name + ".project", expand, cout, 1)
    if stride == 1 and cin == cout:
        y = b.node("Add", [x, y], name + ".residual")
    return y


def mobilenet_tiny():
    b = GraphBuilder(seed=20240601)
    x = conv_bn(b, "input", "stem", 3, 16, 3, stride=2, act="HardSwish")     # 16 x 16 x 16
    x = inverted_residual(b, x, "block1", 16, 16, 16, 1, "Relu", se=True)
    x = inverted_residual(b, x, "block2", 16, 48, 24, 2, "HardSwish", se=False)   # 24 x 8 x 8
    x = inverted_residual(b, x, "block3", 24, 72, 24, 1, "Relu", se=True)
    x = conv_bn(b, x, "head", 24, 96, 1, act="HardSwish")
    x = b.node("Flatten", [b.node("GlobalAveragePool", [x], "head.pool")], "flatten", axis=1)
    w = b.weight("classifier.w", (10, 96), 96)
    c = b.const("classifier.b", b.rng.normal(0, 0.1, 10).astype(np.float32))
    x = b.node("Gemm", [x, w, c], "classifier", transB=1)
    b.node("Softmax", [x], "softmax", outputs=["probabilities"], axis=-1)
    graph = helper.make_graph(
        b.nodes, "mobilenet_tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
        b.initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)],
                             producer_name="tandem examples/make_examples.py")


# ---------------------------------------------------------------- transformer_block

SEQ, MODEL, HEADS, HIDDEN = 16, 64, 4, 128
HEAD = MODEL // HEADS


def layer_norm(b, x, name):
    scale = b.const(name + ".scale", b.rng.uniform(0.8, 1.2, MODEL).astype(np.float32))
    bias = b.const(name + ".bias", b.rng.normal(0, 0.1, MODEL).astype(np.float32))
    return b.node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=1e-5)


def linear(b, x, name, cin, cout):
    w = b.weight(name + ".w", (cin, cout), cin)
    bias = b.const(name + ".b", b.rng.normal(0, 0.1, cout).astype(np.float32))
    return b.node("Add", [b.node("MatMul", [x, w], name + ".matmul"), bias], name)


def runtime_shapes(b, x):
    """The [batch, seq, heads, head] and [batch, seq, model] shapes, computed from x's shape
    the way exporters write them (Shape -> Gather -> Unsqueeze -> Concat)."""
    shape = b.node("Shape", [x], "shape")
    dims = []
    for i, what in ((0, "batch"), (1, "seq")):
        index = b.const(f"shape.{what}.index", np.array(i, np.int64))
        dim = b.node("Gather", [shape, index], f"shape.{what}", axis=0)
        axes = b.const(f"shape.{what}.axes", np.array([0], np.int64))
        dims.append(b.node("Unsqueeze", [dim, axes], f"shape.{what}.unsqueeze"))
    heads = b.const("shape.heads_head", np.array([HEADS, HEAD], np.int64))
    model = b.const("shape.model", np.array([MODEL], np.int64))
    split = b.node("Concat", dims + [heads], "shape.split_heads", axis=0)
    merged = b.node("Concat", dims + [model], "shape.merge_heads", axis=0)
    return split, merged


def attention(b, x, split_shape, merged_shape):
    def heads(name, perm):
        y = linear(b, x, name, MODEL, MODEL)
        y = b.node("Reshape", [y, split_shape], name + ".split")
        return b.node("Transpose", [y], name + ".heads", perm=perm)

    q = heads("attn.q", [0, 2, 1, 3])               # [1, 4, 16, 16]: batch, head, seq, d
    k = heads("attn.k", [0, 2, 3, 1])               # [1, 4, 16, 16]: batch, head, d, seq
    v = heads("attn.v", [0, 2, 1, 3])
    scores = b.node("MatMul", [q, k], "attn.scores")
    scale = b.const("attn.sqrt_d", np.array(np.sqrt(HEAD), np.float32))
    scores = b.node("Div", [scores, scale], "attn.scaled")
    weights = b.node("Softmax", [scores], "attn.softmax", axis=-1)
    context = b.node("MatMul", [weights, v], "attn.context")
    context = b.node("Transpose", [context], "attn.context.t", perm=[0, 2, 1, 3])
    context = b.node("Reshape", [context, merged_shape], "attn.merge")
    return linear(b, context, "attn.out", MODEL, MODEL)


def gelu(b, x, name):
    """x * 0.5 * (1 + erf(x / sqrt 2)), as PyTorch exports nn.GELU."""
    sqrt2 = b.const(name + ".sqrt2", np.array(np.sqrt(2.0), np.float32))
    one = b.const(name + ".one", np.array(1.0, np.float32))
    half = b.const(name + ".half", np.array(0.5, np.float32))
    e = b.node("Erf", [b.node("Div", [x, sqrt2], name + ".div")], name + ".erf")
    y = b.node("Mul", [x, b.node("Add", [e, one], name + ".add")], name + ".mul")
    return b.node("Mul", [y, half], name)


def transformer_block():
    b = GraphBuilder(seed=20240602)
    x = "input"
    split_shape, merged_shape = runtime_shapes(b, x)
    h = attention(b, layer_norm(b, x, "ln1"), split_shape, merged_shape)
    x = b.node("Add", [x, h], "residual1")
    h = gelu(b, linear(b, layer_norm(b, x, "ln2"), "mlp.fc1", MODEL, HIDDEN), "mlp.gelu")
    h = linear(b, h, "mlp.fc2", HIDDEN, MODEL)
    b.node("Add", [x, h], "residual2", outputs=["output"])
    graph = helper.make_graph(
        b.nodes, "transformer_block",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, SEQ, MODEL])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, SEQ, MODEL])],
        b.initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                             producer_name="tandem examples/make_examples.py")


def save(model, name):
    model.ir_version = 8       # what onnx 1.12 writes for opset 17; older readers accept it
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    onnx.save(model, path)
    print(f"{path}: {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    save(mobilenet_tiny(), "mobilenet_tiny.onnx")
    save(transformer_block(), "transformer_block.onnx")
