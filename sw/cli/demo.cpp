// SPDX-License-Identifier: Apache-2.0
// qilin demo: the INT8 Fashion-MNIST CNN (conv-pool-conv-pool-fc, scripts/train_fashion_mnist.py)
// on the chosen backend through the driver. Every batch also runs on the golden backend and
// the logits must be bit-identical; accuracy, cycles per image, MAC utilization and
// simulation speed are printed.
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "ops.h"
#include "qilin/npy.h"

namespace qilin::cli {

namespace {

constexpr int kClasses = 10;

std::vector<uint8_t> read_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw UsageError("cannot open " + path + " (apt-get install dataset-fashion-mnist)");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  const bool bad = n < 0;
  gzclose(f);
  if (bad) throw UsageError(path + ": corrupt gzip data");
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         b[at + 3];
}

// IDX files: magic 0x00000803 (images: count, rows, cols) or 0x00000801 (labels: count).
std::vector<uint8_t> load_idx(const std::string& path, uint32_t magic, size_t header,
                              size_t item_bytes, int count) {
  std::vector<uint8_t> b = read_gz(path);
  if (b.size() < header || be32(b, 0) != magic) throw UsageError(path + ": not an IDX file");
  const size_t avail = be32(b, 4);
  if (static_cast<size_t>(count) > avail)
    throw UsageError(path + " holds " + std::to_string(avail) + " items, asked for " +
                     std::to_string(count));
  if (b.size() < header + avail * item_bytes) throw UsageError(path + ": truncated");
  return std::vector<uint8_t>(b.begin() + static_cast<long>(header),
                              b.begin() + static_cast<long>(header + count * item_bytes));
}

std::map<std::string, std::string> load_meta(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot open " + path);
  std::map<std::string, std::string> m;
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) throw UsageError(path + ":" + std::to_string(no) + ": no '='");
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    m[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return m;
}

double meta_num(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) throw UsageError("model meta.txt: missing '" + key + "'");
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    throw UsageError("model meta.txt: '" + key + "' is not a number");
  }
}

template <class T>
std::vector<T> load_tensor(const std::string& dir, const std::string& name,
                           const std::vector<int64_t>& shape) {
  const std::string path = dir + "/" + name + ".npy";
  npy::Array a = npy::load(path);
  if (a.shape != shape) throw UsageError(path + ": unexpected shape");
  return a.values<T>();
}

// One quantised layer's integer parameters, built from the model's scales on the host.
struct LayerQ {
  std::vector<int32_t> bias, mult, shift;
  qilin_requant_t rq{};
};

LayerQ make_layer_q(const std::vector<int32_t>& bias, const std::vector<float>& w_scale,
                    double in_scale, double out_scale, int32_t out_zp, bool relu,
                    qilin_dtype_t out_dtype) {
  LayerQ q;
  q.bias = bias;
  for (float ws : w_scale) {
    int32_t m, s;
    if (qilin_quantize_multiplier(in_scale * ws / out_scale, &m, &s))
      throw UsageError("model: requantisation scale out of range");
    q.mult.push_back(m);
    q.shift.push_back(s);
  }
  q.rq.bias = q.bias.data();
  q.rq.multiplier = q.mult.data();
  q.rq.shift = q.shift.data();
  q.rq.out_zp = out_zp;
  q.rq.out_dtype = out_dtype;
  q.rq.act_min = relu ? out_zp : (out_dtype == QILIN_I8 ? -128 : 0);
  q.rq.act_max = out_dtype == QILIN_I8 ? 127 : 255;
  return q;
}

// The network prepared on one device.
class Network {
 public:
  Network(Session& s, const std::string& dir, int batch) : s_(s), batch_(batch) {
    const auto meta = load_meta(dir + "/meta.txt");
    fp32_acc_ = meta.count("fp32_accuracy") ? meta_num(meta, "fp32_accuracy") : -1;
    int8_acc_ =
        meta.count("int8_accuracy_fixedpoint") ? meta_num(meta, "int8_accuracy_fixedpoint") : -1;
    const double in_s = meta_num(meta, "input_scale");
    const double s1 = meta_num(meta, "conv1_y_scale"), s2 = meta_num(meta, "conv2_y_scale");
    const double s3 = meta_num(meta, "fc_y_scale");
    const auto zp1 = static_cast<int32_t>(meta_num(meta, "conv1_y_zp"));
    const auto zp2 = static_cast<int32_t>(meta_num(meta, "conv2_y_zp"));
    const auto zp3 = static_cast<int32_t>(meta_num(meta, "fc_y_zp"));
    if (meta_num(meta, "input_zp") != 0) throw UsageError("model: input_zp must be 0");

    const auto w1 = load_tensor<int8_t>(dir, "conv1_w", {16, 1, 3, 3});
    const auto w2 = load_tensor<int8_t>(dir, "conv2_w", {32, 16, 3, 3});
    const auto w3 = load_tensor<int8_t>(dir, "fc_w", {10, 32 * 7 * 7});
    const LayerQ q1 =
        make_layer_q(load_tensor<int32_t>(dir, "conv1_b", {16}),
                     load_tensor<float>(dir, "conv1_w_scale", {16}), in_s, s1, zp1, true, QILIN_U8);
    const LayerQ q2 =
        make_layer_q(load_tensor<int32_t>(dir, "conv2_b", {32}),
                     load_tensor<float>(dir, "conv2_w_scale", {32}), s1, s2, zp2, true, QILIN_U8);
    const LayerQ q3 =
        make_layer_q(load_tensor<int32_t>(dir, "fc_b", {10}),
                     load_tensor<float>(dir, "fc_w_scale", {10}), s2, s3, zp3, false, QILIN_I8);
    qilin_dev_t& dev = s_.dev();
    // conv1 has one input channel: its 3x3 taps go into the K lanes (the input is uploaded
    // im2col-expanded), so it runs as a 1x1 convolution over 9 channels. OIHW [16][1][3][3]
    // is already [16][9][1][1] in memory.
    s_.check(qilin_conv_prepare(&dev, &c1_, w1.data(), 16, 9, 1, 1, 1, QILIN_I8, 0, &q1.rq),
             "conv1");
    s_.check(qilin_conv_prepare(&dev, &c2_, w2.data(), 32, 16, 3, 3, 1, QILIN_I8, 0, &q2.rq),
             "conv2");
    s_.check(qilin_fc_prepare(&dev, &fc_, w3.data(), 10, 32, 7, 7, QILIN_I8, 0, &q3.rq), "fc");

    x_ = {0, static_cast<uint32_t>(batch), 9, 28, 28, 0, QILIN_U8, 0};
    s_.check(qilin_act_alloc(&dev, &x_), "input");
    s_.check(qilin_conv2d_shape(&dev, &c1_, &x_, &k1x1, &kPool, &y1_), "conv1");
    s_.check(qilin_act_alloc(&dev, &y1_), "conv1 output");
    s_.check(qilin_conv2d_shape(&dev, &c2_, &y1_, &kAttr, &kPool, &y2_), "conv2");
    s_.check(qilin_act_alloc(&dev, &y2_), "conv2 output");
    logits_ = {0, static_cast<uint32_t>(batch), kClasses, 0, QILIN_I8, 0};
    s_.check(qilin_mat_alloc(&dev, &logits_), "logits");
  }

  // Runs `n` <= batch images (28x28 bytes each); returns n x 10 int8 logits.
  std::vector<int8_t> infer(const uint8_t* images, int n, qilin_perf_t* perf) {
    qilin_dev_t& dev = s_.dev();
    std::vector<uint8_t> in(static_cast<size_t>(batch_) * 28 * 28, 0);
    std::copy(images, images + static_cast<size_t>(n) * 28 * 28, in.begin());
    s_.check(qilin_act_upload_im2col(&dev, &x_, in.data(), 1, 28, 28, &kAttr), "upload");
    s_.check(qilin_prog_begin(&dev), "program");
    s_.check(qilin_conv2d(&dev, &c1_, &x_, &k1x1, &kPool, &y1_), "conv1");
    s_.check(qilin_prog_barrier(&dev), "program");
    s_.check(qilin_conv2d(&dev, &c2_, &y1_, &kAttr, &kPool, &y2_), "conv2");
    s_.check(qilin_prog_barrier(&dev), "program");
    s_.check(qilin_fc(&dev, &fc_, &y2_, &logits_), "fc");
    s_.run();
    s_.check(qilin_read_perf(&dev, perf), "perf");
    std::vector<int8_t> out(static_cast<size_t>(batch_) * kClasses);
    s_.check(qilin_mat_download(&dev, &logits_, out.data()), "logits");
    out.resize(static_cast<size_t>(n) * kClasses);
    return out;
  }

  double fp32_accuracy() const { return fp32_acc_; }
  double int8_accuracy() const { return int8_acc_; }
  // Useful multiply-accumulates of one image: 28*28*16*9 + 14*14*32*144 + 1568*10.
  static uint64_t macs_per_image() { return 28 * 28 * 16 * 9 + 14 * 14 * 32 * 144 + 1568 * 10; }

 private:
  static constexpr qilin_conv_attr_t kAttr = {3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  static constexpr qilin_conv_attr_t k1x1 = {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1};
  static constexpr qilin_pool_t kPool = {QILIN_POOL_KIND_MAX, 2, 2, 2, 2};
  Session& s_;
  int batch_;
  double fp32_acc_ = -1, int8_acc_ = -1;
  qilin_conv_layer_t c1_{}, c2_{};
  qilin_gemm_layer_t fc_{};
  qilin_act_t x_{}, y1_{}, y2_{};
  qilin_mat_t logits_{};
};

int argmax(const int8_t* v) {
  int best = 0;
  for (int i = 1; i < kClasses; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

}  // namespace

int run_demo(const BackendOptions& bo, const DemoOptions& o) {
  if (o.images < 1 || o.images > 10000) throw UsageError("--images must be 1..10000");
  if (o.batch < 1 || o.batch > 64) throw UsageError("--batch must be 1..64");
  const std::vector<uint8_t> images =
      load_idx(o.data_dir + "/t10k-images-idx3-ubyte.gz", 0x803, 16, 28 * 28, o.images);
  const std::vector<uint8_t> labels =
      load_idx(o.data_dir + "/t10k-labels-idx1-ubyte.gz", 0x801, 8, 1, o.images);

  Session main_s(bo);
  Network net(main_s, o.model_dir, o.batch);
  const bool cross = o.check_golden && bo.backend != "golden";
  std::unique_ptr<Session> gold_s;
  std::unique_ptr<Network> gold;
  if (cross) {
    BackendOptions g = bo;
    g.backend = "golden";
    g.trace.clear();
    gold_s = std::make_unique<Session>(g);
    gold = std::make_unique<Network>(*gold_s, o.model_dir, o.batch);
  }
  std::vector<int8_t> expect;
  if (!o.expect.empty()) expect = npy::load(o.expect).values<int8_t>();

  std::printf("qilin demo: INT8 Fashion-MNIST CNN (conv3x3x16-pool-conv3x3x32-pool-fc10)\n");
  std::printf("  backend %s, DIM %u, SP %u rows, ACC %u rows; %d test images in batches of %d\n",
              main_s.device().name().c_str(), main_s.dev().hw.dim, main_s.dev().hw.sp_rows,
              main_s.dev().hw.acc_rows, o.images, o.batch);
  std::fflush(stdout);
  Progress bar("  running", static_cast<uint64_t>(o.images), o.progress);
  int correct = 0, agree = 0, expect_ok = 0, expect_n = 0;
  uint64_t cycles = 0, hw_macs = 0, busy = 0;
  const uint64_t c0 = main_s.device().sim_cycles();
  const auto t0 = std::chrono::steady_clock::now();
  for (int i0 = 0; i0 < o.images; i0 += o.batch) {
    const int n = std::min(o.batch, o.images - i0);
    qilin_perf_t p{}, gp{};
    const std::vector<int8_t> lg = net.infer(&images[static_cast<size_t>(i0) * 784], n, &p);
    cycles += p.cycles;
    hw_macs += p.macs;
    busy += p.array_busy;
    std::vector<int8_t> gl;
    if (cross) gl = gold->infer(&images[static_cast<size_t>(i0) * 784], n, &gp);
    for (int j = 0; j < n; ++j) {
      const int8_t* v = &lg[static_cast<size_t>(j) * kClasses];
      correct += argmax(v) == labels[static_cast<size_t>(i0 + j)];
      if (cross) {
        const bool same = std::equal(v, v + kClasses, &gl[static_cast<size_t>(j) * kClasses]);
        agree += same;
        if (!same) {
          for (int c = 0; c < kClasses; ++c)
            if (v[c] != gl[static_cast<size_t>(j) * kClasses + c])
              std::fprintf(stderr, "\nqilin: demo: image %d logit %d: golden %d, %s %d\n", i0 + j,
                           c, gl[static_cast<size_t>(j) * kClasses + c], bo.backend.c_str(), v[c]);
        }
      }
      const size_t e = static_cast<size_t>(i0 + j) * kClasses;
      if (e + kClasses <= expect.size()) {
        ++expect_n;
        expect_ok += std::equal(v, v + kClasses, &expect[e]);
      }
    }
    bar.update(static_cast<uint64_t>(i0 + n));
  }
  bar.finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t simc = main_s.device().sim_cycles() - c0;
  const double dim = main_s.dev().hw.dim;
  std::printf("  accuracy          %.2f %% (%d / %d)", 100.0 * correct / o.images, correct,
              o.images);
  std::printf("\n");
  if (net.fp32_accuracy() >= 0 && net.int8_accuracy() >= 0)
    std::printf(
        "  all 10k images    FP32 %.2f %%, INT8 %.2f %% (training script; the INT8 figure"
        " is reproduced by --images 10000 --backend golden)\n",
        100 * net.fp32_accuracy(), 100 * net.int8_accuracy());
  if (cross)
    std::printf("  golden agreement  %.1f %% (%d / %d images with bit-identical logits)\n",
                100.0 * agree / o.images, agree, o.images);
  if (expect_n)
    std::printf("  training script   %d / %d images match its integer-pipeline logits\n", expect_ok,
                expect_n);
  if (cycles) {
    const uint64_t useful = Network::macs_per_image() * static_cast<uint64_t>(o.images);
    std::printf("  cycles per image  %.0f (batch %d, %llu cycles in all)\n",
                static_cast<double>(cycles) / o.images, o.batch,
                static_cast<unsigned long long>(cycles));
    std::printf(
        "  MAC utilization   %.1f %% useful MACs / (%u x %u x cycles); array busy %.1f %%,"
        " issued MACs %.1f %% of peak\n",
        100.0 * useful / (dim * dim * cycles), main_s.dev().hw.dim, main_s.dev().hw.dim,
        100.0 * busy / cycles, 100.0 * hw_macs / (dim * dim * cycles));
    std::printf("  simulation        %.0f cycles/s (%llu cycles in %.1f s)\n",
                simc / std::max(secs, 1e-9), static_cast<unsigned long long>(simc), secs);
  }
  const bool ok = (!cross || agree == o.images) && expect_ok == expect_n;
  return ok ? 0 : 1;
}

}  // namespace qilin::cli
