#pragma once
// Why long loops are spread over a workgroup: lavapipe (Mesa's gallivm, up to at least 22.3)
// counts the loop iterations of an invocation, all loops of the shader together, and silently
// ends every loop once the count reaches 65535 (LP_MAX_TGSI_LOOP_ITERATIONS). An invocation
// that walks a long line alone (a reduction, a softmax axis, a LayerNormalization row, a
// convolution's taps) stops part-way and writes a wrong result, with no error. So a shader
// whose trip count follows a tensor size either keeps it under the limit or gives each long
// line a workgroup whose lanes stride over it (shaders/group_reduce.glsl), sized here.
#include <cstdint>

#include "vulkan/node_context.h"

namespace tandem::vulkan {

// Half of lavapipe's 65535, leaving room for index loops and the shared-memory tree.
inline constexpr std::int64_t kMaxStepsPerInvocation = 32768;
// Lines this short keep one invocation each: a workgroup would idle most of its lanes.
inline constexpr std::int64_t kShortLine = 32;
// The shared arrays of group_reduce.glsl and reduce.comp hold this many lanes.
inline constexpr std::int64_t kMaxGroupSize = 1024;

// The power-of-two workgroup size for one line of `length` elements that a lane walks
// `passes` times: about 16 elements per lane, 32 to 256 lanes (a warp up to what fills a GPU
// core), more where a lane would otherwise exceed kMaxStepsPerInvocation. Unsupported when
// even the device's largest workgroup leaves a lane too many steps.
std::uint32_t line_group_size(NodeContext& context, std::int64_t length, std::int64_t passes = 1);

}  // namespace tandem::vulkan
