// prepare_dispatch's choice of work-group size for launches that leave it to the context.
#include <gtest/gtest.h>

#include <algorithm>

#include "opencl/context.h"
#include "opencl/node_context.h"
#include "opencl/op_test_support.h"
#include "opencl/program.h"

namespace tandem::opencl {
namespace {

using namespace testing;

// 128 by default; a launch's preferred size where it gives one, halved until the kernel and
// the device allow it.
TEST(NodeContextOpenCl, GroupSizeFollowsThePreferenceWithinTheLimit) {
  const ClDevice device = find_device(test_device());
  const ClContext context = shared_context(device);
  const ClProgram program =
      build_from_source(context.get(), device.device, "touch.cl",
                        "kernel void touch(global float* y) { y[get_global_id(0)] = 1; }", "");
  PendingDispatch pending{"touch.cl", "touch", {}, "node 'touch'", [](cl_kernel) {}};
  pending.range.global[0] = 1000;

  const Dispatch chosen = prepare_dispatch(pending, program.get(), device);
  ASSERT_GE(chosen.group_limit, 2u);
  EXPECT_EQ(chosen.local[0], std::min<std::size_t>(128, chosen.group_limit));
  EXPECT_EQ(chosen.global[0] % chosen.local[0], 0u);
  EXPECT_TRUE(chosen.tunable);

  pending.range.preferred_group = chosen.group_limit / 2;
  EXPECT_EQ(prepare_dispatch(pending, program.get(), device).local[0], chosen.group_limit / 2);
  pending.range.preferred_group = chosen.group_limit * 4;
  EXPECT_EQ(prepare_dispatch(pending, program.get(), device).local[0], chosen.group_limit);
}

}  // namespace
}  // namespace tandem::opencl
