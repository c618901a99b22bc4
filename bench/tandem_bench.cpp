// tandem-bench: SGEMM, conv layers, line reductions and the example models on tandem's
// OpenCL and Vulkan backends, side by side with CLBlast on the same OpenCL device (and the
// cuBLAS and cuDNN figures that bench/cublas_sgemm.py and bench/cudnn_conv.py measured, given
// with --cublas and --cudnn). Prints markdown tables for docs/performance.md and writes every
// figure as JSON with --json.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "bench/baselines.h"
#include "bench/clblast_sgemm.h"
#include "bench/device_peak.h"
#include "bench/line_bench.h"
#include "bench/model_bench.h"
#include "bench/op_bench.h"
#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/scoped_environment_test_support.h"

namespace tandem::bench {
namespace {

struct Args {
  std::string device = "";
  std::string json;
  std::string cublas;
  std::string cudnn;
  std::string models_dir = "examples";
  double peak_gflops = 0;
  double budget_ms = 0;  // 0: 1000 ms on GPUs, 300 on CPU devices
  bool quick = false;
  bool list_conv_shapes = false;
  std::int64_t conv_batch = 0;  // 0: 16 on GPUs, 1 on CPU devices
  std::vector<std::string> conv_layers;  // name fragments; empty: every layer
  std::vector<std::string> sections = {"gemm", "conv", "lines", "models"};
};

// A tandem backend and the device the selector picked on it, or why there is none.
struct Target {
  std::string backend;
  std::unique_ptr<Backend> api;
  std::optional<DeviceInfo> device;
  std::string why;
};

Target open_target(const std::string& name, const DeviceSelector& selector) {
  Target target;
  target.backend = name;
  try {
    target.api = BackendRegistry::instance().create(name);
    const std::vector<DeviceInfo> devices = target.api->devices();
    if (const DeviceInfo* device = selector.first_match(devices)) target.device = *device;
    if (!target.device) target.why = "no device matches '" + selector.to_string() + "'";
  } catch (const Error& error) {
    target.why = error.what();
  }
  return target;
}

std::string fixed(double value, int digits = 1) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string ratio(double value, double baseline) {
  return value > 0 && baseline > 0 ? fixed(value / baseline, 2) + "x" : "-";
}

bool is_gpu(const Target& target) { return target.device && target.device->type == "gpu"; }

// Vulkan names the vendor "NVIDIA", OpenCL "NVIDIA Corporation".
bool is_nvidia_gpu(const Target& target) {
  return is_gpu(target) && target.device->vendor.find("NVIDIA") != std::string::npos;
}

// NVIDIA's driver lets a GPU that only Vulkan drives idle down between the short dispatches
// timed here: on an H100 the SM clock sat at 345 MHz instead of 1980 and the conv layers read
// 2.5-9x slower. With the NVIDIA OpenCL device open in the same process the clock stayed up
// (conformance/results/2026-11-25-*/opencl-1x1-2026-11-25.md, section 9).
std::optional<std::string> clock_warning(const Target& opencl, const Target& vulkan) {
  if (!is_nvidia_gpu(vulkan) || is_nvidia_gpu(opencl)) return std::nullopt;
  return "note: Vulkan runs alone on an NVIDIA GPU here, whose driver may lower the clocks "
         "between the short timed runs (an H100 read 2.5-9x slower so); register the NVIDIA "
         "OpenCL driver too for figures at full clock";
}

std::vector<GemmShape> gemm_shapes(bool large) {
  std::vector<GemmShape> shapes = {{"square 512", 512, 512, 512}, {"square 1024", 1024, 1024, 1024}};
  if (large) {
    shapes.push_back({"square 4096", 4096, 4096, 4096});
    shapes.push_back({"square 8192", 8192, 8192, 8192});
  }
  // The examples' own products: transformer_block's projections (16 tokens) and
  // mobilenet_tiny's classifier Gemm (batch 1 and 64).
  shapes.push_back({"transformer qkv 16x64x64", 16, 64, 64});
  shapes.push_back({"transformer ffn up 16x128x64", 16, 128, 64});
  shapes.push_back({"transformer ffn down 16x64x128", 16, 64, 128});
  shapes.push_back({"mobilenet fc 1x10x96", 1, 10, 96});
  shapes.push_back({"mobilenet fc 64x10x96", 64, 10, 96});
  return shapes;
}

std::vector<ConvShape> conv_shapes(std::int64_t batch) {
  // name, batch, C, H, W, M, kernel, stride, pad, group
  return {
      {"mobilenet 3x3 s2 3->32 @224", batch, 3, 224, 224, 32, 3, 2, 1, 1},
      {"mobilenet dw 3x3 32 @112", batch, 32, 112, 112, 32, 3, 1, 1, 32},
      {"mobilenet 1x1 32->64 @112", batch, 32, 112, 112, 64, 1, 1, 0, 1},
      {"mobilenet dw 3x3 s2 64 @112", batch, 64, 112, 112, 64, 3, 2, 1, 64},
      {"mobilenet 1x1 128->128 @56", batch, 128, 56, 56, 128, 1, 1, 0, 1},
      {"mobilenet 1x1 512->512 @14", batch, 512, 14, 14, 512, 1, 1, 0, 1},
      {"mobilenet dw 3x3 s2 256 @28", batch, 256, 28, 28, 256, 3, 2, 1, 256},
      {"mobilenet dw 3x3 512 @14", batch, 512, 14, 14, 512, 3, 1, 1, 512},
      {"mobilenet dw 3x3 1024 @7", batch, 1024, 7, 7, 1024, 3, 1, 1, 1024},
      {"resnet 3x3 64->64 @56", batch, 64, 56, 56, 64, 3, 1, 1, 1},
      {"resnet 3x3 s2 64->128 @56", batch, 64, 56, 56, 128, 3, 2, 1, 1},
      {"resnet 1x1 256->64 @56", batch, 256, 56, 56, 64, 1, 1, 0, 1},
      {"resnet 3x3 256->256 @14", batch, 256, 14, 14, 256, 3, 1, 1, 1},
      {"resnet 1x1 1024->256 @14", batch, 1024, 14, 14, 256, 1, 1, 0, 1},
      {"resnet 3x3 512->512 @7", batch, 512, 7, 7, 512, 3, 1, 1, 1},
  };
}

// The conv section's layers: batch --conv-batch, else 16 on GPUs and 1 on CPU devices; the
// first four with --quick; with --conv-layer, those whose names hold one of its fragments.
std::vector<ConvShape> conv_layers(const Args& args, bool gpu) {
  std::vector<ConvShape> shapes = conv_shapes(args.conv_batch > 0 ? args.conv_batch : gpu ? 16 : 1);
  if (args.quick) shapes.resize(4);
  if (args.conv_layers.empty()) return shapes;
  std::vector<ConvShape> chosen;
  for (const ConvShape& shape : shapes) {
    for (const std::string& fragment : args.conv_layers) {
      if (shape.name.find(fragment) != std::string::npos) {
        chosen.push_back(shape);
        break;
      }
    }
  }
  if (chosen.empty()) fail("--conv-layer: no conv layer's name holds those fragments");
  return chosen;
}

// --list-conv-shapes: the layers a run with the same arguments would time, with tandem's
// FLOP count, so that bench/cudnn_conv.py times the same ones without a copy of the list.
void list_conv_shapes(const std::vector<ConvShape>& shapes) {
  nlohmann::json list = nlohmann::json::array();
  for (const ConvShape& shape : shapes) {
    nlohmann::json entry = conv_fields(shape);
    entry["layer"] = shape.name;
    entry["flops"] = shape.flops();
    list.push_back(entry);
  }
  std::printf("%s\n", list.dump(2).c_str());
}

// One figure of a tandem backend, or the reason it has none.
// Its rate is in billions of the work's units per second: GFLOP/s for FLOPs, GB/s for bytes.
struct Figure {
  double rate = 0;
  std::string clock;
  std::string error;
  std::string text() const { return error.empty() ? fixed(rate) + " (" + clock + ")" : "n/a"; }
};

template <typename Run>
Figure figure_of(Target& target, double work, Run run) {
  Figure figure;
  if (!target.device) {
    figure.error = target.why;
    return figure;
  }
  try {
    const OpTiming timing = run(*target.api, *target.device);
    figure.rate = gflops(work, timing.steady.median_ms);
    figure.clock = timing.steady.clock;
  } catch (const Error& error) {
    figure.error = error.what();
    std::fprintf(stderr, "tandem-bench: %s: %s\n", target.backend.c_str(), error.what());
  }
  return figure;
}

// `unit` names the rate: "gflops" or "gbps".
nlohmann::json figure_json(const Figure& figure, const char* unit = "gflops") {
  if (!figure.error.empty()) return {{"error", figure.error}};
  return {{unit, figure.rate}, {"clock", figure.clock}};
}

nlohmann::json run_gemm(Target& opencl, Target& vulkan, const Args& args,
                        const MeasureOptions& options, const nlohmann::json& cublas) {
  const bool large = is_gpu(opencl) || is_gpu(vulkan);
  std::unique_ptr<ClblastSgemm> clblast;
  std::string clblast_why = "no OpenCL device";
  if (opencl.device) clblast = ClblastSgemm::open(opencl.device->name, clblast_why);
  std::printf("\n## SGEMM (GFLOP/s, median; C[m,n] = A[m,k] x B[k,n])\n\n");
  if (!large) std::printf("Sizes 4096 and 8192 run on GPUs only: skipped on these CPU devices.\n\n");
  if (!clblast) std::printf("CLBlast: %s\n\n", clblast_why.c_str());
  std::printf("| shape | tandem OpenCL | tandem Vulkan | CLBlast | CLBlast first call ms | "
              "OpenCL/CLBlast | Vulkan/CLBlast | cuBLAS | OpenCL/cuBLAS | Vulkan/cuBLAS |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  nlohmann::json rows = nlohmann::json::array();
  for (const GemmShape& shape : gemm_shapes(large && !args.quick)) {
    auto matmul = [&](Backend& api, const DeviceInfo& device) {
      return bench_matmul(api, device, shape, options);
    };
    const Figure cl = figure_of(opencl, shape.flops(), matmul);
    const Figure vk = figure_of(vulkan, shape.flops(), matmul);
    double baseline = 0;
    double first_call_ms = 0;
    if (clblast) {
      baseline = gflops(shape.flops(), clblast->run(shape.m, shape.n, shape.k, options, first_call_ms).median_ms);
    }
    const double cu = cublas_gflops(cublas, shape);
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", shape.name.c_str(),
                cl.text().c_str(), vk.text().c_str(), baseline > 0 ? fixed(baseline).c_str() : "-",
                baseline > 0 ? fixed(first_call_ms).c_str() : "-", ratio(cl.rate, baseline).c_str(),
                ratio(vk.rate, baseline).c_str(), cu > 0 ? fixed(cu).c_str() : "-",
                ratio(cl.rate, cu).c_str(), ratio(vk.rate, cu).c_str());
    std::fflush(stdout);
    rows.push_back({{"shape", shape.name}, {"m", shape.m}, {"n", shape.n}, {"k", shape.k},
                    {"opencl", figure_json(cl)}, {"vulkan", figure_json(vk)},
                    {"clblast_gflops", baseline}, {"clblast_first_call_ms", first_call_ms},
                    {"cublas_gflops", cu}});
  }
  return rows;
}

std::string percent_of_peak(double rate, const Peak& peak) {
  return rate > 0 && peak.gflops > 0 ? fixed(100.0 * rate / peak.gflops) + "%" : "-";
}

// The conv table's heading; the cuDNN columns only when --cudnn gave figures.
void print_conv_heading(std::int64_t batch, const Peak& cl_peak, const Peak& vk_peak,
                        const nlohmann::json& cudnn, const Peak& cu_peak) {
  std::printf("\n## Conv2d layers (batch %lld; GFLOP/s, median, and fraction of FP32 peak)\n\n",
              static_cast<long long>(batch));
  std::printf("FP32 peak: OpenCL %s GFLOP/s (%s), Vulkan %s GFLOP/s (%s).\n\n",
              fixed(cl_peak.gflops, 0).c_str(), cl_peak.source.c_str(),
              fixed(vk_peak.gflops, 0).c_str(), vk_peak.source.c_str());
  if (cudnn.is_null()) {
    std::printf("| layer | GFLOP | tandem OpenCL | of peak | tandem Vulkan | of peak |\n");
    std::printf("|---|---|---|---|---|---|\n");
    return;
  }
  std::printf(
      "cuDNN FP32 (bench/cudnn_conv.py, TF32 off) on %s, FP32 peak %s GFLOP/s (%s); "
      "torch %s, CUDA %s, cuDNN %s.\n\n",
      cudnn.value("device", "?").c_str(), fixed(cu_peak.gflops, 0).c_str(), cu_peak.source.c_str(),
      cudnn.value("torch", "?").c_str(), cudnn.value("cuda", "?").c_str(),
      cudnn.value("cudnn", nlohmann::json()).dump().c_str());
  std::printf(
      "| layer | GFLOP | tandem OpenCL | of peak | tandem Vulkan | of peak | cuDNN | of peak | "
      "OpenCL/cuDNN | Vulkan/cuDNN |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
}

nlohmann::json run_conv(Target& opencl, Target& vulkan, const Args& args,
                        const MeasureOptions& options, const nlohmann::json& cudnn) {
  const std::vector<ConvShape> shapes = conv_layers(args, is_gpu(opencl) || is_gpu(vulkan));
  const Peak cl_peak = opencl.device ? fp32_peak(*opencl.device, args.peak_gflops) : Peak{};
  const Peak vk_peak = vulkan.device ? fp32_peak(*vulkan.device, args.peak_gflops) : Peak{};
  DeviceInfo cudnn_device;  // cuDNN's share of peak is of its own GPU, named in its JSON
  cudnn_device.name = cudnn.is_null() ? "" : cudnn.value("device", "");
  cudnn_device.type = "gpu";
  const Peak cu_peak = cudnn.is_null() ? Peak{} : fp32_peak(cudnn_device, args.peak_gflops);
  print_conv_heading(shapes.front().batch, cl_peak, vk_peak, cudnn, cu_peak);
  nlohmann::json rows = nlohmann::json::array();
  for (const ConvShape& shape : shapes) {
    auto conv = [&](Backend& api, const DeviceInfo& device) {
      return bench_conv(api, device, shape, options);
    };
    const Figure cl = figure_of(opencl, shape.flops(), conv);
    const Figure vk = figure_of(vulkan, shape.flops(), conv);
    const double cu = cudnn_gflops(cudnn, shape);
    std::string row = "| " + shape.name + " | " + fixed(shape.flops() * 1e-9, 2) + " | " +
                      cl.text() + " | " + percent_of_peak(cl.rate, cl_peak) + " | " + vk.text() +
                      " | " + percent_of_peak(vk.rate, vk_peak) + " |";
    if (!cudnn.is_null()) {
      row += " " + (cu > 0 ? fixed(cu) : "-") + " | " + percent_of_peak(cu, cu_peak) + " | " +
             ratio(cl.rate, cu) + " | " + ratio(vk.rate, cu) + " |";
    }
    std::printf("%s\n", row.c_str());
    std::fflush(stdout);
    rows.push_back({{"layer", shape.name},
                    {"batch", shape.batch},
                    {"gflop", shape.flops() * 1e-9},
                    {"opencl", figure_json(cl)},
                    {"vulkan", figure_json(vk)},
                    {"opencl_peak_gflops", cl_peak.gflops},
                    {"vulkan_peak_gflops", vk_peak.gflops},
                    {"cudnn_gflops", cu}});
  }
  return rows;
}

std::vector<LineShape> line_shapes(bool gpu) {
  const std::int64_t lines = gpu ? 4096 : 256;
  return {{"Softmax", lines, 1024}, {"Softmax", lines / 16, 32768},
          {"LayerNormalization", lines, 1024}, {"ReduceMean", lines, 4096}};
}

// Vulkan twice: with the subgroup builds of the reductions where the device has subgroup
// arithmetic, and with the shared-memory ones (TANDEM_VULKAN_SUBGROUPS=off), side by side.
nlohmann::json run_lines(Target& opencl, Target& vulkan, const Args& args,
                         const MeasureOptions& options) {
  const bool gpu = is_gpu(opencl) || is_gpu(vulkan);
  std::printf("\n## Line reductions (GB/s of the least traffic: input read once, output "
              "written once; median)\n\n");
  std::printf("| op | tandem OpenCL | tandem Vulkan | Vulkan, shared-memory reductions | "
              "Vulkan/shared-memory |\n");
  std::printf("|---|---|---|---|---|\n");
  nlohmann::json rows = nlohmann::json::array();
  std::vector<LineShape> shapes = line_shapes(gpu);
  if (args.quick) shapes.resize(1);
  for (const LineShape& shape : shapes) {
    auto line_op = [&](Backend& api, const DeviceInfo& device) {
      return bench_line_op(api, device, shape, options);
    };
    const Figure cl = figure_of(opencl, shape.bytes(), line_op);
    const Figure vk = figure_of(vulkan, shape.bytes(), line_op);
    Figure shared;
    {
      const tandem::testing::ScopedEnvironment off("TANDEM_VULKAN_SUBGROUPS", "off");
      shared = figure_of(vulkan, shape.bytes(), line_op);
    }
    std::printf("| %s | %s | %s | %s | %s |\n", shape.name().c_str(), cl.text().c_str(),
                vk.text().c_str(), shared.text().c_str(), ratio(vk.rate, shared.rate).c_str());
    std::fflush(stdout);
    rows.push_back({{"op", shape.op}, {"lines", shape.lines}, {"length", shape.length},
                    {"opencl", figure_json(cl, "gbps")}, {"vulkan", figure_json(vk, "gbps")},
                    {"vulkan_shared_memory", figure_json(shared, "gbps")}});
  }
  return rows;
}

nlohmann::json run_models(const Args& args, const DeviceSelector& selector,
                          const MeasureOptions& options) {
  std::printf(
      "\n## Example models end to end (wall clock; device ms: the steady runs' first kernel start "
      "to last kernel end; drivers' own caches off)\n\n");
  std::printf(
      "| model | backend | steady ms | device ms | cold compile+first run ms | "
      "warm ms | warm/cold | cache cold -> warm | device set-up ms, cold / warm | "
      "planned / lower bound bytes |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  nlohmann::json rows = nlohmann::json::array();
  for (const char* model : {"mobilenet_tiny.onnx", "transformer_block.onnx"}) {
    for (const char* backend : {"opencl", "vulkan"}) {
      const std::string path = args.models_dir + "/" + model;
      try {
        const ModelTiming t = bench_model(path, backend, selector, options);
        std::printf(
            "| %s | %s | %s | %s | %s | %s | %s | %s -> %s | %s / %s | %lld / %lld (%sx) |\n",
            model, backend, fixed(t.steady.median_ms, 3).c_str(),
            t.steady_device_ms < 0 ? "n/a" : fixed(t.steady_device_ms, 3).c_str(),
            fixed(t.cold.ms).c_str(), fixed(t.warm.ms).c_str(),
            fixed(t.warm.ms / t.cold.ms, 3).c_str(), t.cold_status.c_str(), t.warm_status.c_str(),
            fixed(t.cold.device_init_ms).c_str(), fixed(t.warm.device_init_ms).c_str(),
            static_cast<long long>(t.planned_bytes), static_cast<long long>(t.lower_bound_bytes),
            fixed(static_cast<double>(t.planned_bytes) /
                      static_cast<double>(std::max<std::int64_t>(t.lower_bound_bytes, 1)),
                  3)
                .c_str());
        rows.push_back({{"model", model},
                        {"backend", backend},
                        {"device", t.device},
                        {"steady_ms", t.steady.median_ms},
                        {"steady_device_ms", t.steady_device_ms},
                        {"cold_ms", t.cold.ms},
                        {"warm_ms", t.warm.ms},
                        {"cold_device_init_ms", t.cold.device_init_ms},
                        {"warm_device_init_ms", t.warm.device_init_ms},
                        {"cold_cache", t.cold_status},
                        {"warm_cache", t.warm_status},
                        {"planned_bytes", t.planned_bytes},
                        {"lower_bound_bytes", t.lower_bound_bytes}});
      } catch (const Error& error) {
        std::printf("| %s | %s | n/a: %s | | | | | | | |\n", model, backend, error.what());
        rows.push_back({{"model", model}, {"backend", backend}, {"error", error.what()}});
      }
      std::fflush(stdout);
    }
  }
  return rows;
}

bool wanted(const Args& args, const std::string& section) {
  return std::find(args.sections.begin(), args.sections.end(), section) != args.sections.end();
}

int run(const Args& args) {
  // Cold-compile figures must not be helped by the drivers' own caches (an explicit
  // setting in the environment wins).
  setenv("POCL_KERNEL_CACHE", "0", 0);
  setenv("CUDA_CACHE_DISABLE", "1", 0);
  setenv("__GL_SHADER_DISK_CACHE", "0", 0);
  setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
  set_log_level(LogLevel::Warn);
  const DeviceSelector selector = DeviceSelector::parse(args.device);
  Target opencl = open_target("opencl", selector);
  Target vulkan = open_target("vulkan", selector);
  const bool gpu = is_gpu(opencl) || is_gpu(vulkan);
  if (args.list_conv_shapes) {
    list_conv_shapes(conv_layers(args, gpu));
    return 0;
  }
  // Read first: a bad file fails before minutes of measuring, not after.
  const nlohmann::json cublas = read_baseline(args.cublas, "--cublas");
  const nlohmann::json cudnn = read_baseline(args.cudnn, "--cudnn");
  nlohmann::json result;
  for (const Target* target : {&opencl, &vulkan}) {
    const std::string line = target->device ? target->device->name + " (driver " +
                                                  target->device->driver_version + ")"
                                            : "none: " + target->why;
    std::printf("%-7s %s\n", target->backend.c_str(), line.c_str());
    result["devices"][target->backend] =
        target->device ? nlohmann::json{{"name", target->device->name},
                                        {"type", target->device->type},
                                        {"driver_version", target->device->driver_version}}
                       : nlohmann::json{{"error", target->why}};
  }
  if (const std::optional<std::string> warning = clock_warning(opencl, vulkan)) {
    std::printf("\n%s\n", warning->c_str());
    result["warnings"].push_back(*warning);
  }
  MeasureOptions options;
  options.budget_ms = args.budget_ms > 0 ? args.budget_ms : (gpu ? 1000 : 300);
  if (wanted(args, "gemm")) result["gemm"] = run_gemm(opencl, vulkan, args, options, cublas);
  if (wanted(args, "conv")) result["conv"] = run_conv(opencl, vulkan, args, options, cudnn);
  if (wanted(args, "lines")) result["lines"] = run_lines(opencl, vulkan, args, options);
  if (wanted(args, "models")) result["models"] = run_models(args, selector, options);
  if (!args.json.empty()) std::ofstream(args.json) << result.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace tandem::bench

int main(int argc, char** argv) {
  tandem::bench::Args args;
  CLI::App app("tandem-bench: SGEMM, conv layers and example models on OpenCL and Vulkan");
  app.add_option("--device", args.device, "Device selector for both backends: gpu, cpu, name=H100");
  app.add_option("--json", args.json, "Write every figure to this JSON file");
  app.add_option("--cublas", args.cublas, "JSON from bench/cublas_sgemm.py, for cuBLAS ratios");
  app.add_option("--cudnn", args.cudnn, "JSON from bench/cudnn_conv.py, for cuDNN conv ratios");
  app.add_option("--models-dir", args.models_dir, "Folder of the example .onnx models");
  app.add_option("--peak-gflops", args.peak_gflops, "FP32 peak of the device, GFLOP/s");
  app.add_option("--budget-ms", args.budget_ms, "Measured time per figure (default 1000 on GPUs, 300 on CPUs)");
  app.add_option("--section", args.sections, "gemm, conv, lines, models (default: all)");
  app.add_flag("--quick", args.quick, "Fewer shapes and layers (a smoke run)");
  app.add_option("--conv-batch", args.conv_batch, "Batch of the conv layers (default 16 on GPUs, 1 on CPUs)")
      ->check(CLI::PositiveNumber);
  app.add_option("--conv-layer", args.conv_layers,
                 "Time only the conv layers whose names hold this text (repeatable: \"@14\")");
  app.add_flag("--list-conv-shapes", args.list_conv_shapes,
               "Print the conv section's layers as JSON (for bench/cudnn_conv.py) and exit");
  CLI11_PARSE(app, argc, argv);
  try {
    return tandem::bench::run(args);
  } catch (const tandem::Error& error) {
    std::fprintf(stderr, "tandem-bench: %s\n", error.what());
    return 1;
  }
}
