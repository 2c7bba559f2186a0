// SPDX-License-Identifier: Apache-2.0
// The EX unit's MATMUL in-flight limit (qilin_ex_unit MaxInflight, qilin_core ExMaxInflight),
// on the DIM 8 chip built with ExMaxInflight = 2 (Vqilin_core_8i). At the default 15 the
// limit is never reached (the command processor lets at most four EX instructions out), so
// its logic (room_q, assertions Room_A and RoomCand_A) is exercised only here. Programs of
// back-to-back MATMULs (independent ACC rows, accumulate chains into the same rows, and
// POSTPROCs among them) run on the RTL and on the ISS and must match byte for byte; the bench
// counts (ChipBench::ExProbe, chip_probe.vlt) the MATMULs in flight at ex_matmul and the cycles
// in which one was ready but held by the limit, and each test requires that the limit was
// reached and never exceeded. A soft reset and a POSTPROC error with the limit reached are
// also covered (the limit's candidates for a reset or error cycle).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "chip_bench.h"
#include "chip_run_both.h"
#include "qilin/golden/gemm_programs.h"
#include "qilin/golden/insn_builders.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

using qilin::golden::encode;
using qilin::golden::encode_end;
using qilin::golden::IssResult;
using qilin::golden::MemImage;
using qilin::golden::Rng;
using qilin::golden::write_program;
using qilin::tb::chip::ChipBench;
using qilin::tb::chip::kDim;
using qilin::tb::chip::kExMaxInflight;
using qilin::tb::chip::kMemBytes;
using qilin::tb::chip::kSpRows;
using qilin::tb::chip::RunResult;
using qilin::tb::chip::run_both;

namespace {

constexpr uint64_t kProg = 0x1000;
constexpr uint64_t kData = 0x100000;
constexpr uint64_t kAccInit = kData + 0x10000;  // int32 ACC rows 0..kParams-1
constexpr uint64_t kParamData = kData + 0x20000;
constexpr uint64_t kAccOut = kData + 0x40000;
constexpr uint64_t kSpOut = kData + 0x60000;
constexpr uint32_t kParams = 240;  // ACC rows 240..242: bias, multiplier, shift
constexpr uint32_t kCRows = 200;   // MATMULs write and POSTPROCs read ACC rows 0..199

static_assert(kExMaxInflight == 2, "test_chip_inflight needs the ExMaxInflight 2 build");

using namespace qilin::golden::insn;  // instruction builders (insn_builders.h)

// Device memory: SP source rows, ACC rows 0..kParams-1 (small int32) and POSTPROC parameters
// (`bad_shift`: one lane's shift out of range, a PARAM_RANGE error).
MemImage make_image(Rng& rng, bool bad_shift = false) {
  MemImage img(kMemBytes);
  const std::vector<uint8_t> sp = rng.bytes(kSpRows * kDim);
  img.write(kData, sp.data(), sp.size());
  std::vector<int32_t> acc;
  for (uint32_t i = 0; i < kParams * kDim; ++i)
    acc.push_back(static_cast<int32_t>(rng.uniform(-30000, 30000)));
  img.write_s32(kAccInit, acc.data(), acc.size());
  std::vector<int32_t> par = qilin::golden::programs::random_post_params(rng, kDim);
  if (bad_shift) par[static_cast<std::size_t>(2 * kDim + rng.uniform(0, kDim - 1))] = 40;
  img.write_s32(kParamData, par.data(), par.size());
  return img;
}

// Every SP and ACC row defined, then a barrier.
void prologue(std::vector<qilin_insn_t>& p) {
  p.push_back(encode(load_f(QILIN_MEM_ACC, kParams, kParamData, 4 * kDim, 3, 1)));
  p.push_back(encode(load_f(QILIN_MEM_ACC, 0, kAccInit, 4 * kDim, kParams, 1)));
  p.push_back(encode(load_f(QILIN_MEM_SP, 0, kData, kDim, kSpRows, 1)));
  p.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
}

// A barrier, the whole ACC (raw int32) and SP stored, END.
void epilogue(std::vector<qilin_insn_t>& p) {
  p.push_back(encode(sync_f(QILIN_QUEUE_ALL)));
  p.push_back(encode(store_f(QILIN_MEM_ACC, 0, kAccOut, 4 * kDim, kParams, 1)));
  p.push_back(encode(store_f(QILIN_MEM_SP, 0, kSpOut, kDim, kSpRows, 1)));
  p.push_back(encode_end());
}

// A MATMUL with random SP rows below `sp_end`, signs, zero points and k (1..kDim).
qilin_insn_t random_mm(Rng& rng, uint32_t c, uint32_t m, bool acc, uint32_t sp_end = kSpRows) {
  const uint32_t k = static_cast<uint32_t>(rng.uniform(1, kDim));
  qilin_matmul_t x = matmul_f(static_cast<uint32_t>(rng.uniform(0, sp_end - m)),
                              static_cast<uint32_t>(rng.uniform(0, sp_end - k)), c, m, k);
  x.a_signed = rng.coin();
  x.w_signed = rng.coin();
  x.a_zp = static_cast<int32_t>(x.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  x.w_zp = static_cast<int32_t>(x.w_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  x.accumulate = acc;
  return encode(x);
}

// kIndep: each MATMUL into its own 16-row ACC block (12 blocks in turn); kDep: accumulate
// chains into the same rows (a few bases, each MATMUL overlapping the previous one); kPost:
// random ACC rows with POSTPROCs among the MATMULs (MATMULs behind a POSTPROC that miss its
// rows run under it and their dones are held, which counts towards the limit).
enum class Mix { kIndep, kDep, kPost };

std::vector<qilin_insn_t> mix_program(Rng& rng, Mix mix) {
  std::vector<qilin_insn_t> p;
  prologue(p);
  uint32_t base = static_cast<uint32_t>(rng.uniform(0, kCRows - 48));
  for (int i = 0; i < 24; ++i) {
    switch (mix) {
      case Mix::kIndep:
        p.push_back(random_mm(rng, 16 * static_cast<uint32_t>(i % 12),
                              static_cast<uint32_t>(rng.uniform(3, 16)), rng.coin()));
        break;
      case Mix::kDep:
        if (i % 8 == 0) base = static_cast<uint32_t>(rng.uniform(0, kCRows - 48));
        p.push_back(random_mm(rng, base + static_cast<uint32_t>(rng.uniform(0, 8)),
                              static_cast<uint32_t>(rng.uniform(3, 40)), i % 8 != 0 || rng.coin()));
        break;
      case Mix::kPost:
        if (i % 6 == 3) {
          const uint32_t h = static_cast<uint32_t>(rng.uniform(8, 64));
          qilin_postproc_t pp =
              postproc_f(static_cast<uint32_t>(rng.uniform(0, kCRows - h)), kParams,
                         static_cast<uint32_t>(rng.uniform(512, kSpRows - h)), h, 1, rng.coin());
          pp.bias_en = rng.coin();
          pp.out_zp =
              static_cast<int32_t>(pp.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
          p.push_back(encode(pp));
        } else {
          const uint32_t m = static_cast<uint32_t>(rng.uniform(3, 24));
          p.push_back(
              random_mm(rng, static_cast<uint32_t>(rng.uniform(0, kCRows - m)), m, rng.coin()));
        }
        break;
    }
  }
  epilogue(p);
  return p;
}

const char* mix_name(Mix m) {
  return m == Mix::kIndep ? "independent" : m == Mix::kDep ? "dependent" : "with POSTPROCs";
}

// The limit was reached (a MATMUL held by it, kExMaxInflight in flight) and never exceeded.
void check_limit_reached(const ChipBench& b) {
  const ChipBench::ExProbe& e = b.ex_probe();
  INFO("MATMULs issued " << e.issued << ", done " << e.done << ", max in flight " << e.max_inflight
                         << ", cycles held by the limit " << e.room_held);
  CHECK(e.issued == e.done);
  CHECK(e.max_inflight == kExMaxInflight);
  CHECK(e.room_held > 0);
}

}  // namespace

TEST_CASE("chip inflight: back-to-back MATMULs at the EX in-flight limit match the ISS",
          "[chip][inflight]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  uint64_t held = 0;
  for (const Mix mix : {Mix::kIndep, Mix::kDep, Mix::kPost}) {
    for (int n = 0; n < 3; ++n) {
      CAPTURE(mix_name(mix), n);
      const MemImage img = make_image(rng);
      const std::vector<qilin_insn_t> p = mix_program(rng, mix);
      ChipBench b("chip_inflight");
      b.set_windows(0, kMemBytes, 0, kMemBytes);
      REQUIRE(run_both(b, img, kProg, p).ok());
      check_limit_reached(b);
      held += b.ex_probe().room_held;
    }
  }
  INFO("cycles a MATMUL was held by the in-flight limit, all programs: " << held);
  CHECK(held > 0);
}

TEST_CASE("chip inflight: a soft reset at the EX in-flight limit, then the program reruns",
          "[chip][inflight][error]") {
  // 200-row MATMULs (about 200 cycles each) keep two in flight; the soft reset is written
  // right after an issue made it two, so it reaches the EX unit with both still running.
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const MemImage img = make_image(rng);
  std::vector<qilin_insn_t> p;
  prologue(p);
  for (int i = 0; i < 8; ++i) p.push_back(random_mm(rng, 0, kCRows, i > 0));
  epilogue(p);
  MemImage first = img;
  write_program(first, kProg, p);
  ChipBench b("chip_inflight_soft_reset");
  b.set_windows(0, kMemBytes, 0, kMemBytes);
  b.load_image(first);
  b.csr_write64(QILIN_CSR_OFF(CMD_BASE_LO), kProg);
  b.csr_write(QILIN_CSR_OFF(CMD_LEN), static_cast<uint32_t>(p.size()));
  b.csr_write(QILIN_CSR_OFF(CTRL), QILIN_CSR__CTRL__START_bm);
  const int wait = static_cast<int>(rng.uniform(0, 800));
  CAPTURE(wait);
  for (int i = 0; i < wait; ++i) b.step();
  for (int guard = 0;; ++guard) {
    REQUIRE(guard < 5000);
    const uint64_t issued = b.ex_probe().issued;
    b.step();
    if (b.ex_probe().issued != issued && b.ex_probe().inflight == kExMaxInflight) break;
  }
  b.soft_reset();
  CHECK((b.csr_read(QILIN_CSR_OFF(STATUS)) & 0x7u) == 0);
  INFO("soft reset cycles with the limit reached: " << b.ex_probe().reset_full);
  CHECK(b.ex_probe().reset_full == 1);
  // The MATMULs in flight ran to completion; then the whole program again matches the ISS.
  CHECK(b.ex_probe().inflight == 0);
  b.clear_ex_probe();
  REQUIRE(run_both(b, img, kProg, p).ok());
  check_limit_reached(b);
}

TEST_CASE("chip inflight: a POSTPROC error at the EX in-flight limit", "[chip][inflight][error]") {
  // A POSTPROC with a bad shift lane, then 100-row MATMULs that miss its rows (ACC and SP):
  // two issue behind it and run while it reads its parameters and fails. ERR_* equal the
  // ISS's (the POSTPROC's PC); then a soft reset and a program at the limit.
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const MemImage bad = make_image(rng, true);
  std::vector<qilin_insn_t> p;
  prologue(p);
  p.push_back(encode(postproc_f(150, kParams, 600, 40, 1, rng.coin())));
  for (int i = 0; i < 4; ++i) p.push_back(random_mm(rng, 0, 100, rng.coin(), 512));
  epilogue(p);
  ChipBench b("chip_inflight_post_err");
  b.set_windows(0, kMemBytes, 0, kMemBytes);
  const IssResult r = run_both(b, bad, kProg, p);
  CHECK(r.code == QILIN_ERR_PARAM_RANGE);
  INFO("EX error cycles with the limit reached: " << b.ex_probe().err_full);
  CHECK(b.ex_probe().err_full == 1);
  b.soft_reset();
  b.clear_ex_probe();
  REQUIRE(run_both(b, make_image(rng), kProg, mix_program(rng, Mix::kPost)).ok());
  check_limit_reached(b);
}
