// SPDX-License-Identifier: Apache-2.0
// The golden backend: the driver's CSR accesses on an emulated register block, programs run
// on the instruction-level simulator.
#include <cstddef>
#include <map>
#include <memory>

#include "qilin/csr.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/mem_image.h"
#include "qilin/host_device.h"

namespace qilin::host {

namespace {

constexpr uint32_t off(std::size_t o) { return static_cast<uint32_t>(o); }
#define REG(r) off(offsetof(qilin_csr_t, r))

class GoldenDevice final : public Device {
 public:
  explicit GoldenDevice(const GoldenConfig& cfg)
      : iss_({cfg.dim, cfg.sp_rows, cfg.acc_rows}, mem_) {
    regs_[REG(ID)] = QILIN_CSR__ID__VALUE_reset;
    regs_[REG(VERSION)] = (QILIN_CSR__VERSION__MAJOR_reset << QILIN_CSR__VERSION__MAJOR_bp) |
                          (QILIN_CSR__VERSION__MINOR_reset << QILIN_CSR__VERSION__MINOR_bp);
    regs_[REG(HW_CFG0)] = static_cast<uint32_t>(cfg.dim) | (static_cast<uint32_t>(cfg.dim) << 16);
    regs_[REG(HW_SP_ROWS)] = cfg.sp_rows;
    regs_[REG(HW_ACC_ROWS)] = cfg.acc_rows;
  }

  uint32_t csr_read(uint32_t o) override {
    auto it = regs_.find(o);
    return it == regs_.end() ? 0u : it->second;
  }

  void csr_write(uint32_t o, uint32_t v) override {
    if (o == REG(STATUS)) {  // write 1 to clear done / error
      regs_[o] &= ~(v & (QILIN_CSR__STATUS__DONE_bm | QILIN_CSR__STATUS__ERROR_bm));
      return;
    }
    if (o != REG(CTRL)) {
      regs_[o] = v;
      return;
    }
    if (v & QILIN_CSR__CTRL__SOFT_RESET_bm) regs_[REG(STATUS)] &= ~QILIN_CSR__STATUS__BUSY_bm;
    if (v & QILIN_CSR__CTRL__START_bm) run();
  }

  int mem_write(uint64_t addr, const void* src, std::size_t n) override {
    if (addr + n > mem_.size()) return -1;
    mem_.write(addr, src, n);
    return 0;
  }
  int mem_read(uint64_t addr, void* dst, std::size_t n) override {
    if (addr + n > mem_.size()) return -1;
    mem_.read(addr, dst, n);
    return 0;
  }
  void delay(uint32_t) override {}
  std::string name() const override { return "golden"; }

 private:
  uint64_t reg64(uint32_t lo) { return regs_[lo] | (uint64_t{regs_[lo + 4]} << 32); }
  void set64(uint32_t lo, uint64_t v) {
    regs_[lo] = static_cast<uint32_t>(v);
    regs_[lo + 4] = static_cast<uint32_t>(v >> 32);
  }

  void run() {
    mem_.set_read_window(reg64(REG(DMA_RD_BASE_LO)), reg64(REG(DMA_RD_LIMIT_LO)));
    mem_.set_write_window(reg64(REG(DMA_WR_BASE_LO)), reg64(REG(DMA_WR_LIMIT_LO)));
    const golden::IssResult r = iss_.run(reg64(REG(CMD_BASE_LO)), regs_[REG(CMD_LEN)]);
    for (uint32_t o = REG(PERF_CYCLES_LO); o <= REG(PERF_INSN_RETIRED_HI); o += 4) regs_[o] = 0;
    set64(REG(PERF_MACS_LO), r.macs);
    set64(REG(PERF_INSN_RETIRED_LO), r.retired[0] + r.retired[1] + r.retired[2]);
    regs_[REG(ERR_CODE)] = r.code;
    regs_[REG(ERR_PC)] = r.err_pc;
    set64(REG(ERR_ADDR_LO), r.err_addr);
    regs_[REG(STATUS)] = r.ok() ? QILIN_CSR__STATUS__DONE_bm : QILIN_CSR__STATUS__ERROR_bm;
  }

  golden::MemImage mem_;
  golden::Iss iss_;
  std::map<uint32_t, uint32_t> regs_;
};

}  // namespace

qilin_hal_t Device::hal() {
  qilin_hal_t h{};
  h.ctx = this;
  h.csr_read = [](void* c, uint32_t o) { return static_cast<Device*>(c)->csr_read(o); };
  h.csr_write = [](void* c, uint32_t o, uint32_t v) { static_cast<Device*>(c)->csr_write(o, v); };
  h.mem_write = [](void* c, uint64_t a, const void* s, size_t n) {
    return static_cast<Device*>(c)->mem_write(a, s, n);
  };
  h.mem_read = [](void* c, uint64_t a, void* d, size_t n) {
    return static_cast<Device*>(c)->mem_read(a, d, n);
  };
  h.delay = [](void* c, uint32_t u) { static_cast<Device*>(c)->delay(u); };
  return h;
}

std::unique_ptr<Device> make_golden_device(const GoldenConfig& cfg) {
  return std::make_unique<GoldenDevice>(cfg);
}

}  // namespace qilin::host
