// Instruction builders for tests and benches: the C structs of qilin/isa.h filled for the
// common case, plus token flags. One definition, shared by the ISS, chip and top tests.
#pragma once

#include <cstdint>

#include "qilin/isa.h"

namespace qilin::golden::insn {

struct Flags {
  bool pop_prev = false, pop_next = false, push_prev = false, push_next = false;
};
inline constexpr Flags kPopPrev{true, false, false, false};
inline constexpr Flags kPopNext{false, true, false, false};
inline constexpr Flags kPushPrev{false, false, true, false};
inline constexpr Flags kPushNext{false, false, false, true};
inline Flags operator|(Flags a, Flags b) {
  return {a.pop_prev || b.pop_prev, a.pop_next || b.pop_next, a.push_prev || b.push_prev,
          a.push_next || b.push_next};
}

// The instruction with its token flags replaced by d.
template <typename F>
F with(F f, Flags d) {
  f.pop_prev = d.pop_prev;
  f.pop_next = d.pop_next;
  f.push_prev = d.push_prev;
  f.push_next = d.push_next;
  return f;
}

// No padding.
inline qilin_load_t load_f(unsigned dst, uint32_t local, uint64_t dram, uint32_t stride,
                           uint32_t y, uint32_t x) {
  qilin_load_t f{};
  f.dst = dst;
  f.local_addr = local;
  f.dram_addr = dram;
  f.dram_stride = stride;
  f.y_size = y;
  f.x_size = x;
  return f;
}

inline qilin_store_t store_f(unsigned src, uint32_t local, uint64_t dram, uint32_t stride,
                             uint32_t y, uint32_t x) {
  qilin_store_t f{};
  f.src = src;
  f.local_addr = local;
  f.dram_addr = dram;
  f.dram_stride = stride;
  f.y_size = y;
  f.x_size = x;
  return f;
}

// Signed operands, zero points 0, overwrite.
inline qilin_matmul_t matmul_f(uint32_t a, uint32_t w, uint32_t c, uint32_t m, uint32_t k) {
  qilin_matmul_t f{};
  f.a_addr = a;
  f.w_addr = w;
  f.c_addr = c;
  f.m_size = m;
  f.k_size = k;
  f.a_signed = 1;
  f.w_signed = 1;
  return f;
}

// No pooling, no bias, the whole output type as the clamp range, out_zp 0.
inline qilin_postproc_t postproc_f(uint32_t c, uint32_t p, uint32_t o, uint32_t h, uint32_t w,
                                   bool out_signed) {
  qilin_postproc_t f{};
  f.c_addr = c;
  f.p_addr = p;
  f.o_addr = o;
  f.in_h = h;
  f.in_w = w;
  f.out_signed = out_signed;
  f.act_min = out_signed ? 0x80 : 0x00;
  f.act_max = out_signed ? 0x7F : 0xFF;
  return f;
}

inline qilin_sync_t sync_f(unsigned queue, Flags d = {}) {
  qilin_sync_t f{};
  f.queue = queue;
  return with(f, d);
}

}  // namespace qilin::golden::insn
