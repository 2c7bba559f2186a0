/* Compiles the generated qilin/isa.h as strict, freestanding C99 (-pedantic -Wconversion) and
 * round-trips one instruction of every kind in C, with every field at its extreme values, so
 * that the driver's C view of the encoding is tested as well as the C++ one. */
#include "qilin/isa.h"

int qilin_isa_c_selftest(void);

/* Returns 0 on success, else the line of the first failed check. */
#define CHECK(cond)               \
  do {                            \
    if (!(cond)) return __LINE__; \
  } while (0)

int qilin_isa_c_selftest(void) {
  qilin_insn_t i;
  unsigned n = 0;

  {
    /* LOAD uses all 128 bits; x_size straddles the two words. */
    qilin_load_t f = {
        0, 1, 0, 1, 1, 7, 0, 5, 2, 0xAB, 0x1FFFFu, 0xFFFu, 0x3FFu, 0xFFFFFFFFFFull, 0xFFFFFu};
    qilin_load_t g;
    CHECK(qilin_encode_load(&f, &i) == 0);
    CHECK(qilin_insn_opcode(&i) == QILIN_OP_LOAD);
    CHECK(qilin_insn_reserved_ok(&i));
    g = qilin_decode_load(&i);
    CHECK(g.pop_next == 1 && g.push_next == 1 && g.pop_prev == 0 && g.push_prev == 0);
    CHECK(g.dst == 1 && g.pad_top == 7 && g.pad_bottom == 0 && g.pad_left == 5 &&
          g.pad_right == 2 && g.pad_value == 0xAB);
    CHECK(g.local_addr == 0x1FFFFu && g.y_size == 0xFFFu && g.x_size == 0x3FFu);
    CHECK(g.dram_addr == 0xFFFFFFFFFFull && g.dram_stride == 0xFFFFFu);
    f.x_size = 0x400u; /* one bit too wide */
    CHECK(qilin_encode_load(&f, &i) == -1);
  }
  {
    qilin_matmul_t f = {1, 0, 1, 0, 1, 1, 0, 0x1FFFFu, 3, 0xFFFFu, 65535u, 16u, -256, 255};
    qilin_matmul_t g;
    CHECK(qilin_encode_matmul(&f, &i) == 0);
    CHECK(qilin_insn_reserved_ok(&i));
    g = qilin_decode_matmul(&i);
    CHECK(g.a_zp == -256 && g.w_zp == 255 && g.m_size == 65535u && g.k_size == 16u);
    CHECK(g.a_addr == 0x1FFFFu && g.w_addr == 3 && g.c_addr == 0xFFFFu && g.accumulate == 1);
    f.a_zp = -257;
    CHECK(qilin_encode_matmul(&f, &i) == -1);
    /* A reserved bit makes the instruction illegal. */
    f.a_zp = 0;
    CHECK(qilin_encode_matmul(&f, &i) == 0);
    i.w[1] |= (uint64_t)1 << 63;
    CHECK(!qilin_insn_reserved_ok(&i));
  }
  {
    qilin_sync_t f = {0, 0, 1, 0, QILIN_QUEUE_ST};
    CHECK(qilin_encode_sync(&f, &i) == 0);
    CHECK(qilin_decode_sync(&i).queue == QILIN_QUEUE_ST);
    qilin_encode_end(&i);
    CHECK(qilin_insn_opcode(&i) == QILIN_OP_END && qilin_insn_reserved_ok(&i));
    CHECK(qilin_insn_fields(QILIN_OP_END, &n) != 0 && n == 1);
    CHECK(qilin_insn_fields(0, &n) == 0 && n == 0);
  }
  return 0;
}
