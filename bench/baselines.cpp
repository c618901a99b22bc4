#include "bench/baselines.h"

#include <fstream>

#include "core/error.h"

namespace tandem::bench {

nlohmann::json conv_fields(const ConvShape& shape) {
  return {{"batch", shape.batch},
          {"channels", shape.channels},
          {"height", shape.height},
          {"width", shape.width},
          {"out_channels", shape.out_channels},
          {"kernel", shape.kernel},
          {"stride", shape.stride},
          {"pad", shape.pad},
          {"group", shape.group}};
}

// A file that says why there are no figures fails here rather than leaving a column of
// dashes.
nlohmann::json read_baseline(const std::string& path, const std::string& option) {
  if (path.empty()) return nullptr;
  const nlohmann::json baseline = nlohmann::json::parse(std::ifstream(path), nullptr, false);
  check(baseline.is_object(), option + " " + path + ": unreadable, or not a JSON object");
  if (baseline.contains("error")) fail(option + " " + path + ": " + baseline["error"].dump());
  return baseline;
}

// cuDNN GFLOP/s of the layer whose fields all match, from bench/cudnn_conv.py's JSON.
double cudnn_gflops(const nlohmann::json& cudnn, const ConvShape& shape) {
  if (!cudnn.contains("results")) return 0;
  const nlohmann::json fields = conv_fields(shape);
  for (const auto& row : cudnn["results"]) {
    bool same = row.is_object();
    for (auto field = fields.begin(); field != fields.end(); ++field) {
      same = same && row.value(field.key(), nlohmann::json()) == field.value();
    }
    if (same) return row.value("gflops", 0.0);
  }
  return 0;
}

// cuBLAS GFLOP/s by (m, n, k), from bench/cublas_sgemm.py's JSON.
double cublas_gflops(const nlohmann::json& cublas, const GemmShape& shape) {
  if (!cublas.contains("results")) return 0;
  for (const auto& row : cublas["results"]) {
    if (row.value("m", 0) == shape.m && row.value("n", 0) == shape.n && row.value("k", 0) == shape.k) {
      return row.value("gflops", 0.0);
    }
  }
  return 0;
}

}  // namespace tandem::bench
