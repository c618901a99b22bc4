#!/usr/bin/python3
"""Writes the tiny models the reliability tests run (tests/reliability/models/*.onnx).

Run with Debian's python (python3-onnx, numpy): /usr/bin/python3 tests/reliability/make_models.py
Deterministic: same script, same bytes. The models are small so that a test can run tandem
hundreds of times; they differ in the kernel families they need, so that three of them
running at once put different entries in one cache file:
  conv_relu.onnx     x[1,3,8,8]  -> Conv 3x3 (4 channels) -> Relu        conv, eltwise
  gemm_softmax.onnx  x[2,16]     -> Gemm (8 outputs) -> Softmax          gemm, softmax
  pool_add.onnx      x[1,4,8,8]  -> MaxPool 2x2 -> Add (per channel)     pool, eltwise
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
rng = np.random.default_rng(7)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def save(name, nodes, input_shape, output_shape, initializers):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        [numpy_helper.from_array(value, key) for key, value in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="tandem-reliability-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    with open(os.path.join(HERE, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


os.makedirs(HERE, exist_ok=True)
save("conv_relu", [
    helper.make_node("Conv", ["x", "w", "b"], ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["h"], ["y"]),
], [1, 3, 8, 8], [1, 4, 8, 8], {"w": f32(4, 3, 3, 3), "b": f32(4)})
save("gemm_softmax", [
    helper.make_node("Gemm", ["x", "w", "b"], ["h"], transB=1),
    helper.make_node("Softmax", ["h"], ["y"], axis=-1),
], [2, 16], [2, 8], {"w": f32(8, 16), "b": f32(8)})
save("pool_add", [
    helper.make_node("MaxPool", ["x"], ["h"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Add", ["h", "c"], ["y"]),
], [1, 4, 8, 8], [1, 4, 4, 4], {"c": f32(4, 1, 1)})
