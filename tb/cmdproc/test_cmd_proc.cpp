// qilin_cmd_proc: fetch, legality checks, dispatch, queues, tokens, barriers and errors, against
// the ISS (error code/address/PC, per-queue retire counts) and against the token and ordering
// rules of docs/isa.md §2-3 (timestamps recorded by the unit stubs).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "Vqilin_cmd_proc_8.h"
#include "Vqilin_cmd_proc_8s.h"
#include "cmdproc_bench.h"
#include "programs.h"

using namespace qilin::tb;
using qilin::golden::disassemble;
using qilin::golden::IssResult;
using qilin::golden::Rng;

namespace {

std::string listing(const std::vector<qilin_insn_t>& prog) {
  std::string s;
  for (size_t i = 0; i < prog.size(); ++i)
    s += std::to_string(i) + ": " + disassemble(prog[i]) + "\n";
  return s;
}

// Runs prog on the RTL and the ISS; both must finish the same way (done with equal per-queue
// retire counts, or the same error code/address/PC).
template <class Model>
void run_and_compare(CmdProcBench<Model>& b, const std::vector<qilin_insn_t>& prog, uint64_t base,
                     std::optional<uint32_t> len = std::nullopt) {
  const uint32_t n = len ? *len : static_cast<uint32_t>(prog.size());
  qilin::golden::write_program(b.mem, base, prog);
  const IssResult iss = run_iss(b.mem, base, n);
  INFO(listing(prog));
  INFO("ISS: " << iss.to_string());
  REQUIRE(iss.code < 0xf0);  // an ISS-only code means the test program itself is wrong
  const RunResult r = b.run_loaded(base, n);
  INFO("RTL: " << to_string(r));
  if (iss.ok()) {
    REQUIRE(r.done);
    REQUIRE_FALSE(r.error);
    for (int q = 0; q < 3; ++q) CHECK(r.retired[q] == iss.retired[q]);
    check_order_and_tokens(prog, b.units, true);
  } else {
    REQUIRE(r.error);
    CHECK(r.code == iss.code);
    CHECK(r.addr == iss.err_addr);
    CHECK(r.pc == iss.err_pc);
    check_order_and_tokens(prog, b.units, false, iss.err_pc);
  }
}

// A POSTPROC with every field given (C at c, parameters at pa).
qilin_insn_t postproc(uint32_t kind, uint32_t kh, uint32_t kw, uint32_t sh, uint32_t sw,
                      uint32_t h, uint32_t w, uint32_t o, int32_t zp, bool s, uint32_t amin,
                      uint32_t amax, uint32_t c = 0, uint32_t pa = 250) {
  qilin_postproc_t x{};
  x.out_signed = s;
  x.pool_kind = kind;
  x.pool_kh = kh;
  x.pool_kw = kw;
  x.pool_sh = sh;
  x.pool_sw = sw;
  x.in_h = h;
  x.in_w = w;
  x.o_addr = o;
  x.c_addr = c;
  x.p_addr = pa;
  x.out_zp = zp;
  x.act_min = amin;
  x.act_max = amax;
  return qilin::golden::encode(x);
}

}  // namespace

TEMPLATE_TEST_CASE("cmdproc: directed program with every kind completes in order", "[cmdproc]",
                   Vqilin_cmd_proc_8, Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_directed", seed);
  std::vector<qilin_insn_t> p = {
      ld_insn(0, 2, 1),                                              // 0
      ld_insn(16, 4, 2, Flags{false, false, false, true}),           // 1 LD -> EX
      mm_insn(16, 0, 0, 8, 8, Flags{true, false, true, true}),       // 2 EX: pop LD, push LD & ST
      st_insn(0, 2, 1, Flags{true, false, true, false}),             // 3 ST: pop EX, push EX
      ld_insn(0, 2, 1, Flags{false, true, false, false}),            // 4 LD: pop EX
      pp_insn(0, 250, 100, 2, 4, Flags{false, true, false, false}),  // 5 EX: pop ST
      sync_insn(QILIN_QUEUE_ALL),                                    // 6
      st_insn(100, 8, 1),                                            // 7
      end_insn()};
  for (uint64_t base : {0x1000ull, 0x1010ull, 0xff0ull}) {
    CAPTURE(base);
    b.randomize_timing();
    run_and_compare(b, p, base);
    CHECK(b.last.insn_retired == p.size());
    CHECK(b.dut().err_code_o == 0);
  }
}

TEST_CASE("cmdproc: a token consumer never issues before its producer completed", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_tokens", seed);
  // Slow producers, fast consumers: each hazard of docs/isa.md §3 in turn.
  const std::vector<qilin_insn_t> p = {
      ld_insn(0, 4, 1, Flags{false, false, false, true}),        // LD -> EX (RAW)
      mm_insn(0, 0, 0, 4, 4, Flags{true, false, true, true}),    // EX -> LD (WAR), EX -> ST (RAW)
      ld_insn(0, 4, 1, Flags{false, true, false, false}),        // waits for the MATMUL
      st_insn(0, 4, 1, Flags{true, false, true, false}),         // waits for the MATMUL; ST -> EX
      mm_insn(0, 0, 0, 4, 4, Flags{false, true, false, false}),  // waits for the STORE
      end_insn()};
  for (int slow = 0; slow < 3; ++slow) {
    CAPTURE(slow);
    for (int q = 0; q < 3; ++q) {
      b.units[q].min_delay = q == slow ? 60 : 1;
      b.units[q].max_delay = q == slow ? 80 : 2;
    }
    run_and_compare(b, p, 0x2000);
    const auto& ld = b.units[0].log;
    const auto& ex = b.units[1].log;
    const auto& st = b.units[2].log;
    REQUIRE(ld.size() == 2);
    REQUIRE(ex.size() == 2);
    REQUIRE(st.size() == 1);
    CHECK(ex[0].issue > ld[0].done);
    CHECK(ld[1].issue > ex[0].done);
    CHECK(st[0].issue > ex[0].done);
    CHECK(ex[1].issue > st[0].done);
  }
}

TEST_CASE("cmdproc: without tokens the queues run ahead independently", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_runahead", seed);
  std::vector<qilin_insn_t> p;
  for (int i = 0; i < 6; ++i) {
    p.push_back(ld_insn(0, 1, 1));
    p.push_back(mm_insn(0, 0, 0, 1, 1));
    p.push_back(st_insn(0, 1, 1));
  }
  p.push_back(end_insn());
  b.units[0].min_delay = b.units[0].max_delay = 100;  // LD is slow
  run_and_compare(b, p, 0x3000);
  // EX and ST finished everything before LD completed its second instruction.
  const uint64_t ld_second = b.units[0].log[1].done;
  CHECK(b.units[1].log.back().done < ld_second);
  CHECK(b.units[2].log.back().done < ld_second);
  // Several LD instructions were in flight in the unit at once.
  CHECK(b.units[0].log[3].issue < b.units[0].log[0].done);
}

TEST_CASE("cmdproc: SYNC relays a token and SYNC ALL is a barrier", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_sync", seed);
  SECTION("relay LD -> SYNC(EX) -> ST") {
    const std::vector<qilin_insn_t> p = {ld_insn(0, 2, 1, Flags{false, false, false, true}),
                                         sync_insn(QILIN_QUEUE_EX, Flags{true, false, false, true}),
                                         st_insn(0, 2, 1, Flags{true, false, false, false}),
                                         end_insn()};
    b.units[0].min_delay = b.units[0].max_delay = 70;
    run_and_compare(b, p, 0x4000);
    CHECK(b.units[2].log[0].issue > b.units[0].log[0].done);
    CHECK(b.last.retired[1] == 2);  // the SYNC and the END in EX
  }
  SECTION("relay ST -> SYNC(EX) -> LD, behind a slow MATMUL") {
    const std::vector<qilin_insn_t> p = {
        mm_insn(0, 0, 0, 1, 1), st_insn(0, 2, 1, Flags{false, false, true, false}),
        sync_insn(QILIN_QUEUE_EX, Flags{false, true, true, false}),
        ld_insn(0, 2, 1, Flags{false, true, false, false}), end_insn()};
    b.units[1].min_delay = b.units[1].max_delay = 90;
    run_and_compare(b, p, 0x4000);
    // The SYNC pushes only after the MATMUL ahead of it in EX completed.
    CHECK(b.units[0].log[0].issue > b.units[1].log[0].done);
    CHECK(b.units[0].log[0].issue > b.units[2].log[0].done);
  }
  SECTION("barrier") {
    std::vector<qilin_insn_t> p = {
        ld_insn(0, 1, 1),       mm_insn(0, 0, 0, 1, 1),     st_insn(0, 1, 1),
        ld_insn(0, 1, 1),       sync_insn(QILIN_QUEUE_ALL), st_insn(0, 1, 1),
        mm_insn(0, 0, 0, 1, 1), ld_insn(0, 1, 1),           end_insn()};
    for (int slow = 0; slow < 3; ++slow) {
      CAPTURE(slow);
      for (int q = 0; q < 3; ++q) b.units[q].min_delay = b.units[q].max_delay = q == slow ? 80 : 1;
      run_and_compare(b, p, 0x4000);
      uint64_t before = 0;
      for (int q = 0; q < 3; ++q) {
        for (const auto& r : b.units[q].log)
          if (r.pc < 4) before = std::max(before, r.done);
      }
      for (int q = 0; q < 3; ++q) {
        for (const auto& r : b.units[q].log)
          if (r.pc > 4) CHECK(r.issue > before);
      }
    }
  }
}

TEST_CASE("cmdproc: every legality error matches the ISS", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_legality", seed);
  b.randomize_timing();

  auto set = [](qilin_insn_t i, unsigned lsb, unsigned w, uint64_t v) {
    qilin_insn_set(&i, lsb, w, v);
    return i;
  };
  auto matmul = [](uint32_t a, uint32_t w, uint32_t c, uint32_t m, uint32_t k, bool as, int32_t azp,
                   bool ws, int32_t wzp) {
    qilin_matmul_t x{};
    x.a_addr = a;
    x.w_addr = w;
    x.c_addr = c;
    x.m_size = m;
    x.k_size = k;
    x.a_signed = as;
    x.a_zp = azp;
    x.w_signed = ws;
    x.w_zp = wzp;
    return qilin::golden::encode(x);
  };
  auto load = [](uint32_t local, uint32_t y, uint32_t x, uint32_t dst, uint32_t pt, uint32_t pb,
                 uint32_t pl, uint32_t pr, uint32_t pv) {
    qilin_load_t l{};
    l.local_addr = local;
    l.y_size = y;
    l.x_size = x;
    l.dst = dst;
    l.pad_top = pt;
    l.pad_bottom = pb;
    l.pad_left = pl;
    l.pad_right = pr;
    l.pad_value = pv;
    l.dram_addr = kDataBase;
    l.dram_stride = 64;
    return qilin::golden::encode(l);
  };
  auto store = [](uint32_t local, uint32_t y, uint32_t x, uint32_t src, uint32_t stride) {
    qilin_store_t s{};
    s.local_addr = local;
    s.y_size = y;
    s.x_size = x;
    s.src = src;
    s.dram_addr = kOutBase;
    s.dram_stride = stride;
    return qilin::golden::encode(s);
  };
  qilin_insn_t raw{};
  const qilin_insn_t end = end_insn();
  struct Case {
    const char* name;
    qilin_insn_t insn;
    bool legal;
  };
  std::vector<Case> cases = {
      // 1. opcode
      {"opcode 0", raw, false},
      {"opcode 7", set(raw, 0, 4, 7), false},
      {"opcode 15", set(raw, 0, 4, 15), false},
      // 2. reserved bits
      {"STORE bit 9", set(st_insn(0, 1, 1), 9, 1, 1), false},
      {"STORE bit 28", set(st_insn(0, 1, 1), 28, 1, 1), false},
      {"MATMUL bit 61", set(mm_insn(0, 0, 0, 1, 1), 61, 1, 1), false},
      {"MATMUL bit 127", set(mm_insn(0, 0, 0, 1, 1), 127, 1, 1), false},
      {"POSTPROC bit 62", set(pp_insn(0, 250, 0, 1, 1), 62, 1, 1), false},
      {"POSTPROC bit 127", set(pp_insn(0, 250, 0, 1, 1), 127, 1, 1), false},
      {"SYNC bit 10", set(sync_insn(0), 10, 1, 1), false},
      {"SYNC bit 64", set(sync_insn(1), 64, 1, 1), false},
      {"END flag bit", set(end, 4, 1, 1), false},
      {"END bit 100", set(end, 100, 1, 1), false},
      {"reserved bit and bad flag", set(set(st_insn(0, 1, 1), 9, 1, 1), 5, 1, 1), false},
      // 3. token flags naming a missing neighbour
      {"LOAD pop_prev", ld_insn(0, 1, 1, Flags{true, false, false, false}), false},
      {"LOAD push_prev", ld_insn(0, 1, 1, Flags{false, false, true, false}), false},
      {"STORE pop_next", st_insn(0, 1, 1, Flags{false, true, false, false}), false},
      {"STORE push_next", st_insn(0, 1, 1, Flags{false, false, false, true}), false},
      {"SYNC(LD) pop_prev", set(sync_insn(0), 4, 1, 1), false},
      {"SYNC(ST) push_next", set(sync_insn(2), 7, 1, 1), false},
      {"SYNC(ALL) pop_prev", set(sync_insn(3), 4, 1, 1), false},
      {"SYNC(ALL) pop_next", set(sync_insn(3), 5, 1, 1), false},
      {"SYNC(ALL) push_prev", set(sync_insn(3), 6, 1, 1), false},
      {"SYNC(ALL) push_next", set(sync_insn(3), 7, 1, 1), false},
      {"bad flag and range", ld_insn(1023, 4, 4, Flags{true, false, false, false}), false},
      // 4. field values
      {"LOAD ACC pad_value", load(0, 1, 1, 1, 0, 0, 0, 0, 5), false},
      {"LOAD SP pad_value ok", load(0, 1, 1, 0, 1, 1, 1, 1, 5), true},
      {"STORE overlap SP", store(0, 2, 3, 0, 3 * kDim - 1), false},
      {"STORE from ACC stride exact", store(0, 2, 2, 1, 2 * 4 * kDim), true},
      {"STORE overlap ACC (SP-sized rows)", store(0, 2, 2, 1, 2 * kDim), false},
      {"STORE overlap ACC by one vector", store(0, 3, 3, 1, 2 * 4 * kDim), false},
      {"STORE ACC y=1 small stride", store(0, 1, 3, 1, 0), true},
      {"STORE stride exact", store(0, 2, 2, 0, 2 * kDim), true},
      {"STORE y=1 small stride", store(0, 1, 3, 0, 0), true},
      {"MATMUL k=DIM", matmul(0, 0, 0, 1, kDim, true, 0, true, 0), true},
      {"MATMUL k=DIM+1", matmul(0, 0, 0, 1, kDim + 1, true, 0, true, 0), false},
      {"MATMUL a_zp 128 signed", matmul(0, 0, 0, 1, 1, true, 128, true, 0), false},
      {"MATMUL a_zp -129 signed", matmul(0, 0, 0, 1, 1, true, -129, true, 0), false},
      {"MATMUL a_zp -128 signed", matmul(0, 0, 0, 1, 1, true, -128, true, 0), true},
      {"MATMUL a_zp -1 unsigned", matmul(0, 0, 0, 1, 1, false, -1, true, 0), false},
      {"MATMUL a_zp 255 unsigned", matmul(0, 0, 0, 1, 1, false, 255, false, 255), true},
      {"MATMUL w_zp 200 signed", matmul(0, 0, 0, 1, 1, true, 0, true, 200), false},
      {"MATMUL w_zp -5 unsigned", matmul(0, 0, 0, 1, 1, true, 0, false, -5), false},
      {"POSTPROC pool_kind 3", postproc(3, 1, 1, 1, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC NONE kh", postproc(0, 1, 0, 0, 0, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC NONE sw", postproc(0, 0, 0, 0, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC MAX sh 0", postproc(1, 1, 1, 0, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC AVG kw 0", postproc(2, 1, 0, 1, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC kh > in_h", postproc(1, 3, 1, 1, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC kw > in_w", postproc(2, 1, 3, 1, 1, 2, 2, 0, 0, true, 0x80, 0x7f), false},
      {"POSTPROC kh = in_h", postproc(2, 2, 2, 1, 1, 2, 2, 0, 0, true, 0x80, 0x7f), true},
      {"POSTPROC out_zp 128 s", postproc(0, 0, 0, 0, 0, 1, 1, 0, 128, true, 0x80, 0x7f), false},
      {"POSTPROC out_zp -1 u", postproc(0, 0, 0, 0, 0, 1, 1, 0, -1, false, 0, 255), false},
      {"POSTPROC out_zp 255 u", postproc(0, 0, 0, 0, 0, 1, 1, 0, 255, false, 0, 255), true},
      {"POSTPROC act s min>max", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, true, 0x10, 0xf0), false},
      {"POSTPROC act s ok", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, true, 0xf0, 0x10), true},
      {"POSTPROC act u min>max", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, false, 0xf0, 0x10), false},
      {"POSTPROC act equal", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, false, 0x33, 0x33), true},
      {"field and range", postproc(3, 0, 0, 0, 0, 1, 1, 5000, 0, true, 0x80, 0x7f), false},
      // 5. ranges
      {"LOAD SP exact fit", load(kSpRows - 35, 3, 3, 0, 1, 1, 2, 2, 0), true},  // 5x7
      {"LOAD SP one over", load(kSpRows - 34, 3, 3, 0, 1, 1, 2, 2, 0), false},
      {"LOAD ACC one over", load(kAccRows - 5, 1, 6, 1, 0, 0, 0, 0, 0), false},
      {"LOAD count 0 at Rows", load(kSpRows, 0, 0, 0, 0, 0, 0, 0, 0), true},
      {"LOAD count 0 pads only", load(kSpRows - 4, 0, 0, 0, 2, 0, 2, 0, 0), true},  // 2x2
      {"LOAD count 0 x only", load(kSpRows, 5, 0, 0, 0, 0, 0, 0, 0), true},
      {"LOAD count 0 past Rows", load(kSpRows + 1, 0, 0, 0, 0, 0, 0, 0, 0), false},
      {"LOAD huge count", load(0, 4095, 1023, 0, 7, 7, 7, 7, 0), false},
      {"LOAD max local", load((1u << 17) - 1, 1, 1, 1, 0, 0, 0, 0, 0), false},
      {"STORE SP over", store(kSpRows - 5, 2, 3, 0, 1024), false},
      {"STORE SP fit", store(kSpRows - 6, 2, 3, 0, 1024), true},
      {"STORE count 0 past Rows", store(kSpRows + 3, 0, 3, 0, 0), false},
      {"STORE ACC over", store(kAccRows - 5, 2, 3, 1, 1024), false},
      {"STORE ACC fit", store(kAccRows - 6, 2, 3, 1, 1024), true},
      {"STORE ACC past AccRows but inside SP", store(kAccRows, 1, 1, 1, 0), false},
      {"STORE ACC count 0 at AccRows", store(kAccRows, 0, 3, 1, 0), true},
      {"STORE ACC count 0 past AccRows", store(kAccRows + 3, 0, 3, 1, 0), false},
      {"MATMUL A over", matmul(kSpRows - 3, 0, 0, 4, 1, true, 0, true, 0), false},
      {"MATMUL W over", matmul(0, kSpRows - 3, 0, 4, 4, true, 0, true, 0), false},
      {"MATMUL W k=0 at Rows", matmul(0, kSpRows, 0, 4, 0, true, 0, true, 0), true},
      {"MATMUL C over", matmul(0, 0, kAccRows - 3, 4, 1, true, 0, true, 0), false},
      {"MATMUL A and C over", matmul(kSpRows, 0, kAccRows, 4, 1, true, 0, true, 0), false},
      {"MATMUL m=0 past Rows", matmul(kSpRows + 7, 0, 0, 0, 0, true, 0, true, 0), false},
      {"MATMUL huge", matmul(0x1ffff, 0x1ffff, 0xffff, 0xffff, 8, true, 0, true, 0), false},
      {"POSTPROC C over", postproc(0, 0, 0, 0, 0, 4, 4, 0, 0, true, 0x80, 0x7f, kAccRows - 15),
       false},
      {"POSTPROC C fit", postproc(0, 0, 0, 0, 0, 4, 4, 0, 0, true, 0x80, 0x7f, kAccRows - 19),
       true},
      {"POSTPROC P over", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, true, 0x80, 0x7f, 0, kAccRows - 2),
       false},
      {"POSTPROC P fit", postproc(0, 0, 0, 0, 0, 1, 1, 0, 0, true, 0x80, 0x7f, 0, kAccRows - 3),
       true},
      {"POSTPROC O over NONE", postproc(0, 0, 0, 0, 0, 3, 5, kSpRows - 14, 0, true, 0x80, 0x7f),
       false},
      // pool: OH = (10-3)/2+1 = 4, OW = (9-2)/3+1 = 3: 12 rows
      {"POSTPROC O pool fit", postproc(1, 3, 2, 2, 3, 10, 9, kSpRows - 12, 0, true, 0x80, 0x7f),
       true},
      {"POSTPROC O pool over", postproc(2, 3, 2, 2, 3, 10, 9, kSpRows - 11, 0, true, 0x80, 0x7f),
       false},
      {"POSTPROC O pool stride 7",
       postproc(1, 15, 15, 7, 7, 4095, 4095, kSpRows - 100, 0, true, 0x80, 0x7f), false},
      {"POSTPROC C and O over", postproc(0, 0, 0, 0, 0, 20, 20, kSpRows, 0, true, 0x80, 0x7f),
       false},
      {"POSTPROC in_h 0 at Rows",
       postproc(0, 0, 0, 0, 0, 0, 7, kSpRows, 0, true, 0x80, 0x7f, kAccRows), true},
      {"POSTPROC o 1 past Rows", postproc(0, 0, 0, 0, 0, 0, 7, kSpRows + 1, 0, true, 0x80, 0x7f),
       false},
  };

  Rng& rng = b.rng;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    // A legal prefix (with tokens), the instruction under test, a legal suffix.
    std::vector<qilin_insn_t> p = {ld_insn(0, 1, 1, Flags{false, false, false, true}),
                                   mm_insn(0, 0, 0, 1, 1, Flags{true, false, false, false})};
    const int extra = static_cast<int>(rng.uniform(0, 6));
    for (int i = 0; i < extra; ++i)
      p.push_back(sync_insn(static_cast<uint32_t>(rng.uniform(0, 2))));
    p.push_back(c.insn);
    p.push_back(st_insn(0, 1, 1));
    p.push_back(end_insn());
    const uint64_t base = 0x8000 + 16 * static_cast<uint64_t>(rng.uniform(0, 64));
    run_and_compare(b, p, base);
    CHECK(b.last.error == !c.legal);
    if (b.last.error) b.soft_reset();  // the units keep nothing in flight after it
  }
}

// The check pipeline divides by the pool stride with a reciprocal multiply: every stride pair,
// input sizes and windows at random, the output range one row inside and one row past the end
// of the scratchpad (the ISS decides which is legal).
TEST_CASE("cmdproc: pooled POSTPROC output ranges at the scratchpad end match the ISS",
          "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_pool_range", seed);
  b.randomize_timing();
  Rng& rng = b.rng;
  int legal = 0, illegal = 0;
  for (uint32_t sh = 1; sh <= 7; ++sh) {
    for (uint32_t sw = 1; sw <= 7; ++sw) {
      for (int rep = 0; rep < 4; ++rep) {
        // in_h * in_w <= kAccRows - 3 so that the C and P ranges (checked first) fit.
        const uint32_t h = static_cast<uint32_t>(rng.uniform(1, 126));
        const uint32_t w = static_cast<uint32_t>(rng.uniform(1, (kAccRows - 3) / h));
        const uint32_t kh = static_cast<uint32_t>(rng.uniform(1, std::min<uint32_t>(h, 15)));
        const uint32_t kw = static_cast<uint32_t>(rng.uniform(1, std::min<uint32_t>(w, 15)));
        const uint32_t out = ((h - kh) / sh + 1) * ((w - kw) / sw + 1);
        for (uint32_t past = 0; past <= 1; ++past) {
          CAPTURE(sh, sw, h, w, kh, kw, out, past);
          const uint32_t kind = static_cast<uint32_t>(rng.uniform(1, 2));  // MAX or AVG
          const std::vector<qilin_insn_t> p = {
              postproc(kind, kh, kw, sh, sw, h, w, kSpRows - out + past, 0, true, 0x80, 0x7f, 0,
                       kAccRows - 3),
              end_insn()};
          run_and_compare(b, p, 0x4000);
          CHECK(b.last.error == (past == 1));
          (b.last.error ? illegal : legal)++;
          if (b.last.error) b.soft_reset();
        }
      }
    }
  }
  CHECK(legal == 7 * 7 * 4);
  CHECK(illegal == 7 * 7 * 4);
}

TEMPLATE_TEST_CASE("cmdproc: NO_END", "[cmdproc]", Vqilin_cmd_proc_8, Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_no_end", seed);
  b.randomize_timing();
  const std::vector<qilin_insn_t> p = {ld_insn(0, 1, 1), mm_insn(0, 0, 0, 1, 1), st_insn(0, 1, 1),
                                       sync_insn(QILIN_QUEUE_ALL), ld_insn(0, 1, 1)};
  for (uint32_t len : {0u, 1u, 2u, 5u}) {
    for (uint64_t base : {0x5000ull, 0x5010ull}) {
      CAPTURE(len, base);
      run_and_compare(b, p, base, len);
      CHECK(b.last.code == QILIN_ERR_NO_END);
      b.soft_reset();
    }
  }
  // END at the very last index is fine; anything after END is never fetched or checked.
  std::vector<qilin_insn_t> q = {ld_insn(0, 1, 1), end_insn()};
  for (int i = 0; i < 40; ++i) q.push_back(qilin_insn_t{});  // illegal, never reached
  run_and_compare(b, q, 0x6000);
  CHECK(b.last.done);
}

TEMPLATE_TEST_CASE("cmdproc: fetch BUS_ERROR at the end of memory matches the ISS", "[cmdproc]",
                   Vqilin_cmd_proc_8, Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  for (uint64_t base : {0x1000ull, 0x1010ull, 0x1020ull}) {
    for (uint32_t bad_pc : {0u, 3u, 5u, 10u}) {
      // Memory ends at the 32-byte beat that holds instruction bad_pc (or the one before it).
      const uint64_t mem_end = (base + 16 * bad_pc + 31) & ~uint64_t{31};
      CAPTURE(base, bad_pc, mem_end);
      CmdProcBench<TestType> b("cmdproc_bus_error", seed + bad_pc, mem_end);
      b.randomize_timing();
      std::vector<qilin_insn_t> p;
      // No DMA instructions: the data area lies beyond this small memory.
      for (int i = 0; i < 16; ++i) p.push_back(i % 2 ? mm_insn(0, 0, 0, 1, 1) : sync_insn(i % 3));
      p.push_back(end_insn());
      std::vector<qilin_insn_t> in_mem(p.begin(), p.begin() + (mem_end - base) / 16);
      qilin::golden::write_program(b.mem, base, in_mem);
      const IssResult iss = run_iss(b.mem, base, static_cast<uint32_t>(p.size()));
      REQUIRE(iss.code == QILIN_ERR_BUS_ERROR);
      const RunResult r = b.run_loaded(base, static_cast<uint32_t>(p.size()));
      INFO("ISS: " << iss.to_string() << "\nRTL: " << to_string(r));
      REQUIRE(r.error);
      CHECK(r.code == iss.code);
      CHECK(r.addr == iss.err_addr);
      CHECK(r.pc == iss.err_pc);
    }
  }
}

TEMPLATE_TEST_CASE("cmdproc: injected fetch error responses", "[cmdproc]", Vqilin_cmd_proc_8,
                   Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_fetch_err", seed);
  Rng& rng = b.rng;
  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    b.randomize_timing();
    const uint64_t base = 0x10000 + 16 * static_cast<uint64_t>(rng.uniform(0, 200));
    const int n = static_cast<int>(rng.uniform(4, 60));
    auto p = random_program(rng, n, 0.3, 0.1);
    const uint32_t bad = static_cast<uint32_t>(rng.uniform(0, static_cast<int64_t>(p.size()) + 3));
    const uint64_t beat = (base + 16 * uint64_t{bad}) & ~uint64_t{31};
    CAPTURE(base, bad, beat);
    b.axi.err_beats = {beat};
    qilin::golden::write_program(b.mem, base, p);
    const RunResult r = b.run_loaded(base, static_cast<uint32_t>(p.size()));
    INFO(to_string(r));
    // The first instruction of the stream inside the failing beat.
    const uint64_t first = std::max(beat, base);
    const uint32_t first_pc = static_cast<uint32_t>((first - base) / 16);
    if (first_pc >= p.size()) {
      CHECK(r.done);
    } else {
      REQUIRE(r.error);
      CHECK(r.code == QILIN_ERR_BUS_ERROR);
      CHECK(r.pc == first_pc);
      CHECK(r.addr == first);
      check_order_and_tokens(p, b.units, false, first_pc);
      b.soft_reset();
    }
    b.axi.err_beats.clear();
  }
  // An error response on a beat prefetched beyond END is never reported.
  std::vector<qilin_insn_t> p = {ld_insn(0, 1, 1), end_insn()};
  for (int i = 0; i < 40; ++i) p.push_back(qilin_insn_t{});
  qilin::golden::write_program(b.mem, 0x11000, p);
  b.axi.err_beats = {0x11000 + 32, 0x11000 + 64, 0x11000 + 128};
  const RunResult r = b.run_loaded(0x11000, static_cast<uint32_t>(p.size()));
  CHECK(r.done);
  CHECK_FALSE(r.error);
  b.axi.err_beats.clear();
}

TEMPLATE_TEST_CASE("cmdproc: unit errors latch the PC of the oldest in-flight instruction",
                   "[cmdproc]", Vqilin_cmd_proc_8, Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_unit_err", seed);
  Rng& rng = b.rng;
  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    b.randomize_timing();
    auto p = random_program(rng, static_cast<int>(rng.uniform(10, 50)), 0.0, 0.0);
    std::vector<uint32_t> unit_pcs;
    for (uint32_t pc = 0; pc < p.size(); ++pc)
      if (is_unit_op(p[pc])) unit_pcs.push_back(pc);
    if (unit_pcs.empty()) continue;
    const uint32_t bad = unit_pcs[rng.uniform(0, static_cast<int64_t>(unit_pcs.size()) - 1)];
    const int q = queue_mask(p[bad]) == 1 ? 0 : queue_mask(p[bad]) == 2 ? 1 : 2;
    CAPTURE(bad, q);
    for (auto& u : b.units) u.error_pc.reset();
    b.units[q].error_pc = bad;
    b.units[q].error_code = static_cast<unsigned>(rng.uniform(3, 7));
    b.units[q].error_addr = static_cast<uint64_t>(rng.uniform(0, (int64_t{1} << 40) - 1));
    const RunResult r = b.run(p, 0x20000);
    INFO(to_string(r));
    REQUIRE(r.error);
    CHECK(r.pc == bad);
    CHECK(r.code == b.units[q].error_code);
    CHECK(r.addr == b.units[q].error_addr);
    check_order_and_tokens(p, b.units, false, bad);
    // Nothing new is issued after the error (an instruction already presented on the
    // valid/ready port stays valid until taken, so at most that one per queue).
    const uint64_t t_err = b.cycle();
    for (int i = 0; i < 50; ++i) b.step();
    for (const auto& u : b.units) {
      int late = 0;
      for (const auto& rec : u.log) late += rec.issue + 1 >= t_err;
      CHECK(late <= 1);
    }
    CHECK(b.dut().err_code_o == b.units[q].error_code);  // still latched
    b.soft_reset();
    CHECK(b.dut().err_code_o == 0);
    b.units[q].error_pc.reset();
  }
}

TEMPLATE_TEST_CASE("cmdproc: soft reset mid-program, then a new program runs", "[cmdproc]",
                   Vqilin_cmd_proc_8, Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_soft_reset", seed);
  Rng& rng = b.rng;
  for (int round = 0; round < 60; ++round) {
    CAPTURE(round);
    b.randomize_timing();
    b.axi.min_lat = static_cast<int>(rng.uniform(1, 30));  // keep bursts outstanding
    b.axi.max_lat = b.axi.min_lat + 40;
    auto p1 = random_program(rng, static_cast<int>(rng.uniform(20, 120)), 0.4, 0.1);
    const uint64_t base1 = 0x30000 + 16 * static_cast<uint64_t>(rng.uniform(0, 100));
    qilin::golden::write_program(b.mem, base1, p1);
    b.wait_idle();
    for (auto& u : b.units) u.clear();
    b.step(true, base1, static_cast<uint32_t>(p1.size()));
    const int when = static_cast<int>(rng.uniform(0, 300));
    for (int i = 0; i < when; ++i) b.step();
    CAPTURE(when, b.axi.outstanding());
    b.soft_reset();
    CHECK(b.dut().err_code_o == 0);
    CHECK_FALSE(b.dut().ld_valid_o);
    // A second program (elsewhere in memory) runs correctly.
    auto p2 = random_program(rng, static_cast<int>(rng.uniform(5, 60)), 0.4, 0.1);
    const uint64_t base2 = 0x40000 + 16 * static_cast<uint64_t>(rng.uniform(0, 100));
    run_and_compare(b, p2, base2);
  }
}

TEST_CASE("cmdproc: start while busy is ignored", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_start_busy", seed);
  std::vector<qilin_insn_t> p;
  for (int i = 0; i < 20; ++i) p.push_back(ld_insn(0, 1, 1));
  p.push_back(end_insn());
  b.units[0].min_delay = b.units[0].max_delay = 100;
  qilin::golden::write_program(b.mem, 0x7000, p);
  qilin::golden::write_program(b.mem, 0x9000, {qilin_insn_t{}});  // would be ILLEGAL_INSN
  b.step(true, 0x7000, static_cast<uint32_t>(p.size()));
  for (int i = 0; i < 50; ++i) b.step(i % 7 == 0, 0x9000, 1);
  while (!b.last.done && !b.last.error) b.step();
  CHECK(b.last.done);
  CHECK_FALSE(b.last.error);
  CHECK(b.units[0].log.size() == 20);
  b.wait_idle();
}

TEMPLATE_TEST_CASE("cmdproc: random token-consistent programs", "[cmdproc]", Vqilin_cmd_proc_8,
                   Vqilin_cmd_proc_8s) {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<TestType> b("cmdproc_random", seed);
  Rng& rng = b.rng;
  for (int round = 0; round < 150; ++round) {
    CAPTURE(round);
    b.randomize_timing();
    const double tok = rng.uniform_real(0.0, 0.8);
    auto p =
        random_program(rng, static_cast<int>(rng.uniform(1, 200)), tok, rng.uniform_real(0, 0.2));
    const uint64_t base = 0x50000 + 16 * static_cast<uint64_t>(rng.uniform(0, 1000));
    CAPTURE(tok, p.size(), base);
    run_and_compare(b, p, base);
    CHECK(b.last.insn_retired == p.size());
  }
}

TEST_CASE("cmdproc: producer/consumer chains with token stalls", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_chains", seed);
  // Double buffering as in docs/isa.md §4: LD fills, EX consumes and frees, ST drains.
  std::vector<qilin_insn_t> p;
  const int iters = 24;
  for (int t = 0; t < iters; ++t) {
    p.push_back(ld_insn(0, 1, 1, Flags{false, t >= 2, false, true}));
    p.push_back(mm_insn(0, 0, 0, 1, 1, Flags{true, t >= 2, t < iters - 2, true}));
    p.push_back(st_insn(0, 1, 1, Flags{true, false, t < iters - 2, false}));
  }
  p.push_back(end_insn());
  b.randomize_timing();
  b.units[1].min_delay = 20;
  b.units[1].max_delay = 40;
  run_and_compare(b, p, 0x60000);
  CHECK(b.last.token_stall[0] > 0);  // LD waited for EX to free a buffer
  CHECK(b.last.token_stall[2] > 0);  // ST waited for EX's results
}

TEST_CASE("cmdproc: throughput with an ideal bus and units", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_throughput", seed);
  std::vector<qilin_insn_t> p;
  const int n = 600;
  for (int i = 0; i < n; ++i) {
    p.push_back(i % 3 == 0   ? ld_insn(0, 1, 1)
                : i % 3 == 1 ? mm_insn(0, 0, 0, 1, 1)
                             : st_insn(0, 1, 1));
  }
  p.push_back(end_insn());
  b.axi.min_lat = b.axi.max_lat = 20;  // a realistic DRAM latency: prefetch must hide it
  const RunResult r = b.run(p, 0x70000);
  REQUIRE(r.done);
  const double ipc = static_cast<double>(p.size()) / static_cast<double>(r.cycles);
  CAPTURE(r.cycles, ipc, b.axi.max_outstanding);
  CHECK(ipc > 0.9);
  CHECK(b.axi.max_outstanding >= 2);
  WARN("dispatch rate " << ipc << " instructions/cycle, " << b.axi.max_outstanding
                        << " bursts in flight at most");
}

TEST_CASE("cmdproc: a deadlocked program stays busy, and a soft reset recovers", "[cmdproc]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  CmdProcBench<Vqilin_cmd_proc_8> b("cmdproc_deadlock", seed);
  // The MATMUL waits for a token that no instruction produces.
  const std::vector<qilin_insn_t> p = {ld_insn(0, 1, 1), mm_insn(0, 0, 0, 1, 1, Flags{true}),
                                       st_insn(0, 1, 1), end_insn()};
  qilin::golden::write_program(b.mem, 0x12000, p);
  b.step(true, 0x12000, static_cast<uint32_t>(p.size()));
  uint64_t stall = 0;
  for (int i = 0; i < 3000; ++i) {
    b.step();
    stall += b.dut().ex_token_stall_o;
  }
  CHECK(b.dut().busy_o);
  CHECK_FALSE(b.last.done);
  CHECK_FALSE(b.last.error);
  CHECK(stall > 2900);
  CHECK(b.units[1].log.empty());
  CHECK(b.units[0].log.size() == 1);  // LD and ST ran ahead
  CHECK(b.units[2].log.size() == 1);
  b.soft_reset();
  b.wait_idle(200);
  run_and_compare(b, random_program(b.rng, 50, 0.5, 0.1), 0x13000);
}
