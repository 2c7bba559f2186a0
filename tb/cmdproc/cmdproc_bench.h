// Bench for qilin_cmd_proc: owns the Sim, the device memory (a golden MemImage), the AXI read
// responder and the three unit stubs; runs programs and checks them against the ISS and the
// token/ordering rules of docs/isa.md §2-3.
#pragma once

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bits.h"
#include "cmdproc_models.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/mem_image.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"
#include "sim_harness.h"

namespace qilin::tb {

constexpr int kDim = 8;
constexpr uint32_t kSpRows = 1024, kAccRows = 256;
constexpr uint64_t kDataBase = 0x100000, kOutBase = 0x200000;

// What one run of a program ended with.
struct RunResult {
  bool done = false, error = false;
  unsigned code = 0;
  uint64_t addr = 0;
  uint32_t pc = 0;
  uint64_t cycles = 0;                // from start to done/error
  std::array<uint64_t, 3> retired{};  // per-queue retire pulses
  uint64_t insn_retired = 0;          // sum of insn_retired_o
  std::array<uint64_t, 3> token_stall{};
};

inline std::string to_string(const RunResult& r) {
  std::string s = r.done ? "done" : (r.error ? "error" : "running");
  s += " code=" + std::to_string(r.code) + " addr=0x";
  char buf[32];
  snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(r.addr));
  s += buf;
  s += " pc=" + std::to_string(r.pc) + " cycles=" + std::to_string(r.cycles);
  return s;
}

template <class Model>
class CmdProcBench {
 public:
  CmdProcBench(const std::string& name, uint64_t seed, uint64_t mem_size = uint64_t{1} << 24,
               uint64_t timeout_cycles = 2'000'000)
      : rng(seed),
        mem(mem_size),
        sim_(name, timeout_cycles),
        axi(mem, rng),
        units{{UnitStub(rng), UnitStub(rng), UnitStub(rng)}} {
    auto& d = sim_.dut();
    d.soft_reset_i = 0;
    d.start_i = 0;
    d.cmd_base_i = 0;
    d.cmd_len_i = 0;
    d.ar_ready_i = 0;
    d.r_valid_i = 0;
    d.ld_ready_i = d.ex_ready_i = d.st_ready_i = 0;
    d.ld_done_i = d.ex_done_i = d.st_done_i = 0;
    d.ld_err_i = d.ex_err_i = d.st_err_i = 0;
    sim_.reset();
  }

  golden::Rng rng;
  golden::MemImage mem;

 private:
  Sim<Model> sim_;

 public:
  AxiRdResponder axi;
  std::array<UnitStub, 3> units;

  Model& dut() { return sim_.dut(); }
  uint64_t cycle() const { return sim_.cycle(); }

  // Random bus and unit timing.
  void randomize_timing() {
    axi.min_lat = static_cast<int>(rng.uniform(1, 10));
    axi.max_lat = axi.min_lat + static_cast<int>(rng.uniform(0, 40));
    axi.ar_ready_prob = rng.uniform_real(0.3, 1.0);
    axi.gap_prob = rng.uniform_real(0.0, 0.5);
    for (auto& u : units) {
      u.ready_prob = rng.uniform_real(0.2, 1.0);
      u.min_delay = static_cast<int>(rng.uniform(1, 5));
      u.max_delay = u.min_delay + static_cast<int>(rng.uniform(0, 30));
    }
  }

  // One clock cycle. start/soft are this cycle's doorbell and soft reset.
  void step(bool start = false, uint64_t base = 0, uint32_t len = 0, bool soft = false) {
    auto& d = sim_.dut();
    const uint64_t c = sim_.cycle();
    axi.drive(c);
    for (auto& u : units) u.drive(c);
    d.soft_reset_i = soft;
    d.start_i = start;
    d.cmd_base_i = base;
    d.cmd_len_i = len;
    d.ar_ready_i = axi.ar_ready;
    const auto& beat = axi.r();
    d.r_valid_i = beat.valid;
    for (int w = 0; w < 9; ++w) d.r_i[w] = 0;
    put_bits(d.r_i, 0, 1, beat.last);
    put_bits(d.r_i, 1, 2, beat.resp);
    for (unsigned i = 0; i < AxiRdResponder::kBeatBytes / 4; ++i) {
      const uint32_t word = beat.data[4 * i] | beat.data[4 * i + 1] << 8 |
                            beat.data[4 * i + 2] << 16 | uint32_t{beat.data[4 * i + 3]} << 24;
      put_bits(d.r_i, 3 + 32 * i, 32, word);
    }
    d.ld_ready_i = units[0].ready;
    d.ex_ready_i = units[1].ready;
    d.st_ready_i = units[2].ready;
    d.ld_done_i = units[0].done;
    d.ex_done_i = units[1].done;
    d.st_done_i = units[2].done;
    d.ld_err_i = units[0].err;
    d.ex_err_i = units[1].err;
    d.st_err_i = units[2].err;
    for (int q = 0; q < 3; ++q) {
      if (units[q].err) {
        if (q == 0) d.ld_err_code_i = units[q].error_code, d.ld_err_addr_i = units[q].error_addr;
        if (q == 1) d.ex_err_code_i = units[q].error_code, d.ex_err_addr_i = units[q].error_addr;
        if (q == 2) d.st_err_code_i = units[q].error_code, d.st_err_addr_i = units[q].error_addr;
      }
    }
    sim_.eval();

    // Sample the outputs that this edge acts on.
    const bool arv = d.ar_valid_o;
    const uint64_t ar = d.ar_o;
    const bool r_ready = d.r_ready_o;
    std::array<bool, 3> v = {d.ld_valid_o != 0, d.ex_valid_o != 0, d.st_valid_o != 0};
    std::array<qilin_insn_t, 3> insn{};
    std::array<uint32_t, 3> pc = {d.ld_pc_o, d.ex_pc_o, d.st_pc_o};
    read_insn(d.ld_insn_o, insn[0]);
    read_insn(d.ex_insn_o, insn[1]);
    read_insn(d.st_insn_o, insn[2]);
    // The EX head carries in_h * in_w from the check pipeline (the EX unit's POSTPROC rows).
    if (v[1] && qilin_insn_opcode(&insn[1]) == QILIN_OP_POSTPROC) {
      const uint32_t h = static_cast<uint32_t>(
          qilin_insn_get(&insn[1], QILIN_POSTPROC_IN_H_LSB, QILIN_POSTPROC_IN_H_WIDTH));
      const uint32_t w = static_cast<uint32_t>(
          qilin_insn_get(&insn[1], QILIN_POSTPROC_IN_W_LSB, QILIN_POSTPROC_IN_W_WIDTH));
      if (d.ex_grid_o != h * w) {
        FAIL("EX head pc " << pc[1] << " at cycle " << c << ": ex_grid_o " << d.ex_grid_o
                           << ", expected in_h * in_w = " << h << " * " << w << " = " << h * w);
      }
    }
    // valid/ready contract: a presented instruction stays until taken (except soft reset).
    for (int q = 0; q < 3; ++q) {
      if (held_[q] && !soft_prev_) {
        if (!v[q] || pc[q] != held_pc_[q]) {
          FAIL("queue " << q << ": valid dropped or changed before ready at cycle " << c);
        }
      }
      held_[q] = v[q] && !units[q].ready;
      held_pc_[q] = pc[q];
    }
    soft_prev_ = soft;
    if (d.done_o) last.done = true;
    if (d.error_o) {
      last.error = true;
      last.code = d.err_code_o;
      last.addr = d.err_addr_o;
      last.pc = d.err_pc_o;
    }
    last.retired[0] += d.ld_retired_o;
    last.retired[1] += d.ex_retired_o;
    last.retired[2] += d.st_retired_o;
    last.insn_retired += d.insn_retired_o;
    last.token_stall[0] += d.ld_token_stall_o;
    last.token_stall[1] += d.ex_token_stall_o;
    last.token_stall[2] += d.st_token_stall_o;

    sim_.tick();

    axi.commit(c, arv, (ar >> 13) & ((uint64_t{1} << 34) - 1), (ar >> 5) & 0xff, (ar >> 2) & 7,
               ar & 3, (ar >> 47) & 0x3f, r_ready);
    for (int q = 0; q < 3; ++q) units[q].commit(c, v[q], insn[q], pc[q]);
  }

  // Writes the program at base and runs it until done_o or error_o (within max_cycles).
  RunResult run(const std::vector<qilin_insn_t>& prog, uint64_t base, uint64_t max_cycles = 200000,
                std::optional<uint32_t> len = std::nullopt) {
    golden::write_program(mem, base, prog);
    return run_loaded(base, len ? *len : static_cast<uint32_t>(prog.size()), max_cycles);
  }

  RunResult run_loaded(uint64_t base, uint32_t len, uint64_t max_cycles = 200000) {
    wait_idle();
    for (auto& u : units) u.clear();
    last = RunResult{};
    const uint64_t t0 = cycle();
    step(true, base, len);
    while (!last.done && !last.error) {
      if (cycle() - t0 > max_cycles) {
        FAIL("program did not finish within " << max_cycles << " cycles");
      }
      step();
    }
    last.cycles = cycle() - t0;
    return last;
  }

  // Waits (bounded) until busy_o is low.
  void wait_idle(uint64_t max_cycles = 20000) {
    for (uint64_t i = 0; sim_.dut().busy_o; ++i) {
      if (i > max_cycles) FAIL("busy_o stuck high");
      step();
    }
  }

  // Soft reset of the command processor and the units; the AXI slave keeps answering the
  // bursts it already accepted (the DUT must drop them).
  void soft_reset() {
    step(false, 0, 0, true);
    for (auto& u : units) u.soft_reset();
  }

  RunResult last;

 private:
  template <class W>
  static void read_insn(const W& port, qilin_insn_t& out) {
    out.w[0] = get_bits(port, 0, 32) | get_bits(port, 32, 32) << 32;
    out.w[1] = get_bits(port, 64, 32) | get_bits(port, 96, 32) << 32;
  }

  std::array<bool, 3> held_{};
  std::array<uint32_t, 3> held_pc_{};
  bool soft_prev_ = false;
};

}  // namespace qilin::tb
