// SPDX-License-Identifier: Apache-2.0
// The chip tests' common check: one program on the instruction-level simulator and on the
// chip bench, with the end states compared (Catch2 assertions: for test files only).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "chip_bench.h"
#include "qilin/golden/iss.h"
#include "qilin/isa.h"

namespace qilin::tb::chip {
inline namespace QILIN_CHIP_NS_CAT(QILIN_CHIP_DIM, QILIN_CHIP_VARIANT) {

// The ISS configuration matching this build's bench.
inline golden::IssConfig chip_iss_config() {
  golden::IssConfig c;
  c.dim = kDim;
  c.sp_rows = kSpRows;
  c.acc_rows = kAccRows;
  return c;
}

// Writes `prog` at `base` into a copy of `img`, loads it into `bench` and runs it there and
// on the ISS. Checks STATUS and, on an error, ERR_CODE/PC/ADDR against the ISS; without one,
// the device memory byte for byte and PERF_MACS. Checks the interrupt, then clears STATUS
// for the next program. Returns the ISS result; `iss_mem`, if given, gets the ISS's memory.
inline golden::IssResult run_both(ChipBench& bench, golden::MemImage img, uint64_t base,
                                  const std::vector<qilin_insn_t>& prog,
                                  golden::MemImage* iss_mem = nullptr) {
  const auto len = static_cast<uint32_t>(prog.size());
  golden::write_program(img, base, prog);
  bench.load_image(img);
  golden::MemImage want_mem = img;
  golden::Iss iss(chip_iss_config(), want_mem);
  const golden::IssResult want = iss.run(base, len);
  INFO("ISS: " << want.to_string());
  const RunResult got = bench.run(base, len);
  INFO("RTL: status " << got.status << " err_code " << got.err_code << " err_pc " << got.err_pc
                      << " err_addr " << got.err_addr << " cycles " << got.cycles);
  REQUIRE(got.finished);
  if (want.ok()) {
    CHECK((got.status & QILIN_CSR__STATUS__DONE_bm) != 0);
    CHECK((got.status & QILIN_CSR__STATUS__ERROR_bm) == 0);
    uint8_t e = 0, a = 0;
    const int64_t diff = bench.first_difference(want_mem, &e, &a);
    INFO("first difference at 0x" << std::hex << diff << ": expected 0x" << int(e) << ", got 0x"
                                  << int(a));
    CHECK(diff == -1);
    CHECK(bench.csr_read64(QILIN_CSR_OFF(PERF_MACS_LO)) == want.macs);
  } else {
    CHECK((got.status & QILIN_CSR__STATUS__ERROR_bm) != 0);
    CHECK(got.err_code == want.code);
    CHECK(got.err_pc == want.err_pc);
    CHECK(got.err_addr == want.err_addr);
  }
  // Done and error both raise the interrupt (IRQ_EN is set by the run).
  bench.sim().eval();
  CHECK(bench.dut().irq_o);
  // Clear STATUS.done/error (write 1 to clear) for the next program; the IRQ drops with them.
  bench.csr_write(QILIN_CSR_OFF(STATUS), QILIN_CSR__STATUS__DONE_bm | QILIN_CSR__STATUS__ERROR_bm);
  CHECK((bench.csr_read(QILIN_CSR_OFF(STATUS)) & 0x6u) == 0);
  bench.sim().eval();
  CHECK(!bench.dut().irq_o);
  if (iss_mem) *iss_mem = want_mem;
  return want;
}

}  // namespace QILIN_CHIP_NS_CAT(QILIN_CHIP_DIM, QILIN_CHIP_VARIANT)
}  // namespace qilin::tb::chip
