// Workgroup-wide sum and max, for the shaders that give one workgroup to each long line
// (softmax.comp, normalization.comp, conv.comp, reduce.comp): each lane first walks every
// gl_WorkGroupSize.x-th element of the line, then the lanes' partial results are combined.
// No lane iterates more than line length / workgroup size times, which keeps long lines under
// lavapipe's loop limit (see vulkan/loop_limit.h), and float32 rounding grows with that walk
// plus log2(workgroup size), not with the line length.
//
// Two builds of each including shader (vulkan/CMakeLists.txt), picked per device by
// vulkan/pipelines.cpp: with SUBGROUP_REDUCE, for devices with subgroup arithmetic in compute
// shaders, subgroups combine their lanes in registers and only one value per subgroup goes
// through shared memory (a 32-lane NVIDIA warp needs no shared memory or barrier at all for
// one); without it, the lanes' values are halved in a tree in shared memory, log2(workgroup
// size) barriers.
//
// Power-of-two workgroups of at most kMaxGroupSize lanes (vulkan/loop_limit.cpp picks them).
// Every lane of the workgroup must call these, in uniform control flow (they hold barriers).
#ifdef SUBGROUP_REDUCE
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

const uint kMaxGroupSize = 1024;

shared float group_values[kMaxGroupSize];

#ifdef SUBGROUP_REDUCE

float subgroup_combine(float value, bool largest) {
  return largest ? subgroupMax(value) : subgroupAdd(value);
}

// Each level combines `count` values, gl_SubgroupSize per subgroup, into one per subgroup;
// subgroup s reads values s * gl_SubgroupSize onwards, which needs no assumption about how
// lanes are grouped into subgroups.
float group_combine(float value, bool largest) {
  float partial = subgroup_combine(value, largest);
  uint count = gl_NumSubgroups;
  while (count > 1) {  // uniform: the same count in every lane
    if (gl_SubgroupID < count && subgroupElect()) group_values[gl_SubgroupID] = partial;
    barrier();
    const uint slot = gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
    const float identity = largest ? -inf_value() : 0.0;
    partial = subgroup_combine(slot < count ? group_values[slot] : identity, largest);
    count = (count + gl_SubgroupSize - 1) / gl_SubgroupSize;
    barrier();  // every lane has read this level before the next one writes
  }
  if (gl_NumSubgroups == 1) return partial;
  // Only subgroup 0 holds the total now: hand it to the others.
  if (gl_SubgroupID == 0 && subgroupElect()) group_values[0] = partial;
  barrier();
  const float total = group_values[0];
  barrier();  // every lane has read the total before a later call overwrites it
  return total;
}

#else

float group_combine(float value, bool largest) {
  const uint lane = gl_LocalInvocationID.x;
  group_values[lane] = value;
  barrier();
  for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
    if (lane < stride) {
      const float other = group_values[lane + stride];
      group_values[lane] = largest ? max(group_values[lane], other) : group_values[lane] + other;
    }
    barrier();
  }
  const float total = group_values[0];
  barrier();  // every lane has read the total before a later call overwrites it
  return total;
}

#endif

float group_sum(float value) { return group_combine(value, false); }
float group_max(float value) { return group_combine(value, true); }

// The workgroup's index in the host's 2-D grid of workgroups: the line it owns.
uint group_index() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
