#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets under fuzz/corpus/<target>/.

Run with Debian's python (python3-onnx, numpy): /usr/bin/python3 fuzz/make_corpus.py
Deterministic: same script, same bytes. Each seed is small (the fuzzers start from them and
mutate; big seeds only slow every execution down):
  onnx_import_fuzzer   one tiny model per op family, old-opset forms the importer rewrites,
                       a Shape->Gather->Concat->Reshape chain, a model with a dynamic dim
  npy_fuzzer           every dtype the reader knows, 0-d and empty arrays, version 2.0,
                       and the forms it refuses (big-endian, fortran order)
  config_fuzzer        examples/config.yaml and variants using every key
  cache_file_fuzzer    the worked example of docs/cache-format.md
The cache fuzzers write their own seeds, seed-N.bin: only the binaries know their
backends' exact header strings. ci/fuzz has them write fresh ones into its working corpus
before every run; the committed copies were made the same way:
  TANDEM_FUZZ_WRITE_SEEDS=fuzz/corpus/<target> build/fuzz/bin/<target>
"""
import io
import os
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ------------------------------------------------------------------------------ onnx

def model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="tandem-fuzz-corpus")
    m.ir_version = 8
    return m.SerializeToString()


def tensor_in(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def tensor_out(name):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, None)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def single(op, shape=(1, 3, 4, 4), extra_inputs=(), opset=17, **attrs):
    """One node reading x (and initializers), writing y."""
    names = ["x"] + [c.name for c in extra_inputs]
    node = helper.make_node(op, names, ["y"], name=op.lower(), **attrs)
    return model([node], [tensor_in("x", list(shape))], [tensor_out("y")], extra_inputs, opset)


def onnx_seeds():
    rng = np.random.default_rng(1)
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    seeds = {}
    for op in ["Relu", "Sigmoid", "Tanh", "Exp", "Sqrt", "Erf", "Identity", "HardSwish"]:
        seeds[op.lower()] = single(op)
    seeds["leaky_relu"] = single("LeakyRelu", alpha=0.2)
    seeds["hard_sigmoid"] = single("HardSigmoid", alpha=0.3, beta=0.4)
    for op in ["Add", "Sub", "Mul", "Div", "Pow"]:
        seeds[op.lower() + "_broadcast"] = single(op, extra_inputs=[const("c", f32(3, 1, 1))])
    seeds["conv"] = single("Conv", extra_inputs=[const("w", f32(2, 3, 3, 3)), const("b", f32(2))],
                           kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 1])
    seeds["conv_depthwise"] = single("Conv", extra_inputs=[const("w", f32(3, 1, 3, 3))],
                                     group=3, dilations=[2, 2], auto_pad="SAME_UPPER")
    seeds["conv_transpose"] = single("ConvTranspose", extra_inputs=[const("w", f32(3, 2, 2, 2))],
                                     strides=[2, 2], output_padding=[1, 0])
    seeds["gemm"] = single("Gemm", shape=(2, 3), extra_inputs=[const("b", f32(4, 3)),
                                                               const("c", f32(4))],
                           transB=1, alpha=0.5, beta=2.0)
    seeds["matmul"] = single("MatMul", shape=(2, 5, 3), extra_inputs=[const("b", f32(3, 4))])
    seeds["max_pool"] = single("MaxPool", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    seeds["average_pool"] = single("AveragePool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                   count_include_pad=1)
    seeds["global_average_pool"] = single("GlobalAveragePool")
    seeds["batch_norm"] = single("BatchNormalization", extra_inputs=[
        const(n, np.abs(f32(3)) + 0.5) for n in ("scale", "bias", "mean", "var")], epsilon=1e-3)
    seeds["layer_norm"] = single("LayerNormalization", shape=(1, 4, 8), axis=-1,
                                 extra_inputs=[const("s", f32(8)), const("b", f32(8))])
    seeds["softmax"] = single("Softmax", axis=1)
    seeds["softmax_opset11"] = single("Softmax", opset=11, axis=1)
    seeds["reshape"] = single("Reshape", extra_inputs=[const("s", np.array([1, -1], np.int64))])
    seeds["transpose"] = single("Transpose", perm=[0, 2, 3, 1])
    seeds["flatten"] = single("Flatten", axis=2)
    seeds["squeeze"] = single("Squeeze", shape=(1, 3, 1, 4),
                              extra_inputs=[const("a", np.array([2], np.int64))])
    seeds["squeeze_opset11"] = single("Squeeze", shape=(1, 3, 1, 4), opset=11, axes=[2])
    seeds["unsqueeze"] = single("Unsqueeze", extra_inputs=[const("a", np.array([0], np.int64))])
    seeds["slice"] = single("Slice", extra_inputs=[const(n, np.array(v, np.int64)) for n, v in (
        ("starts", [1, -3]), ("ends", [3, 100]), ("axes", [1, 3]), ("steps", [1, 2]))])
    seeds["slice_opset9"] = single("Slice", opset=9, starts=[0], ends=[2], axes=[1])
    seeds["clip_opset9"] = single("Clip", opset=9, min=-0.5, max=0.5)
    seeds["clip"] = single("Clip", extra_inputs=[const("lo", np.float32(-1)),
                                                 const("hi", np.float32(1))])
    seeds["pad"] = single("Pad", extra_inputs=[const("p", np.array([0, 0, 1, 2, 0, 0, 2, 1],
                                                                   np.int64))], mode="reflect")
    seeds["reduce_mean"] = single("ReduceMean", axes=[2, 3], keepdims=0)
    seeds["reduce_sum"] = single("ReduceSum", extra_inputs=[const("a", np.array([1], np.int64))])
    seeds["resize"] = single("Resize", extra_inputs=[const("roi", np.array([], np.float32)),
                                                     const("scales", np.array([1, 1, 2, 2],
                                                                              np.float32))],
                             mode="nearest")
    seeds["gather"] = single("Gather", extra_inputs=[const("i", np.array([2, 0], np.int64))],
                             axis=1)
    seeds["cast"] = single("Cast", to=TensorProto.DOUBLE)
    seeds["concat"] = model(
        [helper.make_node("Concat", ["x", "c"], ["y"], axis=1)], [tensor_in("x", [1, 2, 3])],
        [tensor_out("y")], [const("c", f32(1, 4, 3))])
    seeds["shape_chain"] = model([
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero_axes"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus_one"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"]),
    ], [tensor_in("x", ["batch", 3, 4])], [tensor_out("y")], [
        const("zero", np.array(0, np.int64)), const("zero_axes", np.array([0], np.int64)),
        const("minus_one", np.array([-1], np.int64))])
    seeds["constant_node"] = model([
        helper.make_node("Constant", [], ["c"], value=const("v", f32(3))),
        helper.make_node("Add", ["x", "c"], ["y"]),
    ], [tensor_in("x", [2, 3])], [tensor_out("y")])
    for name, data in seeds.items():
        write("onnx_import_fuzzer", name + ".onnx", data)


def onnx_regressions():
    """The triggers of findings the fuzzer made, fixed since: every run replays them first."""
    big = 1 << 62
    seeds = {
        # shape_numel overflowed (a product of dims wrapped to 0)
        "reshape_2_62": single("Reshape", extra_inputs=[const("s", np.array([big, big], np.int64))],
                               allowzero=1),
        "input_2_80": model([helper.make_node("Relu", ["x"], ["y"])],
                            [tensor_in("x", [1 << 40, 1 << 40])], [tensor_out("y")]),
        # shape inference added pads to dims without an overflow check
        "pad_2_62": single("Pad", extra_inputs=[const("p", np.array([0, 0, big, big] * 2,
                                                                      np.int64))]),
        # the window geometry added Conv pads of 2^62 to the input extent (found by the
        # sanitizer run of bad_files_test, not by the fuzzer)
        "conv_pads_2_62": single("Conv", shape=(1, 1, 4, 4),
                                 extra_inputs=[const("w", np.ones((1, 1, 1, 1), np.float32))],
                                 pads=[big] * 4),
        # Resize cast input * scale to int64 without a range check
        "resize_scale_1e30": single("Resize", extra_inputs=[
            const("roi", np.array([], np.float32)),
            const("scales", np.array([1, 1, 1e30, 1], np.float32))], mode="nearest"),
        # Tensor::cast of NaN to an integer (Clip-6 on int64 data, min = NaN)
        "clip6_nan_min_int64": model(
            [helper.make_node("Clip", ["x"], ["y"], min=float("nan"), max=1.0)],
            [tensor_in("x", [2, 3], TensorProto.INT64)], [tensor_out("y")], opset=10),
        "cast_nan_to_int64": model([
            helper.make_node("Cast", ["c"], ["i"], to=TensorProto.INT64),
            helper.make_node("Reshape", ["x", "i"], ["y"])],
            [tensor_in("x", [2, 3])], [tensor_out("y")],
            [const("c", np.array([np.nan, np.inf], np.float32))]),
        # a newline in a node name split the one-line message
        "newline_in_name": model([helper.make_node("NoSuchOp", ["x"], ["y"], name="a\nb")],
                                 [tensor_in("x", [1])], [tensor_out("y")]),
    }
    # an initializer whose dims claim 256 MiB with 4 bytes of data
    claim = helper.make_tensor("w", TensorProto.FLOAT, [1], b"\0\0\0\0", raw=True)
    claim.dims[0] = 1 << 26   # after make_tensor, which would refuse the mismatch
    seeds["initializer_claims_256mib"] = model(
        [helper.make_node("Add", ["x", "w"], ["y"])], [tensor_in("x", [1])], [tensor_out("y")],
        [claim])
    for name, data in seeds.items():
        write("onnx_import_fuzzer", "regression_" + name + ".onnx", data)


# ------------------------------------------------------------------------------- npy

def npy_bytes(array, version=None):
    out = io.BytesIO()
    if version is None:
        np.save(out, array, allow_pickle=False)
    else:
        np.lib.format.write_array(out, array, version=version, allow_pickle=False)
    return out.getvalue()


def npy_seeds():
    rng = np.random.default_rng(2)
    arrays = {
        "f32": rng.standard_normal((2, 3)).astype(np.float32),
        "f64": rng.standard_normal(4),
        "f16": rng.standard_normal((2, 2)).astype(np.float16),
        "i64": np.arange(6, dtype=np.int64).reshape(3, 2),
        "i32": np.array([-1, 7], np.int32),
        "bool": np.array([True, False, True]),
        "u1": np.array([0, 1, 1], np.uint8),
        "scalar": np.float32(3.5),
        "empty": np.zeros((0, 3), np.float32),
        "rank5": np.ones((1, 1, 2, 1, 2), np.float32),
        "big_endian": np.array([1, 2], ">f4"),
        "fortran": np.asfortranarray(np.ones((2, 3), np.float32)),
        "u16_unsupported": np.array([1], np.uint16),
    }
    for name, array in arrays.items():
        write("npy_fuzzer", name + ".npy", npy_bytes(array))
    write("npy_fuzzer", "version2.npy", npy_bytes(arrays["f32"], version=(2, 0)))


# ---------------------------------------------------------------------------- config

def config_seeds():
    with open(os.path.join(HERE, "..", "examples", "config.yaml"), "rb") as f:
        write("config_fuzzer", "example.yaml", f.read())
    variants = {
        "every_key.yaml": b"backend: [opencl, reference]\n"
                          b"device: {type: gpu, vendor: nvidia, name: H100, index: 0}\n"
                          b"cache:\n  dir: /tmp/tandem-cache\n  mode: read-only\n"
                          b"  max_mb: 64\n  shipped: ~/shipped.bin\n"
                          b"precision: fp16\ntuning: auto\nlog: debug\n",
        "scalar_backend.yaml": b"backend: vulkan\ncache: {mode: off}\n",
        "empty.yaml": b"",
        "comment.yaml": b"# nothing\n",
        "selector_line.yaml": b"vendor=nvidia,type=gpu,index=1\n",
        "unknown_key.yaml": b"backend: [reference]\ncache:\n  dirr: /tmp/x\n",
        "anchors.yaml": b"a: &x {mode: off}\ncache: *x\n",
    }
    for name, data in variants.items():
        write("config_fuzzer", name, data)


# ----------------------------------------------------------------------------- cache

def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def string32(text):
    return struct.pack("<I", len(text)) + text


def cache_seeds():
    assert crc32c(b"123456789") == 0xE3069283
    body = string32(b"opencl-programs") + string32(b"0.1.0") + struct.pack("<I", 1)
    body += string32(b"driver") + string32(b"pocl 5.0")
    head = b"TANDEMC\0" + struct.pack("<II", 1, len(body)) + body
    head += struct.pack("<I", crc32c(head))
    payload = b"\xde\xad"
    entry = string32(b"k1") + struct.pack("<QqI", len(payload), 1700000000, crc32c(payload))
    whole = head + struct.pack("<I", 1) + entry + payload
    whole += struct.pack("<I", crc32c(whole))
    assert len(whole) == 110, len(whole)
    write("cache_file_fuzzer", "documented_example.bin", whole)
    write("cache_file_fuzzer", "truncated_example.bin", whole[:77])
    # A header that claims 4 GiB: the reader must refuse it without allocating.
    write("cache_file_fuzzer", "huge_length.bin", whole[:12] + b"\xff\xff\xff\xff" + whole[16:])


if __name__ == "__main__":
    onnx_seeds()
    onnx_regressions()
    npy_seeds()
    config_seeds()
    cache_seeds()
