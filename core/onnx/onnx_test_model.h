#pragma once
// Test support: ONNX models built in C++ with the protobuf API, imported from their bytes,
// and planned through the pipeline that folds constants while it infers shapes.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/memory_planner.h"
#include "core/onnx/onnx_import.h"
#include "core/onnx/onnx_proto.h"
#include "core/op_registry.h"
#include "core/passes/passes.h"
#include "core/plan.h"
#include "core/shape_inference.h"

namespace tandem::onnx_test {

struct ModelBuilder {
  onnx::ModelProto model;
  onnx::GraphProto* graph;

  explicit ModelBuilder(int opset) : graph(model.mutable_graph()) {
    model.set_ir_version(7);
    auto* entry = model.add_opset_import();
    entry->set_domain("");
    entry->set_version(opset);
    graph->set_name("test");
  }

  // A tensor value; a dimension given as "name" in `dim_params` (by position) is dynamic.
  static void set_type(onnx::ValueInfoProto* info, int elem_type, const std::vector<std::int64_t>& dims,
                       const std::vector<std::string>& dim_params = {}) {
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elem_type);
    auto* shape = tensor->mutable_shape();
    for (std::size_t d = 0; d < dims.size(); ++d) {
      auto* dim = shape->add_dim();
      if (d < dim_params.size() && !dim_params[d].empty()) dim->set_dim_param(dim_params[d]);
      else dim->set_dim_value(dims[d]);
    }
  }

  void input(const std::string& name, const std::vector<std::int64_t>& dims,
             const std::vector<std::string>& dim_params = {}, int elem_type = onnx::TensorProto::FLOAT) {
    auto* info = graph->add_input();
    info->set_name(name);
    set_type(info, elem_type, dims, dim_params);
  }

  void output(const std::string& name) { graph->add_output()->set_name(name); }

  onnx::NodeProto* node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* node = graph->add_node();
    node->set_op_type(op_type);
    if (!name.empty()) node->set_name(name);
    for (const auto& input : inputs) node->add_input(input);
    for (const auto& output : outputs) node->add_output(output);
    return node;
  }

  onnx::TensorProto* initializer_f32(const std::string& name, const std::vector<std::int64_t>& dims,
                                     const std::vector<float>& values) {
    auto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) tensor->add_dims(d);
    for (float v : values) tensor->add_float_data(v);
    return tensor;
  }

  onnx::TensorProto* initializer_i64(const std::string& name, const std::vector<std::int64_t>& dims,
                                     const std::vector<std::int64_t>& values) {
    auto* tensor = graph->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::INT64);
    for (auto d : dims) tensor->add_dims(d);
    for (auto v : values) tensor->add_int64_data(v);
    return tensor;
  }

  std::string bytes() const { return model.SerializeAsString(); }
  Graph import(const std::string& source = "test.onnx") const {
    const std::string serialized = bytes();
    return import_onnx_bytes({reinterpret_cast<const std::uint8_t*>(serialized.data()), serialized.size()},
                             source);
  }
};

inline void set_int(onnx::NodeProto* node, const std::string& name, std::int64_t value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

inline void set_ints(onnx::NodeProto* node, const std::string& name, const std::vector<std::int64_t>& values) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto v : values) a->add_ints(v);
}

inline void set_float(onnx::NodeProto* node, const std::string& name, float value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

inline void set_string(onnx::NodeProto* node, const std::string& name, const std::string& value) {
  auto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

// The planning pipeline with folding during inference (what make_plan does with passes on).
inline Plan plan_folding(Graph graph, const std::vector<TensorInfo>& inputs, const FusionQuery& fuses = {}) {
  for (const Node& node : graph.nodes()) OpRegistry::instance().validate(node);
  Plan plan;
  plan.info = infer_shapes_folding_constants(graph, inputs);
  fold_batchnorm_into_conv(graph);
  if (fuses) fuse_conv_activation(graph, fuses);
  eliminate_dead_nodes(graph);
  plan.graph = std::move(graph);
  plan.info = infer_shapes_folding_constants(plan.graph, inputs);   // nothing left to fold
  plan.memory = plan_memory(plan.graph, plan.info, 256);
  return plan;
}

// Without any pass: the graph as imported, only typed.
inline Plan plan_unoptimized(Graph graph, const std::vector<TensorInfo>& inputs) {
  Plan plan;
  plan.info = infer_shapes(graph, inputs);
  plan.graph = std::move(graph);
  plan.memory = plan_memory(plan.graph, plan.info, 256);
  return plan;
}

inline std::string example_path(const std::string& name) {
  const char* source = std::getenv("TANDEM_SOURCE_DIR");
  const std::filesystem::path root = source ? std::filesystem::path(source)
                                            : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  return (root / "examples" / name).string();
}

}  // namespace tandem::onnx_test
