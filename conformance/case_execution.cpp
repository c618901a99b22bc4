#include "conformance/case_execution.h"

#include <chrono>
#include <cmath>

#include "core/planner.h"
#include "core/reference_backend.h"
#include "core/stopwatch.h"

namespace tandem::conformance {
namespace {

// Float32 denormals replaced by zeros of their sign; false when there were none.
bool flush_denormal_inputs(std::vector<Tensor>& inputs) {
  bool flushed = false;
  for (Tensor& input : inputs) {
    if (input.dtype() != DType::F32) continue;
    for (float& value : input.data<float>()) {
      if (std::fpclassify(value) != FP_SUBNORMAL) continue;
      value = std::copysign(0.0f, value);
      flushed = true;
    }
  }
  return flushed;
}

std::vector<Tensor> reference_with_inputs_flushed(const Plan& plan, const PreparedCase& prepared) {
  std::vector<Tensor> inputs = prepared.built.inputs;
  if (!prepared.spec->tolerance.flush_denormals || !flush_denormal_inputs(inputs)) return {};
  return run_reference(plan, inputs);
}

}  // namespace

PreparedCase prepare_case(const Case& c, const std::string& root) {
  PreparedCase prepared;
  prepared.spec = &c;
  const auto start = std::chrono::steady_clock::now();
  try {
    prepared.built = build_case_graph(c, root);
    const Plan plan = make_plan(prepared.built.graph, prepared.built.input_infos, PlanOptions{});
    prepared.expected = run_reference(plan, prepared.built.inputs);
    prepared.expected_inputs_flushed = reference_with_inputs_flushed(plan, prepared);
  } catch (const Unsupported& error) {
    prepared.skip_reason = std::string("reference: ") + error.what();
  } catch (const std::exception& error) {
    prepared.error = c.source + ": case '" + c.id() + "': " + error.what();
  }
  prepared.reference_ms = ms_since(start);
  return prepared;
}

CaseResult blank_result(const Case& c) {
  CaseResult result;
  result.case_id = c.id();
  result.family = c.family;
  result.op = c.op_label;
  result.tolerance = c.tolerance;
  return result;
}

std::vector<Tensor> compile_and_run(const PreparedCase& prepared, Backend& backend,
                                    const DeviceInfo& device, const CompileOptions& options,
                                    CacheReport* report) {
  PlanOptions plan_options;
  plan_options.fuses = [&backend](const std::string& op_type, const std::string& activation) {
    return backend.fuses_activation(op_type, activation);
  };
  plan_options.alignment = backend.buffer_alignment(device);
  const Plan plan = make_plan(prepared.built.graph, prepared.built.input_infos, plan_options);
  std::unique_ptr<Executable> executable = backend.compile(plan, device, options);
  check(executable != nullptr, backend.name() + ": compile returned no executable");
  if (report) *report = executable->cache_report();
  return executable->run(prepared.built.inputs);
}

CaseResult run_case(const PreparedCase& prepared, Backend& backend, const DeviceInfo& device,
                    const CompileOptions& options, std::vector<Tensor>* outputs) {
  CaseResult result = blank_result(*prepared.spec);
  if (!prepared.error.empty()) {
    result.outcome = Outcome::Fail;
    result.reason = "case error: " + prepared.error;
    return result;
  }
  if (!prepared.skip_reason.empty()) {
    result.reason = prepared.skip_reason;
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    std::vector<Tensor> actual = compile_and_run(prepared, backend, device, options);
    result.comparison = compare_outputs(prepared.expected, actual, result.tolerance,
                                        &prepared.expected_inputs_flushed);
    result.outcome = result.comparison.passed ? Outcome::Pass : Outcome::Fail;
    result.reason = result.comparison.message;
    if (outputs) *outputs = std::move(actual);
  } catch (const Unsupported& error) {
    result.outcome = Outcome::Skip;
    result.reason = error.what();
  } catch (const std::exception& error) {
    result.outcome = Outcome::Fail;
    result.reason = error.what();
  }
  result.duration_ms = ms_since(start);
  return result;
}

}  // namespace tandem::conformance
