// SPDX-License-Identifier: Apache-2.0
// Host backends of the Qilin driver: a device object that owns the state behind a
// qilin_hal_t. The golden backend is the instruction-level simulator; the RTL backend (in
// tb/driver) is the verilated core. The CLI and the tests pick one at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "qilin/hal.h"

namespace qilin::host {

class Device {
 public:
  virtual ~Device() = default;
  virtual uint32_t csr_read(uint32_t offset) = 0;
  virtual void csr_write(uint32_t offset, uint32_t value) = 0;
  virtual int mem_write(uint64_t addr, const void* src, std::size_t n) = 0;
  virtual int mem_read(uint64_t addr, void* dst, std::size_t n) = 0;
  virtual void delay(uint32_t units) = 0;
  // Clock cycles simulated so far (0 for a backend without a clock).
  virtual uint64_t sim_cycles() const { return 0; }
  virtual std::string name() const = 0;

  // A HAL whose callbacks forward to this object (valid while it lives).
  qilin_hal_t hal();
};

struct GoldenConfig {
  int dim = 16;
  uint32_t sp_rows = 1024;
  uint32_t acc_rows = 256;
};

// The instruction-level simulator behind an emulated CSR block: the doorbell runs the whole
// program at once. PERF_CYCLES reads 0 (the ISS has no clock); PERF_MACS and
// PERF_INSN_RETIRED are the ISS's counts.
std::unique_ptr<Device> make_golden_device(const GoldenConfig& cfg = {});

}  // namespace qilin::host
