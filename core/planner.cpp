#include "core/planner.h"

#include "core/memory_planner.h"
#include "core/op_registry.h"
#include "core/shape_inference.h"

namespace tandem {

Plan make_plan(const Graph& graph, const std::vector<TensorInfo>& inputs,
               const PlanOptions& options) {
  for (const Node& node : graph.nodes()) OpRegistry::instance().validate(node);
  graph.validate_topology();
  Plan plan;
  plan.graph = graph;
  // Shape chains (Shape -> Gather -> Concat -> Reshape) only type once folded, so folding
  // runs during inference, whether or not the other passes do.
  plan.info = infer_shapes_folding_constants(plan.graph, inputs);
  if (options.optimize) {
    fold_batchnorm_into_conv(plan.graph);
    if (options.fuses) fuse_conv_activation(plan.graph, options.fuses);
    eliminate_dead_nodes(plan.graph);
    plan.info = infer_shapes(plan.graph, inputs);
  }
  plan.memory = plan_memory(plan.graph, plan.info, options.alignment);
  return plan;
}

}  // namespace tandem
