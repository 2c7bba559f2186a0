// Program construction and checking for the command-processor testbench: instruction builders,
// a random generator of legal, token-consistent programs, and the checker for per-queue order
// and token/barrier timing against the unit stubs' timestamps.
#pragma once

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "cmdproc_bench.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

namespace qilin::tb {

struct Flags {
  bool pp = false, pn = false, sp = false, sn = false;  // pop_prev, pop_next, push_prev, push_next
};

inline qilin_insn_t ld_insn(uint32_t local, uint32_t y, uint32_t x, Flags f = {},
                            uint32_t dst = 0) {
  qilin_load_t l{};
  l.pop_prev = f.pp;
  l.pop_next = f.pn;
  l.push_prev = f.sp;
  l.push_next = f.sn;
  l.dst = dst;
  l.local_addr = local;
  l.y_size = y;
  l.x_size = x;
  l.dram_addr = kDataBase;
  l.dram_stride = 64;
  return golden::encode(l);
}

inline qilin_insn_t st_insn(uint32_t local, uint32_t y, uint32_t x, Flags f = {},
                            uint32_t src = 0) {
  qilin_store_t s{};
  s.pop_prev = f.pp;
  s.pop_next = f.pn;
  s.push_prev = f.sp;
  s.push_next = f.sn;
  s.src = src;
  s.local_addr = local;
  s.y_size = y;
  s.x_size = x;
  s.dram_addr = kOutBase;
  s.dram_stride = 1024;
  return golden::encode(s);
}

inline qilin_insn_t mm_insn(uint32_t a, uint32_t w, uint32_t c, uint32_t m, uint32_t k,
                            Flags f = {}) {
  qilin_matmul_t x{};
  x.pop_prev = f.pp;
  x.pop_next = f.pn;
  x.push_prev = f.sp;
  x.push_next = f.sn;
  x.a_addr = a;
  x.w_addr = w;
  x.c_addr = c;
  x.m_size = m;
  x.k_size = k;
  x.a_signed = 1;
  x.w_signed = 1;
  return golden::encode(x);
}

// POSTPROC without pooling; parameters at p (ACC rows p..p+2).
inline qilin_insn_t pp_insn(uint32_t c, uint32_t p, uint32_t o, uint32_t h, uint32_t w,
                            Flags f = {}) {
  qilin_postproc_t x{};
  x.pop_prev = f.pp;
  x.pop_next = f.pn;
  x.push_prev = f.sp;
  x.push_next = f.sn;
  x.out_signed = 1;
  x.c_addr = c;
  x.p_addr = p;
  x.o_addr = o;
  x.in_h = h;
  x.in_w = w;
  x.act_min = 0x80;
  x.act_max = 0x7f;
  return golden::encode(x);
}

inline qilin_insn_t sync_insn(uint32_t queue, Flags f = {}) {
  qilin_sync_t s{};
  s.pop_prev = f.pp;
  s.pop_next = f.pn;
  s.push_prev = f.sp;
  s.push_next = f.sn;
  s.queue = queue;
  return golden::encode(s);
}

inline qilin_insn_t end_insn() { return golden::encode_end(); }

// Queue membership of an instruction: bit q set if it goes to queue q.
inline unsigned queue_mask(const qilin_insn_t& i) {
  switch (qilin_insn_opcode(&i)) {
    case QILIN_OP_LOAD:
      return 1;
    case QILIN_OP_STORE:
      return 4;
    case QILIN_OP_MATMUL:
    case QILIN_OP_POSTPROC:
      return 2;
    case QILIN_OP_SYNC: {
      const unsigned q = qilin_decode_sync(&i).queue;
      return q == QILIN_QUEUE_ALL ? 7u : 1u << q;
    }
    case QILIN_OP_END:
      return 7;
    default:
      return 0;
  }
}
inline bool is_unit_op(const qilin_insn_t& i) {
  const unsigned op = qilin_insn_opcode(&i);
  return op >= QILIN_OP_LOAD && op <= QILIN_OP_POSTPROC;
}
inline Flags flags_of(const qilin_insn_t& i) {
  return Flags{(i.w[0] >> 4 & 1) != 0, (i.w[0] >> 5 & 1) != 0, (i.w[0] >> 6 & 1) != 0,
               (i.w[0] >> 7 & 1) != 0};
}

// Token FIFO indices, as in the ISS: LD->EX, EX->LD, EX->ST, ST->EX. -1: no neighbour.
inline int fifo_from_prev(int q) { return q == 1 ? 0 : q == 2 ? 2 : -1; }
inline int fifo_from_next(int q) { return q == 0 ? 1 : q == 1 ? 3 : -1; }
inline int fifo_to_prev(int q) { return q == 1 ? 1 : q == 2 ? 3 : -1; }
inline int fifo_to_next(int q) { return q == 0 ? 0 : q == 1 ? 2 : -1; }

// A legal random program of n instructions plus END: every pop takes a token whose producer
// comes earlier in the stream, and at most 8 tokens are outstanding per FIFO, so it completes
// for the minimum depths. Resource addresses stay in range; ACC rows 248..255 are left
// unwritten (POSTPROC parameters: shift 0).
inline std::vector<qilin_insn_t> random_program(golden::Rng& rng, int n, double token_prob,
                                                double sync_prob) {
  std::vector<qilin_insn_t> prog;
  std::array<int, 4> avail{};
  auto pick_flags = [&](int q) {
    Flags f;
    auto maybe_pop = [&](int fifo, bool& flag) {
      if (fifo >= 0 && avail[fifo] > 0 && rng.uniform_real(0, 1) < token_prob) {
        flag = true;
        --avail[fifo];
      }
    };
    auto maybe_push = [&](int fifo, bool& flag) {
      if (fifo >= 0 && avail[fifo] < 8 && rng.uniform_real(0, 1) < token_prob) {
        flag = true;
        ++avail[fifo];
      }
    };
    maybe_pop(fifo_from_prev(q), f.pp);
    maybe_pop(fifo_from_next(q), f.pn);
    maybe_push(fifo_to_prev(q), f.sp);
    maybe_push(fifo_to_next(q), f.sn);
    return f;
  };
  for (int i = 0; i < n; ++i) {
    const double r = rng.uniform_real(0, 1);
    if (r < sync_prob * 0.2) {
      prog.push_back(sync_insn(QILIN_QUEUE_ALL));
    } else if (r < sync_prob) {
      const int q = static_cast<int>(rng.uniform(0, 2));
      prog.push_back(sync_insn(static_cast<uint32_t>(q), pick_flags(q)));
    } else {
      const int kind = static_cast<int>(rng.uniform(0, 3));
      if (kind == 0) {
        const bool acc = rng.coin();
        const uint32_t y = static_cast<uint32_t>(rng.uniform(0, 4));
        const uint32_t x = static_cast<uint32_t>(rng.uniform(0, 3));
        const uint32_t rows = y * x;
        const uint32_t lim = acc ? 240 : kSpRows;
        prog.push_back(
            ld_insn(static_cast<uint32_t>(rng.uniform(0, lim - rows)), y, x, pick_flags(0), acc));
      } else if (kind == 1) {
        const int which = static_cast<int>(rng.uniform(0, 1));
        if (which == 0) {
          const uint32_t m = static_cast<uint32_t>(rng.uniform(0, 16));
          const uint32_t k = static_cast<uint32_t>(rng.uniform(0, kDim));
          prog.push_back(mm_insn(static_cast<uint32_t>(rng.uniform(0, kSpRows - m)),
                                 static_cast<uint32_t>(rng.uniform(0, kSpRows - k)),
                                 static_cast<uint32_t>(rng.uniform(0, 240 - m)), m, k,
                                 pick_flags(1)));
        } else {
          const uint32_t h = static_cast<uint32_t>(rng.uniform(0, 4));
          const uint32_t w = static_cast<uint32_t>(rng.uniform(0, 4));
          prog.push_back(pp_insn(static_cast<uint32_t>(rng.uniform(0, 240 - h * w)),
                                 static_cast<uint32_t>(rng.uniform(248, 253)),
                                 static_cast<uint32_t>(rng.uniform(0, kSpRows - h * w)), h, w,
                                 pick_flags(1)));
        }
      } else {
        const bool acc = false;  // STORE from ACC is reserved (docs/isa.md)
        const uint32_t y = static_cast<uint32_t>(rng.uniform(0, 4));
        const uint32_t x = static_cast<uint32_t>(rng.uniform(0, 3));
        const uint32_t lim = acc ? kAccRows : kSpRows;
        prog.push_back(
            st_insn(static_cast<uint32_t>(rng.uniform(0, lim - y * x)), y, x, pick_flags(2), acc));
      }
    }
  }
  prog.push_back(end_insn());
  return prog;
}

inline golden::IssResult run_iss(const golden::MemImage& mem, uint64_t base, uint32_t len) {
  golden::MemImage m = mem;
  golden::IssConfig cfg;
  cfg.dim = kDim;
  cfg.sp_rows = kSpRows;
  cfg.acc_rows = kAccRows;
  cfg.check_hazards = false;  // only the command processor is under test
  golden::Iss iss(cfg, m);
  return iss.run(base, len, 1'000'000);
}

// Checks a completed run: each queue's unit instructions were issued in program order with
// the right bits; every token consumer issued after its producer completed (through SYNC
// relays), and nothing after a barrier issued before everything ahead of it completed.
// For a run that stopped at an error, limit is the faulting PC: only instructions before it
// are checked (and they need not all have been issued).
inline void check_order_and_tokens(const std::vector<qilin_insn_t>& prog,
                                   const std::array<UnitStub, 3>& units, bool completed,
                                   uint32_t limit = UINT32_MAX) {
  std::array<size_t, 3> next{};
  std::array<std::deque<uint64_t>, 4> tokens;  // release time of each queued token
  std::array<uint64_t, 3> queue_done{};        // latest completion per queue so far
  uint64_t barrier = 0;
  const uint32_t n = std::min<uint32_t>(limit, static_cast<uint32_t>(prog.size()));
  for (uint32_t pc = 0; pc < n; ++pc) {
    const qilin_insn_t& i = prog[pc];
    const unsigned mask = queue_mask(i);
    if (mask == 0) FAIL("pc " << pc << ": not a legal instruction");
    if (mask == 7) {  // SYNC ALL or END
      for (int q = 0; q < 3; ++q) barrier = std::max(barrier, queue_done[q]);
      if (qilin_insn_opcode(&i) == QILIN_OP_END) break;
      continue;
    }
    const int q = mask == 1 ? 0 : mask == 2 ? 1 : 2;
    const Flags f = flags_of(i);
    uint64_t lb = barrier;
    for (auto [flag, fifo] :
         {std::pair{f.pp, fifo_from_prev(q)}, std::pair{f.pn, fifo_from_next(q)}}) {
      if (!flag) continue;
      REQUIRE(!tokens[fifo].empty());
      lb = std::max(lb, tokens[fifo].front());
      tokens[fifo].pop_front();
    }
    uint64_t release;
    if (is_unit_op(i)) {
      const auto& log = units[q].log;
      if (next[q] >= log.size()) {
        if (completed) FAIL("pc " << pc << " never issued to queue " << q);
        return;
      }
      const auto& rec = log[next[q]++];
      INFO("pc " << pc << " queue " << q << ": " << golden::disassemble(i));
      REQUIRE(rec.pc == pc);
      REQUIRE(rec.insn.w[0] == i.w[0]);
      REQUIRE(rec.insn.w[1] == i.w[1]);
      if (lb != 0) CHECK(rec.issue > lb);
      if (rec.done == UINT64_MAX) {
        if (completed) FAIL("pc " << pc << " never completed");
        return;
      }
      release = rec.done;
    } else {  // SYNC(q): after its pops and everything ahead of it in its queue
      release = std::max(lb, queue_done[q]);
    }
    queue_done[q] = std::max(queue_done[q], release);
    if (f.sp) tokens[fifo_to_prev(q)].push_back(release);
    if (f.sn) tokens[fifo_to_next(q)].push_back(release);
  }
  if (completed) {
    for (int q = 0; q < 3; ++q) CHECK(next[q] == units[q].log.size());
  }
}

}  // namespace qilin::tb
