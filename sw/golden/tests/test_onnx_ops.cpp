// Tests for the ONNX operator references: the published ONNX operator examples (as test
// vectors), then random property checks: fixed point vs ONNX float within 1 LSB, grouped conv
// as per-group convs, conv vs an independent im2col + matmul_integer formulation.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "qilin/golden/onnx_ops.h"
#include "qilin/golden/rng.h"

using qilin::golden::Rng;
using namespace qilin::golden::onnx;

namespace {

// Float expectations from the ONNX examples, rounded half away from zero (the NPU's average).
std::vector<int32_t> round_away(const std::vector<double>& v) {
  std::vector<int32_t> r;
  for (double d : v) r.push_back(static_cast<int32_t>(std::round(d)));
  return r;
}

const Tensor kX5x5{{1, 1, 5, 5}, {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                  14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}};
const Tensor kX4x4{{1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

Tensor random_tensor(Rng& rng, std::vector<int64_t> shape, int32_t lo, int32_t hi) {
  Tensor t{std::move(shape), {}};
  t.data.resize(static_cast<std::size_t>(element_count(t.shape)));
  for (auto& v : t.data) v = static_cast<int32_t>(rng.uniform(lo, hi));
  return t;
}

// Convolution written a second way: explicit im2col (padding = x_zp) then matmul_integer per
// group, explicit pads only.
Tensor conv_via_im2col(const Tensor& x, const Tensor& w, int32_t x_zp,
                       const std::vector<int32_t>& w_zp, const std::vector<int64_t>& pads,
                       const std::vector<int64_t>& strides, const std::vector<int64_t>& dil,
                       int64_t group) {
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t M = w.shape[0], Cg = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  const int64_t OH = (H + pads[0] + pads[2] - ((KH - 1) * dil[0] + 1)) / strides[0] + 1;
  const int64_t OW = (W + pads[1] + pads[3] - ((KW - 1) * dil[1] + 1)) / strides[1] + 1;
  const int64_t Mg = M / group, K = Cg * KH * KW, rows = N * OH * OW;
  Tensor y{{N, M, OH, OW}, std::vector<int32_t>(static_cast<std::size_t>(N * M * OH * OW))};
  for (int64_t g = 0; g < group; ++g) {
    Tensor cols{{rows, K}, {}};
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow)
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * strides[0] + kh * dil[0] - pads[0];
                const int64_t iw = ow * strides[1] + kw * dil[1] - pads[1];
                const bool inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                cols.data.push_back(
                    inside
                        ? x.data[static_cast<std::size_t>(((n * C + g * Cg + c) * H + ih) * W + iw)]
                        : x_zp);
              }
    Tensor wt{{K, Mg}, std::vector<int32_t>(static_cast<std::size_t>(K * Mg))};
    std::vector<int32_t> bzp;
    for (int64_t j = 0; j < Mg; ++j) {
      const int64_t m = g * Mg + j;
      bzp.push_back(w_zp.size() == 1 ? w_zp[0] : w_zp[static_cast<std::size_t>(m)]);
      for (int64_t k = 0; k < K; ++k)
        wt.data[static_cast<std::size_t>(k * Mg + j)] = w.data[static_cast<std::size_t>(m * K + k)];
    }
    const Tensor r = matmul_integer(cols, wt, {x_zp}, bzp);
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t n = row / (OH * OW), pix = row % (OH * OW);
      for (int64_t j = 0; j < Mg; ++j)
        y.data[static_cast<std::size_t>((n * M + g * Mg + j) * OH * OW + pix)] =
            r.data[static_cast<std::size_t>(row * Mg + j)];
    }
  }
  return y;
}

}  // namespace

TEST_CASE("MatMulInteger: ONNX example", "[onnx_ops]") {
  const Tensor a{{4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}};
  const Tensor b{{3, 2}, {1, 4, 2, 5, 3, 6}};
  const Tensor y = matmul_integer(a, b, {12}, {0});
  CHECK(y.shape == std::vector<int64_t>{4, 2});
  CHECK(y.data == std::vector<int32_t>{-38, -83, -44, -98, -50, -113, -56, -128});
  // Per-row a_zp equal to the scalar gives the same; absent zero points mean 0.
  CHECK(matmul_integer(a, b, {12, 12, 12, 12}, {0, 0}).data == y.data);
  CHECK(matmul_integer(a, b, {}, {}).data == std::vector<int32_t>{34, 97, 28, 82, 22, 67, 16, 52});
}

TEST_CASE("QLinearMatMul: ONNX 2D and 3D examples", "[onnx_ops]") {
  const Tensor a{{2, 4}, {208, 236, 0, 238, 3, 214, 255, 29}};
  const Tensor b{{4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}};
  const QuantParam aq{{0.0066f}, {113}}, bq{{0.00705f}, {114}}, yq{{0.0107f}, {118}};
  const std::vector<int32_t> expected{168, 115, 255, 1, 66, 151};
  for (Rounding r : {Rounding::kOnnxFloat, Rounding::kFixedPoint}) {
    const Tensor y = qlinear_matmul(a, aq, b, bq, yq, QType::kUInt8, r);
    CHECK(y.shape == std::vector<int64_t>{2, 3});
    CHECK(y.data == expected);
  }
  // 3D: the same matrices stacked twice.
  Tensor a3{{2, 2, 4}, a.data}, b3{{2, 4, 3}, b.data};
  a3.data.insert(a3.data.end(), a.data.begin(), a.data.end());
  b3.data.insert(b3.data.end(), b.data.begin(), b.data.end());
  std::vector<int32_t> expected3 = expected;
  expected3.insert(expected3.end(), expected.begin(), expected.end());
  for (Rounding r : {Rounding::kOnnxFloat, Rounding::kFixedPoint}) {
    const Tensor y = qlinear_matmul(a3, aq, b3, bq, yq, QType::kUInt8, r);
    CHECK(y.shape == std::vector<int64_t>{2, 2, 3});
    CHECK(y.data == expected3);
  }
  // A 3D a against a 2D b broadcasts b.
  CHECK(qlinear_matmul(a3, aq, b, bq, yq, QType::kUInt8, Rounding::kOnnxFloat).data == expected3);
}

TEST_CASE("QLinearConv: ONNX example", "[onnx_ops]") {
  const Tensor x{{1, 1, 7, 7},
                 {255, 174, 162, 25,  203, 168, 58,  15,  59,  237, 95,  129, 0,  64,  56, 242, 153,
                  221, 168, 12,  166, 232, 178, 186, 195, 237, 162, 237, 188, 39, 124, 77, 80,  102,
                  43,  127, 230, 21,  83,  41,  40,  134, 255, 154, 92,  141, 42, 148, 247}};
  const Tensor w{{1, 1, 1, 1}, {0}};
  const QuantParam xq{{0.00369204697f}, {132}}, wq{{0.00172794575f}, {255}},
      yq{{0.00162681262f}, {123}};
  const std::vector<int32_t> expected{
      0,   81,  93,  230, 52,  87,  197, 240, 196, 18,  160, 126, 255, 191, 199, 13,  102,
      34,  87,  243, 89,  23,  77,  69,  60,  18,  93,  18,  67,  216, 131, 178, 175, 153,
      212, 128, 25,  234, 172, 214, 215, 121, 0,   101, 163, 114, 213, 107, 8};
  const Tensor yf = qlinear_conv(x, xq, w, wq, yq, {}, {}, QType::kUInt8, Rounding::kOnnxFloat);
  CHECK(yf.shape == std::vector<int64_t>{1, 1, 7, 7});
  CHECK(yf.data == expected);
  // The NPU's fixed-point requantisation happens to reproduce this example exactly too.
  const Tensor yx = qlinear_conv(x, xq, w, wq, yq, {}, {}, QType::kUInt8, Rounding::kFixedPoint);
  CHECK(yx.data == expected);
}

TEST_CASE("QLinearConv: bias, per-channel weights, int8 output, hand-computed", "[onnx_ops]") {
  // One pixel, two input channels, two output channels: acc = (x - 10) . (w - w_zp[m]).
  const Tensor x{{1, 2, 1, 1}, {30, 0}};  // x - 10 = {20, -10}
  const Tensor w{{2, 2, 1, 1}, {5, 3, -4, 6}};
  const QuantParam xq{{0.5f}, {10}}, wq{{0.25f, 0.125f}, {1, -2}}, yq{{1.0f}, {-3}};
  // m0: 20*4 + -10*2 = 60, + bias 10 = 70, * 0.5 * 0.25 = 8.75 -> 9, + -3 = 6.
  // m1: 20*-2 + -10*8 = -120, + bias -7 = -127, * 0.5 * 0.125 = -7.9375 -> -8, + -3 = -11.
  for (Rounding r : {Rounding::kOnnxFloat, Rounding::kFixedPoint}) {
    const Tensor y = qlinear_conv(x, xq, w, wq, yq, {10, -7}, {}, QType::kInt8, r);
    CHECK(y.data == std::vector<int32_t>{6, -11});
  }
  // Ties: ONNX rounds half to even; the fixed-point path rounds 2.5 up to 3.
  const QuantParam w1{{1.0f}, {0}}, y1{{1.0f}, {0}}, x1{{0.5f}, {0}};
  const Tensor xs{{1, 1, 1, 1}, {5}}, ws{{1, 1, 1, 1}, {1}};
  CHECK(qlinear_conv(xs, x1, ws, w1, y1, {}, {}, QType::kUInt8, Rounding::kOnnxFloat).data[0] == 2);
  CHECK(qlinear_conv(xs, x1, ws, w1, y1, {}, {}, QType::kUInt8, Rounding::kFixedPoint).data[0] ==
        3);
  // Saturation at both ends of int8.
  const Tensor big{{1, 1, 1, 1}, {127}}, neg{{1, 1, 1, 1}, {-128}};
  const QuantParam xb{{1.0f}, {0}}, wb{{1.0f}, {0}}, yb{{0.01f}, {0}};
  for (Rounding r : {Rounding::kOnnxFloat, Rounding::kFixedPoint}) {
    CHECK(qlinear_conv(big, xb, big, wb, yb, {}, {}, QType::kInt8, r).data[0] == 127);
    CHECK(qlinear_conv(neg, xb, big, wb, yb, {}, {}, QType::kInt8, r).data[0] == -128);
  }
}

TEST_CASE("ConvInteger: ONNX examples without and with padding", "[onnx_ops]") {
  const Tensor x{{1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10}};
  const Tensor w{{1, 1, 2, 2}, {1, 1, 1, 1}};
  const Tensor y = conv_integer(x, w, 1, {}, {});
  CHECK(y.shape == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(y.data == std::vector<int32_t>{12, 16, 24, 28});
  ConvAttrs padded;
  padded.pads = {1, 1, 1, 1};
  const Tensor yp = conv_integer(x, w, 1, {}, padded);
  CHECK(yp.shape == std::vector<int64_t>{1, 1, 4, 4});
  CHECK(yp.data == std::vector<int32_t>{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9});
}

TEST_CASE("ConvInteger: asymmetric pads, auto_pad, stride and dilation geometry", "[onnx_ops]") {
  const Tensor w{{1, 1, 3, 3}, std::vector<int32_t>(9, 1)};
  ConvAttrs a;
  a.pads = {1, 0, 0, 2};  // top 1, left 0, bottom 0, right 2
  Tensor y = conv_integer(kX5x5, w, 0, {}, a);
  CHECK(y.shape == std::vector<int64_t>{1, 1, 4, 5});
  CHECK(y.data[0] == 1 + 2 + 3 + 6 + 7 + 8);  // rows -1..1, cols 0..2
  CHECK(y.data[4] == 5 + 10);                 // cols 4..6: only col 4 exists
  ConvAttrs same;
  same.auto_pad = AutoPad::kSameUpper;
  same.strides = {2, 2};
  y = conv_integer(kX5x5, w, 0, {}, same);
  CHECK(y.shape == std::vector<int64_t>{1, 1, 3, 3});
  CHECK(y.data[0] == 1 + 2 + 6 + 7);
  CHECK(y.data[8] == 19 + 20 + 24 + 25);
  ConvAttrs dil;
  dil.dilations = {2, 2};
  y = conv_integer(kX5x5, w, 0, {}, dil);
  CHECK(y.shape == std::vector<int64_t>{1, 1, 1, 1});
  CHECK(y.data[0] == 1 + 3 + 5 + 11 + 13 + 15 + 21 + 23 + 25);
  // SAME_LOWER puts the odd padding at the beginning.
  const Tensor w2{{1, 1, 2, 2}, {1, 1, 1, 1}};
  ConvAttrs lower, upper;
  lower.auto_pad = AutoPad::kSameLower;
  upper.auto_pad = AutoPad::kSameUpper;
  CHECK(conv_integer(kX5x5, w2, 0, {}, lower).data[0] == 1);
  CHECK(conv_integer(kX5x5, w2, 0, {}, upper).data[0] == 1 + 2 + 6 + 7);
  ConvAttrs valid;
  valid.auto_pad = AutoPad::kValid;
  valid.strides = {2, 2};
  CHECK(conv_integer(kX5x5, w, 0, {}, valid).shape == std::vector<int64_t>{1, 1, 2, 2});
}

TEST_CASE("MaxPool: ONNX examples", "[onnx_ops]") {
  PoolAttrs p;
  p.kernel_shape = {5, 5};
  p.pads = {2, 2, 2, 2};
  Tensor y = max_pool(kX5x5, p);  // maxpool_2d_uint8 and maxpool_2d_precomputed_pads
  CHECK(y.shape == std::vector<int64_t>{1, 1, 5, 5});
  CHECK(y.data == std::vector<int32_t>{13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25,
                                       25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25});
  PoolAttrs s;
  s.kernel_shape = {2, 2};
  s.strides = {2, 2};
  CHECK(max_pool(kX5x5, s).data == std::vector<int32_t>{7, 9, 17, 19});
  PoolAttrs su;
  su.kernel_shape = {3, 3};
  su.strides = {2, 2};
  su.auto_pad = AutoPad::kSameUpper;
  CHECK(max_pool(kX5x5, su).data == std::vector<int32_t>{7, 9, 10, 17, 19, 20, 22, 24, 25});
  PoolAttrs c;
  c.kernel_shape = {3, 3};
  c.strides = {2, 2};
  c.ceil_mode = true;
  y = max_pool(kX4x4, c);
  CHECK(y.shape == std::vector<int64_t>{1, 1, 2, 2});
  CHECK(y.data == std::vector<int32_t>{11, 12, 15, 16});
  PoolAttrs d;
  d.kernel_shape = {2, 2};
  d.dilations = {2, 2};
  CHECK(max_pool(kX4x4, d).data == std::vector<int32_t>{11, 12, 15, 16});
  // int8 values: padding never wins even when every real value is negative.
  const Tensor neg{{1, 1, 2, 2}, {-100, -128, -7, -50}};
  PoolAttrs pn;
  pn.kernel_shape = {2, 2};
  pn.pads = {1, 1, 1, 1};
  CHECK(max_pool(neg, pn).data == std::vector<int32_t>{-100, -100, -128, -7, -7, -50, -7, -7, -50});
}

TEST_CASE("AveragePool: ONNX examples, rounded half away from zero", "[onnx_ops]") {
  PoolAttrs p;
  p.kernel_shape = {5, 5};
  p.pads = {2, 2, 2, 2};
  Tensor y = average_pool(kX5x5, p);
  CHECK(y.data == round_away({7,  7.5,  8,  8.5,  9,  9.5,  10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5,
                              14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19}));
  p.count_include_pad = true;
  y = average_pool(kX5x5, p);
  CHECK(y.data ==
        round_away({2.52, 3.6, 4.8,  4.08, 3.24, 4.56,  6.4,  8.4,  7.04, 5.52, 7.2,  10.0, 13.0,
                    10.8, 8.4, 6.96, 9.6,  12.4, 10.24, 7.92, 6.12, 8.4,  10.8, 8.88, 6.84}));
  PoolAttrs s;
  s.kernel_shape = {2, 2};
  s.strides = {2, 2};
  CHECK(average_pool(kX5x5, s).data == std::vector<int32_t>{4, 6, 14, 16});
  PoolAttrs su;
  su.kernel_shape = {3, 3};
  su.strides = {2, 2};
  su.auto_pad = AutoPad::kSameUpper;
  CHECK(average_pool(kX5x5, su).data == round_away({4, 5.5, 7, 11.5, 13, 14.5, 19, 20.5, 22}));
  PoolAttrs c;
  c.kernel_shape = {3, 3};
  c.strides = {2, 2};
  c.ceil_mode = true;
  CHECK(average_pool(kX4x4, c).data == round_away({6, 7.5, 12, 13.5}));
  // Negative sums round away from zero too: (-7 + -8) / 2 = -7.5 -> -8.
  const Tensor neg{{1, 1, 1, 2}, {-7, -8}};
  PoolAttrs k12;
  k12.kernel_shape = {1, 2};
  CHECK(average_pool(neg, k12).data == std::vector<int32_t>{-8});
}

TEST_CASE("Rounding helpers and axis geometry", "[onnx_ops]") {
  CHECK(round_half_even(2.5) == 2.0);
  CHECK(round_half_even(3.5) == 4.0);
  CHECK(round_half_even(-2.5) == -2.0);
  CHECK(round_half_even(-3.5) == -4.0);
  CHECK(round_half_even(-0.5) == 0.0);
  CHECK(round_half_even(1.4999) == 1.0);
  CHECK(round_half_even(-1.5001) == -2.0);
  CHECK(divide_round_half_away(15, 2) == 8);
  CHECK(divide_round_half_away(-15, 2) == -8);
  CHECK(divide_round_half_away(5, 3) == 2);
  CHECK(divide_round_half_away(-4, 3) == -1);
  CHECK(divide_round_half_away(0, 9) == 0);
  CHECK_THROWS_AS(divide_round_half_away(1, 0), std::invalid_argument);
  // ceil_mode drops a last window that would start in the end padding.
  const AxisGeometry g = resolve_axis(2, 3, 3, 1, 1, 1, AutoPad::kNotSet, true);
  CHECK(g.out == 1);
  const AxisGeometry lower = resolve_axis(5, 2, 1, 1, 0, 0, AutoPad::kSameLower, false);
  CHECK((lower.out == 5 && lower.pad_begin == 1 && lower.pad_end == 0));
  const AxisGeometry upper = resolve_axis(5, 2, 1, 1, 0, 0, AutoPad::kSameUpper, false);
  CHECK((upper.out == 5 && upper.pad_begin == 0 && upper.pad_end == 1));
}

TEST_CASE("Invalid shapes and parameters throw", "[onnx_ops]") {
  const Tensor a{{2, 3}, std::vector<int32_t>(6, 1)};
  const Tensor b{{2, 2}, std::vector<int32_t>(4, 1)};
  CHECK_THROWS_AS(matmul_integer(a, b, {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(matmul_integer(a, Tensor{{3, 2}, {1, 2}}, {}, {}), std::invalid_argument);
  CHECK_THROWS_AS(matmul_integer(a, Tensor{{3, 2}, std::vector<int32_t>(6)}, {1, 2, 3}, {}),
                  std::invalid_argument);
  const Tensor x{{1, 4, 3, 3}, std::vector<int32_t>(36)};
  ConvAttrs g3;
  g3.group = 3;
  CHECK_THROWS_AS(conv_integer(x, Tensor{{3, 4, 1, 1}, std::vector<int32_t>(12)}, 0, {}, g3),
                  std::invalid_argument);
  ConvAttrs both;
  both.pads = {1, 1, 1, 1};
  both.auto_pad = AutoPad::kSameUpper;
  CHECK_THROWS_AS(conv_integer(x, Tensor{{1, 4, 1, 1}, std::vector<int32_t>(4)}, 0, {}, both),
                  std::invalid_argument);
  const QuantParam q{{1.0f}, {0}}, bad_zp{{1.0f}, {200}}, bad_scale{{0.0f}, {0}};
  CHECK_THROWS_AS(qlinear_matmul(a, q, Tensor{{3, 1}, {1, 1, 1}}, q, bad_zp, QType::kInt8,
                                 Rounding::kOnnxFloat),
                  std::invalid_argument);
  CHECK_THROWS_AS(qlinear_matmul(a, bad_scale, Tensor{{3, 1}, {1, 1, 1}}, q, q, QType::kInt8,
                                 Rounding::kOnnxFloat),
                  std::invalid_argument);
  PoolAttrs none;
  CHECK_THROWS_AS(max_pool(x, none), std::invalid_argument);
  const Tensor huge{{1, 40000}, std::vector<int32_t>(40000, 255)};
  const Tensor col{{40000, 1}, std::vector<int32_t>(40000, -255)};
  CHECK_THROWS_AS(matmul_integer(huge, col, {-255}, {255}), std::overflow_error);
}

TEST_CASE("Batched MatMulInteger equals per-batch 2-D products", "[onnx_ops][random]") {
  Rng rng(0x0a77);
  for (int iter = 0; iter < 50; ++iter) {
    const int64_t B0 = rng.uniform(1, 3), M = rng.uniform(1, 5), K = rng.uniform(1, 7),
                  N = rng.uniform(1, 5);
    const Tensor a = random_tensor(rng, {B0, 2, M, K}, 0, 255);
    const Tensor b = random_tensor(rng, {2, K, N}, -128, 127);  // broadcast over B0
    const std::vector<int32_t> azp{static_cast<int32_t>(rng.uniform(0, 255))};
    const std::vector<int32_t> bzp{static_cast<int32_t>(rng.uniform(-128, 127))};
    const Tensor y = matmul_integer(a, b, azp, bzp);
    REQUIRE(y.shape == std::vector<int64_t>{B0, 2, M, N});
    for (int64_t i = 0; i < B0 * 2; ++i) {
      const auto ab = a.data.begin() + i * M * K;
      const auto bb = b.data.begin() + (i % 2) * K * N;
      const Tensor y2 = matmul_integer(Tensor{{M, K}, {ab, ab + M * K}},
                                       Tensor{{K, N}, {bb, bb + K * N}}, azp, bzp);
      CHECK(std::equal(y2.data.begin(), y2.data.end(), y.data.begin() + i * M * N));
    }
  }
}

TEST_CASE("Fixed point vs ONNX float: at most 1 LSB apart", "[onnx_ops][random]") {
  Rng rng(0x51ab);
  int64_t total = 0, differ = 0, unsaturated = 0;
  int max_diff = 0;
  auto compare = [&](const Tensor& f, const Tensor& x, QType t) {
    for (std::size_t i = 0; i < f.data.size(); ++i) {
      const int d = std::abs(f.data[i] - x.data[i]);
      max_diff = std::max(max_diff, d);
      differ += d != 0;
      const int32_t lo = t == QType::kInt8 ? -128 : 0, hi = t == QType::kInt8 ? 127 : 255;
      unsaturated += f.data[i] > lo && f.data[i] < hi;
      ++total;
    }
  };
  for (int iter = 0; iter < 2000; ++iter) {
    const bool signed_in = rng.coin();
    const int32_t lo = signed_in ? -128 : 0, hi = signed_in ? 127 : 255;
    const QType out_t = rng.coin() ? QType::kInt8 : QType::kUInt8;
    const auto rand_zp = [&](int32_t l, int32_t h) {
      return static_cast<int32_t>(rng.uniform(l, h));
    };
    const float xs = static_cast<float>(std::exp2(rng.uniform_real(-10, 0)));
    const int32_t yzp = out_t == QType::kInt8 ? rand_zp(-20, 20) : rand_zp(100, 150);
    if (iter % 2 == 0) {  // QLinearMatMul, per-column b scales
      const int64_t M = rng.uniform(1, 8), K = rng.uniform(1, 64), N = rng.uniform(1, 8);
      const Tensor a = random_tensor(rng, {M, K}, lo, hi), b = random_tensor(rng, {K, N}, lo, hi);
      QuantParam aq{{xs}, {rand_zp(lo, hi)}}, bq{{}, {}};
      for (int64_t n = 0; n < N; ++n) {
        bq.scale.push_back(static_cast<float>(std::exp2(rng.uniform_real(-10, 0))));
        bq.zero_point.push_back(rand_zp(lo, hi));
      }
      // Output scale chosen so that most results land inside the output range.
      const Tensor acc = matmul_integer(a, b, aq.zero_point, bq.zero_point);
      double peak = 1;
      for (std::size_t i = 0; i < acc.data.size(); ++i)
        peak = std::max(peak, std::abs(acc.data[i] * double{xs} * bq.scale[i % N]));
      const QuantParam yq{{static_cast<float>(peak / rng.uniform_real(20, 200))}, {yzp}};
      compare(qlinear_matmul(a, aq, b, bq, yq, out_t, Rounding::kOnnxFloat),
              qlinear_matmul(a, aq, b, bq, yq, out_t, Rounding::kFixedPoint), out_t);
    } else {  // QLinearConv, per-output-channel w scales and bias
      const int64_t C = rng.uniform(1, 6), M = rng.uniform(1, 6), H = rng.uniform(3, 8),
                    W = rng.uniform(3, 8), KH = rng.uniform(1, 3), KW = rng.uniform(1, 3);
      const Tensor x = random_tensor(rng, {1, C, H, W}, lo, hi);
      const Tensor w = random_tensor(rng, {M, C, KH, KW}, lo, hi);
      const QuantParam xq{{xs}, {rand_zp(lo, hi)}};
      QuantParam wq{{}, {}};
      std::vector<int32_t> bias;
      for (int64_t m = 0; m < M; ++m) {
        wq.scale.push_back(static_cast<float>(std::exp2(rng.uniform_real(-10, 0))));
        wq.zero_point.push_back(signed_in ? 0 : rand_zp(lo, hi));
        bias.push_back(static_cast<int32_t>(rng.uniform(-5000, 5000)));
      }
      ConvAttrs attrs;
      attrs.pads = {rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1)};
      const Tensor acc = conv_integer(x, w, xq.zero_point[0], wq.zero_point, attrs);
      const int64_t plane = acc.shape[2] * acc.shape[3];
      double peak = 1;
      for (std::size_t i = 0; i < acc.data.size(); ++i) {
        const auto m = static_cast<std::size_t>(static_cast<int64_t>(i) / plane);
        peak = std::max(peak, std::abs((acc.data[i] + bias[m]) * double{xs} * wq.scale[m]));
      }
      const QuantParam yq{{static_cast<float>(peak / rng.uniform_real(20, 200))}, {yzp}};
      compare(qlinear_conv(x, xq, w, wq, yq, bias, attrs, out_t, Rounding::kOnnxFloat),
              qlinear_conv(x, xq, w, wq, yq, bias, attrs, out_t, Rounding::kFixedPoint), out_t);
    }
  }
  std::printf(
      "fixed vs float: %lld outputs (%lld unsaturated), %lld differ (%.4f%%), max |diff| %d\n",
      static_cast<long long>(total), static_cast<long long>(unsaturated),
      static_cast<long long>(differ), 100.0 * static_cast<double>(differ) / total, max_diff);
  CHECK(total > 100000);
  CHECK(unsaturated > total / 2);
  REQUIRE(max_diff <= 1);
}

TEST_CASE("Grouped and depthwise conv equal per-group convs", "[onnx_ops][random]") {
  Rng rng(0x960c);
  for (int iter = 0; iter < 60; ++iter) {
    const int64_t G = rng.uniform(1, 4), Cg = iter % 3 == 0 ? 1 : rng.uniform(1, 3);
    const int64_t Mg = rng.uniform(1, 3), C = G * Cg, M = G * Mg;
    const int64_t H = rng.uniform(2, 7), W = rng.uniform(2, 7), KH = rng.uniform(1, 3),
                  KW = rng.uniform(1, 3);
    const Tensor x = random_tensor(rng, {2, C, H, W}, 0, 255);
    const Tensor w = random_tensor(rng, {M, Cg, KH, KW}, 0, 255);
    const int32_t xzp = static_cast<int32_t>(rng.uniform(0, 255));
    std::vector<int32_t> wzp;
    for (int64_t m = 0; m < M; ++m) wzp.push_back(static_cast<int32_t>(rng.uniform(0, 255)));
    ConvAttrs attrs;
    attrs.group = G;
    attrs.pads = {rng.uniform(0, 2), rng.uniform(0, 2), rng.uniform(0, 2), rng.uniform(0, 2)};
    attrs.strides = {rng.uniform(1, 2), rng.uniform(1, 2)};
    if (attrs.pads[0] + attrs.pads[2] + H < KH || attrs.pads[1] + attrs.pads[3] + W < KW) continue;
    const Tensor y = conv_integer(x, w, xzp, wzp, attrs);
    const int64_t plane = y.shape[2] * y.shape[3];

    // (1) Group g's output channels are a group-1 conv of its input-channel slice.
    ConvAttrs one = attrs;
    one.group = 1;
    for (int64_t g = 0; g < G; ++g) {
      Tensor xs{{2, Cg, H, W}, {}}, ws{{Mg, Cg, KH, KW}, {}};
      for (int64_t n = 0; n < 2; ++n) {
        const auto from = x.data.begin() + (n * C + g * Cg) * H * W;
        xs.data.insert(xs.data.end(), from, from + Cg * H * W);
      }
      const auto wf = w.data.begin() + g * Mg * Cg * KH * KW;
      ws.data.assign(wf, wf + Mg * Cg * KH * KW);
      const Tensor yg =
          conv_integer(xs, ws, xzp, {wzp.begin() + g * Mg, wzp.begin() + (g + 1) * Mg}, one);
      for (int64_t n = 0; n < 2; ++n)
        CHECK(std::equal(yg.data.begin() + n * Mg * plane, yg.data.begin() + (n + 1) * Mg * plane,
                         y.data.begin() + (n * M + g * Mg) * plane));
    }
    // (2) The sum over groups of a full group-1 conv whose weight is group g's block (other
    // channels' weights set to w_zp, so they add nothing).
    std::vector<int32_t> sum(y.data.size(), 0);
    for (int64_t g = 0; g < G; ++g) {
      Tensor wfull{{M, C, KH, KW}, {}};
      for (int64_t m = 0; m < M; ++m)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t k = 0; k < KH * KW; ++k) {
            const bool mine = m / Mg == g && c / Cg == g;
            wfull.data.push_back(
                mine ? w.data[static_cast<std::size_t>((m * Cg + c % Cg) * KH * KW + k)]
                     : wzp[static_cast<std::size_t>(m)]);
          }
      const Tensor yg = conv_integer(x, wfull, xzp, wzp, one);
      for (std::size_t i = 0; i < sum.size(); ++i) {
        const int64_t m = (static_cast<int64_t>(i) / plane) % M;
        if (m / Mg == g)
          sum[i] += yg.data[i];
        else
          CHECK(yg.data[i] == 0);
      }
    }
    CHECK(sum == y.data);
  }
}

TEST_CASE("Conv with pads, strides, dilations and groups equals im2col + MatMulInteger",
          "[onnx_ops][random]") {
  Rng rng(0x12c0);
  int checked = 0;
  for (int iter = 0; iter < 200; ++iter) {
    const int64_t G = rng.uniform(1, 3), Cg = rng.uniform(1, 3), Mg = rng.uniform(1, 3);
    const int64_t H = rng.uniform(1, 9), W = rng.uniform(1, 9), KH = rng.uniform(1, 4),
                  KW = rng.uniform(1, 4);
    const std::vector<int64_t> pads{rng.uniform(0, 3), rng.uniform(0, 3), rng.uniform(0, 3),
                                    rng.uniform(0, 3)};
    const std::vector<int64_t> strides{rng.uniform(1, 3), rng.uniform(1, 3)};
    const std::vector<int64_t> dil{rng.uniform(1, 3), rng.uniform(1, 3)};
    if (H + pads[0] + pads[2] < (KH - 1) * dil[0] + 1) continue;
    if (W + pads[1] + pads[3] < (KW - 1) * dil[1] + 1) continue;
    const bool s8 = rng.coin();
    const int32_t lo = s8 ? -128 : 0, hi = s8 ? 127 : 255;
    const Tensor x = random_tensor(rng, {rng.uniform(1, 2), G * Cg, H, W}, lo, hi);
    const Tensor w = random_tensor(rng, {G * Mg, Cg, KH, KW}, lo, hi);
    const int32_t xzp = static_cast<int32_t>(rng.uniform(lo, hi));
    std::vector<int32_t> wzp;
    const int64_t nzp = rng.coin() ? 1 : G * Mg;
    for (int64_t m = 0; m < nzp; ++m) wzp.push_back(static_cast<int32_t>(rng.uniform(lo, hi)));
    ConvAttrs attrs;
    attrs.pads = pads;
    attrs.strides = strides;
    attrs.dilations = dil;
    attrs.group = G;
    const Tensor y = conv_integer(x, w, xzp, wzp, attrs);
    const Tensor r = conv_via_im2col(x, w, xzp, wzp, pads, strides, dil, G);
    REQUIRE(y.shape == r.shape);
    CHECK(y.data == r.data);
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("Pools agree with a brute-force window scan", "[onnx_ops][random]") {
  Rng rng(0x9001);
  for (int iter = 0; iter < 200; ++iter) {
    const int64_t H = rng.uniform(1, 8), W = rng.uniform(1, 8);
    PoolAttrs p;
    p.kernel_shape = {rng.uniform(1, 3), rng.uniform(1, 3)};
    p.pads = {rng.uniform(0, p.kernel_shape[0] - 1), rng.uniform(0, p.kernel_shape[1] - 1),
              rng.uniform(0, p.kernel_shape[0] - 1), rng.uniform(0, p.kernel_shape[1] - 1)};
    p.strides = {rng.uniform(1, 3), rng.uniform(1, 3)};
    if (H + p.pads[0] + p.pads[2] < p.kernel_shape[0]) continue;
    if (W + p.pads[1] + p.pads[3] < p.kernel_shape[1]) continue;
    const Tensor x = random_tensor(rng, {1, 2, H, W}, -128, 127);
    const Tensor mx = max_pool(x, p), av = average_pool(x, p);
    const int64_t OH = mx.shape[2], OW = mx.shape[3];
    REQUIRE(OH == (H + p.pads[0] + p.pads[2] - p.kernel_shape[0]) / p.strides[0] + 1);
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          // Clip the window to the input, then scan it.
          const int64_t h0 = std::max<int64_t>(0, oh * p.strides[0] - p.pads[0]);
          const int64_t h1 = std::min(H, oh * p.strides[0] - p.pads[0] + p.kernel_shape[0]);
          const int64_t w0 = std::max<int64_t>(0, ow * p.strides[1] - p.pads[1]);
          const int64_t w1 = std::min(W, ow * p.strides[1] - p.pads[1] + p.kernel_shape[1]);
          int32_t best = -1000;
          double sum = 0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) {
              best = std::max(best, x.data[static_cast<std::size_t>((c * H + h) * W + w)]);
              sum += x.data[static_cast<std::size_t>((c * H + h) * W + w)];
            }
          const auto i = static_cast<std::size_t>((c * OH + oh) * OW + ow);
          CHECK(mx.data[i] == best);
          CHECK(av.data[i] == static_cast<int32_t>(std::round(sum / ((h1 - h0) * (w1 - w0)))));
        }
  }
}
