#!/usr/bin/env python3
"""cuDNN FP32 conv baseline for tandem-bench's conv section (run on the GPU machine, whose
python3 has torch).

The layers come from tandem-bench itself, so that the two lists cannot drift apart:
  tandem-bench --device gpu --list-conv-shapes > conv-shapes.json
  python3 bench/cudnn_conv.py conv-shapes.json > cudnn.json
  tandem-bench --device gpu --cudnn cudnn.json
The list is a JSON array of {"layer", "batch", "channels", "height", "width", "out_channels",
"kernel", "stride", "pad", "group", "flops"}. Each layer runs as tandem-bench runs it:
torch.nn.functional.conv2d on NCHW float32, a square kernel, the same stride and padding on
every side, the groups, and a bias. TF32 is off (torch.backends.cudnn.allow_tf32 and
torch.backends.cuda.matmul.allow_tf32 = False), so this is true FP32 cuDNN, and
cudnn.benchmark is on, so cuDNN picks its fastest algorithm per layer during the warm-up.
Times with CUDA events (warm-up, then the median of repetitions, each of ten back-to-back calls
so that the host's launch of a call is not timed, as tandem's device clock does not; on an
H100 a single call per event pair read 7-55% slower) and prints one JSON object:
  {"device", "torch", "cuda", "cudnn", "allow_tf32": false,
   "results": [{the layer's fields ..., "ms", "gflops"}]}
gflops divides the listed flops (tandem's count: 2 x multiply-adds, the bias not counted).
tandem-bench --cudnn FILE matches rows by the layer's fields, batch to group.
On failure (unreadable list, no torch, no CUDA or cuDNN) prints {"error": ...} and exits 1.
"""
import json
import sys

from cuda_timing import median_ms

FIELDS = ("batch", "channels", "height", "width", "out_channels", "kernel", "stride", "pad",
          "group", "flops")


def read_layers(path):
    """The layers of tandem-bench --list-conv-shapes; ValueError says what is wrong."""
    with open(path) as file:
        layers = json.load(file)
    if not isinstance(layers, list) or not layers:
        raise ValueError("expected a non-empty JSON array of conv layers")
    for layer in layers:
        missing = [field for field in FIELDS if field not in layer]
        if missing:
            raise ValueError(f"layer {layer.get('layer', '?')} lacks {', '.join(missing)}")
    return layers


def time_layer(torch, layer):
    generator = torch.Generator(device="cuda").manual_seed(7)

    def uniform(*shape):
        return torch.rand(shape, device="cuda", generator=generator) * 2 - 1

    x = uniform(layer["batch"], layer["channels"], layer["height"], layer["width"])
    w = uniform(layer["out_channels"], layer["channels"] // layer["group"], layer["kernel"],
                layer["kernel"])
    b = uniform(layer["out_channels"])
    conv2d = torch.nn.functional.conv2d
    ms = median_ms(torch, lambda: conv2d(x, w, b, stride=layer["stride"], padding=layer["pad"],
                                         groups=layer["group"]), calls=10)
    return dict(layer, ms=ms, gflops=layer["flops"] / (ms * 1e6))


def error(message):
    print(json.dumps({"error": message}))
    return 1


def main():
    if len(sys.argv) != 2:
        return error("usage: cudnn_conv.py CONV_SHAPES_JSON")
    try:
        layers = read_layers(sys.argv[1])
    except OSError as failure:
        return error(str(failure))
    except ValueError as failure:  # json.JSONDecodeError among them
        return error(f"{sys.argv[1]}: {failure}")
    try:
        import torch
    except ImportError:
        return error("torch is not installed")
    if not torch.cuda.is_available() or not torch.backends.cudnn.is_available():
        return error("no CUDA device or no cuDNN")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    with torch.no_grad():
        results = [time_layer(torch, layer) for layer in layers]
    print(json.dumps({"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
                      "allow_tf32": False, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
