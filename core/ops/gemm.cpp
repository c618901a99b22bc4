// Gemm and MatMul: schemas, shape inference and float64 reference kernels.
#include "core/op_registry.h"
#include "core/ops/broadcast.h"

namespace tandem {
namespace {

void check_float_operands(const InferContext& context) {
  const DType dtype = context.input(0).dtype;
  if (!is_float(dtype)) {
    throw Unsupported(context.node.label() + ": " + dtype_name(dtype) +
                      " input is not supported (float types only)");
  }
  for (std::size_t i = 1; i < context.inputs.size(); ++i) {
    if (!context.has_input(i)) continue;
    check(context.inputs[i].dtype == dtype,
          context.node.label() + ": input " + std::to_string(i) + " is " +
              dtype_name(context.inputs[i].dtype) + ", expected " + dtype_name(dtype));
  }
}

// C[m, n] (+)= sum_k A[m, k] * B[k, n] for row-major operands addressed through strides,
// so transposed operands need no copy. Loops run m-k-n to keep the inner loop contiguous in
// B and C when B is not transposed.
struct MatrixView {
  const double* data;
  std::int64_t row_stride;
  std::int64_t column_stride;
  double at(std::int64_t row, std::int64_t column) const {
    return data[row * row_stride + column * column_stride];
  }
};

void multiply_accumulate(MatrixView a, MatrixView b, double scale, double* c, std::int64_t m,
                         std::int64_t k, std::int64_t n) {
  for (std::int64_t i = 0; i < m; ++i) {
    double* c_row = c + i * n;
    for (std::int64_t p = 0; p < k; ++p) {
      const double a_ip = scale * a.at(i, p);
      for (std::int64_t j = 0; j < n; ++j) c_row[j] += a_ip * b.at(p, j);
    }
  }
}

// ---- Gemm ------------------------------------------------------------------------------

struct GemmShape {
  std::int64_t m = 0, k = 0, n = 0;
  bool trans_a = false, trans_b = false;
};

bool read_flag(const Node& node, const char* name) {
  const std::int64_t value = node.attributes.get_int(name, 0);
  check(value == 0 || value == 1,
        node.label() + ": " + name + " must be 0 or 1, got " + std::to_string(value));
  return value == 1;
}

GemmShape resolve_gemm(const Node& node, const Shape& a, const Shape& b) {
  check(a.size() == 2, node.label() + ": A " + shape_to_string(a) + " must be a matrix");
  check(b.size() == 2, node.label() + ": B " + shape_to_string(b) + " must be a matrix");
  GemmShape shape;
  shape.trans_a = read_flag(node, "transA");
  shape.trans_b = read_flag(node, "transB");
  shape.m = shape.trans_a ? a[1] : a[0];
  shape.k = shape.trans_a ? a[0] : a[1];
  shape.n = shape.trans_b ? b[0] : b[1];
  const std::int64_t b_k = shape.trans_b ? b[1] : b[0];
  check(shape.k == b_k, node.label() + ": inner dimensions differ: A " + shape_to_string(a) +
                            (shape.trans_a ? " (transposed)" : "") + ", B " + shape_to_string(b) +
                            (shape.trans_b ? " (transposed)" : ""));
  return shape;
}

std::vector<TensorInfo> infer_gemm(const InferContext& context) {
  check_float_operands(context);
  const GemmShape shape = resolve_gemm(context.node, context.input(0).shape, context.input(1).shape);
  const Shape output = {shape.m, shape.n};
  if (context.has_input(2)) {
    check(broadcasts_to(context.inputs[2].shape, output),
          context.node.label() + ": C " + shape_to_string(context.inputs[2].shape) +
              " does not broadcast to the output " + shape_to_string(output));
  }
  return {TensorInfo{context.input(0).dtype, output}};
}

void gemm_reference(const RefContext& context) {
  const Node& node = context.node;
  const Tensor& a = *context.inputs[0];
  const Tensor& b = *context.inputs[1];
  const Tensor* c = context.inputs.size() > 2 ? context.inputs[2] : nullptr;
  const GemmShape shape = resolve_gemm(node, a.shape(), b.shape());
  const double alpha = node.attributes.get_float("alpha", 1.0);
  const double beta = node.attributes.get_float("beta", 1.0);
  std::span<double> y = context.outputs[0].data<double>();
  if (c) {
    const std::vector<std::int64_t> offsets = broadcast_offsets(c->shape(), {shape.m, shape.n});
    const std::span<const double> c_data = c->data<double>();
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = beta * c_data[static_cast<std::size_t>(offsets[i])];
  } else {
    std::fill(y.begin(), y.end(), 0.0);
  }
  const MatrixView a_view = shape.trans_a ? MatrixView{a.data<double>().data(), 1, shape.m}
                                          : MatrixView{a.data<double>().data(), shape.k, 1};
  const MatrixView b_view = shape.trans_b ? MatrixView{b.data<double>().data(), 1, shape.k}
                                          : MatrixView{b.data<double>().data(), shape.n, 1};
  multiply_accumulate(a_view, b_view, alpha, y.data(), shape.m, shape.k, shape.n);
}

void validate_gemm(const Node& node) {
  read_flag(node, "transA");
  read_flag(node, "transB");
}

OpSchema make_gemm_schema() {
  OpSchema schema;
  schema.op_type = "Gemm";
  schema.min_inputs = 2;
  schema.max_inputs = 3;
  schema.attributes = {{"alpha", AttrKind::Float},
                       {"beta", AttrKind::Float},
                       {"transA", AttrKind::Int},
                       {"transB", AttrKind::Int}};
  schema.validate = validate_gemm;
  schema.infer = infer_gemm;
  schema.reference = gemm_reference;
  return schema;
}

// ---- MatMul ------------------------------------------------------------------------------

// numpy.matmul's shapes: a 1-D A is a row [1, K] and a 1-D B a column [K, 1], and the
// added dimension is dropped from the result; leading (batch) dimensions broadcast.
struct MatMulShape {
  Shape batch;                  // broadcast batch shape of the output
  Shape a_batch, b_batch;       // each operand's own batch dimensions
  std::int64_t m = 1, k = 1, n = 1;
  Shape output;
};

MatMulShape resolve_matmul(const Node& node, const Shape& a, const Shape& b) {
  check(!a.empty() && !b.empty(), node.label() + ": operands " + shape_to_string(a) + " and " +
                                      shape_to_string(b) + " must have rank >= 1");
  MatMulShape shape;
  const bool a_vector = a.size() == 1;
  const bool b_vector = b.size() == 1;
  shape.m = a_vector ? 1 : a[a.size() - 2];
  shape.k = a.back();
  const std::int64_t b_k = b_vector ? b[0] : b[b.size() - 2];
  shape.n = b_vector ? 1 : b.back();
  check(shape.k == b_k, node.label() + ": inner dimensions of " + shape_to_string(a) + " and " +
                            shape_to_string(b) + " differ");
  shape.a_batch = a_vector ? Shape{} : Shape(a.begin(), a.end() - 2);
  shape.b_batch = b_vector ? Shape{} : Shape(b.begin(), b.end() - 2);
  shape.batch = broadcast_shape(shape.a_batch, shape.b_batch, node.label());
  shape.output = shape.batch;
  if (!a_vector) shape.output.push_back(shape.m);
  if (!b_vector) shape.output.push_back(shape.n);
  return shape;
}

std::vector<TensorInfo> infer_matmul(const InferContext& context) {
  check_float_operands(context);
  const MatMulShape shape =
      resolve_matmul(context.node, context.input(0).shape, context.input(1).shape);
  return {TensorInfo{context.input(0).dtype, shape.output}};
}

void matmul_reference(const RefContext& context) {
  const Tensor& a = *context.inputs[0];
  const Tensor& b = *context.inputs[1];
  const MatMulShape shape = resolve_matmul(context.node, a.shape(), b.shape());
  const std::vector<std::int64_t> a_batches = broadcast_offsets(shape.a_batch, shape.batch);
  const std::vector<std::int64_t> b_batches = broadcast_offsets(shape.b_batch, shape.batch);
  std::span<double> y = context.outputs[0].data<double>();
  std::fill(y.begin(), y.end(), 0.0);
  const std::int64_t m = shape.m, k = shape.k, n = shape.n;
  for (std::size_t batch = 0; batch < a_batches.size(); ++batch) {
    const MatrixView a_view{a.data<double>().data() + a_batches[batch] * m * k, k, 1};
    const MatrixView b_view{b.data<double>().data() + b_batches[batch] * k * n, n, 1};
    multiply_accumulate(a_view, b_view, 1.0, y.data() + static_cast<std::int64_t>(batch) * m * n,
                        m, k, n);
  }
}

OpSchema make_matmul_schema() {
  OpSchema schema;
  schema.op_type = "MatMul";
  schema.min_inputs = 2;
  schema.max_inputs = 2;
  schema.infer = infer_matmul;
  schema.reference = matmul_reference;
  return schema;
}

}  // namespace

TANDEM_REGISTER_OP(make_gemm_schema);
TANDEM_REGISTER_OP(make_matmul_schema);

}  // namespace tandem
