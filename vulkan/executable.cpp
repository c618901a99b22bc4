#include "vulkan/executable.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/log.h"
#include "vulkan/command_recording.h"
#include "vulkan/op_table.h"
#include "vulkan/pipeline_cache.h"

namespace tandem::vulkan {
namespace {

std::int64_t align_up(std::int64_t value, std::int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// Every tensor that exists at run time lives in the arena as float32.
void check_runtime_types(const Plan& plan) {
  const Graph& graph = plan.graph;
  auto check_value = [&](ValueId id, const std::string& where) {
    if (id == kNoValue || graph.value(id).constant) return;
    const DType dtype = plan.info_of(id).dtype;
    if (dtype != DType::F32) {
      throw Unsupported(where + ": value '" + graph.value(id).name + "' is " + dtype_name(dtype) +
                        " at run time; the vulkan backend computes in float32 only");
    }
  };
  for (ValueId id : graph.inputs()) check_value(id, "graph input");
  for (const Node& node : graph.nodes()) {
    for (ValueId id : node.inputs) check_value(id, node.label());
    for (ValueId id : node.outputs) check_value(id, node.label());
  }
}

std::vector<Dispatch> record_nodes(const Plan& plan, ConstantPool& constants,
                                   const PhysicalDevice& physical, std::int64_t& arena_bytes) {
  std::vector<Dispatch> dispatches;
  for (const Node& node : plan.graph.nodes()) {
    const OpImplementation* op = OpTable::instance().find(node.op_type);
    if (op == nullptr) {
      throw Unsupported(node.label() + ": op " + node.op_type + " has no vulkan shader");
    }
    NodeContext context(plan, node, op->shader, constants, dispatches, physical, arena_bytes);
    op->compile(context);
  }
  return dispatches;
}

}  // namespace

VulkanExecutable::VulkanExecutable(std::shared_ptr<VulkanDevice> device, const Plan& plan,
                                   const CompileOptions& options)
    : device_(std::move(device)), placement_(data_placement(device_->physical())) {
  check_runtime_types(plan);
  ConstantPool constants;
  std::int64_t arena_bytes = plan.memory.arena_bytes;  // grows by any node's scratch
  const std::vector<Dispatch> dispatches =
      record_nodes(plan, constants, device_->physical(), arena_bytes);

  VkCommandPoolCreateInfo pool{};
  pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = device_->physical().compute_queue_family;
  VkCommandPool pool_handle = VK_NULL_HANDLE;
  check_vk(vkCreateCommandPool(device_->get(), &pool, nullptr, &pool_handle),
           "vkCreateCommandPool");
  command_pool_ = CommandPool(device_->get(), pool_handle);
  VkFenceCreateInfo fence{};
  fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fence_handle = VK_NULL_HANDLE;
  check_vk(vkCreateFence(device_->get(), &fence, nullptr, &fence_handle), "vkCreateFence");
  fence_ = Fence(device_->get(), fence_handle);

  bind_inputs_and_outputs(plan);
  create_buffers(arena_bytes, constants);
  create_timestamps();
  record(dispatches, create_pipelines(dispatches, options));
}

void VulkanExecutable::create_timestamps() {
  const PhysicalDevice& physical = device_->physical();
  std::uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical.handle, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physical.handle, &count, families.data());
  const std::uint32_t bits = physical.compute_queue_family < count
                                 ? families[physical.compute_queue_family].timestampValidBits
                                 : 0;
  if (bits == 0 || device_->limits().timestampPeriod <= 0) return;
  timestamp_mask_ = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  VkQueryPoolCreateInfo create{};
  create.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
  create.queryType = VK_QUERY_TYPE_TIMESTAMP;
  create.queryCount = 2;
  VkQueryPool handle = VK_NULL_HANDLE;
  check_vk(vkCreateQueryPool(device_->get(), &create, nullptr, &handle), "vkCreateQueryPool");
  timestamps_ = QueryPool(device_->get(), handle);
}

void VulkanExecutable::read_timestamps() {
  if (!timestamps_) return;
  std::uint64_t ticks[2] = {0, 0};
  const VkResult result =
      vkGetQueryPoolResults(device_->get(), timestamps_.get(), 0, 2, sizeof ticks, ticks,
                            sizeof ticks[0], VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
  if (result != VK_SUCCESS) {
    last_device_ms_ = -1.0;
    return;
  }
  const std::uint64_t elapsed = (ticks[1] - ticks[0]) & timestamp_mask_;
  last_device_ms_ = static_cast<double>(elapsed) * device_->limits().timestampPeriod * 1e-6;
}

std::optional<double> VulkanExecutable::last_run_device_ms() const {
  const double ms = last_device_ms_;
  if (ms < 0) return std::nullopt;
  return ms;
}

void VulkanExecutable::bind_inputs_and_outputs(const Plan& plan) {
  const Graph& graph = plan.graph;
  const bool staged = placement_ == Placement::DeviceLocal;
  std::int64_t staging = 0;
  for (ValueId id : graph.inputs()) {
    HostBinding binding;
    binding.name = graph.value(id).name;
    binding.info = plan.info_of(id);
    binding.arena_offset = plan.memory.offset.at(static_cast<std::size_t>(id));
    binding.staging_offset = staging;
    if (staged && binding.arena_offset >= 0) {
      staging = align_up(staging + static_cast<std::int64_t>(binding.info.bytes()), 16);
    }
    inputs_.push_back(std::move(binding));
  }
  staging = 0;
  for (ValueId id : graph.outputs()) {
    HostBinding binding;
    binding.name = graph.value(id).name;
    binding.info = plan.info_of(id);
    if (graph.value(id).constant) {
      binding.constant = graph.value(id).constant->cast(DType::F32);
    } else {
      binding.arena_offset = plan.memory.offset.at(static_cast<std::size_t>(id));
      check(binding.arena_offset >= 0,
            "vulkan: graph output '" + binding.name + "' has no place in the memory plan");
      binding.staging_offset = staging;
      if (staged) staging = align_up(staging + static_cast<std::int64_t>(binding.info.bytes()), 16);
    }
    outputs_.push_back(std::move(binding));
  }
}

void VulkanExecutable::create_buffers(std::int64_t arena_bytes, const ConstantPool& constants) {
  const VkDeviceSize constant_bytes = std::max<std::size_t>(constants.words.size() * 4, 16);
  arena_ = DeviceBuffer(*device_, static_cast<VkDeviceSize>(std::max<std::int64_t>(arena_bytes, 16)),
                        placement_, "arena");
  constants_ = DeviceBuffer(*device_, constant_bytes, placement_, "weights");
  const auto* words = reinterpret_cast<const std::uint8_t*>(constants.words.data());
  write_buffer(*device_, command_pool_.get(), fence_.get(), constants_,
               {words, constants.words.size() * 4});
  if (placement_ == Placement::HostVisible) return;
  std::int64_t input_bytes = 16;
  for (const HostBinding& input : inputs_) {
    input_bytes =
        std::max(input_bytes, input.staging_offset + static_cast<std::int64_t>(input.info.bytes()));
  }
  std::int64_t output_bytes = 16;
  for (const HostBinding& output : outputs_) {
    output_bytes = std::max(output_bytes,
                            output.staging_offset + static_cast<std::int64_t>(output.info.bytes()));
  }
  input_staging_ = DeviceBuffer(*device_, input_bytes, Placement::HostVisible, "input staging");
  output_staging_ = DeviceBuffer(*device_, output_bytes, Placement::HostVisible, "output staging");
}

std::vector<const ComputePipeline*> VulkanExecutable::create_pipelines(
    const std::vector<Dispatch>& dispatches, const CompileOptions& options) {
  PipelineCache cache(*device_, options.cache);
  pipelines_ = std::make_unique<ComputePipelines>(*device_);
  std::vector<const ComputePipeline*> chosen;
  for (const Dispatch& dispatch : dispatches) {
    std::vector<std::int32_t> constants{static_cast<std::int32_t>(dispatch.workgroup_size)};
    constants.insert(constants.end(), dispatch.variant.begin(), dispatch.variant.end());
    chosen.push_back(&pipelines_->get(dispatch.shader,
                                      static_cast<std::uint32_t>(dispatch.bindings.size()),
                                      constants, cache.get()));
  }
  cache.account(pipelines_->tally());
  cache.save();
  cache_report_ = cache.report();
  log_debug("vulkan: " + std::to_string(pipelines_->pipeline_count()) + " pipelines, cache " +
            cache_status_name(cache_report_.status) + " (" + cache_report_.reason + ")");
  return chosen;
}

void VulkanExecutable::record(const std::vector<Dispatch>& dispatches,
                              const std::vector<const ComputePipeline*>& pipelines) {
  CommandRecorder recorder(*device_, command_pool_.get(), arena_, constants_, dispatches);
  recorder.time_compute(timestamps_.get());
  for (const HostBinding& input : inputs_) {
    if (input.arena_offset >= 0 && input_staging_) {
      recorder.copy_in(input_staging_, input.staging_offset, input.arena_offset,
                       input.info.bytes());
    }
  }
  recorder.begin_compute();
  for (std::size_t i = 0; i < dispatches.size(); ++i) {
    recorder.dispatch(dispatches[i], *pipelines[i]);
  }
  recorder.end_compute();
  for (const HostBinding& output : outputs_) {
    if (output.arena_offset >= 0 && output_staging_) {
      recorder.copy_out(output_staging_, output.arena_offset, output.staging_offset,
                        output.info.bytes());
    }
  }
  descriptor_pool_ = recorder.take_descriptor_pool();
  commands_ = recorder.finish();
}

std::vector<Tensor> VulkanExecutable::run(const std::vector<Tensor>& inputs) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  check(inputs.size() == inputs_.size(), [&] {
    return "vulkan: expected " + std::to_string(inputs_.size()) + " inputs, got " +
           std::to_string(inputs.size());
  });
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const HostBinding& binding = inputs_[i];
    const Tensor& given = inputs[i];
    check(given.shape() == binding.info.shape, [&] {
      return "vulkan: input '" + binding.name + "' has shape " + shape_to_string(given.shape()) +
             ", the plan was compiled for " + shape_to_string(binding.info.shape);
    });
    check(is_float(given.dtype()), [&] {
      return "vulkan: input '" + binding.name + "' is " + dtype_name(given.dtype()) +
             ", expected float32";
    });
    if (binding.arena_offset < 0) continue;
    Tensor cast;
    const Tensor& source = given.as_float32(cast);
    std::uint8_t* target = input_staging_ ? input_staging_.mapped() + binding.staging_offset
                                          : arena_.mapped() + binding.arena_offset;
    std::memcpy(target, source.raw(), source.bytes());
  }
  device_->submit_and_wait(commands_, fence_.get());
  read_timestamps();
  std::vector<Tensor> outputs;
  for (const HostBinding& binding : outputs_) {
    if (binding.constant) {
      outputs.push_back(*binding.constant);
      continue;
    }
    Tensor output(DType::F32, binding.info.shape);
    const std::uint8_t* source = output_staging_ ? output_staging_.mapped() + binding.staging_offset
                                                 : arena_.mapped() + binding.arena_offset;
    std::memcpy(output.raw(), source, output.bytes());
    outputs.push_back(std::move(output));
  }
  return outputs;
}

}  // namespace tandem::vulkan
