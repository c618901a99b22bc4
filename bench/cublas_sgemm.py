#!/usr/bin/env python3
"""cuBLAS FP32 SGEMM baseline for tandem-bench (run on the GPU machine, whose python3 has torch).

TF32 is off (torch.backends.cuda.matmul.allow_tf32 = False), so this is true FP32 cuBLAS.
Times each square and skinny shape of tandem-bench with CUDA events (warm-up, then the
median of repetitions) and prints one JSON object:
  {"device": ..., "torch": ..., "cuda": ..., "results": [{"m", "n", "k", "ms", "gflops"}]}
tandem-bench --cublas FILE matches rows by (m, n, k).
"""
import json
import sys

from cuda_timing import median_ms

SHAPES = [(512, 512, 512), (1024, 1024, 1024), (4096, 4096, 4096), (8192, 8192, 8192),
          (16, 64, 64), (16, 128, 64), (16, 64, 128), (1, 10, 96), (64, 10, 96)]


def time_shape(torch, m, n, k):
    generator = torch.Generator(device="cuda").manual_seed(7)
    a = torch.rand((m, k), device="cuda", generator=generator) * 2 - 1
    b = torch.rand((k, n), device="cuda", generator=generator) * 2 - 1
    ms = median_ms(torch, lambda: torch.mm(a, b))
    return {"m": m, "n": n, "k": k, "ms": ms, "gflops": 2.0 * m * n * k / (ms * 1e6)}


def main():
    try:
        import torch
    except ImportError:
        print(json.dumps({"error": "torch is not installed"}))
        return 1
    if not torch.cuda.is_available():
        print(json.dumps({"error": "no CUDA device"}))
        return 1
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    results = [time_shape(torch, m, n, k) for m, n, k in SHAPES]
    print(json.dumps({"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "cuda": torch.version.cuda, "allow_tf32": False, "results": results},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
