// SPDX-License-Identifier: Apache-2.0
// Regression-only (-DQILIN_REGRESS=ON): random mixed traffic and refresh under row-hit
// pressure on the HBM configuration matrix NumPC {1, 2} x {HBM2_2000, HBM2E_3200}, checked
// by the shadow-memory scoreboard and the device models' timing rules.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "Vhbm_pc1.h"
#include "Vhbm_pc1_e.h"
#include "Vhbm_pc2.h"
#include "Vhbm_pc2_e.h"
#include "hbm_ctrl_env.h"

using namespace qilin::hbm;
using namespace qilin::hbm::tb;

namespace {

struct Pc1Hbm2 {
  using Model = Vhbm_pc1;
  static constexpr unsigned kPc = 1;
  static constexpr const Timing& timing() { return kHBM2_2000; }
};
struct Pc2Hbm2 {
  using Model = Vhbm_pc2;
  static constexpr unsigned kPc = 2;
  static constexpr const Timing& timing() { return kHBM2_2000; }
};
struct Pc1Hbm2e {
  using Model = Vhbm_pc1_e;
  static constexpr unsigned kPc = 1;
  static constexpr const Timing& timing() { return kHBM2E_3200; }
};
struct Pc2Hbm2e {
  using Model = Vhbm_pc2_e;
  static constexpr unsigned kPc = 2;
  static constexpr const Timing& timing() { return kHBM2E_3200; }
};

// Random-test length: QILIN_HBM_CYCLES if set, else `dflt`.
uint64_t cycles_or(uint64_t dflt) {
  if (const char* e = std::getenv("QILIN_HBM_CYCLES"); e && *e) return std::stoull(e);
  return dflt;
}

}  // namespace

#define HBM_MATRIX Pc1Hbm2, Pc2Hbm2, Pc1Hbm2e, Pc2Hbm2e

TEMPLATE_TEST_CASE("hbm matrix: random mixed traffic", "[hbm_matrix][random]", HBM_MATRIX) {
  const uint64_t s = Catch::rngSeed();
  CAPTURE(s);
  Env<typename TestType::Model> env("hbm_matrix_rand", TestType::kPc, TestType::timing(), s);
  env.master.p_rready = 0.7;
  env.master.p_bready = 0.7;
  env.master.gen.span = 1ull << 16;  // small window: hazards and row hits
  env.master.gen.p_write = 0.5;
  for (uint64_t i = 0, n = cycles_or(60000); i < n; ++i) {
    env.master.generate(env.now());
    env.step();
  }
  env.drain();
  env.quiesce();
  env.finish_devices();
  const unsigned n = TestType::kPc;
  env.check_backdoor([n](uint64_t a, unsigned& pc, unsigned& bg, unsigned& ba, unsigned& row,
                         unsigned& col) { map_addr(a, n, 0, pc, bg, ba, row, col); });
  REQUIRE(env.master.rd_txn_done > 0);
  REQUIRE(env.master.wr_txn_done > 0);
  uint64_t refs = 0;
  for (unsigned p = 0; p < n; ++p) refs += env.phy(p).ref;
  REQUIRE(refs > 0);
}

TEST_CASE("hbm matrix: a master slow to take B responses fills the B FIFO", "[hbm_matrix]") {
  // Directed for the cover point hbm.u_axi.u_cov.cp_b_fifo_full: mostly writes, BREADY rarely
  // high; data integrity and the timing rules are checked as in the random test.
  const uint64_t s = Catch::rngSeed();
  CAPTURE(s);
  Env<Vhbm_pc1> env("hbm_matrix_bfull", 1, kHBM2_2000, s);
  env.master.p_bready = 0.02;
  env.master.gen.p_write = 0.9;
  env.master.gen.span = 1ull << 16;
  for (uint64_t i = 0; i < 20000; ++i) {
    env.master.generate(env.now());
    env.step();
  }
  env.drain();
  env.quiesce();
  env.finish_devices();
  env.check_backdoor([](uint64_t a, unsigned& pc, unsigned& bg, unsigned& ba, unsigned& row,
                        unsigned& col) { map_addr(a, 1, 0, pc, bg, ba, row, col); });
  REQUIRE(env.master.wr_txn_done > 0);
}
