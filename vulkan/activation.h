#pragma once
// Activation codes shared with shaders/common.glsl apply_activation(): the eltwise shader
// uses them for the standalone ops, the conv shader for activations fused into a Conv.
#include <string>
#include <vector>

namespace tandem::vulkan {

inline const std::vector<std::string>& fusable_activations() {
  // Index + 1 is the shader's code; 0 means none.
  static const std::vector<std::string> names = {"Relu",        "LeakyRelu", "Clip", "Sigmoid",
                                                 "HardSigmoid", "HardSwish", "Tanh"};
  return names;
}

// An activation fused into a Conv: its code (below) and attributes.
struct ConvActivation {
  int code = 0;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// 1..7 for the names above, 0 for none (""), -1 for anything else.
inline int activation_code(const std::string& name) {
  if (name.empty()) return 0;
  const std::vector<std::string>& names = fusable_activations();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i) + 1;
  }
  return -1;
}

}  // namespace tandem::vulkan
