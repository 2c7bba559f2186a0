// SPDX-License-Identifier: Apache-2.0
// Full-chip bench: the verilated qilin_core with an AxiMem device memory on its AXI4 master
// port and a small AXI4-Lite master for the CSRs (offsets from the generated sw csr.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

// One chip build per test binary: QILIN_CHIP_DIM (8 or 16) picks the verilated model,
// QILIN_CHIP_OUTREG=1 the DIM 8 build with MemRegs (three-cycle SP and two-cycle ACC
// reads, as on the FPGA), and QILIN_CHIP_INFLIGHT=1 the DIM 8 build whose EX unit allows only
// two MATMULs in flight (ExMaxInflight 2), so that tests reach the limit.
#ifndef QILIN_CHIP_DIM
#define QILIN_CHIP_DIM 8
#endif
#ifndef QILIN_CHIP_OUTREG
#define QILIN_CHIP_OUTREG 0
#endif
#ifndef QILIN_CHIP_INFLIGHT
#define QILIN_CHIP_INFLIGHT 0
#endif
#if QILIN_CHIP_OUTREG && QILIN_CHIP_DIM != 8
#error "the MemRegs chip build is DIM 8"
#endif
#if QILIN_CHIP_INFLIGHT && (QILIN_CHIP_DIM != 8 || QILIN_CHIP_OUTREG)
#error "the ExMaxInflight 2 chip build is DIM 8 without MemRegs"
#endif
#if QILIN_CHIP_DIM == 16
#include "Vqilin_core_16.h"
#include "Vqilin_core_16___024root.h"
#elif QILIN_CHIP_OUTREG
#include "Vqilin_core_8r.h"
#include "Vqilin_core_8r___024root.h"
#elif QILIN_CHIP_INFLIGHT
#include "Vqilin_core_8i.h"
#include "Vqilin_core_8i___024root.h"
#else
#include "Vqilin_core_8.h"
#include "Vqilin_core_8___024root.h"
#endif
#include "axi_mem.h"
#include "bits.h"
#include "qilin/csr.h"
#include "qilin/golden/mem_image.h"
#include "sim_harness.h"

// Each build's classes live in their own inline namespace (dim8_0, dim16_0, dim8_1,
// dim8_2), so one program may link the benches of several builds without two different
// ChipBench classes sharing a name.
#define QILIN_CHIP_NS_CAT2(d, r) dim##d##_##r
#define QILIN_CHIP_NS_CAT(d, r) QILIN_CHIP_NS_CAT2(d, r)
#if QILIN_CHIP_INFLIGHT
#define QILIN_CHIP_VARIANT 2
#else
#define QILIN_CHIP_VARIANT QILIN_CHIP_OUTREG
#endif

namespace qilin::tb::chip {
inline namespace QILIN_CHIP_NS_CAT(QILIN_CHIP_DIM, QILIN_CHIP_VARIANT) {

inline constexpr int kDim = QILIN_CHIP_DIM;
inline constexpr uint32_t kSpRows = 1024;
inline constexpr uint32_t kAccRows = 256;
// The EX unit's MATMUL in-flight limit (qilin_core ExMaxInflight) of this build.
inline constexpr uint32_t kExMaxInflight = QILIN_CHIP_INFLIGHT ? 2 : 15;
inline constexpr uint64_t kMemBytes = uint64_t{1} << 34;  // the AXI address space

#define QILIN_CSR_OFF(reg) static_cast<uint32_t>(offsetof(qilin_csr_t, reg))

// qilin_axi_pkg packed-struct layouts (first member most significant).
namespace axi {
inline constexpr unsigned kIdW = 6, kAddrW = 34, kDataW = 256, kStrbW = kDataW / 8;
inline constexpr unsigned kAxBurst = 0, kAxSize = 2, kAxLen = 5, kAxAddr = 13,
                          kAxId = kAxAddr + kAddrW;
inline constexpr unsigned kWLast = 0, kWStrb = 1, kWData = 1 + kStrbW;
inline constexpr unsigned kBResp = 0, kBId = 2;
inline constexpr unsigned kRLast = 0, kRResp = 1, kRData = 3, kRId = 3 + kDataW;
}  // namespace axi

struct RunResult {
  bool finished = false;  // STATUS.error, or STATUS.done with !busy
  uint32_t status = 0;
  uint32_t err_code = 0, err_pc = 0;
  uint64_t err_addr = 0;
  uint64_t cycles = 0;
};

class ChipBench {
 public:
#if QILIN_CHIP_DIM == 16
  using Model = Vqilin_core_16;
#elif QILIN_CHIP_OUTREG
  using Model = Vqilin_core_8r;
#elif QILIN_CHIP_INFLIGHT
  using Model = Vqilin_core_8i;
#else
  using Model = Vqilin_core_8;
#endif

  ChipBench(const std::string& name, const AxiMemConfig& mcfg = {}, uint64_t timeout = 5'000'000)
      : sim_(name, timeout), mem_(mcfg) {
    Model& d = sim_.dut();
    d.s_axil_awvalid = 0;
    d.s_axil_wvalid = 0;
    d.s_axil_bready = 0;
    d.s_axil_arvalid = 0;
    d.s_axil_rready = 0;
    d.s_axil_awprot = 0;
    d.s_axil_arprot = 0;
    d.s_axil_wstrb = 0xf;
    drive_axi();
    sim_.reset();
  }

  Sim<Model>& sim() { return sim_; }
  Model& dut() { return sim_.dut(); }
  AxiMem& mem() { return mem_; }
  const std::set<uint64_t>& written_pages() const { return written_pages_; }

  // Cycles in which POSTPROC and the STORE DMA requested the accumulator read port (made
  // readable by chip_probe.vlt), counted by step(); clear between phases as needed.
  struct AccPortProbe {
    uint64_t post = 0, dma = 0, both = 0;
  };
  const AccPortProbe& acc_probe() const { return acc_probe_; }
  void clear_acc_probe() { acc_probe_ = {}; }

#if QILIN_CHIP_INFLIGHT  // only test_chip_inflight reads it: no per-cycle cost elsewhere
  // The EX unit's MATMULs (chip_probe.vlt), counted by step() at the ex_matmul command port:
  // issues and dones, the number in flight (issued, done not yet back) and its maximum, the
  // cycles in which a MATMUL was ready to issue but held by the in-flight limit (room_q low),
  // and the cycles of the EX unit's soft reset and of its error with the limit reached.
  struct ExProbe {
    uint64_t issued = 0, done = 0;
    uint32_t inflight = 0, max_inflight = 0;
    uint64_t room_held = 0;   // mm_cand && !room_q
    uint64_t reset_full = 0;  // soft reset with kExMaxInflight MATMULs in flight
    uint64_t err_full = 0;    // EX error with kExMaxInflight MATMULs in flight
  };
  const ExProbe& ex_probe() const { return ex_probe_; }
  // Clears the counts; the MATMULs still in flight stay counted.
  void clear_ex_probe() {
    const uint32_t n = ex_probe_.inflight;
    ex_probe_ = {};
    ex_probe_.inflight = ex_probe_.max_inflight = n;
  }
#endif

  // Copies an image's pages into the device memory.
  void load_image(const golden::MemImage& img) {
    img.for_each_page([&](uint64_t addr, const uint8_t* p, std::size_t n) {
      mem_.write(addr, std::vector<uint8_t>(p, p + n));
    });
  }

  // One clock cycle with the AXI slave model in the loop.
  void step() {
    Model& d = sim_.dut();
    drive_axi();
    sim_.eval();
    AxiMasterOut m;
    m.aw_valid = d.m_axi_aw_valid_o;
    m.aw = unpack_ax(d.m_axi_aw_o);
    m.w_valid = d.m_axi_w_valid_o;
    m.w_last = get_bits(d.m_axi_w_o, axi::kWLast, 1) != 0;
    m.w_strb = get_bits(d.m_axi_w_o, axi::kWStrb, axi::kStrbW);
    // The write beat is unpacked only when it is valid: this runs every simulated cycle.
    if (m.w_valid) {
      for (unsigned i = 0; i < axi::kStrbW; ++i)
        m.w_data[i] = static_cast<uint8_t>(get_bits(d.m_axi_w_o, axi::kWData + 8 * i, 8));
    }
    m.b_ready = d.m_axi_b_ready_o;
    m.ar_valid = d.m_axi_ar_valid_o;
    m.ar = unpack_ax(d.m_axi_ar_o);
    m.r_ready = d.m_axi_r_ready_o;
    const bool post_req = d.rootp->qilin_core__DOT__post_rd_valid;
    const bool dma_req = d.rootp->qilin_core__DOT__dwa_req_valid;
    acc_probe_.post += post_req;
    acc_probe_.dma += dma_req;
    acc_probe_.both += post_req && dma_req;
#if QILIN_CHIP_INFLIGHT
    probe_ex(d);
#endif
    if (m.aw_valid && mem_.out().aw_ready) {
      const uint64_t lo = m.aw.addr, hi = m.aw.addr + (uint64_t(m.aw.len) + 1) * 32;
      for (uint64_t p = lo >> 12; p <= (hi - 1) >> 12; ++p) written_pages_.insert(p);
    }
    mem_.tick(m);
    sim_.tick();
  }

  void csr_write(uint32_t off, uint32_t v) {
    Model& d = sim_.dut();
    d.s_axil_awvalid = 1;
    d.s_axil_awaddr = off;
    d.s_axil_wvalid = 1;
    d.s_axil_wdata = v;
    d.s_axil_wstrb = 0xf;
    d.s_axil_bready = 1;
    for (int guard = 0; guard < 1000; ++guard) {
      drive_axi();
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
    Model& d = sim_.dut();
    d.s_axil_arvalid = 1;
    d.s_axil_araddr = off;
    d.s_axil_rready = 1;
    for (int guard = 0; guard < 1000; ++guard) {
      drive_axi();
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

  // Doorbell, then polls STATUS until done or error with busy low, or the budget runs out.
  RunResult run(uint64_t base, uint32_t len, uint64_t budget = 2'000'000) {
    csr_write64(QILIN_CSR_OFF(CMD_BASE_LO), base);
    csr_write(QILIN_CSR_OFF(CMD_LEN), len);
    const uint64_t c0 = sim_.cycle();
    // IRQ enabled on every run, so each test also checks that done and error raise it.
    csr_write(QILIN_CSR_OFF(CTRL), QILIN_CSR__CTRL__START_bm | QILIN_CSR__CTRL__IRQ_EN_bm);
    RunResult r;
    while (sim_.cycle() - c0 < budget) {
      for (int i = 0; i < 16; ++i) step();
      r.status = csr_read(QILIN_CSR_OFF(STATUS));
      const bool fin = (r.status & (QILIN_CSR__STATUS__DONE_bm | QILIN_CSR__STATUS__ERROR_bm)) != 0;
      // After an error the command processor stays busy until a soft reset (a unit that
      // stopped keeps its instruction in flight), so an error ends the wait at once.
      if ((r.status & QILIN_CSR__STATUS__ERROR_bm) ||
          (fin && !(r.status & QILIN_CSR__STATUS__BUSY_bm))) {
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
    // Wait until the units have drained (STATUS.busy low).
    for (int i = 0; i < 100000; ++i) {
      if (!(csr_read(QILIN_CSR_OFF(STATUS)) & QILIN_CSR__STATUS__BUSY_bm)) return;
    }
    throw std::runtime_error("soft_reset: busy stays high");
  }

  // First address in the union of the ISS image's pages and the pages the RTL wrote where the
  // device memory differs from `want`; -1 if none.
  int64_t first_difference(const golden::MemImage& want, uint8_t* exp, uint8_t* act) const {
    std::set<uint64_t> pages = written_pages_;
    want.for_each_page([&](uint64_t addr, const uint8_t*, std::size_t) { pages.insert(addr >> 12); });
    for (uint64_t p : pages) {
      const uint64_t a0 = p << 12;
      if (a0 >= want.size()) continue;
      const std::vector<uint8_t> w = want.read(a0, 4096);
      const std::vector<uint8_t> g = mem_.read(a0, 4096);
      for (std::size_t i = 0; i < 4096; ++i) {
        if (w[i] != g[i]) {
          *exp = w[i];
          *act = g[i];
          return static_cast<int64_t>(a0 + i);
        }
      }
    }
    return -1;
  }

 private:
  template <class P>
  static AxiAddr unpack_ax(const P& p) {
    AxiAddr a;
    a.burst = static_cast<uint32_t>(get_bits(p, axi::kAxBurst, 2));
    a.size = static_cast<uint32_t>(get_bits(p, axi::kAxSize, 3));
    a.len = static_cast<uint32_t>(get_bits(p, axi::kAxLen, 8));
    a.addr = get_bits(p, axi::kAxAddr, axi::kAddrW);
    a.id = static_cast<uint32_t>(get_bits(p, axi::kAxId, axi::kIdW));
    return a;
  }

#if QILIN_CHIP_INFLIGHT
  // Sampled before the clock edge, like the RTL's registers.
  void probe_ex(Model& d) {
    ExProbe& e = ex_probe_;
    const auto* r = d.rootp;
    const bool full = e.inflight == kExMaxInflight;
    const bool room = r->qilin_core__DOT__u_ex__DOT__room_q;
    e.room_held += r->qilin_core__DOT__u_ex__DOT__mm_cand && !room;
    // sr_rep[3] is the EX unit's soft reset.
    e.reset_full += full && ((r->qilin_core__DOT__sr_rep >> 3) & 1);
    e.err_full += full && r->qilin_core__DOT__ex_err;
    const bool go = r->qilin_core__DOT__mm_valid && r->qilin_core__DOT__mm_ready;
    const bool dn = r->qilin_core__DOT__mm_done;
    e.issued += go;
    e.done += dn;
    if (dn && e.inflight + go == 0) throw std::runtime_error("ExProbe: a done with none in flight");
    e.inflight = e.inflight + go - dn;
    e.max_inflight = std::max(e.max_inflight, e.inflight);
  }
#endif

  void drive_axi() {
    Model& d = sim_.dut();
    const AxiSlaveOut& s = mem_.out();
    d.m_axi_aw_ready_i = s.aw_ready;
    d.m_axi_w_ready_i = s.w_ready;
    d.m_axi_b_valid_i = s.b_valid;
    put_bits(d.m_axi_b_i, axi::kBResp, 2, s.b_resp);
    put_bits(d.m_axi_b_i, axi::kBId, axi::kIdW, s.b_id);
    d.m_axi_ar_ready_i = s.ar_ready;
    d.m_axi_r_valid_i = s.r_valid;
    put_bits(d.m_axi_r_i, axi::kRLast, 1, s.r_last);
    put_bits(d.m_axi_r_i, axi::kRResp, 2, s.r_resp);
    for (unsigned i = 0; i < axi::kStrbW; i += 4) {
      const uint32_t w = s.r_data[i] | (s.r_data[i + 1] << 8) | (s.r_data[i + 2] << 16) |
                         (static_cast<uint32_t>(s.r_data[i + 3]) << 24);
      put_bits(d.m_axi_r_i, axi::kRData + 8 * i, 32, w);
    }
    put_bits(d.m_axi_r_i, axi::kRId, axi::kIdW, s.r_id);
  }

  Sim<Model> sim_;
  AxiMem mem_;
  std::set<uint64_t> written_pages_;
  AccPortProbe acc_probe_;
#if QILIN_CHIP_INFLIGHT
  ExProbe ex_probe_;
#endif
};

}  // namespace QILIN_CHIP_NS
}  // namespace qilin::tb::chip
