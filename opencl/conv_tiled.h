#pragma once
// Conv on GPUs as the implicit GEMM of kernels/conv_tiled.cl: per group, one product whose
// columns are the output positions of the whole batch. Picks the tiling, how B is read
// (CONV_MODE) and which operands are float4 rows (CONV_FLAGS), each choice its own program.
// CPUs keep gemm_tiled.cl's conv_blocked (opencl/conv.cpp).
#include <optional>
#include <string>
#include <vector>

#include "core/ops/conv_geometry.h"
#include "opencl/gemm.h"
#include "opencl/gemm_tiling.h"
#include "opencl/node_context.h"
#include "opencl/op_codes.h"

namespace tandem::opencl {

// The activation fused into a Conv, with its attributes.
struct ConvActivation {
  UnaryOp op = UnaryOp::Identity;
  float alpha = 0.0f;
  float beta = 0.0f;
};

// The window as [height, width]: a 1-D layer as one of height 1, a layer of 3 or more spatial
// dims (which only an unpadded 1x1 layer may be here) as 1 x 1, its positions read flat.
std::vector<WindowDim> window_2d(const ConvGeometry& geometry);

// How conv_tiled.cl reads B (kernels/conv_tiled.cl, CONV_MODE).
enum class ConvRead { Pointwise = 1, TapMajor = 2, Gather = 3 };

struct TiledConv {
  GemmTiling tiling;
  ConvRead read = ConvRead::Gather;
  cl_int operand_flags = 0;  // kAKMajor or kVecA, kVecB: CONV_FLAGS
  std::int64_t splits = 1;   // split-K (choose_conv_split): parts of K, each `depth` deep
  std::int64_t depth = 0;
  // A split's blocks per compute unit, or an unsplit program's (conv_blocks_per_unit), hold
  // only if its items fit their share of registers (register_cap): NVIDIA's compiler, left
  // alone, gave the 64 x 128 / 8 x 8 split program 189 registers, two blocks a multiprocessor
  // where the split counted three. 0: no cap.
  int max_registers = 0;

  // "conv_tiled.cl[64x128x16/4x8/local/tap-major/k-major]", "...[.../vec-a]",
  // "...[.../split-k/168-registers]"
  std::string program_name() const;
  ProgramRequest program() const;
};

// The program a layer runs with on a GPU-style device (a tiling with local tiles), or none:
// CPUs, 3-D layers other than unpadded 1x1, layers too small for whole blocks.
// `constant_weights`: the weights are known at compile time, so they can be reordered.
std::optional<TiledConv> tiled_conv(const ClDevice& device, const ConvGeometry& geometry,
                                    bool constant_weights);

void compile_tiled_conv(NodeContext& context, const ConvGeometry& geometry, const TiledConv& conv,
                        const ConvActivation& activation);

}  // namespace tandem::opencl
