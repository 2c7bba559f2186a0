// Instruction-level simulator: command processor (fetch, decode, legality checks, in-order
// dispatch), three in-order queues with token FIFOs, the DMA, the array and post-processing.
// The arithmetic is delegated to the golden operators (gemm_s32, requantize), so the ISS adds
// only data movement and scheduling on top of code that is already verified.
//
// Scheduling. One scheduler step lets the dispatcher dispatch at most one instruction and then
// lets each queue (LD, EX, ST, in that order) advance its head instruction as far as it can:
// take the tokens it waits for, execute (atomically), send its tokens, retire. A step in which
// nothing moves is a deadlock. For a correctly synchronised program the result does not
// depend on this order, and the hazard checker below reports programs for which it would.
//
// Hazard checking. Each queue keeps a vector clock (how many instructions of every queue are
// known to have completed before its current one); a token carries its sender's clock and a
// barrier merges all three. Every SP/ACC row and device-memory byte remembers its last writer
// and last reader per queue, so an access not ordered after a conflicting one by a chain of
// tokens is reported as RACE, whatever the interleaving was in this run.
#include "qilin/golden/iss.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qilin/golden/gemm.h"
#include "qilin/golden/requant.h"

namespace qilin::golden {

namespace {

constexpr int kNumQueues = 3;
constexpr int kLd = QILIN_QUEUE_LD;
constexpr int kEx = QILIN_QUEUE_EX;
constexpr int kSt = QILIN_QUEUE_ST;
const char* const kQueueName[kNumQueues] = {"LD", "EX", "ST"};

// Token FIFOs, named by direction. LD and ST are not neighbours.
constexpr int kNumFifos = 4;
constexpr int kLdToEx = 0;
constexpr int kExToLd = 1;
constexpr int kExToSt = 2;
constexpr int kStToEx = 3;
constexpr int kNone = -1;
const char* fifo_name(int f) {
  static const char* const kNames[kNumFifos] = {"LD->EX", "EX->LD", "EX->ST", "ST->EX"};
  return f >= 0 && f < kNumFifos ? kNames[f] : "?";
}

// The FIFO a queue pops from (tokens sent to it by that neighbour) or pushes to; kNone where the
// neighbour does not exist (LD has no prev, ST has no next), which makes such a flag illegal.
int fifo_from_prev(int q) { return q == kEx ? kLdToEx : q == kSt ? kExToSt : kNone; }
int fifo_from_next(int q) { return q == kLd ? kExToLd : q == kEx ? kStToEx : kNone; }
int fifo_to_prev(int q) { return q == kEx ? kExToLd : q == kSt ? kStToEx : kNone; }
int fifo_to_next(int q) { return q == kLd ? kLdToEx : q == kEx ? kExToSt : kNone; }

using VClock = std::array<uint32_t, kNumQueues>;

void merge(VClock& into, const VClock& from) {
  for (int i = 0; i < kNumQueues; ++i) into[i] = std::max(into[i], from[i]);
}

struct Fault {
  unsigned code;
  uint64_t addr;
  uint32_t pc;
  std::string msg;
};
using MaybeFault = std::optional<Fault>;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool in_type(int32_t v, bool is_signed) {
  return is_signed ? (v >= -128 && v <= 127) : (v >= 0 && v <= 255);
}

// A byte read in the output type (act_min / act_max).
int32_t byte_in_type(uint32_t raw, bool is_signed) {
  return as_int(static_cast<uint8_t>(raw), is_signed);
}

// round(sum / n) with ties away from zero (n > 0), the average pooling rule.
int32_t div_round_away(int32_t sum, int32_t n) {
  return sum >= 0 ? (sum + n / 2) / n : -((-sum + n / 2) / n);
}

// Token flags of any instruction with dep fields, as a small record.
struct Deps {
  bool pop_prev, pop_next, push_prev, push_next;
};

Deps deps_of(const qilin_insn_t& i) {
  return {qilin_insn_get(&i, QILIN_INSN_POP_PREV_LSB, 1) != 0,
          qilin_insn_get(&i, QILIN_INSN_POP_NEXT_LSB, 1) != 0,
          qilin_insn_get(&i, QILIN_INSN_PUSH_PREV_LSB, 1) != 0,
          qilin_insn_get(&i, QILIN_INSN_PUSH_NEXT_LSB, 1) != 0};
}

// Shadow state of one SP or ACC row for the hazard checker.
struct RowShadow {
  bool init = false;   // written at least once (persists across runs, like the SRAM contents)
  int writer = kNone;  // queue of the last write in this run
  uint32_t w_epoch = 0;
  uint32_t w_pc = 0;
  std::array<uint32_t, kNumQueues> r_epoch{};  // last read per queue in this run (0 = none)
  std::array<uint32_t, kNumQueues> r_pc{};
};

// Shadow state of one device-memory byte: only ST writes and only LD reads device memory.
struct ByteShadow {
  uint32_t st_epoch = 0;
  uint32_t st_pc = 0;
  uint32_t ld_epoch = 0;
  uint32_t ld_pc = 0;
};

// One instruction in a queue, with the progress of its token handshake.
struct Slot {
  qilin_insn_t insn;
  uint32_t pc;
  unsigned op;
  bool barrier;  // SYNC(queue = ALL) or END: retires in all queues together
  Deps todo;     // flags not yet done
  bool executed;
};

}  // namespace

struct Iss::Impl {
  Impl(const IssConfig& c, MemImage& m)
      : cfg(c),
        mem(m),
        dim(c.dim),
        sp(static_cast<std::size_t>(c.sp_rows) * c.dim, 0),
        acc(static_cast<std::size_t>(c.acc_rows) * c.dim, 0),
        sp_shadow(c.sp_rows),
        acc_shadow(c.acc_rows) {}

  IssConfig cfg;
  MemImage& mem;
  int dim;
  std::vector<uint8_t> sp;
  std::vector<int32_t> acc;
  std::vector<RowShadow> sp_shadow;
  std::vector<RowShadow> acc_shadow;
  std::unordered_map<uint64_t, std::vector<ByteShadow>> dram_shadow;  // per 4 KiB page

  // Run state, reset by run().
  uint64_t base = 0;
  uint32_t count = 0;
  uint32_t next_pc = 0;
  bool end_dispatched = false;
  std::optional<Slot> fetched;  // decoded, waiting for queue space
  std::array<std::deque<Slot>, kNumQueues> queues;
  std::array<std::deque<VClock>, kNumFifos> tokens;
  std::array<VClock, kNumQueues> vc{};
  IssResult res;

  // ---- Decode and legality (the command processor's checks) ----------------------------------

  uint64_t insn_addr(uint32_t pc) const { return base + uint64_t{QILIN_INSN_BYTES} * pc; }

  Fault illegal(uint32_t pc, const std::string& why) const {
    return {QILIN_ERR_ILLEGAL_INSN, insn_addr(pc), pc,
            "ILLEGAL_INSN at pc " + std::to_string(pc) + ": " + why};
  }

  // A row range [addr, addr + n) of SP (is_acc false) or ACC: the first row outside the memory
  // is ERR_ADDR, i.e. max(addr, rows).
  MaybeFault range(bool is_acc, uint64_t addr, uint64_t n, uint32_t pc, const char* what) const {
    const uint64_t rows = is_acc ? cfg.acc_rows : cfg.sp_rows;
    if (addr + n <= rows) return std::nullopt;
    return Fault{is_acc ? QILIN_ERR_ACC_RANGE : QILIN_ERR_SP_RANGE, std::max(addr, rows), pc,
                 std::string(is_acc ? "ACC_RANGE" : "SP_RANGE") + " at pc " + std::to_string(pc) +
                     ": " + what + " rows [" + std::to_string(addr) + ", " +
                     std::to_string(addr + n) + ") but the memory has " + std::to_string(rows)};
  }

  // Checks the token flags against the queue's neighbours.
  MaybeFault check_deps(const qilin_insn_t& i, int q, uint32_t pc) const {
    const Deps d = deps_of(i);
    if ((d.pop_prev || d.push_prev) && fifo_from_prev(q) == kNone) {
      return illegal(pc,
                     std::string(kQueueName[q]) + " has no previous queue (pop_prev/push_prev)");
    }
    if ((d.pop_next || d.push_next) && fifo_from_next(q) == kNone) {
      return illegal(pc, std::string(kQueueName[q]) + " has no next queue (pop_next/push_next)");
    }
    return std::nullopt;
  }

  // Everything decidable from the instruction alone, in the documented order: opcode, reserved
  // bits, token flags, field values, then row ranges. Sets the slot's queue mask on success.
  MaybeFault decode(const qilin_insn_t& i, uint32_t pc, unsigned* queue_mask) const {
    const unsigned op = qilin_insn_opcode(&i);
    unsigned nfields = 0;
    if (qilin_insn_fields(op, &nfields) == nullptr) return illegal(pc, "unknown opcode " + hex(op));
    if (!qilin_insn_reserved_ok(&i)) return illegal(pc, "a reserved bit is set");
    switch (op) {
      case QILIN_OP_LOAD: {
        *queue_mask = 1u << kLd;
        if (auto e = check_deps(i, kLd, pc)) return e;
        const qilin_load_t f = qilin_decode_load(&i);
        const bool to_acc = f.dst == QILIN_MEM_ACC;
        if (to_acc && f.pad_value != 0) return illegal(pc, "LOAD to ACC with pad_value != 0");
        const uint64_t rows =
            uint64_t{f.pad_top + f.y_size + f.pad_bottom} * (f.pad_left + f.x_size + f.pad_right);
        return range(to_acc, f.local_addr, rows, pc, "LOAD writes");
      }
      case QILIN_OP_STORE: {
        *queue_mask = 1u << kSt;
        if (auto e = check_deps(i, kSt, pc)) return e;
        const qilin_store_t f = qilin_decode_store(&i);
        const bool from_acc = f.src == QILIN_MEM_ACC;
        const uint64_t row_bytes = uint64_t{f.x_size} * vector_bytes(from_acc);
        if (f.y_size > 1 && f.dram_stride < row_bytes) {
          return illegal(pc, "STORE rows overlap in device memory (dram_stride < row bytes)");
        }
        return range(from_acc, f.local_addr, uint64_t{f.y_size} * f.x_size, pc, "STORE reads");
      }
      case QILIN_OP_MATMUL: {
        *queue_mask = 1u << kEx;
        if (auto e = check_deps(i, kEx, pc)) return e;
        const qilin_matmul_t f = qilin_decode_matmul(&i);
        if (f.k_size > static_cast<uint32_t>(dim)) return illegal(pc, "MATMUL k_size > DIM");
        if (!in_type(f.a_zp, f.a_signed)) return illegal(pc, "MATMUL a_zp outside A's type");
        if (!in_type(f.w_zp, f.w_signed)) return illegal(pc, "MATMUL w_zp outside W's type");
        if (auto r = range(false, f.a_addr, f.m_size, pc, "MATMUL reads A")) return r;
        if (auto r = range(false, f.w_addr, f.k_size, pc, "MATMUL reads W")) return r;
        return range(true, f.c_addr, f.m_size, pc, "MATMUL writes C");
      }
      case QILIN_OP_POSTPROC: {
        *queue_mask = 1u << kEx;
        if (auto e = check_deps(i, kEx, pc)) return e;
        const qilin_postproc_t f = qilin_decode_postproc(&i);
        if (f.pool_kind == QILIN_POOL_NONE) {
          if (f.pool_kh || f.pool_kw || f.pool_sh || f.pool_sw) {
            return illegal(pc, "POSTPROC without pooling has non-zero pool_kh/kw/sh/sw");
          }
        } else if (f.pool_kind == QILIN_POOL_MAX || f.pool_kind == QILIN_POOL_AVG) {
          if (!f.pool_kh || !f.pool_kw || !f.pool_sh || !f.pool_sw) {
            return illegal(pc, "POSTPROC pooling with a zero window or stride");
          }
          if (f.pool_kh > f.in_h || f.pool_kw > f.in_w) {
            return illegal(pc, "POSTPROC pooling window larger than the grid");
          }
        } else {
          return illegal(pc, "POSTPROC pool_kind 3");
        }
        const bool s = f.out_signed != 0;
        if (!in_type(f.out_zp, s)) return illegal(pc, "POSTPROC out_zp outside the output type");
        if (byte_in_type(f.act_min, s) > byte_in_type(f.act_max, s)) {
          return illegal(pc, "POSTPROC act_min > act_max");
        }
        const uint64_t m = uint64_t{f.in_h} * f.in_w;
        if (auto r = range(true, f.c_addr, m, pc, "POSTPROC reads C")) return r;
        if (auto r = range(true, f.p_addr, 3, pc, "POSTPROC reads parameters")) return r;
        return range(false, f.o_addr, postproc_out_rows(f), pc, "POSTPROC writes");
      }
      case QILIN_OP_SYNC: {
        const qilin_sync_t f = qilin_decode_sync(&i);
        if (f.queue == QILIN_QUEUE_ALL) {
          *queue_mask = (1u << kNumQueues) - 1;
          const Deps d = deps_of(i);
          if (d.pop_prev || d.pop_next || d.push_prev || d.push_next) {
            return illegal(pc, "SYNC ALL (a barrier) with token flags");
          }
          return std::nullopt;
        }
        *queue_mask = 1u << f.queue;
        return check_deps(i, static_cast<int>(f.queue), pc);
      }
      case QILIN_OP_END:
        *queue_mask = (1u << kNumQueues) - 1;
        return std::nullopt;
      default:
        return illegal(pc, "unknown opcode");  // unreachable: qilin_insn_fields knew it
    }
  }

  uint32_t vector_bytes(bool is_acc) const { return static_cast<uint32_t>(is_acc ? 4 * dim : dim); }

  static uint64_t postproc_out_rows(const qilin_postproc_t& f) {
    if (f.pool_kind == QILIN_POOL_NONE) return uint64_t{f.in_h} * f.in_w;
    const uint64_t oh = (f.in_h - f.pool_kh) / f.pool_sh + 1;
    const uint64_t ow = (f.in_w - f.pool_kw) / f.pool_sw + 1;
    return oh * ow;
  }

  // ---- Hazard checking ----------------------------------------------------------------------

  std::string who(int q, uint32_t pc) const {
    return std::string(kQueueName[q]) + " (pc " + std::to_string(pc) + ")";
  }

  MaybeFault race(uint64_t addr, uint32_t pc, const std::string& msg) const {
    return Fault{QILIN_ERR_RACE, addr, pc, "RACE: " + msg + " with no token chain between them"};
  }

  // q reads row `row` of SP or ACC during the instruction at pc.
  MaybeFault read_row(bool is_acc, uint32_t row, int q, uint32_t pc) {
    if (!cfg.check_hazards) return std::nullopt;
    RowShadow& s = (is_acc ? acc_shadow : sp_shadow)[row];
    const char* mem_name = is_acc ? "ACC" : "SP";
    if (!s.init) {
      return Fault{QILIN_ERR_UNINIT_READ, row, pc,
                   "UNINIT_READ: " + who(q, pc) + " reads " + mem_name + " row " +
                       std::to_string(row) + ", which nothing has written"};
    }
    if (s.writer != kNone && s.writer != q && s.w_epoch > vc[q][s.writer]) {
      return race(row, pc,
                  who(q, pc) + " reads " + mem_name + " row " + std::to_string(row) +
                      " written by " + who(s.writer, s.w_pc));
    }
    s.r_epoch[q] = vc[q][q];
    s.r_pc[q] = pc;
    return std::nullopt;
  }

  MaybeFault write_row(bool is_acc, uint32_t row, int q, uint32_t pc) {
    RowShadow& s = (is_acc ? acc_shadow : sp_shadow)[row];
    if (cfg.check_hazards) {
      const std::string what =
          who(q, pc) + " writes " + (is_acc ? "ACC" : "SP") + " row " + std::to_string(row);
      if (s.writer != kNone && s.writer != q && s.w_epoch > vc[q][s.writer]) {
        return race(row, pc, what + " also written by " + who(s.writer, s.w_pc));
      }
      for (int p = 0; p < kNumQueues; ++p) {
        if (p != q && s.r_epoch[p] > vc[q][p]) {
          return race(row, pc, what + " read by " + who(p, s.r_pc[p]));
        }
      }
    }
    s.init = true;
    s.writer = q;
    s.w_epoch = vc[q][q];
    s.w_pc = pc;
    return std::nullopt;
  }

  ByteShadow& byte_shadow(uint64_t addr) {
    auto& page = dram_shadow[addr >> MemImage::kPageBits];
    if (page.empty()) page.resize(MemImage::kPageSize);
    return page[addr & (MemImage::kPageSize - 1)];
  }

  MaybeFault dram_read(uint64_t addr, uint64_t n, uint32_t pc) {
    if (!cfg.check_hazards) return std::nullopt;
    for (uint64_t a = addr; a < addr + n; ++a) {
      ByteShadow& s = byte_shadow(a);
      if (s.st_epoch > vc[kLd][kSt]) {
        return race(
            a, pc,
            who(kLd, pc) + " reads device byte " + hex(a) + " written by " + who(kSt, s.st_pc));
      }
      s.ld_epoch = vc[kLd][kLd];
      s.ld_pc = pc;
    }
    return std::nullopt;
  }

  MaybeFault dram_write(uint64_t addr, uint64_t n, uint32_t pc) {
    if (!cfg.check_hazards) return std::nullopt;
    // The command processor may fetch the stream at any time: overwriting it is never ordered.
    const uint64_t s0 = base, s1 = insn_addr(count);
    if (addr < s1 && s0 < addr + n) {
      return race(std::max(addr, s0), pc,
                  who(kSt, pc) + " writes into the instruction stream, fetched by the dispatcher,");
    }
    for (uint64_t a = addr; a < addr + n; ++a) {
      ByteShadow& s = byte_shadow(a);
      if (s.ld_epoch > vc[kSt][kLd]) {
        return race(
            a, pc,
            who(kSt, pc) + " writes device byte " + hex(a) + " read by " + who(kLd, s.ld_pc));
      }
      s.st_epoch = vc[kSt][kSt];
      s.st_pc = pc;
    }
    return std::nullopt;
  }

  // ---- Execution ----------------------------------------------------------------------------

  // The DMA's checks on one transfer of n bytes at addr, in the order the hardware meets them.
  MaybeFault dma_check(const DmaWindow& w, bool is_write, uint64_t addr, uint64_t n,
                       uint32_t pc) const {
    if (!w.contains(addr, n)) {
      const uint64_t bad = addr < w.base ? addr : std::max(addr, w.limit);
      return Fault{QILIN_ERR_DMA_WINDOW, bad, pc,
                   std::string("DMA_WINDOW at pc ") + std::to_string(pc) + ": " +
                       (is_write ? "write" : "read") + " of [" + hex(addr) + ", " + hex(addr + n) +
                       ") outside the window [" + hex(w.base) + ", " + hex(w.limit) + ")"};
    }
    if (addr + n > mem.size()) {
      return Fault{QILIN_ERR_BUS_ERROR, std::max(addr, mem.size()), pc,
                   "BUS_ERROR at pc " + std::to_string(pc) + ": access beyond the " +
                       std::to_string(mem.size()) + "-byte memory"};
    }
    return std::nullopt;
  }

  // The DMA moves whole vectors, so device addresses and strides are vector-aligned.
  static MaybeFault align_check(uint64_t addr, uint64_t stride, uint32_t vb, uint32_t pc) {
    if (addr % vb == 0 && stride % vb == 0) return std::nullopt;
    return Fault{QILIN_ERR_ALIGN, addr, pc,
                 "ALIGN at pc " + std::to_string(pc) + ": dram_addr " + hex(addr) + " or stride " +
                     std::to_string(stride) + " is not a multiple of " + std::to_string(vb)};
  }

  MaybeFault exec_load(const qilin_insn_t& i, uint32_t pc) {
    const qilin_load_t f = qilin_decode_load(&i);
    const bool to_acc = f.dst == QILIN_MEM_ACC;
    const uint32_t vb = vector_bytes(to_acc);
    const uint64_t row_bytes = uint64_t{f.x_size} * vb;
    const uint32_t width = f.pad_left + f.x_size + f.pad_right;
    const uint32_t height = f.pad_top + f.y_size + f.pad_bottom;
    // All checks first, so that a failing LOAD changes nothing in the ISS.
    if (auto e = align_check(f.dram_addr, f.dram_stride, vb, pc)) return e;
    for (uint32_t y = 0; y < f.y_size && row_bytes > 0; ++y) {
      const uint64_t a = f.dram_addr + uint64_t{y} * f.dram_stride;
      if (auto e = dma_check(mem.read_window(), false, a, row_bytes, pc)) return e;
    }
    for (uint32_t y = 0; y < f.y_size; ++y) {
      if (auto e = dram_read(f.dram_addr + uint64_t{y} * f.dram_stride, row_bytes, pc)) return e;
    }
    for (uint64_t r = 0; r < uint64_t{width} * height; ++r) {
      if (auto e = write_row(to_acc, static_cast<uint32_t>(f.local_addr + r), kLd, pc)) return e;
    }
    std::vector<uint8_t> vec(vb);
    for (uint32_t y = 0; y < height; ++y) {
      for (uint32_t x = 0; x < width; ++x) {
        const uint32_t row = f.local_addr + y * width + x;
        const bool data = y >= f.pad_top && y < f.pad_top + f.y_size && x >= f.pad_left &&
                          x < f.pad_left + f.x_size;
        if (data) {
          mem.read(
              f.dram_addr + uint64_t{y - f.pad_top} * f.dram_stride + uint64_t{x - f.pad_left} * vb,
              vec.data(), vb);
        } else {
          std::fill(vec.begin(), vec.end(), static_cast<uint8_t>(f.pad_value));
        }
        if (to_acc) {
          for (int n = 0; n < dim; ++n) {
            uint32_t u = 0;
            for (int b = 0; b < 4; ++b) u |= static_cast<uint32_t>(vec[4 * n + b]) << (8 * b);
            acc[static_cast<std::size_t>(row) * dim + n] = static_cast<int32_t>(u);
          }
        } else {
          std::copy(vec.begin(), vec.end(), sp.begin() + static_cast<std::ptrdiff_t>(row) * dim);
        }
      }
    }
    return std::nullopt;
  }

  MaybeFault exec_store(const qilin_insn_t& i, uint32_t pc) {
    const qilin_store_t f = qilin_decode_store(&i);
    const bool from_acc = f.src == QILIN_MEM_ACC;
    const uint32_t vb = vector_bytes(from_acc);
    const uint64_t row_bytes = uint64_t{f.x_size} * vb;
    if (auto e = align_check(f.dram_addr, f.dram_stride, vb, pc)) return e;
    for (uint32_t y = 0; y < f.y_size && row_bytes > 0; ++y) {
      const uint64_t a = f.dram_addr + uint64_t{y} * f.dram_stride;
      if (auto e = dma_check(mem.write_window(), true, a, row_bytes, pc)) return e;
    }
    for (uint64_t r = 0; r < uint64_t{f.y_size} * f.x_size; ++r) {
      if (auto e = read_row(from_acc, static_cast<uint32_t>(f.local_addr + r), kSt, pc)) return e;
    }
    for (uint32_t y = 0; y < f.y_size; ++y) {
      if (auto e = dram_write(f.dram_addr + uint64_t{y} * f.dram_stride, row_bytes, pc)) return e;
    }
    std::vector<uint8_t> bytes(row_bytes);
    for (uint32_t y = 0; y < f.y_size; ++y) {
      for (uint32_t x = 0; x < f.x_size; ++x) {
        const uint32_t row = f.local_addr + y * f.x_size + x;
        uint8_t* dst = bytes.data() + uint64_t{x} * vb;
        if (from_acc) {
          for (int n = 0; n < dim; ++n) {
            const auto u = static_cast<uint32_t>(acc[static_cast<std::size_t>(row) * dim + n]);
            for (int b = 0; b < 4; ++b) dst[4 * n + b] = static_cast<uint8_t>(u >> (8 * b));
          }
        } else {
          std::copy_n(sp.begin() + static_cast<std::ptrdiff_t>(row) * dim, dim, dst);
        }
      }
      if (row_bytes > 0)
        mem.write(f.dram_addr + uint64_t{y} * f.dram_stride, bytes.data(), row_bytes);
    }
    return std::nullopt;
  }

  MaybeFault exec_matmul(const qilin_insn_t& i, uint32_t pc) {
    const qilin_matmul_t f = qilin_decode_matmul(&i);
    const int m_size = static_cast<int>(f.m_size);
    const int k_size = static_cast<int>(f.k_size);
    for (int k = 0; k < k_size; ++k) {
      if (auto e = read_row(false, f.w_addr + k, kEx, pc)) return e;
    }
    for (int m = 0; m < m_size; ++m) {
      if (auto e = read_row(false, f.a_addr + m, kEx, pc)) return e;
      if (f.accumulate) {
        if (auto e = read_row(true, f.c_addr + m, kEx, pc)) return e;
      }
      if (auto e = write_row(true, f.c_addr + m, kEx, pc)) return e;
    }
    // The golden GEMM on the first k_size lanes of each A row and the k_size weight rows.
    std::vector<uint8_t> a(static_cast<std::size_t>(m_size) * k_size);
    std::vector<uint8_t> w(static_cast<std::size_t>(k_size) * dim);
    for (int m = 0; m < m_size; ++m) {
      std::copy_n(sp.begin() + static_cast<std::ptrdiff_t>(f.a_addr + m) * dim, k_size,
                  a.begin() + static_cast<std::ptrdiff_t>(m) * k_size);
    }
    std::copy_n(sp.begin() + static_cast<std::ptrdiff_t>(f.w_addr) * dim, k_size * dim, w.begin());
    const std::vector<int32_t> w_zp(dim, f.w_zp);
    std::vector<int32_t> c(static_cast<std::size_t>(m_size) * dim);
    gemm_s32(m_size, dim, k_size, {a.data(), f.a_signed != 0}, f.a_zp, {w.data(), f.w_signed != 0},
             w_zp.data(), c.data(), false);
    int32_t* out = acc.data() + static_cast<std::size_t>(f.c_addr) * dim;
    for (std::size_t j = 0; j < c.size(); ++j) {
      // The accumulator adds modulo 2^32, as a 32-bit adder does; only a K-split far beyond
      // kMaxGemmK or a LOADed ACC value can make it wrap.
      out[j] =
          f.accumulate
              ? static_cast<int32_t>(static_cast<uint32_t>(out[j]) + static_cast<uint32_t>(c[j]))
              : c[j];
    }
    res.macs += static_cast<uint64_t>(m_size) * k_size * dim;
    return std::nullopt;
  }

  MaybeFault exec_postproc(const qilin_insn_t& i, uint32_t pc) {
    const qilin_postproc_t f = qilin_decode_postproc(&i);
    const bool s = f.out_signed != 0;
    const int32_t* bias = acc.data() + static_cast<std::size_t>(f.p_addr) * dim;
    const int32_t* mult = bias + dim;
    const int32_t* shift = mult + dim;
    for (int n = 0; n < dim; ++n) {
      if (shift[n] < -31 || shift[n] > 30) {
        return Fault{QILIN_ERR_PARAM_RANGE, uint64_t{f.p_addr} + 2, pc,
                     "PARAM_RANGE at pc " + std::to_string(pc) + ": shift " +
                         std::to_string(shift[n]) + " in lane " + std::to_string(n) +
                         " outside -31..30"};
      }
    }
    const uint32_t m = f.in_h * f.in_w;
    if (f.bias_en) {
      if (auto e = read_row(true, f.p_addr, kEx, pc)) return e;
    }
    if (auto e = read_row(true, f.p_addr + 1, kEx, pc)) return e;
    if (auto e = read_row(true, f.p_addr + 2, kEx, pc)) return e;
    for (uint32_t r = 0; r < m; ++r) {
      if (auto e = read_row(true, f.c_addr + r, kEx, pc)) return e;
    }
    const uint64_t out_rows = postproc_out_rows(f);
    for (uint64_t r = 0; r < out_rows; ++r) {
      if (auto e = write_row(false, static_cast<uint32_t>(f.o_addr + r), kEx, pc)) return e;
    }

    // Requantise the whole grid (row r, lane n) with golden::requantize.
    std::vector<RequantParams> params(dim);
    for (int n = 0; n < dim; ++n) {
      params[n] = {
          {mult[n], shift[n]}, f.out_zp, byte_in_type(f.act_min, s), byte_in_type(f.act_max, s), s};
    }
    std::vector<uint8_t> q(static_cast<std::size_t>(m) * dim);
    for (uint32_t r = 0; r < m; ++r) {
      const int32_t* c = acc.data() + static_cast<std::size_t>(f.c_addr + r) * dim;
      for (int n = 0; n < dim; ++n) {
        q[static_cast<std::size_t>(r) * dim + n] =
            requantize(c[n], f.bias_en ? bias[n] : 0, params[n]);
      }
    }
    uint8_t* out = sp.data() + static_cast<std::size_t>(f.o_addr) * dim;
    if (f.pool_kind == QILIN_POOL_NONE) {
      std::copy(q.begin(), q.end(), out);
      return std::nullopt;
    }
    // Pooling on the requantised values of a row-major in_h x in_w grid, valid windows only.
    const uint32_t oh = (f.in_h - f.pool_kh) / f.pool_sh + 1;
    const uint32_t ow = (f.in_w - f.pool_kw) / f.pool_sw + 1;
    const int32_t count = static_cast<int32_t>(f.pool_kh * f.pool_kw);
    for (uint32_t oy = 0; oy < oh; ++oy) {
      for (uint32_t ox = 0; ox < ow; ++ox) {
        for (int n = 0; n < dim; ++n) {
          int32_t best = s ? -128 : 0;
          int32_t sum = 0;
          for (uint32_t ky = 0; ky < f.pool_kh; ++ky) {
            for (uint32_t kx = 0; kx < f.pool_kw; ++kx) {
              const uint32_t r = (oy * f.pool_sh + ky) * f.in_w + ox * f.pool_sw + kx;
              const int32_t v = as_int(q[static_cast<std::size_t>(r) * dim + n], s);
              best = std::max(best, v);
              sum += v;
            }
          }
          const int32_t v = f.pool_kind == QILIN_POOL_MAX ? best : div_round_away(sum, count);
          out[(static_cast<std::size_t>(oy) * ow + ox) * dim + n] = static_cast<uint8_t>(v);
        }
      }
    }
    return std::nullopt;
  }

  MaybeFault execute(const Slot& s) {
    switch (s.op) {
      case QILIN_OP_LOAD:
        return exec_load(s.insn, s.pc);
      case QILIN_OP_STORE:
        return exec_store(s.insn, s.pc);
      case QILIN_OP_MATMUL:
        return exec_matmul(s.insn, s.pc);
      case QILIN_OP_POSTPROC:
        return exec_postproc(s.insn, s.pc);
      default:
        return std::nullopt;  // SYNC: tokens only
    }
  }

  // ---- Scheduling ---------------------------------------------------------------------------

  // Fetches, decodes and dispatches at most one instruction. Returns true if it moved.
  bool dispatch(MaybeFault& fault) {
    if (end_dispatched) return false;
    if (!fetched) {
      if (next_pc >= count) {
        fault =
            Fault{QILIN_ERR_NO_END, insn_addr(count), count,
                  "NO_END: the stream of " + std::to_string(count) + " instructions has no END"};
        return false;
      }
      const uint64_t a = insn_addr(next_pc);
      if (a + QILIN_INSN_BYTES > mem.size()) {
        fault = Fault{QILIN_ERR_BUS_ERROR, a, next_pc,
                      "BUS_ERROR: instruction fetch at " + hex(a) + " beyond memory"};
        return false;
      }
      const qilin_insn_t insn = read_insn(mem, a);
      unsigned mask = 0;
      if (auto f = decode(insn, next_pc, &mask)) {
        fault = f;
        return false;
      }
      const unsigned op = qilin_insn_opcode(&insn);
      const bool barrier = op == QILIN_OP_END || mask == (1u << kNumQueues) - 1;
      fetched = Slot{insn, next_pc, op, barrier, deps_of(insn), false};
      fetched_mask = mask;
    }
    for (int q = 0; q < kNumQueues; ++q) {
      if ((fetched_mask >> q & 1) && queues[q].size() >= cfg.insn_queue_depth) return false;
    }
    for (int q = 0; q < kNumQueues; ++q) {
      if (fetched_mask >> q & 1) queues[q].push_back(*fetched);
    }
    if (fetched->op == QILIN_OP_END) end_dispatched = true;
    fetched.reset();
    ++next_pc;
    return true;
  }
  unsigned fetched_mask = 0;

  // Advances queue q's head instruction as far as it goes this step. Returns true if it moved.
  // Each token flag is served on its own as soon as it can be: a pop when its FIFO holds a
  // token, a push when its FIFO has room. (The decoder has rejected flags naming a missing
  // neighbour, so every FIFO index below is valid.)
  bool advance(int q, MaybeFault& fault) {
    if (queues[q].empty()) return false;
    Slot& s = queues[q].front();
    if (s.barrier) return false;  // handled by advance_barrier once every queue has arrived
    bool moved = false;
    for (auto [flag, fifo] : {std::pair{&s.todo.pop_prev, fifo_from_prev(q)},
                              std::pair{&s.todo.pop_next, fifo_from_next(q)}}) {
      if (*flag && fifo != kNone && !tokens[fifo].empty()) {
        merge(vc[q], tokens[fifo].front());
        tokens[fifo].pop_front();
        *flag = false;
        moved = true;
      }
    }
    if (s.todo.pop_prev || s.todo.pop_next) return moved;
    if (!s.executed) {
      ++vc[q][q];  // this instruction's epoch
      fault = execute(s);
      if (fault) return true;
      s.executed = true;
      moved = true;
    }
    for (auto [flag, fifo] : {std::pair{&s.todo.push_prev, fifo_to_prev(q)},
                              std::pair{&s.todo.push_next, fifo_to_next(q)}}) {
      if (*flag && fifo != kNone && tokens[fifo].size() < cfg.token_depth) {
        tokens[fifo].push_back(vc[q]);
        *flag = false;
        moved = true;
      }
    }
    if (s.todo.push_prev || s.todo.push_next) return moved;
    queues[q].pop_front();
    ++res.retired[q];
    return true;
  }

  // A barrier (SYNC ALL or END) retires when it heads all three queues. Returns true if so.
  bool advance_barrier(bool* ended) {
    for (int q = 0; q < kNumQueues; ++q) {
      if (queues[q].empty() || !queues[q].front().barrier) return false;
    }
    // In-order dispatch puts the same barrier at the head of every queue.
    VClock all{};
    for (int q = 0; q < kNumQueues; ++q) merge(all, vc[q]);
    const bool is_end = queues[0].front().op == QILIN_OP_END;
    for (int q = 0; q < kNumQueues; ++q) {
      vc[q] = all;
      queues[q].pop_front();
      ++res.retired[q];
    }
    *ended = is_end;
    return true;
  }

  std::string blocked_report(uint32_t* oldest_pc) const {
    std::string msg;
    *oldest_pc = UINT32_MAX;
    for (int q = 0; q < kNumQueues; ++q) {
      msg += std::string(kQueueName[q]) + ": ";
      if (queues[q].empty()) {
        msg += "empty; ";
        continue;
      }
      const Slot& s = queues[q].front();
      *oldest_pc = std::min(*oldest_pc, s.pc);
      msg += "pc " + std::to_string(s.pc) + " " + disassemble(s.insn) + " waits for ";
      if (s.barrier) {
        msg += "the other queues to reach it";
      } else if (s.todo.pop_prev || s.todo.pop_next) {
        msg += std::string("a token on ") +
               fifo_name(s.todo.pop_prev ? fifo_from_prev(q) : fifo_from_next(q));
      } else {
        msg += std::string("room on ") +
               fifo_name(s.todo.push_prev ? fifo_to_prev(q) : fifo_to_next(q));
      }
      msg += "; ";
    }
    if (fetched) msg += "dispatcher: pc " + std::to_string(fetched->pc) + " waits for queue room";
    return msg;
  }

  IssResult run(uint64_t insn_base, uint32_t insn_count, uint64_t max_steps) {
    base = insn_base;
    count = insn_count;
    next_pc = 0;
    end_dispatched = false;
    fetched.reset();
    for (auto& q : queues) q.clear();
    for (auto& t : tokens) t.clear();
    vc = {};
    res = IssResult{};
    for (auto& s : sp_shadow) s = RowShadow{s.init};
    for (auto& s : acc_shadow) s = RowShadow{s.init};
    dram_shadow.clear();

    MaybeFault fault;
    bool ended = false;
    while (!ended) {
      if (res.steps >= max_steps) {
        fault = Fault{QILIN_ERR_STEP_LIMIT, 0, next_pc,
                      "STEP_LIMIT: " + std::to_string(max_steps) + " steps"};
        break;
      }
      ++res.steps;
      bool moved = dispatch(fault);
      for (int q = 0; q < kNumQueues && !fault; ++q) moved |= advance(q, fault);
      if (!fault) moved |= advance_barrier(&ended);
      if (fault) break;
      if (!moved && !ended) {
        uint32_t pc = 0;
        const std::string why = blocked_report(&pc);
        fault = Fault{QILIN_ERR_DEADLOCK, insn_addr(pc), pc, "DEADLOCK: " + why};
      }
    }
    if (fault) {
      res.code = fault->code;
      res.err_addr = fault->addr;
      res.err_pc = fault->pc;
      res.message = fault->msg;
    }
    for (int t = 0; t < kNumFifos; ++t)
      res.tokens_left[t] = static_cast<uint32_t>(tokens[t].size());
    return res;
  }
};

// ---- Public API -------------------------------------------------------------------------------

Iss::Iss(const IssConfig& cfg, MemImage& mem) : cfg_(cfg), mem_(mem) {
  if (cfg.dim < 1 || cfg.dim > (1 << QILIN_MATMUL_K_SIZE_WIDTH) - 1) {
    throw std::invalid_argument("Iss: dim must be 1..255 (k_size is 8 bits)");
  }
  if (cfg.sp_rows < 1 || cfg.sp_rows > (1u << QILIN_SP_ADDR_W)) {
    throw std::invalid_argument("Iss: sp_rows must be 1..2^17");
  }
  if (cfg.acc_rows < 3 || cfg.acc_rows > (1u << QILIN_ACC_ADDR_W)) {
    throw std::invalid_argument("Iss: acc_rows must be 3..2^16");
  }
  if (cfg.insn_queue_depth < 1 || cfg.token_depth < 1) {
    throw std::invalid_argument("Iss: queue and token depths must be at least 1");
  }
  impl_ = std::make_unique<Impl>(cfg, mem);
}

Iss::~Iss() = default;

IssResult Iss::run(uint64_t insn_base, uint32_t insn_count, uint64_t max_steps) {
  if (insn_base % QILIN_INSN_BYTES != 0) {
    throw std::invalid_argument("Iss::run: insn_base must be 16-byte aligned");
  }
  return impl_->run(insn_base, insn_count, max_steps);
}

const uint8_t* Iss::sp_row(uint32_t row) const {
  if (row >= cfg_.sp_rows) throw std::out_of_range("Iss::sp_row");
  return impl_->sp.data() + static_cast<std::size_t>(row) * cfg_.dim;
}

const int32_t* Iss::acc_row(uint32_t row) const {
  if (row >= cfg_.acc_rows) throw std::out_of_range("Iss::acc_row");
  return impl_->acc.data() + static_cast<std::size_t>(row) * cfg_.dim;
}

void Iss::write_sp_row(uint32_t row, const uint8_t* data) {
  if (row >= cfg_.sp_rows) throw std::out_of_range("Iss::write_sp_row");
  std::copy_n(data, cfg_.dim, impl_->sp.begin() + static_cast<std::ptrdiff_t>(row) * cfg_.dim);
  impl_->sp_shadow[row].init = true;
}

void Iss::write_acc_row(uint32_t row, const int32_t* data) {
  if (row >= cfg_.acc_rows) throw std::out_of_range("Iss::write_acc_row");
  std::copy_n(data, cfg_.dim, impl_->acc.begin() + static_cast<std::ptrdiff_t>(row) * cfg_.dim);
  impl_->acc_shadow[row].init = true;
}

std::string IssResult::to_string() const {
  std::string s = std::string(qilin_err_name(code));
  if (!ok()) {
    s += " ERR_ADDR=" + hex(err_addr) + " ERR_PC=" + std::to_string(err_pc) + ": " + message;
  }
  s += " (retired LD " + std::to_string(retired[0]) + ", EX " + std::to_string(retired[1]) +
       ", ST " + std::to_string(retired[2]) + "; " + std::to_string(steps) + " steps)";
  return s;
}

namespace {
template <typename F, int (*Enc)(const F*, qilin_insn_t*)>
qilin_insn_t encode_or_throw(const F& f, const char* what) {
  qilin_insn_t i;
  if (Enc(&f, &i) != 0)
    throw std::invalid_argument(std::string(what) + ": a field value does not fit");
  return i;
}
}  // namespace

qilin_insn_t encode(const qilin_load_t& f) {
  return encode_or_throw<qilin_load_t, qilin_encode_load>(f, "LOAD");
}
qilin_insn_t encode(const qilin_store_t& f) {
  return encode_or_throw<qilin_store_t, qilin_encode_store>(f, "STORE");
}
qilin_insn_t encode(const qilin_matmul_t& f) {
  return encode_or_throw<qilin_matmul_t, qilin_encode_matmul>(f, "MATMUL");
}
qilin_insn_t encode(const qilin_postproc_t& f) {
  return encode_or_throw<qilin_postproc_t, qilin_encode_postproc>(f, "POSTPROC");
}
qilin_insn_t encode(const qilin_sync_t& f) {
  return encode_or_throw<qilin_sync_t, qilin_encode_sync>(f, "SYNC");
}
qilin_insn_t encode_end() {
  qilin_insn_t i;
  qilin_encode_end(&i);
  return i;
}

void write_program(MemImage& mem, uint64_t base, const std::vector<qilin_insn_t>& prog) {
  std::vector<uint8_t> bytes(prog.size() * QILIN_INSN_BYTES);
  for (std::size_t n = 0; n < prog.size(); ++n) {
    for (int w = 0; w < 2; ++w) {
      for (int b = 0; b < 8; ++b) {
        bytes[n * QILIN_INSN_BYTES + 8 * w + b] = static_cast<uint8_t>(prog[n].w[w] >> (8 * b));
      }
    }
  }
  mem.write(base, bytes.data(), bytes.size());
}

qilin_insn_t read_insn(const MemImage& mem, uint64_t addr) {
  uint8_t bytes[QILIN_INSN_BYTES];
  mem.read(addr, bytes, sizeof bytes);
  qilin_insn_t i{{0, 0}};
  for (int w = 0; w < 2; ++w) {
    for (int b = 0; b < 8; ++b) i.w[w] |= static_cast<uint64_t>(bytes[8 * w + b]) << (8 * b);
  }
  return i;
}

std::string disassemble(const qilin_insn_t& insn) {
  const unsigned op = qilin_insn_opcode(&insn);
  unsigned n = 0;
  const qilin_field_desc_t* fields = qilin_insn_fields(op, &n);
  if (fields == nullptr) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "? %016llx%016llx", static_cast<unsigned long long>(insn.w[1]),
                  static_cast<unsigned long long>(insn.w[0]));
    return buf;
  }
  std::string s = qilin_op_name(op);
  for (unsigned k = 0; k < n; ++k) {
    const qilin_field_desc_t& f = fields[k];
    if (f.lsb == QILIN_INSN_OPCODE_LSB) continue;
    const uint64_t raw = qilin_insn_get(&insn, f.lsb, f.width);
    if (raw == 0) continue;
    const bool flag = f.lsb >= QILIN_INSN_POP_PREV_LSB && f.lsb <= QILIN_INSN_PUSH_NEXT_LSB;
    s += " ";
    s += f.name;
    if (flag) continue;
    s += "=";
    if (f.is_signed) {
      s += std::to_string(qilin_sext(raw, f.width));
    } else if (raw >= 4096) {
      s += hex(raw);
    } else {
      s += std::to_string(raw);
    }
  }
  return s;
}

}  // namespace qilin::golden
