// Golden references for the ONNX quantised operators (MatMulInteger, ConvInteger, QLinearMatMul,
// QLinearConv) and for MaxPool / AveragePool on 8-bit tensors. See docs/quantization.md §7.
//
// Every tensor is a shape plus int32 values, whatever its ONNX element type: a uint8 tensor holds
// 0..255, an int8 tensor -128..127, an int32 tensor anything. Layouts are row-major (C order);
// convolutions and pools take NCHW (2 spatial dimensions only).
// Every function throws std::invalid_argument on a bad shape, attribute or parameter.
#pragma once

#include <cstdint>
#include <vector>

namespace qilin::golden::onnx {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<int32_t> data;  // row-major; data.size() == product of shape (1 for shape {})
};

// Product of the dimensions (1 for a scalar shape {}). Throws on a negative dimension.
int64_t element_count(const std::vector<int64_t>& shape);

// The 8-bit element type of a quantised output.
enum class QType { kUInt8, kInt8 };

// Scales and zero points of one quantised tensor. Each vector holds one entry (per tensor) or
// one per row / column / output channel, as each operator allows. An empty zero_point means 0.
// Scales are float32, as ONNX stores them; they are widened to double before any arithmetic.
struct QuantParam {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
};

// How QLinear* turn the int32 accumulator into the 8-bit output.
enum class Rounding {
  // The ONNX definition, in double: y = sat(rne((acc + bias) * x_scale * w_scale / y_scale) + y_zp)
  // with rne = round half to even.
  kOnnxFloat,
  // The NPU: per output element's channel, real = x_scale * w_scale / y_scale (double) ->
  // quantize_multiplier -> requantize (saturating acc + bias, multiply_by_quantized_multiplier,
  // + y_zp, clamp to the type). Bit-exact with the RTL. Differs from kOnnxFloat by at most 1.
  kFixedPoint,
};

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Convolution attributes. An empty vector takes the ONNX default.
struct ConvAttrs {
  std::vector<int64_t> kernel_shape;  // [KH, KW]; default (and checked against) W's shape
  std::vector<int64_t> pads;          // [top, left, bottom, right]; default 0; kNotSet only
  std::vector<int64_t> strides;       // [SH, SW]; default 1
  std::vector<int64_t> dilations;     // [DH, DW]; default 1
  int64_t group = 1;
  AutoPad auto_pad = AutoPad::kNotSet;
};

// Pool attributes. kernel_shape is required; the others default as in ONNX.
struct PoolAttrs {
  std::vector<int64_t> kernel_shape;  // [KH, KW]
  std::vector<int64_t> pads;          // [top, left, bottom, right]; default 0; kNotSet only
  std::vector<int64_t> strides;       // default 1
  std::vector<int64_t> dilations;     // default 1
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;  // ceil: a last window must still start inside input or begin pad
  // AveragePool only. false: divide by the number of real input elements in the window.
  // true: also count padding positions (as value 0, the raw integer); windows that overhang
  // the padded input under ceil_mode count only up to the pad.
  bool count_include_pad = false;
};

// Resolved geometry along one spatial axis, as the operators use it (exposed for tests and the
// driver's shape checks): output size and the begin/end padding after auto_pad.
struct AxisGeometry {
  int64_t out;
  int64_t pad_begin;
  int64_t pad_end;
};
// in: input size; k: kernel size; s: stride; d: dilation; pads: explicit begin/end (kNotSet).
AxisGeometry resolve_axis(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad_begin,
                          int64_t pad_end, AutoPad auto_pad, bool ceil_mode);

// MatMulInteger: Y = (A - a_zp) x (B - b_zp), int32. A is [..., M, K], B is [..., K, N] (rank
// >= 2 each; leading batch dimensions broadcast as in numpy.matmul). a_zp: empty, 1 entry or M
// entries (per row); b_zp: empty, 1 entry or N entries (per column); the same zero points apply
// to every batch. Accumulates in int64 and throws std::overflow_error if a result leaves int32.
Tensor matmul_integer(const Tensor& a, const Tensor& b, const std::vector<int32_t>& a_zp,
                      const std::vector<int32_t>& b_zp);

// ConvInteger: Y[N, M, OH, OW] = sum over c, kh, kw of (X - x_zp) * (W - w_zp[m]), int32, with
// X [N, C, H, W] and W [M, C/group, KH, KW]. Padding stands for x_zp (a real zero), so padded
// taps add nothing. w_zp: empty, 1 entry or M entries (per output channel).
Tensor conv_integer(const Tensor& x, const Tensor& w, int32_t x_zp,
                    const std::vector<int32_t>& w_zp, const ConvAttrs& attrs);

// QLinearMatMul: a [..., M, K] with a_q (scale and zp: 1 or M entries), b [..., K, N] with b_q
// (1 or N entries), y_q one entry each. Output values lie in y_type's range.
Tensor qlinear_matmul(const Tensor& a, const QuantParam& a_q, const Tensor& b,
                      const QuantParam& b_q, const QuantParam& y_q, QType y_type,
                      Rounding rounding);

// QLinearConv: x_q and y_q per tensor (1 entry), w_q 1 or M entries. bias: empty (none) or M
// int32 values with scale x_scale * w_scale[m] and zero point 0, added to the accumulator.
Tensor qlinear_conv(const Tensor& x, const QuantParam& x_q, const Tensor& w, const QuantParam& w_q,
                    const QuantParam& y_q, const std::vector<int32_t>& bias, const ConvAttrs& attrs,
                    QType y_type, Rounding rounding);

// MaxPool on an NCHW tensor: the maximum over the real input elements of each window (padding
// never wins). The output has x's element type. Throws if a window holds no input element.
Tensor max_pool(const Tensor& x, const PoolAttrs& attrs);

// AveragePool on an NCHW integer tensor: sum / count, with the quotient rounded to nearest,
// ties away from zero (7.5 -> 8, -7.5 -> -8), in exact integer arithmetic. This is the NPU's
// rounding; ONNX itself defines AveragePool on floats only. No zero point is involved: the mean
// of raw values equals the raw value of the mean (for count_include_pad = false).
Tensor average_pool(const Tensor& x, const PoolAttrs& attrs);

// Round-to-nearest, ties to even, of a double (no dependence on the floating-point environment).
double round_half_even(double v);

// sum / count rounded to nearest, ties away from zero; count > 0.
int64_t divide_round_half_away(int64_t sum, int64_t count);

}  // namespace qilin::golden::onnx
