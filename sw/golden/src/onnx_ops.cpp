// Golden ONNX quantised operators: direct loops over the operator definitions, int64
// accumulation, and the two requantisation variants (ONNX float, NPU fixed point).
#include "qilin/golden/onnx_ops.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "qilin/golden/requant.h"

namespace qilin::golden::onnx {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

void check_tensor(const Tensor& t, const char* op, const char* name) {
  if (static_cast<int64_t>(t.data.size()) != element_count(t.shape)) {
    fail(std::string(op) + ": " + name + " has " + std::to_string(t.data.size()) +
         " values but its shape holds " + std::to_string(element_count(t.shape)));
  }
}

int32_t checked_s32(int64_t v, const char* op) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    throw std::overflow_error(std::string(op) + ": int32 accumulator overflow");
  }
  return static_cast<int32_t>(v);
}

int32_t type_min(QType t) { return t == QType::kInt8 ? -128 : 0; }
int32_t type_max(QType t) { return t == QType::kInt8 ? 127 : 255; }

// Entry i of a per-tensor (1 entry) or per-axis (n entries) vector; empty gives dflt.
template <typename T>
T pick(const std::vector<T>& v, int64_t i, T dflt) {
  if (v.empty()) return dflt;
  return v.size() == 1 ? v[0] : v[static_cast<std::size_t>(i)];
}

template <typename T>
void check_axis_vector(const std::vector<T>& v, int64_t n, bool allow_empty, const char* op,
                       const char* name) {
  const auto size = static_cast<int64_t>(v.size());
  if ((size == 0 && !allow_empty) || (size > 1 && size != n)) {
    fail(std::string(op) + ": " + name + " needs " + (allow_empty ? "0, " : "") + "1 or " +
         std::to_string(n) + " entries, has " + std::to_string(size));
  }
}

// A 2-element spatial attribute, or {dflt, dflt} when empty.
std::vector<int64_t> pair_or(const std::vector<int64_t>& v, int64_t dflt, const char* op,
                             const char* name) {
  if (v.empty()) return {dflt, dflt};
  if (v.size() != 2) fail(std::string(op) + ": " + name + " needs 2 entries");
  return v;
}

struct Geometry2d {
  int64_t kh, kw, sh, sw, dh, dw;
  AxisGeometry y, x;
};

Geometry2d resolve_2d(int64_t h, int64_t w, const std::vector<int64_t>& kernel,
                      const std::vector<int64_t>& pads_in, const std::vector<int64_t>& strides_in,
                      const std::vector<int64_t>& dilations_in, AutoPad auto_pad, bool ceil_mode,
                      const char* op) {
  if (kernel.size() != 2) fail(std::string(op) + ": kernel_shape needs 2 entries");
  const auto strides = pair_or(strides_in, 1, op, "strides");
  const auto dilations = pair_or(dilations_in, 1, op, "dilations");
  std::vector<int64_t> pads = pads_in.empty() ? std::vector<int64_t>(4, 0) : pads_in;
  if (pads.size() != 4) fail(std::string(op) + ": pads needs 4 entries [top, left, bottom, right]");
  if (auto_pad != AutoPad::kNotSet &&
      std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; })) {
    fail(std::string(op) + ": explicit pads need auto_pad NOTSET");
  }
  Geometry2d g{kernel[0], kernel[1], strides[0], strides[1], dilations[0], dilations[1], {}, {}};
  g.y = resolve_axis(h, g.kh, g.sh, g.dh, pads[0], pads[2], auto_pad, ceil_mode);
  g.x = resolve_axis(w, g.kw, g.sw, g.dw, pads[1], pads[3], auto_pad, ceil_mode);
  return g;
}

// round(acc_real / y_scale) + y_zp saturated, the ONNX way, in double.
int32_t requant_float(int64_t acc_plus_bias, double in_scale_product, double y_scale, int32_t y_zp,
                      QType y_type) {
  const double acc_real = static_cast<double>(acc_plus_bias) * in_scale_product;
  const double y = round_half_even(acc_real / y_scale) + y_zp;
  return static_cast<int32_t>(
      std::clamp(y, static_cast<double>(type_min(y_type)), static_cast<double>(type_max(y_type))));
}

// The NPU's requantisation via the golden requantize (saturating acc + bias).
int32_t requant_fixed(int32_t acc, int32_t bias, double real, int32_t y_zp, QType y_type) {
  RequantParams p{quantize_multiplier(real), y_zp, type_min(y_type), type_max(y_type),
                  y_type == QType::kInt8};
  const uint8_t raw = requantize(acc, bias, p);
  return y_type == QType::kInt8 ? static_cast<int32_t>(static_cast<int8_t>(raw))
                                : static_cast<int32_t>(raw);
}

void check_scales(const std::vector<float>& s, const char* op, const char* name) {
  for (float v : s) {
    if (!(std::isfinite(v) && v > 0.0f)) fail(std::string(op) + ": " + name + " must be > 0");
  }
}

void check_y_q(const QuantParam& y_q, QType y_type, const char* op) {
  if (y_q.scale.size() != 1 || y_q.zero_point.size() > 1) {
    fail(std::string(op) + ": y_scale and y_zero_point are per tensor");
  }
  check_scales(y_q.scale, op, "y_scale");
  const int32_t zp = pick(y_q.zero_point, 0, 0);
  if (zp < type_min(y_type) || zp > type_max(y_type)) {
    fail(std::string(op) + ": y_zero_point outside the output type");
  }
}

}  // namespace

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) fail("negative dimension in a shape");
    n *= d;
  }
  return n;
}

double round_half_even(double v) {
  const double f = std::floor(v);
  const double diff = v - f;  // exact for |v| < 2^52
  if (diff > 0.5) return f + 1.0;
  if (diff < 0.5) return f;
  return std::fmod(f, 2.0) == 0.0 ? f : f + 1.0;
}

int64_t divide_round_half_away(int64_t sum, int64_t count) {
  if (count <= 0) fail("divide_round_half_away: count must be > 0");
  // (|sum| + floor(count / 2)) / count rounds |sum| / count half up: for an even count the
  // tie rounds up, for an odd count there is no tie and floor(count / 2) / count < 1/2.
  const int64_t mag = ((sum < 0 ? -sum : sum) + count / 2) / count;
  return sum < 0 ? -mag : mag;
}

AxisGeometry resolve_axis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad_begin,
                          int64_t pad_end, AutoPad auto_pad, bool ceil_mode) {
  if (in < 1 || k < 1 || s < 1 || d < 1 || pad_begin < 0 || pad_end < 0) {
    fail("resolve_axis: need input, kernel, stride, dilation >= 1 and pads >= 0");
  }
  const int64_t dk = (k - 1) * d + 1;  // dilated kernel extent
  AxisGeometry g{0, 0, 0};
  switch (auto_pad) {
    case AutoPad::kSameUpper:
    case AutoPad::kSameLower: {
      g.out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (g.out - 1) * s + dk - in);
      const int64_t small = total / 2;
      g.pad_begin = auto_pad == AutoPad::kSameUpper ? small : total - small;
      g.pad_end = total - g.pad_begin;
      return g;
    }
    case AutoPad::kValid:
      if (in < dk) fail("resolve_axis: VALID window larger than the input");
      g.out = (in - dk) / s + 1;
      return g;
    case AutoPad::kNotSet:
    default: {
      g.pad_begin = pad_begin;
      g.pad_end = pad_end;
      const int64_t span = in + pad_begin + pad_end - dk;
      if (span < 0) fail("resolve_axis: window larger than the padded input");
      g.out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
      // ceil_mode: a window that would start in the end padding is dropped.
      if (ceil_mode && (g.out - 1) * s >= in + pad_begin) --g.out;
      return g;
    }
  }
}

Tensor matmul_integer(const Tensor& a, const Tensor& b, const std::vector<int32_t>& a_zp,
                      const std::vector<int32_t>& b_zp) {
  const char* op = "matmul_integer";
  check_tensor(a, op, "A");
  check_tensor(b, op, "B");
  if (a.shape.size() < 2 || b.shape.size() < 2) fail("matmul_integer: A and B need rank >= 2");
  const int64_t M = a.shape[a.shape.size() - 2];
  const int64_t K = a.shape.back();
  const int64_t N = b.shape.back();
  if (b.shape[b.shape.size() - 2] != K) fail("matmul_integer: inner dimensions differ");
  check_axis_vector(a_zp, M, true, op, "a_zero_point");
  check_axis_vector(b_zp, N, true, op, "b_zero_point");

  // Broadcast the batch dimensions (all but the last two), aligned at the right.
  const std::size_t ra = a.shape.size() - 2;
  const std::size_t rb = b.shape.size() - 2;
  const std::size_t rank = std::max(ra, rb);
  std::vector<int64_t> batch(rank), stride_a(rank, 0), stride_b(rank, 0);
  int64_t sa = M * K, sb = K * N;
  for (std::size_t i = rank; i-- > 0;) {
    const int64_t da = i + ra >= rank ? a.shape[i + ra - rank] : 1;
    const int64_t db = i + rb >= rank ? b.shape[i + rb - rank] : 1;
    if (da != db && da != 1 && db != 1) fail("matmul_integer: batch dimensions do not broadcast");
    batch[i] = std::max(da, db);
    stride_a[i] = da == 1 ? 0 : sa;
    stride_b[i] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  Tensor y;
  y.shape = batch;
  y.shape.push_back(M);
  y.shape.push_back(N);
  const int64_t batches = element_count(batch);
  y.data.resize(static_cast<std::size_t>(batches * M * N));
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t off_a = 0, off_b = 0, rem = bi;
    for (std::size_t i = rank; i-- > 0;) {
      const int64_t idx = rem % batch[i];
      rem /= batch[i];
      off_a += idx * stride_a[i];
      off_b += idx * stride_b[i];
    }
    for (int64_t m = 0; m < M; ++m) {
      const int64_t za = pick(a_zp, m, 0);
      for (int64_t n = 0; n < N; ++n) {
        const int64_t zb = pick(b_zp, n, 0);
        int64_t acc = 0;
        for (int64_t k = 0; k < K; ++k) {
          acc += (a.data[static_cast<std::size_t>(off_a + m * K + k)] - za) *
                 (b.data[static_cast<std::size_t>(off_b + k * N + n)] - zb);
        }
        y.data[static_cast<std::size_t>((bi * M + m) * N + n)] = checked_s32(acc, op);
      }
    }
  }
  return y;
}

Tensor conv_integer(const Tensor& x, const Tensor& w, int32_t x_zp,
                    const std::vector<int32_t>& w_zp, const ConvAttrs& attrs) {
  const char* op = "conv_integer";
  check_tensor(x, op, "X");
  check_tensor(w, op, "W");
  if (x.shape.size() != 4 || w.shape.size() != 4) fail("conv_integer: X and W need rank 4");
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t M = w.shape[0], Cg = w.shape[1];
  const int64_t G = attrs.group;
  if (G < 1 || C % G != 0 || M % G != 0 || C / G != Cg) {
    fail("conv_integer: need group >= 1 dividing C and M, and W.shape[1] == C / group");
  }
  const std::vector<int64_t> kernel = attrs.kernel_shape.empty()
                                          ? std::vector<int64_t>{w.shape[2], w.shape[3]}
                                          : attrs.kernel_shape;
  if (kernel.size() != 2 || kernel[0] != w.shape[2] || kernel[1] != w.shape[3]) {
    fail("conv_integer: kernel_shape differs from W's spatial shape");
  }
  check_axis_vector(w_zp, M, true, op, "w_zero_point");
  const Geometry2d g = resolve_2d(H, W, kernel, attrs.pads, attrs.strides, attrs.dilations,
                                  attrs.auto_pad, false, op);
  const int64_t OH = g.y.out, OW = g.x.out, Mg = M / G;
  Tensor y;
  y.shape = {N, M, OH, OW};
  y.data.resize(static_cast<std::size_t>(element_count(y.shape)));
  std::size_t out = 0;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t m = 0; m < M; ++m) {
      const int64_t c0 = (m / Mg) * Cg;  // first input channel of m's group
      const int64_t zw = pick(w_zp, m, 0);
      for (int64_t oh = 0; oh < OH; ++oh) {
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t acc = 0;
          for (int64_t c = 0; c < Cg; ++c) {
            for (int64_t kh = 0; kh < g.kh; ++kh) {
              const int64_t ih = oh * g.sh - g.y.pad_begin + kh * g.dh;
              if (ih < 0 || ih >= H) continue;  // padding: x_zp - x_zp = 0
              for (int64_t kw = 0; kw < g.kw; ++kw) {
                const int64_t iw = ow * g.sw - g.x.pad_begin + kw * g.dw;
                if (iw < 0 || iw >= W) continue;
                const int64_t xv =
                    x.data[static_cast<std::size_t>(((n * C + c0 + c) * H + ih) * W + iw)];
                const int64_t wv =
                    w.data[static_cast<std::size_t>(((m * Cg + c) * g.kh + kh) * g.kw + kw)];
                acc += (xv - x_zp) * (wv - zw);
              }
            }
          }
          y.data[out++] = checked_s32(acc, op);
        }
      }
    }
  }
  return y;
}

Tensor qlinear_matmul(const Tensor& a, const QuantParam& a_q, const Tensor& b,
                      const QuantParam& b_q, const QuantParam& y_q, QType y_type,
                      Rounding rounding) {
  const char* op = "qlinear_matmul";
  check_y_q(y_q, y_type, op);
  if (a.shape.size() < 2 || b.shape.size() < 2) fail("qlinear_matmul: a and b need rank >= 2");
  const int64_t M = a.shape[a.shape.size() - 2];
  const int64_t N = b.shape.back();
  check_axis_vector(a_q.scale, M, false, op, "a_scale");
  check_axis_vector(b_q.scale, N, false, op, "b_scale");
  check_scales(a_q.scale, op, "a_scale");
  check_scales(b_q.scale, op, "b_scale");
  Tensor y = matmul_integer(a, b, a_q.zero_point, b_q.zero_point);
  const double ys = y_q.scale[0];
  const int32_t yzp = pick(y_q.zero_point, 0, 0);
  for (std::size_t i = 0; i < y.data.size(); ++i) {
    const int64_t n = static_cast<int64_t>(i) % N;
    const int64_t m = (static_cast<int64_t>(i) / N) % M;
    const double in_scale = static_cast<double>(pick(a_q.scale, m, 0.0f)) *
                            static_cast<double>(pick(b_q.scale, n, 0.0f));
    y.data[i] = rounding == Rounding::kOnnxFloat
                    ? requant_float(y.data[i], in_scale, ys, yzp, y_type)
                    : requant_fixed(y.data[i], 0, in_scale / ys, yzp, y_type);
  }
  return y;
}

Tensor qlinear_conv(const Tensor& x, const QuantParam& x_q, const Tensor& w, const QuantParam& w_q,
                    const QuantParam& y_q, const std::vector<int32_t>& bias, const ConvAttrs& attrs,
                    QType y_type, Rounding rounding) {
  const char* op = "qlinear_conv";
  check_y_q(y_q, y_type, op);
  if (x_q.scale.size() != 1 || x_q.zero_point.size() > 1) {
    fail("qlinear_conv: x_scale and x_zero_point are per tensor");
  }
  if (w.shape.size() != 4) fail("qlinear_conv: W needs rank 4");
  const int64_t M = w.shape[0];
  check_axis_vector(w_q.scale, M, false, op, "w_scale");
  check_scales(x_q.scale, op, "x_scale");
  check_scales(w_q.scale, op, "w_scale");
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != M) {
    fail("qlinear_conv: bias needs M entries");
  }
  Tensor y = conv_integer(x, w, pick(x_q.zero_point, 0, 0), w_q.zero_point, attrs);
  const int64_t plane = y.shape[2] * y.shape[3];
  const double xs = x_q.scale[0];
  const double ys = y_q.scale[0];
  const int32_t yzp = pick(y_q.zero_point, 0, 0);
  for (std::size_t i = 0; i < y.data.size(); ++i) {
    const int64_t m = (static_cast<int64_t>(i) / plane) % M;
    const int32_t bv = bias.empty() ? 0 : bias[static_cast<std::size_t>(m)];
    const double in_scale = xs * static_cast<double>(pick(w_q.scale, m, 0.0f));
    y.data[i] = rounding == Rounding::kOnnxFloat
                    ? requant_float(static_cast<int64_t>(y.data[i]) + bv, in_scale, ys, yzp, y_type)
                    : requant_fixed(y.data[i], bv, in_scale / ys, yzp, y_type);
  }
  return y;
}

namespace {

enum class PoolKind { kMax, kAverage };

Tensor pool(const Tensor& x, const PoolAttrs& attrs, PoolKind kind) {
  const char* op = kind == PoolKind::kMax ? "max_pool" : "average_pool";
  check_tensor(x, op, "X");
  if (x.shape.size() != 4) fail(std::string(op) + ": X needs rank 4 (NCHW)");
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const Geometry2d g = resolve_2d(H, W, attrs.kernel_shape, attrs.pads, attrs.strides,
                                  attrs.dilations, attrs.auto_pad, attrs.ceil_mode, op);
  const int64_t OH = g.y.out, OW = g.x.out;
  Tensor y;
  y.shape = {N, C, OH, OW};
  y.data.resize(static_cast<std::size_t>(element_count(y.shape)));
  std::size_t out = 0;
  for (int64_t nc = 0; nc < N * C; ++nc) {
    for (int64_t oh = 0; oh < OH; ++oh) {
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t sum = 0, count = 0, padded_count = 0;
        int32_t best = std::numeric_limits<int32_t>::min();
        for (int64_t kh = 0; kh < g.kh; ++kh) {
          const int64_t ih = oh * g.sh - g.y.pad_begin + kh * g.dh;
          const bool in_padded_h = ih >= -g.y.pad_begin && ih < H + g.y.pad_end;
          for (int64_t kw = 0; kw < g.kw; ++kw) {
            const int64_t iw = ow * g.sw - g.x.pad_begin + kw * g.dw;
            if (in_padded_h && iw >= -g.x.pad_begin && iw < W + g.x.pad_end) ++padded_count;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const int32_t v = x.data[static_cast<std::size_t>((nc * H + ih) * W + iw)];
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        }
        if (count == 0) fail(std::string(op) + ": a window holds no input element");
        y.data[out++] = kind == PoolKind::kMax
                            ? best
                            : static_cast<int32_t>(divide_round_half_away(
                                  sum, attrs.count_include_pad ? padded_count : count));
      }
    }
  }
  return y;
}

}  // namespace

Tensor max_pool(const Tensor& x, const PoolAttrs& attrs) { return pool(x, attrs, PoolKind::kMax); }

Tensor average_pool(const Tensor& x, const PoolAttrs& attrs) {
  return pool(x, attrs, PoolKind::kAverage);
}

}  // namespace qilin::golden::onnx
