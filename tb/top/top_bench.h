// SPDX-License-Identifier: Apache-2.0
// Chip-top bench: the verilated qilin_top (qilin_core + hbm_ctrl_top) with one HBM2 device
// model (qilin::hbm::Device) per pseudo-channel on its PHY ports, an AXI4-Lite master for the
// CSRs, and backdoor access to the device memory through the controller's address map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bits.h"
#include "hbm_device.h"
#include "hbm_timing.h"
#include "qilin/csr.h"
#include "qilin/golden/mem_image.h"
#include "sim_harness.h"

namespace qilin::tb::top {

#define QILIN_CSR_OFF(reg) static_cast<uint32_t>(offsetof(qilin_csr_t, reg))

using Line = std::array<uint8_t, 32>;

struct RunResult {
  bool finished = false;  // STATUS.error, or STATUS.done with !busy
  uint32_t status = 0;
  uint32_t err_code = 0, err_pc = 0;
  uint64_t err_addr = 0;
  uint64_t cycles = 0;
};

// Address map 0 of rtl/hbm/hbm_addr_map.sv (byte address bits from the LSB, after the 5 byte
// bits): pc (log2 NumPC bits), bg 2, col 5, ba 2, row 14. Higher bits are ignored (alias).
struct DevAddr {
  unsigned pc, bg, ba, row, col;
};
inline unsigned pc_bits(unsigned num_pc) {
  unsigned b = 0;
  while ((1u << b) < num_pc) ++b;
  return b;
}
inline DevAddr map0(uint64_t addr, unsigned num_pc) {
  const unsigned pcb = pc_bits(num_pc);
  const uint64_t line = addr >> 5, l = line >> pcb;
  DevAddr d;
  d.pc = static_cast<unsigned>(line & (num_pc - 1));
  d.bg = static_cast<unsigned>(l & 3);
  d.col = static_cast<unsigned>((l >> 2) & 31);
  d.ba = static_cast<unsigned>((l >> 7) & 3);
  d.row = static_cast<unsigned>((l >> 9) & 0x3fff);
  return d;
}
inline uint64_t unmap0(const DevAddr& d, unsigned num_pc) {
  const uint64_t l = (uint64_t(d.row) << 9) | (uint64_t(d.ba) << 7) | (uint64_t(d.col) << 2) | d.bg;
  return ((l << pc_bits(num_pc)) | d.pc) << 5;
}
// Bytes the map covers: 2^(5 + pc bits + 2 + 5 + 2 + 14).
inline uint64_t hbm_bytes(unsigned num_pc) { return uint64_t{1} << (28 + pc_bits(num_pc)); }

// Per-PC column-command counts seen on the PHY port.
struct PhyCounts {
  uint64_t act = 0, rd = 0, wr = 0, ref = 0;
};

template <class M>
class TopBench {
 public:
  using Model = M;

  TopBench(const std::string& name, unsigned num_pc, uint64_t timeout = 5'000'000,
           const hbm::Timing& timing = hbm::kHBM2_2000)
      : sim_(name, timeout), num_pc_(num_pc), phy_(num_pc) {
    for (unsigned p = 0; p < num_pc; ++p) dev_.push_back(std::make_unique<hbm::Device>(timing));
    M& d = sim_.dut();
    d.s_axil_awvalid = 0;
    d.s_axil_wvalid = 0;
    d.s_axil_bready = 0;
    d.s_axil_arvalid = 0;
    d.s_axil_rready = 0;
    d.s_axil_awprot = 0;
    d.s_axil_arprot = 0;
    d.s_axil_wstrb = 0xf;
    d.phy_rd_valid_i = 0;
    sim_.reset();
  }

  Sim<M>& sim() { return sim_; }
  M& dut() { return sim_.dut(); }
  unsigned num_pc() const { return num_pc_; }
  hbm::Device& device(unsigned p) { return *dev_[p]; }
  const PhyCounts& phy(unsigned p) const { return phy_[p]; }
  // 32 B line addresses the controller wrote through the PHY (for the comparison).
  const std::set<uint64_t>& written_lines() const { return written_; }

  // ---- Backdoor access through address map 0.
  void write_line(uint64_t addr, const Line& l) {
    const DevAddr a = map0(addr, num_pc_);
    dev_[a.pc]->backdoor_write(a.bg, a.ba, a.row, a.col, l);
  }
  Line read_line(uint64_t addr) const {
    const DevAddr a = map0(addr, num_pc_);
    return dev_[a.pc]->backdoor_read(a.bg, a.ba, a.row, a.col);
  }
  void load_image(const golden::MemImage& img) {
    img.for_each_page([&](uint64_t addr, const uint8_t* p, std::size_t n) {
      if (addr + n > hbm_bytes(num_pc_)) throw std::runtime_error("image beyond the HBM");
      for (std::size_t o = 0; o < n; o += 32) {
        Line l;
        std::copy(p + o, p + o + 32, l.begin());
        write_line(addr + o, l);
      }
    });
  }
  // Copies every line the controller wrote into `img` (device state after a failed program).
  void read_back(golden::MemImage& img) const {
    for (uint64_t a : written_) {
      const Line l = read_line(a);
      img.write(a, l.data(), l.size());
    }
  }

  // First byte address, over the ISS image's pages and every line the controller wrote, where
  // the device differs from `want`; -1 if none.
  int64_t first_difference(const golden::MemImage& want, uint8_t* exp, uint8_t* act) const {
    std::set<uint64_t> lines = written_;
    want.for_each_page([&](uint64_t addr, const uint8_t*, std::size_t n) {
      for (std::size_t o = 0; o < n; o += 32) lines.insert(addr + o);
    });
    for (uint64_t a : lines) {
      if (a >= want.size()) continue;
      const std::vector<uint8_t> w = want.read(a, 32);
      const Line g = read_line(a);
      for (std::size_t i = 0; i < 32; ++i) {
        if (w[i] != g[i]) {
          *exp = w[i];
          *act = g[i];
          return static_cast<int64_t>(a + i);
        }
      }
    }
    return -1;
  }

  // ---- One clock cycle: the devices take this cycle's PHY commands and return read data.
  void step() {
    M& d = sim_.dut();
    sim_.eval();
    bridge(d);
    sim_.eval();
    sim_.tick();
  }

  void check_violations() {
    for (unsigned p = 0; p < num_pc_; ++p) {
      const auto& v = dev_[p]->violations();
      if (v.empty()) continue;
      std::ostringstream os;
      os << "HBM PC " << p << ": " << v.size() << " timing violation(s); first: " << v[0].rule
         << " at cycle " << v[0].cycle << ": " << v[0].detail;
      throw std::runtime_error(os.str());
    }
  }
  void finish_devices() {
    for (auto& dv : dev_) dv->finish();
    check_violations();
  }

  // ---- AXI4-Lite CSR access.
  void csr_write(uint32_t off, uint32_t v) {
    M& d = sim_.dut();
    d.s_axil_awvalid = 1;
    d.s_axil_awaddr = off;
    d.s_axil_wvalid = 1;
    d.s_axil_wdata = v;
    d.s_axil_wstrb = 0xf;
    d.s_axil_bready = 1;
    for (int guard = 0; guard < 1000; ++guard) {
      sim_.eval();
      const bool aw = d.s_axil_awvalid && d.s_axil_awready;
      const bool w = d.s_axil_wvalid && d.s_axil_wready;
      const bool b = d.s_axil_bvalid && d.s_axil_bready;
      step();
      if (aw) d.s_axil_awvalid = 0;
      if (w) d.s_axil_wvalid = 0;
      if (b) {
        d.s_axil_bready = 0;
        return;
      }
    }
    throw std::runtime_error("csr_write: no response");
  }
  uint32_t csr_read(uint32_t off) {
    M& d = sim_.dut();
    d.s_axil_arvalid = 1;
    d.s_axil_araddr = off;
    d.s_axil_rready = 1;
    for (int guard = 0; guard < 1000; ++guard) {
      sim_.eval();
      const bool ar = d.s_axil_arvalid && d.s_axil_arready;
      const bool r = d.s_axil_rvalid && d.s_axil_rready;
      const uint32_t data = d.s_axil_rdata;
      step();
      if (ar) d.s_axil_arvalid = 0;
      if (r) {
        d.s_axil_rready = 0;
        return data;
      }
    }
    throw std::runtime_error("csr_read: no response");
  }
  void csr_write64(uint32_t lo_off, uint64_t v) {
    csr_write(lo_off, static_cast<uint32_t>(v));
    csr_write(lo_off + 4, static_cast<uint32_t>(v >> 32));
  }
  uint64_t csr_read64(uint32_t lo_off) {
    const uint64_t lo = csr_read(lo_off);
    return lo | (uint64_t(csr_read(lo_off + 4)) << 32);
  }
  void set_windows(uint64_t rd_base, uint64_t rd_limit, uint64_t wr_base, uint64_t wr_limit) {
    csr_write64(QILIN_CSR_OFF(DMA_RD_BASE_LO), rd_base);
    csr_write64(QILIN_CSR_OFF(DMA_RD_LIMIT_LO), rd_limit);
    csr_write64(QILIN_CSR_OFF(DMA_WR_BASE_LO), wr_base);
    csr_write64(QILIN_CSR_OFF(DMA_WR_LIMIT_LO), wr_limit);
  }

  // Doorbell, then polls STATUS every `poll` cycles until done (busy low) or error, or the
  // cycle budget runs out.
  RunResult run(uint64_t base, uint32_t len, uint64_t budget = 2'000'000, int poll = 16) {
    csr_write64(QILIN_CSR_OFF(CMD_BASE_LO), base);
    csr_write(QILIN_CSR_OFF(CMD_LEN), len);
    const uint64_t c0 = sim_.cycle();
    csr_write(QILIN_CSR_OFF(CTRL), QILIN_CSR__CTRL__START_bm);
    RunResult r;
    while (sim_.cycle() - c0 < budget) {
      for (int i = 0; i < poll; ++i) step();
      r.status = csr_read(QILIN_CSR_OFF(STATUS));
      if ((r.status & QILIN_CSR__STATUS__ERROR_bm) ||
          ((r.status & QILIN_CSR__STATUS__DONE_bm) && !(r.status & QILIN_CSR__STATUS__BUSY_bm))) {
        r.finished = true;
        break;
      }
    }
    r.cycles = sim_.cycle() - c0;
    r.err_code = csr_read(QILIN_CSR_OFF(ERR_CODE));
    r.err_pc = csr_read(QILIN_CSR_OFF(ERR_PC));
    r.err_addr = csr_read64(QILIN_CSR_OFF(ERR_ADDR_LO));
    return r;
  }

  void soft_reset() {
    csr_write(QILIN_CSR_OFF(CTRL), QILIN_CSR__CTRL__SOFT_RESET_bm);
    for (int i = 0; i < 100000; ++i)
      if (!(csr_read(QILIN_CSR_OFF(STATUS)) & QILIN_CSR__STATUS__BUSY_bm)) return;
    throw std::runtime_error("soft_reset: busy stays high");
  }

 private:
  void bridge(M& d) {
    for (unsigned p = 0; p < num_pc_; ++p) {
      hbm::RowCmd r;
      hbm::ColCmd c;
      if (get_bits(d.phy_row_valid_o, p, 1)) {
        r.op = static_cast<hbm::RowOp>(get_bits(d.phy_row_cmd_o, 3 * p, 3));
        r.bg = static_cast<unsigned>(get_bits(d.phy_row_bg_o, 2 * p, 2));
        r.ba = static_cast<unsigned>(get_bits(d.phy_row_ba_o, 2 * p, 2));
        r.row = static_cast<unsigned>(get_bits(d.phy_row_addr_o, 14 * p, 14));
        if (r.op == hbm::RowOp::kAct) phy_[p].act++;
        if (r.op == hbm::RowOp::kRef || r.op == hbm::RowOp::kRefPb) phy_[p].ref++;
      }
      if (get_bits(d.phy_col_valid_o, p, 1)) {
        c.op = static_cast<hbm::ColOp>(get_bits(d.phy_col_cmd_o, 3 * p, 3));
        c.bg = static_cast<unsigned>(get_bits(d.phy_col_bg_o, 2 * p, 2));
        c.ba = static_cast<unsigned>(get_bits(d.phy_col_ba_o, 2 * p, 2));
        c.col = static_cast<unsigned>(get_bits(d.phy_col_addr_o, 5 * p, 5));
        const bool wr = (c.op == hbm::ColOp::kWr || c.op == hbm::ColOp::kWrA);
        if (wr) {
          for (unsigned w = 0; w < 8; ++w) {
            const uint32_t v = d.phy_wdata_o[8 * p + w];
            for (unsigned b = 0; b < 4; ++b) c.wdata[4 * w + b] = static_cast<uint8_t>(v >> (8 * b));
          }
          c.wmask = static_cast<uint32_t>(get_bits(d.phy_wmask_o, 32 * p, 32));
          // The written line: the row is the one the last ACT opened in this bank.
          phy_[p].wr++;
          written_.insert(unmap0({p, c.bg, c.ba, open_row_[p][c.bg * 4 + c.ba], c.col}, num_pc_));
        } else {
          phy_[p].rd++;
        }
      }
      if (r.op == hbm::RowOp::kAct) open_row_[p][r.bg * 4 + r.ba] = r.row;
      dev_[p]->cycle(r, c);
      check_violations();
      const bool v = dev_[p]->rd_valid();
      put_bits(d.phy_rd_valid_i, p, 1, v);
      if (v) {
        const auto& l = dev_[p]->rd_data();
        for (unsigned w = 0; w < 8; ++w)
          d.phy_rd_data_i[8 * p + w] = uint32_t(l[4 * w]) | uint32_t(l[4 * w + 1]) << 8 |
                                       uint32_t(l[4 * w + 2]) << 16 | uint32_t(l[4 * w + 3]) << 24;
      }
    }
  }

  Sim<M> sim_;
  unsigned num_pc_;
  std::vector<std::unique_ptr<hbm::Device>> dev_;
  std::vector<PhyCounts> phy_;
  std::vector<std::array<unsigned, 16>> open_row_ = std::vector<std::array<unsigned, 16>>(16);
  std::set<uint64_t> written_;
};

}  // namespace qilin::tb::top
