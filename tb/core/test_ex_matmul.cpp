// MATMUL path (scratchpad -> array -> accumulator) against the golden GEMM: random command
// sequences with accumulation, bank conflicts, and back-to-back throughput.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <sstream>
#include <vector>

#include "Vqilin_ex_tb_top_8.h"
#include "bits.h"
#include "qilin/golden/gemm.h"
#include "qilin/golden/rng.h"
#include "sim_harness.h"

using namespace qilin::tb;
using qilin::golden::Rng;

namespace {

constexpr int kDim = 8, kSpRows = 1024, kAccRows = 256;

struct MatmulCmd {
  int w_addr, k, a_addr, m, c_addr;
  bool accumulate, a_signed, w_signed;
  int a_zp, w_zp;
};

class ExBench {
 public:
  explicit ExBench(const std::string& name) : sim_(name, 2'000'000) {
    auto& d = sim_.dut();
    d.cmd_valid_i = 0;
    d.sp_wr_valid_i = 0;
    d.acc_rd_valid_i = 0;
    sim_.reset();
    sp_.assign(kSpRows, std::vector<uint8_t>(kDim, 0));
    acc_.assign(kAccRows, std::vector<int32_t>(kDim, 0));
    written_.assign(kAccRows, false);
  }

  void fill_sp(Rng& rng) {
    auto& d = sim_.dut();
    for (int r = 0; r < kSpRows; ++r) {
      sp_[r] = rng.bytes(kDim);
      for (int i = 0; i < kDim; ++i) put_bits(d.sp_wr_data_i, i * 8, 8, sp_[r][i]);
      d.sp_wr_addr_i = r;
      d.sp_wr_valid_i = 1;
      sim_.eval();
      REQUIRE(d.sp_wr_ready_o);
      sim_.tick();
    }
    d.sp_wr_valid_i = 0;
  }

  // Issues all commands back to back, waits for every done; returns cycles from the first
  // command accepted to the last done (inclusive).
  uint64_t run(const std::vector<MatmulCmd>& cmds) {
    auto& d = sim_.dut();
    size_t issued = 0, done = 0;
    uint64_t first = 0, last = 0;
    while (done < cmds.size()) {
      if (issued < cmds.size()) drive(cmds[issued]);
      d.cmd_valid_i = issued < cmds.size();
      sim_.eval();
      if (d.cmd_valid_i && d.cmd_ready_o) {
        if (issued == 0) first = sim_.cycle();
        reference(cmds[issued]);
        ++issued;
      }
      if (d.done_o) {
        ++done;
        last = sim_.cycle();
      }
      sim_.tick();
    }
    d.cmd_valid_i = 0;
    for (int i = 0; i < 4 && !d.acc_idle_o; ++i) sim_.tick();
    REQUIRE(d.acc_idle_o);
    return last - first + 1;
  }

  // Reads back every accumulator row written so far and compares it lane by lane.
  void check_acc() {
    auto& d = sim_.dut();
    for (int r = 0; r < kAccRows; ++r) {
      if (!written_[r]) continue;
      d.acc_rd_addr_i = r;
      d.acc_rd_valid_i = 1;
      sim_.eval();
      REQUIRE(d.acc_rd_ready_o);
      sim_.tick();
      d.acc_rd_valid_i = 0;
      sim_.eval();
      REQUIRE(d.acc_rsp_valid_o);
      for (int n = 0; n < kDim; ++n) {
        const auto got = static_cast<int32_t>(get_bits(d.acc_rsp_data_o, n * 32, 32));
        if (got != acc_[r][n]) {
          std::ostringstream os;
          os << "ACC mismatch at row " << r << " lane " << n << ": expected " << acc_[r][n]
             << ", actual " << got;
          FAIL(os.str());
        }
      }
    }
  }

  // The accumulator powers up undefined: give every row a defined value by overwriting it.
  void define_acc(Rng& rng) {
    std::vector<MatmulCmd> cmds;
    for (int r = 0; r < kAccRows; r += 32) {
      MatmulCmd c{};
      c.k = kDim, c.m = 32, c.w_addr = 0, c.a_addr = static_cast<int>(rng.uniform(0, 512));
      c.c_addr = r, c.accumulate = false, c.a_signed = true, c.w_signed = true;
      cmds.push_back(c);
    }
    run(cmds);
  }

  Sim<Vqilin_ex_tb_top_8>& sim() { return sim_; }

 private:
  void drive(const MatmulCmd& c) {
    auto& d = sim_.dut();
    // Packed struct fields, MSB first: w_addr k_size a_addr m_size c_addr acc a_s w_s a_zp w_zp
    unsigned lsb = 0;
    auto put = [&](unsigned width, uint64_t v) {
      put_bits(d.cmd_i, lsb, width, v);
      lsb += width;
    };
    put(9, static_cast<uint32_t>(c.w_zp) & 0x1ff);
    put(9, static_cast<uint32_t>(c.a_zp) & 0x1ff);
    put(1, c.w_signed);
    put(1, c.a_signed);
    put(1, c.accumulate);
    put(16, c.c_addr);
    put(16, c.m);
    put(16, c.a_addr);
    put(8, c.k);
    put(16, c.w_addr);
  }

  void reference(const MatmulCmd& c) {
    std::vector<uint8_t> a(static_cast<size_t>(c.m) * c.k), w(static_cast<size_t>(c.k) * kDim);
    for (int m = 0; m < c.m; ++m)
      for (int k = 0; k < c.k; ++k) a[m * c.k + k] = sp_[c.a_addr + m][k];
    for (int k = 0; k < c.k; ++k)
      for (int n = 0; n < kDim; ++n) w[k * kDim + n] = sp_[c.w_addr + k][n];
    std::vector<int32_t> zp(kDim, c.w_zp), out(static_cast<size_t>(c.m) * kDim);
    qilin::golden::gemm_s32(c.m, kDim, c.k, {a.data(), c.a_signed}, c.a_zp, {w.data(), c.w_signed},
                            zp.data(), out.data());
    for (int m = 0; m < c.m; ++m) {
      for (int n = 0; n < kDim; ++n) {
        int32_t& dst = acc_[c.c_addr + m][n];
        dst = c.accumulate ? static_cast<int32_t>(static_cast<uint32_t>(dst) + out[m * kDim + n])
                           : out[m * kDim + n];
      }
      written_[c.c_addr + m] = true;
    }
  }

  Sim<Vqilin_ex_tb_top_8> sim_;
  std::vector<std::vector<uint8_t>> sp_;
  std::vector<std::vector<int32_t>> acc_;
  std::vector<bool> written_;
};

MatmulCmd random_cmd(Rng& rng) {
  MatmulCmd c{};
  c.k = static_cast<int>(rng.uniform(1, kDim));
  c.m = static_cast<int>(rng.uniform(1, 40));
  c.w_addr = static_cast<int>(rng.uniform(0, kSpRows - c.k));
  c.a_addr = static_cast<int>(rng.uniform(0, kSpRows - c.m));
  c.c_addr = static_cast<int>(rng.uniform(0, kAccRows - c.m));
  c.accumulate = rng.coin();
  c.a_signed = rng.coin();
  c.w_signed = rng.coin();
  c.a_zp = static_cast<int>(c.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  c.w_zp = static_cast<int>(c.w_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  return c;
}

}  // namespace

TEST_CASE("MATMUL path matches the golden GEMM over random command sequences", "[ex][random]") {
  const uint64_t seed = Catch::rngSeed();
  std::printf("[seed] ex random: %llu\n", static_cast<unsigned long long>(seed));
  CAPTURE(seed);
  Rng rng(seed);
  ExBench b("ex_random");
  b.fill_sp(rng);
  b.define_acc(rng);
  for (int round = 0; round < 6; ++round) {
    std::vector<MatmulCmd> cmds;
    for (int i = 0; i < 12; ++i) cmds.push_back(random_cmd(rng));
    CAPTURE(round);
    b.run(cmds);
    b.check_acc();
  }
}

TEST_CASE("MATMUL accumulates one row on consecutive cycles exactly (forwarding)", "[ex]") {
  Rng rng(5);
  ExBench b("ex_forward");
  b.fill_sp(rng);
  b.define_acc(rng);
  // Each command's first row is the previous command's last row, and with M = Dim tiles
  // run back to back, so that row is read one cycle after it was written.
  std::vector<MatmulCmd> cmds;
  for (int i = 0; i < 16; ++i) {
    MatmulCmd c = random_cmd(rng);
    c.m = kDim;
    c.c_addr = 8 + i * (kDim - 1);
    c.accumulate = true;
    cmds.push_back(c);
  }
  b.run(cmds);
  b.check_acc();
}

TEST_CASE("MATMUL accumulates one row one to four cycles apart exactly (forwarding)", "[ex]") {
  Rng rng(6);
  ExBench b("ex_forward2");
  b.fill_sp(rng);
  b.define_acc(rng);
  // With M = Dim tiles back to back and the next command's C starting s rows after this
  // one's, row c + s + j is updated at cycles t + j (this command) and t + Dim + j (next),
  // i.e. Dim - s cycles apart: strides Dim - 1 to Dim - 3 hit each of the accumulator's
  // three forwarding sources (the RAM read misses the write) and Dim - 4 the first cycle the
  // RAM has the sum. Overwrites among them check that a forwarded sum replaces, not adds to,
  // the old row.
  std::vector<MatmulCmd> cmds;
  int c_addr = 8;
  for (int i = 0; i < 24; ++i) {
    MatmulCmd c = random_cmd(rng);
    c.m = kDim;
    c.c_addr = c_addr;
    c.accumulate = (i % 5) != 3;
    cmds.push_back(c);
    c_addr += kDim - 1 - (i % 4);
  }
  b.run(cmds);
  b.check_acc();
}

TEST_CASE("back-to-back MATMULs keep the array busy", "[ex][cycles]") {
  Rng rng(9);
  ExBench b("ex_b2b");
  b.fill_sp(rng);
  // Weights in bank 0, A rows in bank 1: no scratchpad conflicts.
  std::vector<MatmulCmd> cmds;
  const int n = 16, m = 64;
  for (int i = 0; i < n; ++i) {
    MatmulCmd c = random_cmd(rng);
    c.k = kDim, c.m = m;
    c.w_addr = (i * kDim) % 256;
    c.a_addr = 256 + (i * m) % 256;
    c.c_addr = (i % 2) * m;
    c.accumulate = i >= 2;
    cmds.push_back(c);
  }
  const uint64_t cycles = b.run(cmds);
  const double util = static_cast<double>(n) * m / cycles;
  std::printf("ex back-to-back: %d MATMULs of %d rows: %llu cycles, array utilization %.2f%%\n",
              n, m, static_cast<unsigned long long>(cycles), 100.0 * util);
  CAPTURE(cycles, util);
  // + 22: fill/drain of the array and queues (16), plus two cycles for the array's
  // multiplier registers (each PE registers the multiplier's inputs and its product), one for
  // the SP request queue in front of the scratchpad port (its head is a register), one for
  // the register on the accumulate port, and two because done_o follows the last row into
  // the accumulator by two more cycles (qilin_acc_mem writes a row three cycles after it
  // arrives: it registers the RAM read data, and the sum before the RAM write).
  REQUIRE(cycles == static_cast<uint64_t>(n) * m + 22);
  b.check_acc();
}
