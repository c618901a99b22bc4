"""CUDA-event timing shared by the torch baselines (cublas_sgemm.py, cudnn_conv.py)."""
import statistics


def median_ms(torch, run, budget_ms=1000.0, calls=1):
    """Median milliseconds of one run() on the GPU: three warm-up calls (cudnn.benchmark picks
    its algorithm in the first), then samples until 5 ran and budget_ms is spent, at most 100.
    A sample times `calls` back-to-back calls between two events and divides: with one call the
    event pair also holds the host's launch of it, which is a large part of a short kernel."""
    for _ in range(3):
        run()
    torch.cuda.synchronize()
    samples = []
    while len(samples) < 5 or (sum(samples) * calls < budget_ms and len(samples) < 100):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(calls):
            run()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) / calls)
    return statistics.median(samples)
