#pragma once
#include <vector>

#include "core/plan.h"

namespace tandem {

// Runs a plan with every op's float64 reference kernel. Inputs may be any float dtype;
// float outputs come back as F64 so comparisons see the reference's full precision.
std::vector<Tensor> run_reference(const Plan& plan, const std::vector<Tensor>& inputs);

}  // namespace tandem
