// SPDX-License-Identifier: Apache-2.0
// qilin gemm / conv2d / bench: ONNX MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv
// on .npy tensors, run through the driver on the chosen backend.
#include "ops.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "qilin/golden/gemm.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/npy.h"

namespace qilin::cli {

namespace {

bool is_8bit(npy::DType t) { return t == npy::DType::kInt8 || t == npy::DType::kUInt8; }
qilin_dtype_t to_qdtype(npy::DType t) {
  return t == npy::DType::kInt8 ? QILIN_I8 : t == npy::DType::kUInt8 ? QILIN_U8 : QILIN_I32;
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  if (s.size() == 1) os << ",";
  os << ")";
  return os.str();
}

npy::Array load_8bit(const std::string& path, const char* what, size_t rank) {
  npy::Array a = npy::load(path);
  if (!is_8bit(a.dtype))
    throw UsageError(std::string(what) + " (" + path + "): dtype must be int8 or uint8, got " +
                     npy::descr(a.dtype));
  if (a.shape.size() != rank)
    throw UsageError(std::string(what) + " (" + path + "): must have " + std::to_string(rank) +
                     " dimensions, got shape " + shape_str(a.shape));
  for (int64_t d : a.shape)
    if (d <= 0 || d > (int64_t{1} << 24))
      throw UsageError(std::string(what) + " (" + path + "): bad shape " + shape_str(a.shape));
  return a;
}

double parse_number(const std::string& s, const char* what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || s.empty())
    throw UsageError(std::string(what) + ": not a number: '" + s + "'");
  return v;
}

// A scale: a number, or a float32 .npy of `n` entries (per output channel).
std::vector<float> load_scales(const std::string& s, size_t n, const char* what) {
  std::vector<float> v;
  if (s.size() > 4 && s.compare(s.size() - 4, 4, ".npy") == 0) {
    npy::Array a = npy::load(s);
    if (a.dtype != npy::DType::kFloat32)
      throw UsageError(std::string(what) + " (" + s + "): dtype must be float32");
    v = a.values<float>();
    if (v.size() != 1 && v.size() != n)
      throw UsageError(std::string(what) + " (" + s + "): needs 1 or " + std::to_string(n) +
                       " entries, got " + std::to_string(v.size()));
  } else {
    v.push_back(static_cast<float>(parse_number(s, what)));
  }
  for (float f : v)
    if (!(f > 0.0f) || !std::isfinite(f))
      throw UsageError(std::string(what) + ": scales must be finite and > 0");
  if (v.size() == 1) v.resize(n, v[0]);
  return v;
}

void check_zp(int zp, npy::DType t, const char* what) {
  const int lo = t == npy::DType::kInt8 ? -128 : 0;
  if (zp < lo || zp > lo + 255)
    throw UsageError(std::string(what) + " " + std::to_string(zp) + " is outside the " +
                     npy::descr(t) + " range");
}

// Per-channel fixed-point requantisation for QLinear*: real = x_scale * w_scale[o] / y_scale.
struct Requant {
  std::vector<int32_t> bias, mult, shift;
  qilin_requant_t rq{};
};

Requant make_requant(const QuantOptions& q, size_t n, const std::vector<int32_t>* bias) {
  Requant r;
  const float xs = static_cast<float>(parse_number(q.in_scale, "--x-scale/--a-scale"));
  if (!(xs > 0.0f) || !std::isfinite(xs)) throw UsageError("input scale must be finite and > 0");
  const std::vector<float> ws = load_scales(q.w_scale, n, "--w-scale/--b-scale");
  const float ys = static_cast<float>(parse_number(q.y_scale, "--y-scale"));
  if (!(ys > 0.0f) || !std::isfinite(ys)) throw UsageError("--y-scale must be finite and > 0");
  const npy::DType yt = q.y_type == "int8" ? npy::DType::kInt8 : npy::DType::kUInt8;
  if (q.y_type != "int8" && q.y_type != "uint8")
    throw UsageError("--y-type must be uint8 or int8, got '" + q.y_type + "'");
  check_zp(q.y_zp, yt, "--y-zp");
  for (size_t o = 0; o < n; ++o) {
    int32_t m, s;
    const double real = static_cast<double>(xs) * ws[o] / ys;
    if (qilin_quantize_multiplier(real, &m, &s))
      throw UsageError("requantisation scale x_scale*w_scale/y_scale = " + std::to_string(real) +
                       " is out of range");
    r.mult.push_back(m);
    r.shift.push_back(s);
  }
  r.bias = bias ? *bias : std::vector<int32_t>(n, 0);
  r.rq.bias = r.bias.data();
  r.rq.multiplier = r.mult.data();
  r.rq.shift = r.shift.data();
  r.rq.out_zp = q.y_zp;
  r.rq.out_dtype = to_qdtype(yt);
  r.rq.act_min = yt == npy::DType::kInt8 ? -128 : 0;
  r.rq.act_max = r.rq.act_min + 255;
  return r;
}

bool qlinear(const QuantOptions& q) {
  const int given = !q.in_scale.empty() + !q.w_scale.empty() + !q.y_scale.empty();
  if (given != 0 && given != 3)
    throw UsageError("QLinear mode needs all three scales (input, weight and --y-scale)");
  return given == 3;
}

void save_output(const std::string& path, qilin_dtype_t dt, const std::vector<int64_t>& shape,
                 const std::vector<uint8_t>& raw) {
  npy::Array a;
  a.dtype = dt == QILIN_I8   ? npy::DType::kInt8
            : dt == QILIN_U8 ? npy::DType::kUInt8
                             : npy::DType::kInt32;
  a.shape = shape;
  a.bytes = raw;  // device memory and .npy are both little-endian
  npy::save(path, a);
}

}  // namespace

void run_gemm(const BackendOptions& bo, const GemmOptions& o) {
  const npy::Array a = load_8bit(o.a, "A", 2), b = load_8bit(o.b, "B", 2);
  const uint32_t m = static_cast<uint32_t>(a.shape[0]), k = static_cast<uint32_t>(a.shape[1]),
                 n = static_cast<uint32_t>(b.shape[1]);
  if (b.shape[0] != a.shape[1])
    throw UsageError("shape mismatch: A is " + shape_str(a.shape) + " and B is " +
                     shape_str(b.shape) + "; A's columns must equal B's rows");
  check_zp(o.q.in_zp, a.dtype, "--a-zp");
  check_zp(o.q.w_zp, b.dtype, "--b-zp");
  const bool ql = qlinear(o.q);
  Requant r;
  if (ql) r = make_requant(o.q, n, nullptr);

  Session s(bo);
  qilin_dev_t& dev = s.dev();
  qilin_gemm_layer_t L;
  s.check(qilin_gemm_prepare(&dev, &L, b.bytes.data(), k, n, to_qdtype(b.dtype), o.q.w_zp,
                             ql ? &r.rq : nullptr),
          "preparing B");
  qilin_mat_t am{}, cm{};
  am.rows = m;
  am.cols = k;
  am.dtype = to_qdtype(a.dtype);
  am.zp = o.q.in_zp;
  s.check(qilin_mat_alloc(&dev, &am), "allocating A");
  s.check(qilin_mat_upload(&dev, &am, a.bytes.data()), "uploading A");
  cm.rows = m;
  cm.cols = n;
  cm.dtype = ql ? r.rq.out_dtype : QILIN_I32;
  s.check(qilin_mat_alloc(&dev, &cm), "allocating Y");
  s.check(qilin_prog_begin(&dev), "program");
  s.check(qilin_gemm(&dev, &L, &am, &cm), "gemm");
  s.run();
  std::vector<uint8_t> out(static_cast<size_t>(m) * n * (ql ? 1 : 4));
  s.check(qilin_mat_download(&dev, &cm, out.data()), "reading Y");
  save_output(o.out, cm.dtype, {m, n}, out);
}

void run_conv2d(const BackendOptions& bo, const ConvOptions& o) {
  const npy::Array x = load_8bit(o.x, "X", 4), w = load_8bit(o.w, "W", 4);
  const int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t M = w.shape[0], CG = w.shape[1], KH = w.shape[2], KW = w.shape[3];
  const int64_t g = o.group;
  if (g < 1 || C % g || M % g || CG != C / g)
    throw UsageError("shape mismatch: X " + shape_str(x.shape) + ", W " + shape_str(w.shape) +
                     " and group " + std::to_string(g) +
                     ": need C % group == 0, M % group == 0 and W.shape[1] == C / group");
  if (!o.kernel_shape.empty() &&
      (o.kernel_shape.size() != 2 || o.kernel_shape[0] != KH || o.kernel_shape[1] != KW))
    throw UsageError("--kernel-shape does not match W's shape " + shape_str(w.shape));
  auto pair = [](const std::vector<int>& v, const char* what, int dflt) {
    if (v.empty()) return std::vector<int>{dflt, dflt};
    if (v.size() != 2 || v[0] < 1 || v[1] < 1)
      throw UsageError(std::string(what) + " needs two positive integers");
    return v;
  };
  const std::vector<int> st = pair(o.strides, "--strides", 1),
                         dl = pair(o.dilations, "--dilations", 1);
  std::vector<int> pads = o.pads.empty() ? std::vector<int>{0, 0, 0, 0} : o.pads;
  if (pads.size() != 4 || pads[0] < 0 || pads[1] < 0 || pads[2] < 0 || pads[3] < 0)
    throw UsageError("--pads needs four non-negative integers: top,left,bottom,right");
  const int64_t ekh = (KH - 1) * dl[0] + 1, ekw = (KW - 1) * dl[1] + 1;
  if (o.auto_pad != "NOTSET") {
    if (!o.pads.empty()) throw UsageError("--pads and --auto-pad are exclusive (ONNX)");
    if (o.auto_pad == "VALID") {
      pads = {0, 0, 0, 0};
    } else if (o.auto_pad == "SAME_UPPER" || o.auto_pad == "SAME_LOWER") {
      const int64_t dims[2] = {H, W}, ek[2] = {ekh, ekw};
      for (int i = 0; i < 2; ++i) {
        const int64_t out = (dims[i] + st[i] - 1) / st[i];
        const int64_t total = std::max<int64_t>(0, (out - 1) * st[i] + ek[i] - dims[i]);
        const int64_t small = total / 2, big = total - small;
        pads[i] = static_cast<int>(o.auto_pad == "SAME_UPPER" ? small : big);
        pads[i + 2] = static_cast<int>(o.auto_pad == "SAME_UPPER" ? big : small);
      }
    } else {
      throw UsageError("--auto-pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID");
    }
  }
  if (H + pads[0] + pads[2] < ekh || W + pads[1] + pads[3] < ekw)
    throw UsageError("the (dilated) kernel is larger than the padded input");
  check_zp(o.q.in_zp, x.dtype, "--x-zp");
  check_zp(o.q.w_zp, w.dtype, "--w-zp");
  const bool ql = qlinear(o.q);
  std::vector<int32_t> bias;
  if (!o.bias.empty()) {
    if (!ql) throw UsageError("--bias is a QLinearConv input; ConvInteger has no bias");
    npy::Array b = npy::load(o.bias);
    if (b.dtype != npy::DType::kInt32 || b.shape.size() != 1 || b.shape[0] != M)
      throw UsageError("B (" + o.bias + "): must be int32 of shape (" + std::to_string(M) +
                       ",), got " + npy::descr(b.dtype) + " " + shape_str(b.shape));
    bias = b.values<int32_t>();
  }
  Requant r;
  if (ql) r = make_requant(o.q, static_cast<size_t>(M), o.bias.empty() ? nullptr : &bias);

  Session s(bo);
  qilin_dev_t& dev = s.dev();
  qilin_conv_layer_t L;
  s.check(qilin_conv_prepare(&dev, &L, w.bytes.data(), static_cast<uint32_t>(M),
                             static_cast<uint32_t>(C), static_cast<uint32_t>(KH),
                             static_cast<uint32_t>(KW), static_cast<uint32_t>(g),
                             to_qdtype(w.dtype), o.q.w_zp, ql ? &r.rq : nullptr),
          "preparing W");
  qilin_act_t xa{};
  xa.n = static_cast<uint32_t>(N);
  xa.c = static_cast<uint32_t>(C);
  xa.h = static_cast<uint32_t>(H);
  xa.w = static_cast<uint32_t>(W);
  xa.dtype = to_qdtype(x.dtype);
  xa.zp = o.q.in_zp;
  s.check(qilin_act_alloc(&dev, &xa), "allocating X");
  s.check(qilin_act_upload(&dev, &xa, x.bytes.data()), "uploading X");
  qilin_conv_attr_t at{};
  at.kh = static_cast<uint32_t>(KH);
  at.kw = static_cast<uint32_t>(KW);
  at.pad_t = static_cast<uint32_t>(pads[0]);
  at.pad_l = static_cast<uint32_t>(pads[1]);
  at.pad_b = static_cast<uint32_t>(pads[2]);
  at.pad_r = static_cast<uint32_t>(pads[3]);
  at.stride_h = static_cast<uint32_t>(st[0]);
  at.stride_w = static_cast<uint32_t>(st[1]);
  at.dil_h = static_cast<uint32_t>(dl[0]);
  at.dil_w = static_cast<uint32_t>(dl[1]);
  at.groups = static_cast<uint32_t>(g);
  qilin_act_t ya{};
  s.check(qilin_conv2d_shape(&dev, &L, &xa, &at, nullptr, &ya), "conv2d");
  // The ONNX output shape, as a cross-check of the driver's plan.
  const int64_t oh = (H + pads[0] + pads[2] - ekh) / st[0] + 1;
  const int64_t ow = (W + pads[1] + pads[3] - ekw) / st[1] + 1;
  if (ya.h != oh || ya.w != ow) throw std::logic_error("driver output shape differs from ONNX");
  s.check(qilin_act_alloc(&dev, &ya), "allocating Y");
  s.check(qilin_prog_begin(&dev), "program");
  s.check(qilin_conv2d(&dev, &L, &xa, &at, nullptr, &ya), "conv2d");
  s.run();
  std::vector<uint8_t> out(static_cast<size_t>(N * M * oh * ow) * (ql ? 1 : 4));
  s.check(qilin_act_download(&dev, &ya, out.data()), "reading Y");
  save_output(o.out, ya.dtype, {N, M, oh, ow}, out);
}

int run_bench(const BackendOptions& bo, const BenchOptions& o) {
  if (o.m < 1 || o.k < 1 || o.n < 1) throw UsageError("--m, --k and --n must be positive");
  golden::Rng rng(o.seed);
  std::vector<uint8_t> a(static_cast<size_t>(o.m) * o.k), b(static_cast<size_t>(o.k) * o.n);
  for (auto& v : a) v = static_cast<uint8_t>(rng.uniform(0, 255));
  for (auto& v : b) v = static_cast<uint8_t>(rng.uniform(0, 255));
  std::vector<int32_t> bias(static_cast<size_t>(o.n), 0), mult, shift;
  for (int j = 0; j < o.n; ++j) {
    const golden::QuantMultiplier qm = golden::quantize_multiplier(1.0 / (64.0 * o.k));
    mult.push_back(qm.multiplier);
    shift.push_back(qm.shift);
  }
  const qilin_requant_t rq{bias.data(), mult.data(), shift.data(), 0, -128, 127, QILIN_I8};

  Session s(bo);
  qilin_dev_t& dev = s.dev();
  qilin_gemm_layer_t L;
  s.check(qilin_gemm_prepare(&dev, &L, b.data(), static_cast<uint32_t>(o.k),
                             static_cast<uint32_t>(o.n), QILIN_I8, 0, &rq),
          "preparing B");
  qilin_mat_t am{}, cm{};
  am.rows = static_cast<uint32_t>(o.m);
  am.cols = static_cast<uint32_t>(o.k);
  am.dtype = QILIN_I8;
  s.check(qilin_mat_alloc(&dev, &am), "allocating A");
  s.check(qilin_mat_upload(&dev, &am, a.data()), "uploading A");
  cm.rows = am.rows;
  cm.cols = static_cast<uint32_t>(o.n);
  cm.dtype = QILIN_I8;
  s.check(qilin_mat_alloc(&dev, &cm), "allocating C");
  s.check(qilin_prog_begin(&dev), "program");
  s.check(qilin_gemm(&dev, &L, &am, &cm), "gemm");
  const uint32_t insns = dev.prog_len + 1;
  const uint64_t c0 = s.device().sim_cycles();
  const auto t0 = std::chrono::steady_clock::now();
  s.run();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t simc = s.device().sim_cycles() - c0;
  qilin_perf_t p{};
  s.check(qilin_read_perf(&dev, &p), "perf");
  std::vector<uint8_t> got(static_cast<size_t>(o.m) * o.n);
  s.check(qilin_mat_download(&dev, &cm, got.data()), "reading C");

  // Golden check: every element.
  std::vector<int32_t> acc(got.size()), bzp(static_cast<size_t>(o.n), 0);
  golden::gemm_s32(o.m, o.n, o.k, {a.data(), true}, 0, {b.data(), true}, bzp.data(), acc.data());
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const golden::RequantParams rp{{mult[i % o.n], shift[i % o.n]}, 0, -128, 127, true};
    if (golden::requantize(acc[i], 0, rp) != got[i] && bad++ == 0)
      std::fprintf(stderr, "qilin: bench: mismatch at (%zu, %zu)\n", i / o.n, i % o.n);
  }
  const uint64_t useful = static_cast<uint64_t>(o.m) * o.k * o.n;
  const double dim = dev.hw.dim;
  std::printf("qilin bench: GEMM %d x %d x %d int8 on %s (DIM %u), %u instructions\n", o.m, o.k,
              o.n, s.device().name().c_str(), dev.hw.dim, insns);
  if (p.cycles) {
    std::printf("  cycles            %llu\n", static_cast<unsigned long long>(p.cycles));
    std::printf("  array busy        %llu (%.1f %%)\n",
                static_cast<unsigned long long>(p.array_busy), 100.0 * p.array_busy / p.cycles);
    std::printf("  useful MACs       %llu\n", static_cast<unsigned long long>(useful));
    std::printf("  MAC utilization   %.2f %%  (useful MACs / (%u x %u x cycles))\n",
                100.0 * useful / (dim * dim * p.cycles), dev.hw.dim, dev.hw.dim);
    std::printf(
        "  stalls LD/EX/ST   %llu / %llu / %llu\n", static_cast<unsigned long long>(p.stall_ld),
        static_cast<unsigned long long>(p.stall_ex), static_cast<unsigned long long>(p.stall_st));
    std::printf("  simulation        %llu cycles in %.2f s = %.0f cycles/s\n",
                static_cast<unsigned long long>(simc), secs, simc / std::max(secs, 1e-9));
  } else {
    std::printf("  (the golden backend has no clock: no cycle figures)\n");
  }
  std::printf("  result            %s (%zu elements compared with the golden GEMM)\n",
              bad ? "MISMATCH" : "matches golden", got.size());
  return bad ? 1 : 0;
}

}  // namespace qilin::cli
