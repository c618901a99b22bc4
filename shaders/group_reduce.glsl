// Workgroup-wide sum and max through shared memory, for the shaders that give one workgroup
// to each long line (softmax.comp, normalization.comp, conv.comp): each lane first walks
// every gl_WorkGroupSize.x-th element of the line, then the lanes' partial results are halved
// in a tree. No lane iterates more than line length / workgroup size times, which keeps long
// lines under lavapipe's loop limit (see vulkan/loop_limit.h), and float32 rounding grows
// with that walk plus log2(workgroup size), not with the line length.
//
// Power-of-two workgroups of at most kMaxGroupSize lanes (vulkan/loop_limit.cpp picks them).
// Every lane of the workgroup must call these, in uniform control flow (they hold barriers).

const uint kMaxGroupSize = 1024;

shared float group_values[kMaxGroupSize];

float group_sum(float value) {
  const uint lane = gl_LocalInvocationID.x;
  group_values[lane] = value;
  barrier();
  for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
    if (lane < stride) group_values[lane] += group_values[lane + stride];
    barrier();
  }
  const float total = group_values[0];
  barrier();  // every lane has read the total before a later call overwrites it
  return total;
}

float group_max(float value) {
  const uint lane = gl_LocalInvocationID.x;
  group_values[lane] = value;
  barrier();
  for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
    if (lane < stride) group_values[lane] = max(group_values[lane], group_values[lane + stride]);
    barrier();
  }
  const float largest = group_values[0];
  barrier();
  return largest;
}

// The workgroup's index in the host's 2-D grid of workgroups: the line it owns.
uint group_index() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
