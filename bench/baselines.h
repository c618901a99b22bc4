#pragma once
// The baselines measured outside tandem-bench, read back from their scripts' JSON:
// cuBLAS SGEMM (bench/cublas_sgemm.py, --cublas) and cuDNN conv (bench/cudnn_conv.py,
// --cudnn). A figure of 0 means the file has none for that shape.
#include <nlohmann/json.hpp>
#include <string>

#include "bench/op_bench.h"

namespace tandem::bench {

// What identifies a conv layer: the fields --list-conv-shapes prints and bench/cudnn_conv.py
// echoes back in its rows, by which --cudnn finds each layer's figure.
nlohmann::json conv_fields(const ConvShape& shape);

// The JSON a baseline script wrote (null when `path` is empty); `option` names it in errors.
nlohmann::json read_baseline(const std::string& path, const std::string& option);

double cudnn_gflops(const nlohmann::json& cudnn, const ConvShape& shape);
double cublas_gflops(const nlohmann::json& cublas, const GemmShape& shape);

}  // namespace tandem::bench
