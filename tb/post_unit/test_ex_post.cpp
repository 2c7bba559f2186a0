// POSTPROC execution unit (qilin_ex_post with the accumulator and scratchpad)
// against the ISS: requantisation with and without bias, int8/uint8, clamps,
// MAX and AVG pooling, AVG ties, PARAM_RANGE then clear, SP write backpressure
// and ACC read stalls, and the exact cycle count.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "Vqilin_post_tb_top_8.h"
#include "bits.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "sim_harness.h"

using namespace qilin::tb;
using qilin::golden::Iss;
using qilin::golden::IssConfig;
using qilin::golden::MemImage;
using qilin::golden::Rng;

namespace {

constexpr int kDim = 8, kSpRows = 1024, kAccRows = 256;
constexpr int kBankRows = kSpRows / 4;  // SP banks: rows [b*256, b*256 + 256)
// The competing SP writer uses the last row of the bank the unit writes; tests
// keep outputs out of those rows and never compare them.
bool comp_row(int r) { return r % kBankRows == kBankRows - 1; }
// Cycles from the acceptance of a no-pooling command of M rows to its done_o
// (docs/ex_post.md). For timing (100 MHz on ECP5) the popped requantiser beat is
// registered before the window reduction, and the window's result is pushed into
// the output FIFO from the registered reduction: +2 cycles (were 17 and 18). AVG
// divides the registered sum in two more stages: +4 (was 47). For 100 MHz on the
// whole chip the ACC reads go through a registered request queue and their
// responses are registered before use (+1 and +1 for the parameter rows and for
// the stream), and the shift check is registered (+1): +5 (were 19 and 20). AVG
// waits for its divider anyway, so only the stream's +2 shows, and its multipliers
// have a register stage on each side (+2): 55 (was 51). The requantiser has two more
// stages for 100 MHz on the whole chip (its left and right shifts, docs/postproc.md): +2
// for all three (were 24, 25 and 55).
constexpr uint64_t kCyclesNoPool = 26, kCyclesNoPoolBias = 27, kCyclesAvg = 57;

struct Cmd {
  int c_addr = 0, p_addr = 0, o_addr = 0, in_h = 1, in_w = 1;
  bool out_signed = true, bias_en = false;
  int pool = QILIN_POOL_NONE, kh = 0, kw = 0, sh = 0, sw = 0;
  int out_zp = 0, act_min = -128, act_max = 127;  // values in the output type

  int out_rows() const {
    if (pool == QILIN_POOL_NONE) return in_h * in_w;
    return ((in_h - kh) / sh + 1) * ((in_w - kw) / sw + 1);
  }
  std::string str() const {
    std::ostringstream os;
    os << "POSTPROC c=" << c_addr << " p=" << p_addr << " o=" << o_addr << " grid=" << in_h << "x"
       << in_w << (out_signed ? " int8" : " uint8") << (bias_en ? " bias" : "") << " pool=" << pool
       << " k=" << kh << "x" << kw << " s=" << sh << "x" << sw << " zp=" << out_zp << " act=["
       << act_min << "," << act_max << "]";
    return os.str();
  }
};

struct RunOpts {
  int comp_permille = 0;   // competing SP writer active this often
  int stall_from = -1;     // the unit's SP write port held from this cycle after acceptance
  int stall_len = 0;       // for this many cycles
  int touch_permille = 0;  // ACC accumulate-port traffic this often (blocks ACC reads)
  int clear_after = -1;    // pulse clear_i this many cycles after acceptance (abort)
};

struct RunResult {
  bool done = false, err = false;
  unsigned err_code = 0, err_addr = 0;
  uint64_t cycles = 0;  // acceptance to done_o / err_o
};

class PostBench {
 public:
  PostBench(const std::string &name, uint64_t seed)
      : rng_(seed), sim_(name, 5'000'000), mem_(1 << 16), iss_(iss_config(), mem_) {
    auto &d = sim_.dut();
    d.cmd_valid_i = 0;
    d.clear_i = 0;
    d.acc_wr_valid_i = 0;
    d.acc_touch_valid_i = 0;
    d.sp_wr_valid_i = 0;
    d.sp_stall_i = 0;
    d.sp_rd_valid_i = 0;
    sim_.reset();
    // Define every row of both memories, in the RTL and in the ISS.
    for (int r = 0; r < kSpRows; ++r) write_sp(r, rng_.bytes(kDim));
    for (int r = 0; r < kAccRows; ++r) {
      std::vector<int32_t> row(kDim);
      for (auto &v : row) v = static_cast<int32_t>(rng_.uniform(INT32_MIN, INT32_MAX));
      write_acc(r, row);
    }
  }

  Rng &rng() { return rng_; }
  Sim<Vqilin_post_tb_top_8> &sim() { return sim_; }

  void write_acc(int r, const std::vector<int32_t> &row) {
    auto &d = sim_.dut();
    for (int n = 0; n < kDim; ++n)
      put_bits(d.acc_wr_data_i, n * 32, 32, static_cast<uint32_t>(row[n]));
    d.acc_wr_addr_i = r;
    d.acc_wr_valid_i = 1;
    sim_.eval();
    REQUIRE(d.acc_wr_ready_o);
    sim_.tick();
    d.acc_wr_valid_i = 0;
    iss_.write_acc_row(r, row.data());
  }

  void write_sp(int r, const std::vector<uint8_t> &row) {
    auto &d = sim_.dut();
    for (int n = 0; n < kDim; ++n) put_bits(d.sp_wr_data_i, n * 8, 8, row[n]);
    d.sp_wr_addr_i = r;
    d.sp_wr_valid_i = 1;
    sim_.eval();
    REQUIRE(d.sp_wr_ready_o);
    sim_.tick();
    d.sp_wr_valid_i = 0;
    iss_.write_sp_row(r, row.data());
  }

  std::vector<uint8_t> read_sp(int r) {
    auto &d = sim_.dut();
    d.sp_rd_addr_i = r;
    d.sp_rd_valid_i = 1;
    sim_.eval();
    REQUIRE(d.sp_rd_ready_o);
    sim_.tick();
    d.sp_rd_valid_i = 0;
    sim_.eval();
    REQUIRE(d.sp_rsp_valid_o);
    std::vector<uint8_t> row(kDim);
    for (int n = 0; n < kDim; ++n)
      row[n] = static_cast<uint8_t>(get_bits(d.sp_rsp_data_o, n * 8, 8));
    return row;
  }

  // Parameter rows at p, p+1, p+2: random bias, (multiplier, shift) from
  // quantize_multiplier of random scales around out_scale (a few lanes far
  // off), bias sometimes extreme.
  void random_params(int p, double log2_scale) {
    std::vector<int32_t> bias(kDim), mult(kDim), shift(kDim);
    for (int n = 0; n < kDim; ++n) {
      const double e = log2_scale + rng_.uniform_real(-2.0, 2.0);
      auto qm = qilin::golden::quantize_multiplier(std::exp2(e));
      if (rng_.uniform(0, 40) == 0)
        qm = qilin::golden::quantize_multiplier(std::exp2(rng_.uniform_real(-34.0, 29.0)));
      mult[n] = qm.multiplier;
      shift[n] = qm.shift;
      bias[n] = static_cast<int32_t>(rng_.uniform(-(1 << 18), 1 << 18));
      if (rng_.uniform(0, 30) == 0) bias[n] = rng_.coin() ? INT32_MAX : INT32_MIN;
    }
    write_acc(p, bias);
    write_acc(p + 1, mult);
    write_acc(p + 2, shift);
  }

  // Identity requantisation (real multiplier 1.0, zero bias): the output byte
  // is the ACC value.
  void identity_params(int p) {
    const auto qm = qilin::golden::quantize_multiplier(1.0);
    write_acc(p, std::vector<int32_t>(kDim, 0));
    write_acc(p + 1, std::vector<int32_t>(kDim, qm.multiplier));
    write_acc(p + 2, std::vector<int32_t>(kDim, qm.shift));
  }

  // Data rows [c, c + m): values spread around +-2^spread, sometimes extreme.
  void random_data(int c, int m, int spread) {
    for (int r = c; r < c + m; ++r) {
      std::vector<int32_t> row(kDim);
      for (auto &v : row) {
        v = static_cast<int32_t>(rng_.uniform(-(int64_t{1} << spread), int64_t{1} << spread));
        if (rng_.uniform(0, 60) == 0) v = rng_.coin() ? INT32_MAX : INT32_MIN;
      }
      write_acc(r, row);
    }
  }

  // Runs one command on the RTL (with optional interference), then on the ISS,
  // and compares the outcome and every scratchpad row (except the competing
  // writer's rows).
  RunResult run(const Cmd &c, const RunOpts &o = {}) {
    INFO(c.str());
    const RunResult r = run_rtl(c, o);
    if (o.clear_after >= 0) return r;  // aborted: nothing to compare
    const auto want = run_iss(c);
    if (want.ok()) {
      CHECK(r.done);
      CHECK_FALSE(r.err);
    } else {
      CHECK_FALSE(r.done);
      CHECK(r.err);
      CHECK(r.err_code == want.code);
      CHECK(r.err_addr == want.err_addr);
    }
    compare_sp();
    return r;
  }

  // After an aborted command the RTL's output rows are unknown: copy them into
  // the ISS.
  void resync_sp(const Cmd &c) {
    for (int r = c.o_addr; r < c.o_addr + c.out_rows(); ++r) {
      const auto row = read_sp(r);
      iss_.write_sp_row(r, row.data());
    }
  }

  void clear_pulse() {
    auto &d = sim_.dut();
    d.clear_i = 1;
    sim_.tick();
    d.clear_i = 0;
    sim_.eval();
  }

  void compare_sp() {
    for (int r = 0; r < kSpRows; ++r) {
      if (comp_row(r)) continue;
      const auto got = read_sp(r);
      const uint8_t *want = iss_.sp_row(r);
      for (int n = 0; n < kDim; ++n) {
        if (got[n] != want[n]) {
          std::ostringstream os;
          os << "SP mismatch at row " << r << " lane " << n << ": expected " << int{want[n]}
             << ", actual " << int{got[n]};
          FAIL(os.str());
        }
      }
    }
  }

 private:
  static IssConfig iss_config() {
    IssConfig cfg;
    cfg.dim = kDim;
    cfg.sp_rows = kSpRows;
    cfg.acc_rows = kAccRows;
    return cfg;
  }

  static uint32_t byte_of(int v) { return static_cast<uint32_t>(v) & 0xFF; }

  qilin_postproc_t fields(const Cmd &c) const {
    qilin_postproc_t f{};
    f.out_signed = c.out_signed;
    f.bias_en = c.bias_en;
    f.pool_kind = static_cast<uint32_t>(c.pool);
    f.c_addr = c.c_addr;
    f.p_addr = c.p_addr;
    f.o_addr = c.o_addr;
    f.in_h = c.in_h;
    f.in_w = c.in_w;
    f.out_zp = c.out_zp;
    f.act_min = byte_of(c.act_min);
    f.act_max = byte_of(c.act_max);
    f.pool_kh = c.kh;
    f.pool_kw = c.kw;
    f.pool_sh = c.sh;
    f.pool_sw = c.sw;
    return f;
  }

  qilin::golden::IssResult run_iss(const Cmd &c) {
    const std::vector<qilin_insn_t> prog = {qilin::golden::encode(fields(c)),
                                            qilin::golden::encode_end()};
    qilin::golden::write_program(mem_, 0, prog);
    const auto res = iss_.run(0, static_cast<uint32_t>(prog.size()));
    INFO("ISS: " << res.to_string());
    REQUIRE((res.ok() || res.code == QILIN_ERR_PARAM_RANGE));
    return res;
  }

  bool chance(int permille) { return permille > 0 && rng_.uniform(0, 999) < permille; }

  RunResult run_rtl(const Cmd &c, const RunOpts &o) {
    auto &d = sim_.dut();
    d.cmd_c_addr_i = c.c_addr;
    d.cmd_p_addr_i = c.p_addr;
    d.cmd_o_addr_i = c.o_addr;
    d.cmd_in_h_i = c.in_h;
    d.cmd_in_w_i = c.in_w;
    d.cmd_out_signed_i = c.out_signed;
    d.cmd_bias_en_i = c.bias_en;
    d.cmd_pool_kind_i = c.pool;
    d.cmd_kh_i = c.kh;
    d.cmd_kw_i = c.kw;
    d.cmd_sh_i = c.sh;
    d.cmd_sw_i = c.sw;
    d.cmd_out_zp_i = static_cast<uint32_t>(c.out_zp) & 0x1FF;
    d.cmd_act_min_i = byte_of(c.act_min);
    d.cmd_act_max_i = byte_of(c.act_max);
    d.cmd_valid_i = 1;
    const int comp_addr = (c.o_addr / kBankRows) * kBankRows + kBankRows - 1;
    const int lo = c.o_addr, hi = c.o_addr + c.out_rows();
    RunResult res;
    bool accepted = false;
    uint64_t t0 = 0;
    for (;;) {
      d.sp_wr_valid_i = chance(o.comp_permille);
      d.sp_stall_i = accepted && o.stall_from >= 0 && sim_.cycle() - t0 >= uint64_t(o.stall_from) &&
                     sim_.cycle() - t0 < uint64_t(o.stall_from + o.stall_len);
      d.sp_wr_addr_i = comp_addr;
      for (int n = 0; n < kDim; ++n) put_bits(d.sp_wr_data_i, n * 8, 8, rng_.uniform(0, 255));
      d.acc_touch_valid_i = chance(o.touch_permille);
      d.acc_touch_addr_i = static_cast<uint32_t>(rng_.uniform(0, kAccRows - 1));
      d.clear_i = accepted && o.clear_after >= 0 && sim_.cycle() - t0 == uint64_t(o.clear_after);
      sim_.eval();
      if (d.unit_wr_valid_o && d.unit_wr_ready_o) {
        const int a = static_cast<int>(d.unit_wr_addr_o);
        if (a < lo || a >= hi || comp_row(a)) {
          std::ostringstream os;
          os << "unit wrote SP row " << a << " outside [" << lo << ", " << hi << ")";
          FAIL(os.str());
        }
      }
      if (d.done_o || d.err_o) {
        REQUIRE(accepted);
        REQUIRE_FALSE(res.done);
        REQUIRE_FALSE(res.err);
        res.done = d.done_o;
        res.err = d.err_o;
        res.err_code = d.err_code_o;
        res.err_addr = d.err_addr_o;
        res.cycles = sim_.cycle() - t0;
      }
      if (d.clear_i) break;
      if (!accepted && d.cmd_valid_i && d.cmd_ready_o) {
        accepted = true;
        t0 = sim_.cycle();
        sim_.tick();
        d.cmd_valid_i = 0;
        continue;
      }
      // After done or err, a few more cycles show that nothing else happens.
      if ((res.done || res.err) && sim_.cycle() - t0 > res.cycles + 4) break;
      sim_.tick();
    }
    d.sp_wr_valid_i = 0;
    d.sp_stall_i = 0;
    d.acc_touch_valid_i = 0;
    sim_.tick();
    d.clear_i = 0;
    if (res.err && o.clear_after < 0) {
      // The unit holds in its error state (no done, no command) until clear_i.
      for (int i = 0; i < 8; ++i) {
        sim_.eval();
        REQUIRE_FALSE(d.done_o);
        REQUIRE_FALSE(d.cmd_ready_o);
        REQUIRE_FALSE(d.unit_wr_valid_o);
        sim_.tick();
      }
      return res;
    }
    // The unit goes idle (the requantiser drains after an abort).
    for (int i = 0; i < 64 && (d.busy_o || !d.cmd_ready_o); ++i) sim_.tick();
    sim_.eval();
    REQUIRE_FALSE(d.busy_o);
    REQUIRE(d.cmd_ready_o);
    return res;
  }

  Rng rng_;
  Sim<Vqilin_post_tb_top_8> sim_;
  MemImage mem_;
  Iss iss_;
};

// Output type, zero point and clamp: the whole type, ReLU, ReLU6 (golden
// activation_range) or a random ordered range.
void random_output(Rng &rng, Cmd &c) {
  c.out_signed = rng.coin();
  const int tmin = c.out_signed ? -128 : 0, tmax = c.out_signed ? 127 : 255;
  c.out_zp = static_cast<int>(rng.uniform(tmin, tmax));
  using qilin::golden::Activation;
  switch (rng.uniform(0, 3)) {
    case 0:
      c.act_min = tmin, c.act_max = tmax;
      break;
    case 1: {
      const auto r =
          qilin::golden::activation_range(Activation::kRelu, 0.05, c.out_zp, c.out_signed);
      c.act_min = r.min, c.act_max = r.max;
      break;
    }
    case 2: {
      const auto r = qilin::golden::activation_range(
          Activation::kRelu6, rng.uniform_real(0.02, 0.1), c.out_zp, c.out_signed);
      c.act_min = r.min, c.act_max = r.max;
      break;
    }
    default: {
      const int a = static_cast<int>(rng.uniform(tmin, tmax));
      const int b = static_cast<int>(rng.uniform(tmin, tmax));
      c.act_min = std::min(a, b), c.act_max = std::max(a, b);
    }
  }
}

// Places the grid at c (ACC rows [0, 240)), parameters at p in [240, 253) and
// the outputs inside one SP bank, avoiding its last row.
void place(Rng &rng, Cmd &c) {
  const int m = c.in_h * c.in_w, n = c.out_rows();
  REQUIRE(m <= 240);
  REQUIRE(n <= kBankRows - 1);
  c.c_addr = static_cast<int>(rng.uniform(0, 240 - m));
  c.p_addr = static_cast<int>(rng.uniform(240, kAccRows - 3));
  const int bank = static_cast<int>(rng.uniform(0, 3));
  c.o_addr = bank * kBankRows + static_cast<int>(rng.uniform(0, kBankRows - 1 - n));
}

Cmd random_pool_cmd(Rng &rng, int pool) {
  Cmd c;
  c.pool = pool;
  do {
    c.kh = static_cast<int>(rng.uniform(1, 5));
    c.kw = static_cast<int>(rng.uniform(1, 5));
    c.sh = static_cast<int>(rng.uniform(1, 4));
    c.sw = static_cast<int>(rng.uniform(1, 4));
    c.in_h = static_cast<int>(rng.uniform(c.kh, 14));
    c.in_w = static_cast<int>(rng.uniform(c.kw, 14));
  } while (c.in_h * c.in_w > 240);
  return c;
}

uint64_t seed_of(const char *what) {
  const uint64_t seed = Catch::rngSeed();
  std::printf("[seed] %s: %llu\n", what, static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace

TEST_CASE("POSTPROC without pooling matches the ISS", "[ex_post][random]") {
  const uint64_t seed = seed_of("ex_post nopool");
  CAPTURE(seed);
  PostBench b("ex_post_nopool", seed);
  Rng &rng = b.rng();
  for (int i = 0; i < 24; ++i) {
    CAPTURE(i);
    Cmd c;
    c.in_h = static_cast<int>(rng.uniform(1, 12));
    c.in_w = static_cast<int>(rng.uniform(1, 20));
    c.bias_en = rng.coin();
    random_output(rng, c);
    place(rng, c);
    b.random_params(c.p_addr, rng.uniform_real(-14.0, -4.0));
    b.random_data(c.c_addr, c.in_h * c.in_w, static_cast<int>(rng.uniform(8, 22)));
    b.run(c);
  }
}

TEST_CASE("POSTPROC MAX and AVG pooling match the ISS", "[ex_post][pool][random]") {
  const uint64_t seed = seed_of("ex_post pool");
  CAPTURE(seed);
  PostBench b("ex_post_pool", seed);
  Rng &rng = b.rng();
  // Directed shapes {in_h, in_w, kh, kw, sh, sw}: window = grid, 1xN and Nx1,
  // stride > window, the largest window, uneven leftovers.
  const int shapes[][6] = {{4, 4, 4, 4, 1, 1},  {15, 15, 15, 15, 7, 7}, {1, 12, 1, 3, 1, 2},
                           {12, 1, 4, 1, 3, 1}, {9, 9, 2, 2, 5, 5},     {8, 8, 2, 2, 2, 2},
                           {7, 11, 3, 3, 2, 2}, {6, 13, 3, 5, 1, 7},    {15, 16, 15, 1, 1, 1},
                           {1, 1, 1, 1, 1, 1},  {5, 30, 5, 6, 7, 4},    {10, 10, 3, 3, 1, 1}};
  for (int pool : {QILIN_POOL_MAX, QILIN_POOL_AVG}) {
    for (const auto &s : shapes) {
      Cmd c;
      c.pool = pool;
      c.in_h = s[0], c.in_w = s[1], c.kh = s[2], c.kw = s[3], c.sh = s[4], c.sw = s[5];
      c.bias_en = rng.coin();
      random_output(rng, c);
      place(rng, c);
      CAPTURE(c.str());
      b.random_params(c.p_addr, rng.uniform_real(-12.0, -6.0));
      b.random_data(c.c_addr, c.in_h * c.in_w, 16);
      b.run(c);
    }
    for (int i = 0; i < 16; ++i) {
      Cmd c = random_pool_cmd(rng, pool);
      c.bias_en = rng.coin();
      random_output(rng, c);
      place(rng, c);
      CAPTURE(c.str());
      b.random_params(c.p_addr, rng.uniform_real(-12.0, -6.0));
      b.random_data(c.c_addr, c.in_h * c.in_w, static_cast<int>(rng.uniform(10, 20)));
      b.run(c);
    }
  }
}

TEST_CASE("POSTPROC AVG pooling rounds ties away from zero", "[ex_post][pool]") {
  const uint64_t seed = seed_of("ex_post avg ties");
  CAPTURE(seed);
  PostBench b("ex_post_ties", seed);
  Rng &rng = b.rng();
  // Non-overlapping windows with an even count N, identity requantisation, and
  // each window's values chosen so that its sum is q*N + N/2 or -(q*N + N/2):
  // every output is a tie.
  const int windows[][2] = {{1, 2}, {2, 1}, {2, 2}, {2, 3}, {4, 4}, {1, 8}, {6, 6}, {14, 15}};
  int ties = 0;
  for (bool is_signed : {true, false}) {
    for (const auto &w : windows) {
      Cmd c;
      c.pool = QILIN_POOL_AVG;
      c.kh = w[0], c.kw = w[1], c.sh = std::min(w[0], 7), c.sw = std::min(w[1], 7);
      c.in_h = c.kh * (c.kh <= 7 ? 2 : 1);
      c.in_w = c.kw * (c.kw <= 7 ? 2 : 1);
      if (c.in_h * c.in_w > 240) c.in_w = c.kw;
      c.out_signed = is_signed;
      c.out_zp = 0;
      c.act_min = is_signed ? -128 : 0;
      c.act_max = is_signed ? 127 : 255;
      place(rng, c);
      CAPTURE(c.str());
      b.identity_params(c.p_addr);
      const int n = c.kh * c.kw, oh = (c.in_h - c.kh) / c.sh + 1, ow = (c.in_w - c.kw) / c.sw + 1;
      std::vector<std::vector<int32_t>> grid(c.in_h * c.in_w, std::vector<int32_t>(kDim));
      const int lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255;
      for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
          for (int lane = 0; lane < kDim; ++lane) {
            // Target sum: a tie, negative in half of the signed lanes.
            const bool neg = is_signed && (lane % 2 == 1);
            const int q = static_cast<int>(rng.uniform(0, neg ? 127 : (is_signed ? 126 : 254)));
            const int target = neg ? -(q * n + n / 2) : q * n + n / 2;
            // Spread the target over the window, each value inside the type.
            int rest = target;
            for (int k = 0; k < n; ++k) {
              const int left = n - k - 1;
              int v_lo = std::max(lo, rest - left * hi), v_hi = std::min(hi, rest - left * lo);
              const int v = k == n - 1 ? rest : static_cast<int>(rng.uniform(v_lo, v_hi));
              REQUIRE(v >= lo);
              REQUIRE(v <= hi);
              const int y = oy * c.sh + k / c.kw, x = ox * c.sw + k % c.kw;
              grid[y * c.in_w + x][lane] = v;
              rest -= v;
            }
            ++ties;
          }
        }
      }
      for (int r = 0; r < c.in_h * c.in_w; ++r) b.write_acc(c.c_addr + r, grid[r]);
      b.run(c);
    }
  }
  CHECK(ties >= 400);
}

TEST_CASE("POSTPROC PARAM_RANGE stops the command and clear_i recovers", "[ex_post][error]") {
  const uint64_t seed = seed_of("ex_post param_range");
  CAPTURE(seed);
  PostBench b("ex_post_param_range", seed);
  Rng &rng = b.rng();
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    Cmd bad = i % 2 ? random_pool_cmd(rng, QILIN_POOL_AVG) : Cmd{};
    if (i % 2 == 0) bad.in_h = 5, bad.in_w = 7;
    bad.bias_en = rng.coin();
    random_output(rng, bad);
    place(rng, bad);
    b.random_params(bad.p_addr, -8.0);
    b.random_data(bad.c_addr, bad.in_h * bad.in_w, 16);
    // One lane's shift just outside -31..30, or far outside.
    std::vector<int32_t> shift(kDim);
    for (auto &s : shift) s = static_cast<int32_t>(rng.uniform(-31, 30));
    const int32_t bad_values[] = {31, -32, 64, INT32_MIN, INT32_MAX, -33, 32, 1 << 20};
    shift[rng.uniform(0, kDim - 1)] = bad_values[i];
    b.write_acc(bad.p_addr + 2, shift);
    const RunResult r = b.run(bad);
    CHECK(r.err);
    CHECK(r.err_code == QILIN_ERR_PARAM_RANGE);
    CHECK(r.err_addr == unsigned(bad.p_addr + 2));
    // Stuck in the error state until clear_i; then a good command runs.
    CHECK_FALSE(b.sim().dut().cmd_ready_o);
    b.clear_pulse();
    Cmd good = bad;
    b.random_params(good.p_addr, -8.0);
    const RunResult g = b.run(good);
    CHECK(g.done);
  }
}

TEST_CASE("POSTPROC under SP write conflicts and ACC read stalls and aborts", "[ex_post][stress]") {
  const uint64_t seed = seed_of("ex_post stress");
  CAPTURE(seed);
  PostBench b("ex_post_stress", seed);
  Rng &rng = b.rng();
  for (int i = 0; i < 30; ++i) {
    CAPTURE(i);
    const int kind = static_cast<int>(rng.uniform(0, 2));
    Cmd c;
    if (kind == QILIN_POOL_NONE) {
      c.in_h = static_cast<int>(rng.uniform(1, 10));
      c.in_w = static_cast<int>(rng.uniform(1, 24));
    } else {
      c = random_pool_cmd(rng, kind);
    }
    c.bias_en = rng.coin();
    random_output(rng, c);
    place(rng, c);
    b.random_params(c.p_addr, rng.uniform_real(-12.0, -6.0));
    b.random_data(c.c_addr, c.in_h * c.in_w, 16);
    RunOpts o;
    o.comp_permille = static_cast<int>(rng.uniform(0, 3)) * 300;
    o.touch_permille = static_cast<int>(rng.uniform(0, 2)) * 300;
    // A long SP write stall backs results up until the output FIFO is full.
    if (i % 5 == 2) {
      o.stall_from = 20;
      o.stall_len = 60;
    }
    if (i % 5 == 4) {
      // Abort mid-command, resynchronise the reference, then run the command
      // again.
      o.clear_after = static_cast<int>(rng.uniform(1, 60));
      b.run(c, o);
      b.resync_sp(c);
      o.clear_after = -1;
    }
    b.run(c, o);
  }
}

TEST_CASE("POSTPROC cycle counts are exact", "[ex_post][perf]") {
  const uint64_t seed = seed_of("ex_post cycles");
  CAPTURE(seed);
  PostBench b("ex_post_cycles", seed);
  Rng &rng = b.rng();
  for (int m : {1, 2, 3, 11, 12, 13, 64, 200}) {
    for (bool bias : {false, true}) {
      CAPTURE(m, bias);
      Cmd c;
      c.in_h = m % 8 == 0 ? 8 : 1;
      c.in_w = m / c.in_h;
      c.bias_en = bias;
      random_output(rng, c);
      place(rng, c);
      b.random_params(c.p_addr, -8.0);
      b.random_data(c.c_addr, m, 16);
      const RunResult r = b.run(c);
      REQUIRE(r.done);
      CHECK(r.cycles == uint64_t(m) + (bias ? kCyclesNoPoolBias : kCyclesNoPool));
    }
  }
  // Pooling reads R = OH*OW*kh*kw rows (window rows are re-read), one per
  // cycle: MAX takes the same R + 26 (+1 with bias); AVG first waits for its
  // 32-cycle reciprocal divider and divides in 4 more pipeline stages: R + 57.
  for (int pool : {QILIN_POOL_MAX, QILIN_POOL_AVG}) {
    for (bool bias : {false, true}) {
      for (int i = 0; i < 4; ++i) {
        Cmd c = random_pool_cmd(rng, pool);
        c.bias_en = bias;
        random_output(rng, c);
        place(rng, c);
        CAPTURE(c.str());
        b.random_params(c.p_addr, -8.0);
        b.random_data(c.c_addr, c.in_h * c.in_w, 16);
        const RunResult r = b.run(c);
        REQUIRE(r.done);
        const uint64_t reads = uint64_t(c.out_rows()) * c.kh * c.kw;
        const uint64_t fixed =
            pool == QILIN_POOL_AVG ? kCyclesAvg : (bias ? kCyclesNoPoolBias : kCyclesNoPool);
        CHECK(r.cycles == reads + fixed);
      }
    }
  }
  // An empty grid still reads and checks the parameters, then completes.
  Cmd e;
  e.in_h = 0, e.in_w = 5;
  place(rng, e);
  b.random_params(e.p_addr, -8.0);
  const RunResult r = b.run(e);
  CHECK(r.done);
}
