// SPDX-License-Identifier: Apache-2.0
// The RTL backend of the Qilin driver: the verilated qilin_core (the chip-test builds, DIM 8
// or 16, 1024 SP rows, 256 ACC rows) with the C++ AxiMem device memory on its AXI4 master.
// CSR accesses go through the testbench's AXI-Lite master and take simulated cycles; device
// memory is the AxiMem's backing store.
#pragma once

#include <memory>
#include <string>

#include "qilin/host_device.h"

namespace qilin::tb::driver {

struct RtlOptions {
  int dim = 16;             // 8 or 16
  std::string trace_fst;    // non-empty: write an FST waveform to this path
  uint64_t max_cycles = 0;  // hang budget for the whole run (0: 2^40)
};

// Throws std::invalid_argument for a DIM without a build.
std::unique_ptr<host::Device> make_rtl_device(const RtlOptions& opt);

}  // namespace qilin::tb::driver
