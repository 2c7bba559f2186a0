// SPDX-License-Identifier: Apache-2.0
// Testbench for the DMA engines: drives commands, bridges AXI to the AxiMem slave model,
// models the destination (LOAD) and the scratchpad read port (STORE), and checks results
// against a C++ reference of the command semantics (docs/dma.md).
#pragma once

#include <cstdint>
#include <deque>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "axi_bridge.h"
#include "axi_mem.h"
#include "bits.h"
#include "qilin/golden/rng.h"
#include "sim_harness.h"

namespace qilin::tb {

// Error codes (rtl/dma/qilin_dma_pkg.sv).
inline constexpr unsigned kErrNone = 0, kErrWindow = 3, kErrAxi = 7, kErrBadAlign = 8;
inline constexpr unsigned kBeatB = 32;

struct RdCmd {
  uint64_t dram_addr = 0;
  uint32_t stride = 0;
  uint32_t y = 0, x = 0;  // DRAM rows, vectors per row
  bool acc = false;
  uint32_t dst = 0;
  uint32_t pt = 0, pb = 0, pl = 0, pr = 0;
  uint8_t pad = 0;
  uint32_t rows() const { return pt + y + pb; }
  uint32_t cols() const { return pl + x + pr; }
};

struct WrCmd {
  uint64_t dram_addr = 0;
  uint32_t stride = 0;
  uint32_t y = 0, x = 0;  // x in vectors: Dim bytes from SP, 4*Dim bytes from ACC
  uint32_t src = 0;
  bool acc = false;  // source rows are ACC rows: each read as chunks 4*row + j, j = 0..3
  uint32_t vb(unsigned dim) const { return acc ? 4 * dim : dim; }
  uint32_t chunks_per_vector() const { return acc ? 4 : 1; }
};

struct DmaResult {
  unsigned err = 0;
  uint64_t err_addr = 0;
  uint64_t cycles = 0;  // command accepted -> done accepted
  uint64_t writes = 0;  // destination writes (LOAD) or SP reads (STORE)
};

// Bursts the engines must issue for y rows of row_bytes at addr + i*stride.
struct BurstCount {
  uint64_t bursts = 0, beats = 0;
  unsigned max_len = 0;
};
inline BurstCount expected_bursts(uint64_t addr, uint64_t stride, uint32_t y, uint64_t row_bytes,
                                  unsigned max_burst) {
  BurstCount c;
  if (row_bytes == 0) return c;
  for (uint32_t r = 0; r < y; ++r) {
    const uint64_t s = addr + r * stride;
    uint64_t line = s / kBeatB;
    const uint64_t end = (s + row_bytes - 1) / kBeatB;
    while (line <= end) {
      uint64_t n = std::min<uint64_t>({max_burst, end - line + 1, 128 - line % 128});
      c.bursts++;
      c.beats += n;
      c.max_len = std::max<unsigned>(c.max_len, static_cast<unsigned>(n - 1));
      line += n;
    }
  }
  return c;
}

// The address of the first burst (in issue order) with a beat touching [lo, hi), or ~0.
inline uint64_t first_error_burst(uint64_t addr, uint64_t stride, uint32_t y, uint64_t row_bytes,
                                  unsigned max_burst, uint64_t lo, uint64_t hi) {
  for (uint32_t r = 0; r < y && row_bytes; ++r) {
    const uint64_t s = addr + r * stride;
    uint64_t line = s / kBeatB;
    const uint64_t end = (s + row_bytes - 1) / kBeatB;
    while (line <= end) {
      uint64_t n = std::min<uint64_t>({max_burst, end - line + 1, 128 - line % 128});
      if (line * kBeatB < hi && lo < (line + n) * kBeatB) return line * kBeatB;
      line += n;
    }
  }
  return ~0ull;
}

// Field offsets of the command structs (rtl/dma/qilin_dma_pkg.sv; first member = MSB).
namespace dma_pkg {
inline constexpr unsigned kRdPad = 0, kRdPr = 8, kRdPl = 16, kRdPb = 24, kRdPt = 32, kRdDst = 40,
                          kRdAcc = 64, kRdX = 65, kRdY = 81, kRdStride = 97, kRdAddr = 129;
inline constexpr unsigned kWrSrc = 0, kWrAcc = 24, kWrX = 25, kWrY = 41, kWrStride = 57,
                          kWrAddr = 89;
}  // namespace dma_pkg

template <std::size_t N>
std::vector<uint32_t> words(const VlWide<N>& w) {
  return std::vector<uint32_t>(w.data(), w.data() + N);
}

inline std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

// LOAD engine bench. Cfg: RdModel, kDim, kDstAddrW, kName (dma_configs.h).
template <class Cfg>
class DmaRdBench {
 public:
  using Model = typename Cfg::RdModel;
  static constexpr unsigned kDim = Cfg::kDim;

  DmaRdBench(const std::string& name, const AxiMemConfig& mc, uint64_t seed)
      : sim_(name, 5'000'000), mem_(mc), rng_(seed) {
    auto& d = sim_.dut();
    d.cmd_valid_i = 0;
    d.wr_ready_i = 0;
    d.done_ready_i = 0;
    d.rd_win_base_i = 0;
    d.rd_win_limit_i = 0;
    axi_pkg::drive_read_slave(d, mem_.out());
    sim_.reset();
  }

  AxiMem& mem() { return mem_; }
  Sim<Model>& sim() { return sim_; }
  void set_window(uint64_t base, uint64_t limit) { win_base_ = base, win_limit_ = limit; }
  double p_sink_stall = 0;  // destination not ready
  double p_done_stall = 0;  // done not taken

  // Runs one command to completion. If the command completes without error, every
  // destination write is checked against the reference (row order, address, data).
  DmaResult run(const RdCmd& c) {
    auto& d = sim_.dut();
    const unsigned vb = c.acc ? 4 * kDim : kDim;
    const uint32_t total = c.rows() * c.cols();
    // Reference of the whole destination grid, from the memory image now.
    std::vector<uint8_t> want(static_cast<size_t>(total) * vb);
    for (uint32_t yy = 0; yy < c.rows(); ++yy)
      for (uint32_t xx = 0; xx < c.cols(); ++xx) {
        uint8_t* v = &want[(static_cast<size_t>(yy) * c.cols() + xx) * vb];
        const bool data = yy >= c.pt && yy < c.pt + c.y && xx >= c.pl && xx < c.pl + c.x;
        if (data) {
          const uint64_t a = c.dram_addr + static_cast<uint64_t>(yy - c.pt) * c.stride +
                             static_cast<uint64_t>(xx - c.pl) * vb;
          for (unsigned b = 0; b < vb; ++b) v[b] = mem_.peek(a + b);
        } else {
          for (unsigned b = 0; b < vb; ++b) v[b] = c.acc ? 0 : c.pad;
        }
      }

    put_cmd(c);
    d.rd_win_base_i = win_base_;
    d.rd_win_limit_i = win_limit_;
    d.cmd_valid_i = 1;
    DmaResult res;
    bool accepted = false, done = false;
    uint64_t t0 = 0;
    std::vector<std::vector<uint8_t>> got;
    std::vector<uint32_t> got_addr;
    bool prev_stall = false;
    std::vector<uint32_t> prev_data;
    uint32_t prev_addr = 0;
    while (!done) {
      axi_pkg::drive_read_slave(d, mem_.out());
      const bool sink = rng_.uniform_real(0, 1) >= p_sink_stall;
      d.wr_ready_i = sink;
      d.done_ready_i = rng_.uniform_real(0, 1) >= p_done_stall;
      sim_.eval();
      if (d.cmd_valid_i && d.cmd_ready_o) {
        accepted = true;
        t0 = sim_.cycle();
      }
      // The destination stream keeps valid and data while not accepted.
      const std::vector<uint32_t> cur = words(d.wr_data_o);
      if (prev_stall && (!d.wr_valid_o || cur != prev_data || d.wr_addr_o != prev_addr))
        fail("destination write changed while valid and not ready");
      if (d.wr_valid_o && sink) {
        if (d.wr_acc_o != c.acc) fail("wr_acc does not match the command");
        std::vector<uint8_t> v(4 * kDim);
        for (unsigned b = 0; b < 4 * kDim; ++b)
          v[b] = static_cast<uint8_t>(get_bits(d.wr_data_o, 8 * b, 8));
        got.push_back(std::move(v));
        got_addr.push_back(d.wr_addr_o);
      }
      prev_stall = d.wr_valid_o && !sink;
      prev_data = cur;
      prev_addr = d.wr_addr_o;
      if (d.done_valid_o && d.done_ready_i) {
        done = true;
        res.err = d.err_code_o;
        res.err_addr = d.err_addr_o;
        if (static_cast<bool>(d.err_valid_o) != (res.err != 0)) fail("err_valid_o inconsistent");
        res.cycles = sim_.cycle() - t0 + 1;
      }
      AxiMasterOut m;
      axi_pkg::sample_read_master(d, m);
      mem_.tick(m);
      sim_.tick();
      if (accepted) d.cmd_valid_i = 0;
    }
    res.writes = got.size();
    if (res.err == kErrNone) {
      if (got.size() != total)
        fail("expected " + std::to_string(total) + " destination writes, got " +
             std::to_string(got.size()));
      const uint32_t mask = (1u << Cfg::kDstAddrW) - 1;
      for (uint32_t k = 0; k < total; ++k) {
        const uint32_t yy = k / c.cols(), xx = k % c.cols();
        const std::string at = " at grid row " + std::to_string(yy) + " col " + std::to_string(xx) +
                               " (write " + std::to_string(k) + ")";
        if (got_addr[k] != ((c.dst + k) & mask))
          fail("wr_addr expected " + std::to_string((c.dst + k) & mask) + " actual " +
               std::to_string(got_addr[k]) + at);
        for (unsigned b = 0; b < 4 * kDim; ++b) {
          const uint8_t w = b < vb ? want[static_cast<size_t>(k) * vb + b] : 0;
          if (got[k][b] != w)
            fail("byte " + std::to_string(b) + at + ": expected " + hex(w) + " actual " +
                 hex(got[k][b]));
        }
      }
    } else if (got.size() > total) {
      fail("more destination writes than the grid has");
    }
    // The engine is idle and every transaction finished.
    for (int i = 0; i < 4; ++i) step_idle();
    if (d.busy_o) fail("engine busy after done");
    if (!mem_.idle()) fail("AXI transactions still in flight after done");
    return res;
  }

  // Idle cycles (memory model keeps running).
  void step_idle() {
    auto& d = sim_.dut();
    d.cmd_valid_i = 0;
    d.wr_ready_i = 1;
    d.done_ready_i = 0;
    axi_pkg::drive_read_slave(d, mem_.out());
    sim_.eval();
    if (d.wr_valid_o) fail("destination write while idle");
    AxiMasterOut m;
    axi_pkg::sample_read_master(d, m);
    mem_.tick(m);
    sim_.tick();
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(std::string(Cfg::kName) + " LOAD: " + what + " (cycle " +
                             std::to_string(sim_.cycle()) + ")");
  }

  void put_cmd(const RdCmd& c) {
    using namespace dma_pkg;
    auto& p = sim_.dut().cmd_i;
    put_bits(p, kRdPad, 8, c.pad);
    put_bits(p, kRdPr, 8, c.pr);
    put_bits(p, kRdPl, 8, c.pl);
    put_bits(p, kRdPb, 8, c.pb);
    put_bits(p, kRdPt, 8, c.pt);
    put_bits(p, kRdDst, 24, c.dst);
    put_bits(p, kRdAcc, 1, c.acc);
    put_bits(p, kRdX, 16, c.x);
    put_bits(p, kRdY, 16, c.y);
    put_bits(p, kRdStride, 32, c.stride);
    put_bits(p, kRdAddr, 40, c.dram_addr);
  }

  Sim<Model> sim_;
  AxiMem mem_;
  golden::Rng rng_;
  uint64_t win_base_ = 0, win_limit_ = 0;
};

// STORE engine bench: a scratchpad of 2**SpAddrW rows behind a read port with a fixed
// latency (an SRAM): the engine must take every response when it arrives.
template <class Cfg>
class DmaWrBench {
 public:
  using Model = typename Cfg::WrModel;
  static constexpr unsigned kDim = Cfg::kDim;
  static constexpr uint32_t kSpRows = 1u << Cfg::kSpAddrW;

  DmaWrBench(const std::string& name, const AxiMemConfig& mc, uint64_t seed)
      : sim_(name, 5'000'000), mem_(mc), rng_(seed) {
    auto& d = sim_.dut();
    d.cmd_valid_i = 0;
    d.done_ready_i = 0;
    d.sp_req_ready_i = 0;
    d.sp_rsp_valid_i = 0;
    d.wr_win_base_i = 0;
    d.wr_win_limit_i = 0;
    axi_pkg::drive_write_slave(d, mem_.out());
    sp_ = rng_.bytes(static_cast<size_t>(kSpRows) * kDim);
    sim_.reset();
  }

  AxiMem& mem() { return mem_; }
  std::vector<uint8_t>& sp() { return sp_; }
  void set_window(uint64_t base, uint64_t limit) { win_base_ = base, win_limit_ = limit; }
  double p_sp_stall = 0;    // SP request port busy (arbiter lost)
  unsigned sp_latency = 1;  // request accepted -> response valid
  double p_done_stall = 0;

  DmaResult run(const WrCmd& c) {
    auto& d = sim_.dut();
    put_cmd(c);
    d.wr_win_base_i = win_base_;
    d.wr_win_limit_i = win_limit_;
    d.cmd_valid_i = 1;
    DmaResult res;
    bool accepted = false, done = false;
    uint64_t t0 = 0;
    // The engine reads Dim-byte chunks: SP row r, or chunks 4*r .. 4*r+3 of ACC row r.
    uint32_t next_src = c.src * c.chunks_per_vector();
    struct Rsp {
      uint64_t due;
      uint32_t row;
    };
    std::deque<Rsp> rsp;
    while (!done) {
      axi_pkg::drive_write_slave(d, mem_.out());
      const bool req_ready = rng_.uniform_real(0, 1) >= p_sp_stall;
      d.sp_req_ready_i = req_ready;
      const bool rv = !rsp.empty() && rsp.front().due <= sim_.cycle();
      d.sp_rsp_valid_i = rv;
      if (rv)
        for (unsigned b = 0; b < kDim; ++b)
          put_bits(d.sp_rsp_data_i, 8 * b, 8, sp_[static_cast<size_t>(rsp.front().row) * kDim + b]);
      d.done_ready_i = rng_.uniform_real(0, 1) >= p_done_stall;
      sim_.eval();
      if (d.cmd_valid_i && d.cmd_ready_o) {
        accepted = true;
        t0 = sim_.cycle();
      }
      if (rv) {
        if (!d.sp_rsp_ready_o) fail("SP response not accepted (a fixed-latency SRAM cannot wait)");
        rsp.pop_front();
      }
      if (d.sp_req_valid_o && req_ready) {
        if (static_cast<bool>(d.sp_req_acc_o) != c.acc)
          fail(std::string("source read from ") + (d.sp_req_acc_o ? "ACC" : "SP") +
               ", expected " + (c.acc ? "ACC" : "SP"));
        const uint32_t row = d.sp_req_addr_o;
        if (row != (next_src & (kSpRows - 1)))
          fail("SP read of row " + std::to_string(row) + ", expected " +
               std::to_string(next_src & (kSpRows - 1)));
        next_src++;
        res.writes++;
        rsp.push_back({sim_.cycle() + sp_latency, row});
      }
      if (d.done_valid_o && d.done_ready_i) {
        done = true;
        res.err = d.err_code_o;
        res.err_addr = d.err_addr_o;
        if (static_cast<bool>(d.err_valid_o) != (res.err != 0)) fail("err_valid_o inconsistent");
        res.cycles = sim_.cycle() - t0 + 1;
      }
      AxiMasterOut m;
      axi_pkg::sample_write_master(d, m);
      mem_.tick(m);
      sim_.tick();
      if (accepted) d.cmd_valid_i = 0;
    }
    if (!rsp.empty()) fail("SP responses outstanding after done");
    const uint64_t want_reads = static_cast<uint64_t>(c.y) * c.x * c.chunks_per_vector();
    if (res.err == kErrNone && res.writes != want_reads)
      fail("expected " + std::to_string(want_reads) + " source reads, got " +
           std::to_string(res.writes));
    for (int i = 0; i < 4; ++i) step_idle();
    if (d.busy_o) fail("engine busy after done");
    if (!mem_.idle()) fail("AXI transactions still in flight after done");
    return res;
  }

  void step_idle() {
    auto& d = sim_.dut();
    d.cmd_valid_i = 0;
    d.done_ready_i = 0;
    d.sp_rsp_valid_i = 0;
    d.sp_req_ready_i = 1;
    axi_pkg::drive_write_slave(d, mem_.out());
    sim_.eval();
    if (d.sp_req_valid_o) fail("SP read while idle");
    AxiMasterOut m;
    axi_pkg::sample_write_master(d, m);
    mem_.tick(m);
    sim_.tick();
  }

  // The memory image a store of `c` leaves when it starts from `before` at `lo`. The bench's
  // source memory is one array of Dim-byte chunks: an ACC row r is chunks 4*r .. 4*r+3, i.e.
  // its 4*Dim bytes in little-endian word order.
  std::vector<uint8_t> reference(const WrCmd& c, std::vector<uint8_t> before, uint64_t lo) const {
    const uint32_t cpv = c.chunks_per_vector();
    for (uint32_t y = 0; y < c.y; ++y)
      for (uint32_t x = 0; x < c.x; ++x)
        for (uint32_t j = 0; j < cpv; ++j) {
          const uint32_t chunk = ((c.src + y * c.x + x) * cpv + j) & (kSpRows - 1);
          const uint64_t a = c.dram_addr + static_cast<uint64_t>(y) * c.stride +
                             static_cast<uint64_t>(x) * c.vb(kDim) + uint64_t{j} * kDim;
          for (unsigned b = 0; b < kDim; ++b) before.at(a + b - lo) = sp_[chunk * kDim + b];
        }
    return before;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(std::string(Cfg::kName) + " STORE: " + what + " (cycle " +
                             std::to_string(sim_.cycle()) + ")");
  }

  void put_cmd(const WrCmd& c) {
    using namespace dma_pkg;
    auto& p = sim_.dut().cmd_i;
    put_bits(p, kWrSrc, 24, c.src);
    put_bits(p, kWrAcc, 1, c.acc ? 1u : 0u);
    put_bits(p, kWrX, 16, c.x);
    put_bits(p, kWrY, 16, c.y);
    put_bits(p, kWrStride, 32, c.stride);
    put_bits(p, kWrAddr, 40, c.dram_addr);
  }

  Sim<Model> sim_;
  AxiMem mem_;
  golden::Rng rng_;
  std::vector<uint8_t> sp_;
  uint64_t win_base_ = 0, win_limit_ = 0;
};

}  // namespace qilin::tb
