// Tests for the Qilin ISA encoding (generated qilin/isa.h) and the instruction-level simulator:
// directed tests per instruction and option, double-buffered tiled GEMM programs checked
// against the golden operators, every error path, and seeded random round trips and programs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "qilin/golden/gemm.h"
#include "qilin/golden/gemm_programs.h"
#include "qilin/golden/insn_builders.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/requant.h"
#include "qilin/golden/rng.h"
#include "qilin/isa.h"

extern "C" int qilin_isa_c_selftest(void);

using qilin::golden::as_int;
using qilin::golden::disassemble;
using qilin::golden::encode;
using qilin::golden::encode_end;
using qilin::golden::gemm_s32;
using qilin::golden::Iss;
using qilin::golden::IssConfig;
using qilin::golden::IssResult;
using qilin::golden::MemImage;
using qilin::golden::quantize_multiplier;
using qilin::golden::QuantMultiplier;
using qilin::golden::read_insn;
using qilin::golden::requantize;
using qilin::golden::requantize_matrix;
using qilin::golden::RequantParams;
using qilin::golden::Rng;
using qilin::golden::write_program;

namespace {

constexpr uint64_t kProg = 0x1000;    // instruction stream
constexpr uint64_t kData = 0x100000;  // test data

using namespace qilin::golden::insn;  // instruction builders (insn_builders.h)
using namespace qilin::golden::programs;  // the tiled GEMM programs (gemm_programs.h)

// ---- A machine: memory image, simulator and a program being built ---------------------------

IssConfig small_cfg(int dim = 4) {
  IssConfig c;
  c.dim = dim;
  c.sp_rows = 256;
  c.acc_rows = 64;
  return c;
}

struct Machine {
  explicit Machine(const IssConfig& cfg = small_cfg(), uint64_t mem_size = MemImage::kAddrLimit)
      : mem(mem_size), iss(cfg, mem) {}

  template <typename F>
  Machine& add(const F& f) {
    prog.push_back(encode(f));
    return *this;
  }
  Machine& add_raw(const qilin_insn_t& i) {
    prog.push_back(i);
    return *this;
  }
  // Appends END (unless told not to), writes the program at kProg and runs it.
  IssResult run(bool append_end = true, uint64_t max_steps = uint64_t{1} << 26) {
    if (append_end) prog.push_back(encode_end());
    write_program(mem, kProg, prog);
    return iss.run(kProg, static_cast<uint32_t>(prog.size()), max_steps);
  }

  MemImage mem;
  Iss iss;
  std::vector<qilin_insn_t> prog;
};

// Evaluates its argument once (it is often a run() call) and prints the result on failure.
#define REQUIRE_OK(expr)                    \
  do {                                      \
    const IssResult& require_ok_r = (expr); \
    INFO(require_ok_r.to_string());         \
    REQUIRE(require_ok_r.ok());             \
  } while (0)

void check_error(const IssResult& r, unsigned code, uint32_t pc, uint64_t addr) {
  INFO(r.to_string());
  CHECK(std::string(qilin_err_name(r.code)) == qilin_err_name(code));
  CHECK(r.err_pc == pc);
  CHECK(r.err_addr == addr);
}

std::vector<uint8_t> sp_bytes(const Iss& iss, uint32_t row) {
  const uint8_t* p = iss.sp_row(row);
  return {p, p + iss.config().dim};
}

std::vector<int32_t> acc_words(const Iss& iss, uint32_t row) {
  const int32_t* p = iss.acc_row(row);
  return {p, p + iss.config().dim};
}

// Requantisation parameters that pass values through unchanged: multiplier 2^30 with shift 1 is
// exactly 1.0 (SRDHM(2x, 2^30) = x).
void write_identity_params(Iss& iss, uint32_t p_addr, int32_t bias = 0) {
  const int dim = iss.config().dim;
  iss.write_acc_row(p_addr, std::vector<int32_t>(dim, bias).data());
  iss.write_acc_row(p_addr + 1, std::vector<int32_t>(dim, 1 << 30).data());
  iss.write_acc_row(p_addr + 2, std::vector<int32_t>(dim, 1).data());
}

// ---- Double-buffered tiled GEMM program ------------------------------------------------------

// The expected C bytes, from the golden operators called directly (M x N, ld = N).
std::vector<uint8_t> gemm_reference(const GemmJob& g, const GemmData& d) {
  std::vector<int32_t> acc(static_cast<std::size_t>(g.M) * g.N);
  const std::vector<int32_t> b_zp(g.N, g.b_zp);
  gemm_s32(g.M, g.N, g.K, {d.a.data(), g.a_signed}, g.a_zp, {d.b.data(), g.b_signed}, b_zp.data(),
           acc.data());
  std::vector<RequantParams> per_col;
  const int32_t lo = g.out_signed ? -128 : 0;
  const int32_t hi = g.out_signed ? 127 : 255;
  for (int n = 0; n < g.N; ++n)
    per_col.push_back({{d.mult[n], d.shift[n]}, g.out_zp, lo, hi, g.out_signed});
  std::vector<uint8_t> out(acc.size());
  requantize_matrix(g.M, g.N, acc.data(), d.bias.data(), per_col.data(), out.data());
  return out;
}

// Checks C in device memory against the reference; reports the first mismatch.
void check_gemm_output(const MemImage& mem, const GemmJob& g, const std::vector<uint8_t>& want) {
  for (int m = 0; m < g.M; ++m) {
    const std::vector<uint8_t> row = mem.read(g.c + uint64_t(m) * g.ldc, g.N);
    for (int n = 0; n < g.N; ++n) {
      if (row[n] != want[static_cast<std::size_t>(m) * g.N + n]) {
        INFO("C[" << m << "][" << n << "] = " << int(row[n]) << ", expected "
                  << int(want[static_cast<std::size_t>(m) * g.N + n]));
        FAIL();
      }
    }
  }
}

GemmJob gemm_job(int M, int N, int K, int tile_m, int dim) {
  GemmJob g{};
  g.M = M;
  g.N = N;
  g.K = K;
  g.tile_m = tile_m;
  g.a_signed = g.b_signed = g.out_signed = true;
  g.a = kData;
  g.b = kData + 0x100000;
  g.params = kData + 0x200000;
  g.c = kData + 0x300000;
  g.lda = (K + dim - 1) / dim * dim;
  g.ldb = (N + dim - 1) / dim * dim;
  g.ldc = g.ldb;
  return g;
}

IssConfig gemm_cfg(int dim) {
  IssConfig c;
  c.dim = dim;
  c.sp_rows = 4096;
  c.acc_rows = 1024;
  return c;
}

}  // namespace

// ================================================================================================
// Encoding
// ================================================================================================

TEST_CASE("isa: the generated header works as strict freestanding C99", "[isa]") {
  CHECK(qilin_isa_c_selftest() == 0);
}

TEST_CASE("isa: fields and reserved bits tile the 128 bits of every instruction kind", "[isa]") {
  for (unsigned op = 0; op < 16; ++op) {
    unsigned n = 0;
    const qilin_field_desc_t* fields = qilin_insn_fields(op, &n);
    if (fields == nullptr) continue;
    CAPTURE(qilin_op_name(op));
    qilin_insn_t used{{0, 0}};
    for (unsigned k = 0; k < n; ++k) {
      qilin_insn_t mask{{0, 0}};
      qilin_insn_set(&mask, fields[k].lsb, fields[k].width, ~uint64_t{0});
      CHECK((used.w[0] & mask.w[0]) == 0);  // no overlap
      CHECK((used.w[1] & mask.w[1]) == 0);
      used.w[0] |= mask.w[0];
      used.w[1] |= mask.w[1];
    }
    // Field bits plus reserved bits are all 128 bits: set every reserved bit and the decoder's
    // reserved check must fail; set only field bits and it must pass.
    qilin_insn_t insn = used;
    qilin_insn_set(&insn, QILIN_INSN_OPCODE_LSB, QILIN_INSN_OPCODE_WIDTH, op);
    CHECK(qilin_insn_reserved_ok(&insn));
    qilin_insn_t all{{~uint64_t{0}, ~uint64_t{0}}};
    qilin_insn_set(&all, QILIN_INSN_OPCODE_LSB, QILIN_INSN_OPCODE_WIDTH, op);
    CHECK(qilin_insn_reserved_ok(&all) == (~used.w[0] == 0 && ~used.w[1] == 0));
  }
}

TEST_CASE("isa: random encode/decode round trip for every instruction kind", "[isa][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  auto u = [&](unsigned width) {
    return static_cast<uint64_t>(rng.uniform(0, (int64_t{1} << width) - 1));
  };
  auto s = [&](unsigned width) {
    return static_cast<int32_t>(
        rng.uniform(-(int64_t{1} << (width - 1)), (int64_t{1} << (width - 1)) - 1));
  };
  for (int iter = 0; iter < 2000; ++iter) {
    {
      qilin_load_t f{};
      f.pop_next = u(1), f.push_next = u(1), f.dst = u(1);
      f.pad_top = u(3), f.pad_bottom = u(3), f.pad_left = u(3), f.pad_right = u(3);
      f.pad_value = u(8), f.local_addr = u(17), f.y_size = u(12), f.x_size = u(10);
      f.dram_addr = u(40), f.dram_stride = u(20);
      const qilin_insn_t i = encode(f);
      const qilin_load_t g = qilin_decode_load(&i);
      REQUIRE(qilin_insn_opcode(&i) == QILIN_OP_LOAD);
      REQUIRE(qilin_insn_reserved_ok(&i));
      CHECK((g.pop_next == f.pop_next && g.push_next == f.push_next && g.dst == f.dst));
      CHECK((g.pad_top == f.pad_top && g.pad_bottom == f.pad_bottom && g.pad_left == f.pad_left &&
             g.pad_right == f.pad_right && g.pad_value == f.pad_value));
      CHECK((g.local_addr == f.local_addr && g.y_size == f.y_size && g.x_size == f.x_size));
      CHECK((g.dram_addr == f.dram_addr && g.dram_stride == f.dram_stride));
    }
    {
      qilin_store_t f{};
      f.pop_prev = u(1), f.push_prev = u(1), f.src = u(1), f.local_addr = u(17);
      f.y_size = u(12), f.x_size = u(10), f.dram_addr = u(40), f.dram_stride = u(20);
      const qilin_insn_t i = encode(f);
      const qilin_store_t g = qilin_decode_store(&i);
      REQUIRE(qilin_insn_reserved_ok(&i));
      CHECK((g.pop_prev == f.pop_prev && g.push_prev == f.push_prev && g.src == f.src &&
             g.local_addr == f.local_addr && g.y_size == f.y_size && g.x_size == f.x_size &&
             g.dram_addr == f.dram_addr && g.dram_stride == f.dram_stride));
    }
    {
      qilin_matmul_t f{};
      f.pop_prev = u(1), f.pop_next = u(1), f.push_prev = u(1), f.push_next = u(1);
      f.accumulate = u(1), f.a_signed = u(1), f.w_signed = u(1);
      f.a_addr = u(17), f.w_addr = u(17), f.c_addr = u(16), f.m_size = u(16), f.k_size = u(8);
      f.a_zp = s(9), f.w_zp = s(9);
      const qilin_insn_t i = encode(f);
      const qilin_matmul_t g = qilin_decode_matmul(&i);
      REQUIRE(qilin_insn_reserved_ok(&i));
      CHECK((g.pop_prev == f.pop_prev && g.pop_next == f.pop_next && g.push_prev == f.push_prev &&
             g.push_next == f.push_next));
      CHECK((g.accumulate == f.accumulate && g.a_signed == f.a_signed && g.w_signed == f.w_signed));
      CHECK((g.a_addr == f.a_addr && g.w_addr == f.w_addr && g.c_addr == f.c_addr &&
             g.m_size == f.m_size && g.k_size == f.k_size));
      CHECK((g.a_zp == f.a_zp && g.w_zp == f.w_zp));
    }
    {
      qilin_postproc_t f{};
      f.pop_prev = u(1), f.push_next = u(1), f.out_signed = u(1), f.bias_en = u(1);
      f.pool_kind = u(2), f.c_addr = u(16), f.p_addr = u(16), f.o_addr = u(17);
      f.in_h = u(12), f.in_w = u(12), f.out_zp = s(9), f.act_min = u(8), f.act_max = u(8);
      f.pool_kh = u(4), f.pool_kw = u(4), f.pool_sh = u(3), f.pool_sw = u(3);
      const qilin_insn_t i = encode(f);
      const qilin_postproc_t g = qilin_decode_postproc(&i);
      REQUIRE(qilin_insn_reserved_ok(&i));
      CHECK((g.pop_prev == f.pop_prev && g.push_next == f.push_next &&
             g.out_signed == f.out_signed && g.bias_en == f.bias_en && g.pool_kind == f.pool_kind));
      CHECK((g.c_addr == f.c_addr && g.p_addr == f.p_addr && g.o_addr == f.o_addr &&
             g.in_h == f.in_h && g.in_w == f.in_w));
      CHECK((g.out_zp == f.out_zp && g.act_min == f.act_min && g.act_max == f.act_max));
      CHECK((g.pool_kh == f.pool_kh && g.pool_kw == f.pool_kw && g.pool_sh == f.pool_sh &&
             g.pool_sw == f.pool_sw));
    }
    {
      qilin_sync_t f{};
      f.pop_prev = u(1), f.pop_next = u(1), f.push_prev = u(1), f.push_next = u(1), f.queue = u(2);
      const qilin_insn_t i = encode(f);
      const qilin_sync_t g = qilin_decode_sync(&i);
      REQUIRE(qilin_insn_reserved_ok(&i));
      CHECK((g.pop_prev == f.pop_prev && g.pop_next == f.pop_next && g.push_prev == f.push_prev &&
             g.push_next == f.push_next && g.queue == f.queue));
    }
  }
  const qilin_insn_t end = encode_end();
  CHECK((end.w[0] == QILIN_OP_END && end.w[1] == 0));
}

TEST_CASE("isa: encoders reject values that do not fit their field", "[isa]") {
  qilin_load_t l = load_f(QILIN_MEM_SP, 0, 0, 0, 1, 1);
  l.dram_addr = uint64_t{1} << 40;
  CHECK_THROWS_AS(encode(l), std::invalid_argument);
  qilin_matmul_t m = matmul_f(0, 0, 0, 1, 1);
  m.a_zp = 256;
  CHECK_THROWS_AS(encode(m), std::invalid_argument);
  m.a_zp = -256;
  CHECK_NOTHROW(encode(m));
  qilin_postproc_t p = postproc_f(0, 0, 0, 1, 1, true);
  p.pool_sw = 8;
  CHECK_THROWS_AS(encode(p), std::invalid_argument);
  qilin_insn_t raw{};
  CHECK(qilin_encode_postproc(&p, &raw) == -1);
}

TEST_CASE("isa: instructions are stored as two little-endian words and disassemble", "[isa]") {
  MemImage mem;
  qilin_matmul_t m = with(matmul_f(16, 0, 4, 64, 16), kPopPrev | kPushPrev);
  m.a_zp = -3;
  const std::vector<qilin_insn_t> prog = {encode(m), encode_end()};
  write_program(mem, kProg, prog);
  CHECK(mem.read8(kProg) == (prog[0].w[0] & 0xFF));
  CHECK(mem.read8(kProg + 8) == (prog[0].w[1] & 0xFF));
  const qilin_insn_t back = read_insn(mem, kProg);
  CHECK((back.w[0] == prog[0].w[0] && back.w[1] == prog[0].w[1]));
  CHECK(disassemble(back) ==
        "MATMUL pop_prev push_prev a_signed=1 w_signed=1 a_addr=16 c_addr=4 m_size=64 k_size=16 "
        "a_zp=-3");
  CHECK(disassemble(prog[1]) == "END");
  CHECK(disassemble(qilin_insn_t{{0xF, 0}}).rfind("? ", 0) == 0);
}

// ================================================================================================
// Memory image
// ================================================================================================

TEST_CASE("mem image: sparse and zero-filled with bounds and windows and comparison", "[mem]") {
  MemImage a(1 << 20);
  CHECK(a.read8(12345) == 0);
  const std::vector<uint8_t> bytes = {1, 2, 3, 4, 5};
  a.write(MemImage::kPageSize - 2, bytes.data(), bytes.size());  // straddles two pages
  CHECK(a.read(MemImage::kPageSize - 2, 5) == bytes);
  CHECK_THROWS_AS(a.write((1 << 20) - 2, bytes.data(), bytes.size()), std::out_of_range);
  const int32_t w[2] = {-2, 0x01020304};
  a.write_s32(64, w, 2);
  CHECK(a.read8(64) == 0xFE);
  CHECK(a.read8(68) == 0x04);
  CHECK(a.read_s32(64, 2) == std::vector<int32_t>{-2, 0x01020304});

  MemImage b(1 << 20);
  b.write(MemImage::kPageSize - 2, bytes.data(), bytes.size());
  b.write_s32(64, w, 2);
  CHECK(!a.first_difference(b).has_value());
  b.write8(999999, 0);  // an explicit zero equals an unwritten byte
  CHECK(!a.first_difference(b).has_value());
  b.write8(777777, 9);
  CHECK(a.first_difference(b) == uint64_t{777777});
  CHECK(b.first_difference(a) == uint64_t{777777});

  a.set_read_window(100, 200);
  CHECK(a.read_window().contains(100, 100));
  CHECK(!a.read_window().contains(99, 1));
  CHECK(!a.read_window().contains(150, 51));
  CHECK(a.read_window().contains(300, 0));
  CHECK_THROWS_AS(a.set_write_window(0, MemImage::kAddrLimit + 1), std::invalid_argument);
}

// ================================================================================================
// LOAD / STORE
// ================================================================================================

TEST_CASE("LOAD into SP: 2-D strided block with padding on all four sides", "[iss][load]") {
  Machine mc;  // DIM 4
  // 3 data rows of 2 vectors (8 bytes) each, 20 bytes apart.
  for (int y = 0; y < 3; ++y) {
    for (int b = 0; b < 8; ++b)
      mc.mem.write8(kData + 20 * y + b, static_cast<uint8_t>(16 * y + b + 1));
  }
  qilin_load_t f = load_f(QILIN_MEM_SP, 10, kData, 20, 3, 2);
  f.pad_top = 1, f.pad_bottom = 2, f.pad_left = 1, f.pad_right = 1, f.pad_value = 0x80;
  mc.iss.write_sp_row(9, std::vector<uint8_t>(4, 0x11).data());
  mc.iss.write_sp_row(34, std::vector<uint8_t>(4, 0x22).data());
  REQUIRE_OK(mc.add(f).run());

  const int width = 1 + 2 + 1;  // destination rows per data row
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < width; ++x) {
      CAPTURE(y, x);
      std::vector<uint8_t> want(4, 0x80);
      if (y >= 1 && y < 4 && x >= 1 && x < 3) {
        for (int b = 0; b < 4; ++b)
          want[b] = static_cast<uint8_t>(16 * (y - 1) + 4 * (x - 1) + b + 1);
      }
      CHECK(sp_bytes(mc.iss, 10 + y * width + x) == want);
    }
  }
  CHECK(sp_bytes(mc.iss, 9) == std::vector<uint8_t>(4, 0x11));  // neighbours untouched
  CHECK(sp_bytes(mc.iss, 34) == std::vector<uint8_t>(4, 0x22));
}

TEST_CASE("LOAD into ACC: little-endian int32 vectors and zero padding", "[iss][load]") {
  Machine mc;  // DIM 4: one ACC vector = 16 bytes
  const std::vector<int32_t> r0 = {1, -1, INT32_MAX, INT32_MIN};
  const std::vector<int32_t> r1 = {-7, 70000, 0, 5};
  mc.mem.write_s32(kData, r0.data(), 4);
  mc.mem.write_s32(kData + 96, r1.data(), 4);
  qilin_load_t f = load_f(QILIN_MEM_ACC, 3, kData, 96, 2, 1);
  f.pad_top = 1, f.pad_left = 1;
  REQUIRE_OK(mc.add(f).run());
  const std::vector<int32_t> zero(4, 0);
  CHECK(acc_words(mc.iss, 3) == zero);  // top pad row: 2 vectors
  CHECK(acc_words(mc.iss, 4) == zero);
  CHECK(acc_words(mc.iss, 5) == zero);  // left pad
  CHECK(acc_words(mc.iss, 6) == r0);
  CHECK(acc_words(mc.iss, 7) == zero);
  CHECK(acc_words(mc.iss, 8) == r1);
}

TEST_CASE("LOAD: stride 0 repeats a row and y_size 0 writes only padding", "[iss][load]") {
  Machine mc;
  const std::vector<uint8_t> v = {9, 8, 7, 6};
  mc.mem.write(kData + 4, v.data(), 4);
  mc.add(load_f(QILIN_MEM_SP, 0, kData + 4, 0, 5, 1));
  qilin_load_t pad_only = load_f(QILIN_MEM_SP, 20, kData, 0, 0, 3);
  pad_only.pad_top = 2, pad_only.pad_value = 0x7F;  // 2 rows of 3 vectors
  mc.add(pad_only);
  REQUIRE_OK(mc.run());
  for (uint32_t r = 0; r < 5; ++r) CHECK(sp_bytes(mc.iss, r) == v);
  for (uint32_t r = 20; r < 26; ++r) CHECK(sp_bytes(mc.iss, r) == std::vector<uint8_t>(4, 0x7F));
}

TEST_CASE("STORE from SP: 2-D strided with gaps untouched", "[iss][store]") {
  Machine mc;
  for (uint32_t r = 0; r < 6; ++r) {
    mc.iss.write_sp_row(
        r, std::vector<uint8_t>{uint8_t(r), uint8_t(r + 10), uint8_t(r + 20), 0xFF}.data());
  }
  mc.mem.write(kData, std::vector<uint8_t>(64, 0xEE).data(), 64);
  // 3 rows of 2 vectors (8 bytes) at stride 12: bytes 8..11 of each stride stay 0xEE.
  mc.add(store_f(QILIN_MEM_SP, 0, kData, 12, 3, 2));
  REQUIRE_OK(mc.run());
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 2; ++x) {
      const int r = y * 2 + x;
      CHECK(mc.mem.read(kData + 12 * y + 4 * x, 4) ==
            std::vector<uint8_t>{uint8_t(r), uint8_t(r + 10), uint8_t(r + 20), 0xFF});
    }
    CHECK(mc.mem.read(kData + 12 * y + 8, 4) == std::vector<uint8_t>(4, 0xEE));
  }
  CHECK(mc.mem.read8(kData + 36) == 0xEE);

}

TEST_CASE("STORE from ACC: raw little-endian int32 rows, 2-D strided with gaps untouched",
          "[iss][store]") {
  Machine mc;  // DIM 4: one ACC vector = 16 bytes
  auto row_words = [](uint32_t r) {
    return std::vector<int32_t>{static_cast<int32_t>(r), -static_cast<int32_t>(r) - 1,
                                INT32_MIN + static_cast<int32_t>(r),
                                0x01020304 * static_cast<int32_t>(r + 1)};
  };
  for (uint32_t r = 7; r < 13; ++r) mc.iss.write_acc_row(r, row_words(r).data());
  mc.mem.write(kData, std::vector<uint8_t>(160, 0xEE).data(), 160);
  // 3 rows of 2 vectors (32 bytes) at stride 48: bytes 32..47 of each stride stay 0xEE.
  mc.add(store_f(QILIN_MEM_ACC, 7, kData, 48, 3, 2));
  REQUIRE_OK(mc.run());
  for (uint32_t y = 0; y < 3; ++y) {
    for (uint32_t x = 0; x < 2; ++x) {
      CAPTURE(y, x);
      const std::vector<int32_t> want = row_words(7 + 2 * y + x);
      CHECK(mc.mem.read_s32(kData + 48 * y + 16 * x, 4) == want);
      // Byte order: lane 0's least significant byte first.
      CHECK(mc.mem.read8(kData + 48 * y + 16 * x) == static_cast<uint8_t>(want[0]));
    }
    CHECK(mc.mem.read(kData + 48 * y + 32, 16) == std::vector<uint8_t>(16, 0xEE));
  }
  CHECK(mc.mem.read8(kData + 144) == 0xEE);

  // A MATMUL result stored from ACC, ordered by a token, round-trips the int32 values.
  Machine mm;
  mm.iss.write_sp_row(0, std::vector<uint8_t>{1, 2, 3, 0xFF}.data());  // A row: 1 2 3 -1
  for (uint32_t k = 0; k < 4; ++k) {
    mm.iss.write_sp_row(1 + k, std::vector<uint8_t>{uint8_t(k + 1), 0x80, 0x7F, 0}.data());
  }
  qilin_matmul_t m = matmul_f(0, 1, 2, 1, 4);
  m.a_signed = 1, m.w_signed = 1;
  mm.add(with(m, kPushNext)).add(with(store_f(QILIN_MEM_ACC, 2, kData, 0, 1, 1), kPopPrev));
  REQUIRE_OK(mm.run());
  // n=0: 1*1+2*2+3*3-1*4 = 10; n=1: (1+2+3-1)*-128 = -640; n=2: 5*127 = 635; n=3: 0.
  CHECK(mm.mem.read_s32(kData, 4) == std::vector<int32_t>{10, -640, 635, 0});
}

// ================================================================================================
// MATMUL
// ================================================================================================

TEST_CASE("MATMUL: overwrite and accumulate with every signedness and zero point",
          "[iss][matmul][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const int dim = 8;
  for (int iter = 0; iter < 40; ++iter) {
    Machine mc(small_cfg(dim));
    const bool as = rng.coin(), ws = rng.coin();
    const int32_t a_zp = static_cast<int32_t>(as ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    const int32_t w_zp = static_cast<int32_t>(ws ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    const int m = static_cast<int>(rng.uniform(1, 40));
    const int k = static_cast<int>(rng.uniform(0, dim));
    const bool accumulate = rng.coin();
    CAPTURE(iter, as, ws, a_zp, w_zp, m, k, accumulate);
    // A rows at 100.. (all DIM lanes random: lanes >= k must be ignored), W rows at 0..k-1,
    // C rows at 10.. (preset when accumulating).
    std::vector<std::vector<uint8_t>> a(m), w(k);
    std::vector<std::vector<int32_t>> c0(m, std::vector<int32_t>(dim, 0));
    for (int i = 0; i < m; ++i) {
      a[i] = rng.bytes(dim);
      mc.iss.write_sp_row(100 + i, a[i].data());
      for (auto& v : c0[i]) v = static_cast<int32_t>(rng.uniform(-1000000, 1000000));
      mc.iss.write_acc_row(10 + i, c0[i].data());
    }
    for (int i = 0; i < k; ++i) {
      w[i] = rng.bytes(dim);
      mc.iss.write_sp_row(i, w[i].data());
    }
    qilin_matmul_t f = matmul_f(100, 0, 10, m, k);
    f.a_signed = as, f.w_signed = ws, f.a_zp = a_zp, f.w_zp = w_zp, f.accumulate = accumulate;
    const IssResult r = mc.add(f).run();
    REQUIRE_OK(r);
    CHECK(r.macs == uint64_t(m) * k * dim);
    for (int i = 0; i < m; ++i) {
      for (int n = 0; n < dim; ++n) {
        int64_t want = accumulate ? c0[i][n] : 0;
        for (int j = 0; j < k; ++j)
          want += (as_int(a[i][j], as) - a_zp) * (as_int(w[j][n], ws) - w_zp);
        CHECK(mc.iss.acc_row(10 + i)[n] == want);
      }
    }
  }
}

TEST_CASE("MATMUL: accumulation wraps modulo 2 to the 32 and m_size 0 is a no-op",
          "[iss][matmul]") {
  Machine mc;
  mc.iss.write_sp_row(0, std::vector<uint8_t>{1, 1, 1, 1}.data());  // W row 0
  mc.iss.write_sp_row(1, std::vector<uint8_t>{2, 0, 0, 0}.data());  // A row 0: 2 * 1
  mc.iss.write_acc_row(5, std::vector<int32_t>{INT32_MAX, INT32_MAX, 0, -1}.data());
  mc.iss.write_acc_row(6, std::vector<int32_t>{42, 42, 42, 42}.data());
  qilin_matmul_t f = matmul_f(1, 0, 5, 1, 1);
  f.accumulate = 1;
  mc.add(f).add(matmul_f(1, 0, 6, 0, 1));
  REQUIRE_OK(mc.run());
  CHECK(acc_words(mc.iss, 5) == std::vector<int32_t>{INT32_MIN + 1, INT32_MIN + 1, 2, 1});
  CHECK(acc_words(mc.iss, 6) == std::vector<int32_t>{42, 42, 42, 42});
}

// ================================================================================================
// POSTPROC
// ================================================================================================

TEST_CASE("POSTPROC: per-lane requantisation with and without bias", "[iss][postproc][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const int dim = 8;
  for (int iter = 0; iter < 30; ++iter) {
    Machine mc(small_cfg(dim));
    const bool out_signed = rng.coin();
    const bool bias_en = rng.coin();
    const int32_t out_zp =
        static_cast<int32_t>(out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    const int rows = static_cast<int>(rng.uniform(1, 12));
    CAPTURE(iter, out_signed, bias_en, out_zp, rows);
    std::vector<int32_t> bias(dim), mult(dim), shift(dim);
    for (int n = 0; n < dim; ++n) {
      const QuantMultiplier qm = quantize_multiplier(rng.uniform_real(1e-5, 3.0));
      mult[n] = qm.multiplier;
      shift[n] = qm.shift;
      bias[n] = static_cast<int32_t>(rng.uniform(-100000, 100000));
    }
    // The bias row is only written (and only read) when bias_en: an unwritten row that is not
    // used must not count as an uninitialised read.
    if (bias_en) mc.iss.write_acc_row(40, bias.data());
    mc.iss.write_acc_row(41, mult.data());
    mc.iss.write_acc_row(42, shift.data());
    std::vector<std::vector<int32_t>> acc(rows, std::vector<int32_t>(dim));
    for (int r = 0; r < rows; ++r) {
      for (auto& v : acc[r])
        v = static_cast<int32_t>(rng.uniform(INT32_MIN, INT32_MAX) >> rng.uniform(0, 31));
      mc.iss.write_acc_row(r, acc[r].data());
    }
    qilin_postproc_t f = postproc_f(0, 40, 50, static_cast<uint32_t>(rows), 1, out_signed);
    f.bias_en = bias_en;
    f.out_zp = out_zp;
    REQUIRE_OK(mc.add(f).run());
    for (int r = 0; r < rows; ++r) {
      for (int n = 0; n < dim; ++n) {
        const RequantParams p{
            {mult[n], shift[n]}, out_zp, out_signed ? -128 : 0, out_signed ? 127 : 255, out_signed};
        CHECK(mc.iss.sp_row(50 + r)[n] == requantize(acc[r][n], bias_en ? bias[n] : 0, p));
      }
    }
  }
}

TEST_CASE("POSTPROC: the clamp implements ReLU/ReLU6 in uint8 and int8", "[iss][postproc]") {
  for (const bool out_signed : {false, true}) {
    CAPTURE(out_signed);
    Machine mc;  // DIM 4
    write_identity_params(mc.iss, 60);
    // Accumulators -300 .. 300 in steps; identity scale, out_zp 10 (uint8) / -5 (int8).
    const int32_t zp = out_signed ? -5 : 10;
    const int32_t lo = zp, hi = zp + 30;  // "ReLU6" with 6.0 = 30 steps
    for (uint32_t r = 0; r < 8; ++r) {
      const int32_t base = -300 + 75 * static_cast<int32_t>(r);
      mc.iss.write_acc_row(r, std::vector<int32_t>{base, base + 7, base + 21, base + 40}.data());
    }
    qilin_postproc_t f = postproc_f(0, 60, 0, 8, 1, out_signed);
    f.out_zp = zp;
    f.act_min = static_cast<uint8_t>(lo);
    f.act_max = static_cast<uint8_t>(hi);
    REQUIRE_OK(mc.add(f).run());
    for (uint32_t r = 0; r < 8; ++r) {
      for (int n = 0; n < 4; ++n) {
        const int32_t x = mc.iss.acc_row(r)[n];
        const int32_t want = std::clamp(x + zp, lo, hi);
        CHECK(as_int(mc.iss.sp_row(r)[n], out_signed) == want);
      }
    }
  }
}

namespace {
// Reference pooling of a requantised grid (values in the output type), row-major, lanes inner.
std::vector<int32_t> ref_pool(const std::vector<int32_t>& grid, int h, int w, int dim, bool avg,
                              int kh, int kw, int sh, int sw) {
  const int oh = (h - kh) / sh + 1, ow = (w - kw) / sw + 1;
  std::vector<int32_t> out;
  for (int oy = 0; oy < oh; ++oy) {
    for (int ox = 0; ox < ow; ++ox) {
      for (int n = 0; n < dim; ++n) {
        int32_t best = std::numeric_limits<int32_t>::min(), sum = 0;
        for (int y = oy * sh; y < oy * sh + kh; ++y) {
          for (int x = ox * sw; x < ox * sw + kw; ++x) {
            best = std::max(best, grid[(y * w + x) * dim + n]);
            sum += grid[(y * w + x) * dim + n];
          }
        }
        // Ties away from zero, written with doubles as an independent check (exact here).
        const double q = static_cast<double>(sum) / (kh * kw);
        out.push_back(avg ? static_cast<int32_t>(std::round(q)) : best);
      }
    }
  }
  return out;
}
}  // namespace

TEST_CASE("POSTPROC: max and average pooling over a spatial grid", "[iss][postproc][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  struct Shape {
    int h, w, kh, kw, sh, sw;
  };
  const Shape shapes[] = {{4, 4, 2, 2, 2, 2}, {5, 5, 3, 3, 2, 2}, {4, 6, 2, 3, 1, 3},
                          {7, 7, 7, 7, 1, 1}, {3, 8, 3, 1, 7, 7}, {6, 5, 1, 1, 1, 1}};
  for (const Shape& s : shapes) {
    for (const bool avg : {false, true}) {
      for (const bool out_signed : {false, true}) {
        CAPTURE(s.h, s.w, s.kh, s.kw, s.sh, s.sw, avg, out_signed);
        Machine mc;  // DIM 4
        write_identity_params(mc.iss, 60);
        std::vector<int32_t> grid;
        for (int r = 0; r < s.h * s.w; ++r) {
          std::vector<int32_t> v(4);
          for (auto& x : v)
            x = static_cast<int32_t>(out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
          mc.iss.write_acc_row(static_cast<uint32_t>(r), v.data());
          grid.insert(grid.end(), v.begin(), v.end());
        }
        qilin_postproc_t f = postproc_f(0, 60, 100, s.h, s.w, out_signed);
        f.pool_kind = avg ? QILIN_POOL_AVG : QILIN_POOL_MAX;
        f.pool_kh = s.kh, f.pool_kw = s.kw, f.pool_sh = s.sh, f.pool_sw = s.sw;
        REQUIRE_OK(mc.add(f).run());
        const std::vector<int32_t> want = ref_pool(grid, s.h, s.w, 4, avg, s.kh, s.kw, s.sh, s.sw);
        for (std::size_t i = 0; i < want.size(); ++i) {
          CAPTURE(i);
          CHECK(as_int(mc.iss.sp_row(100 + static_cast<uint32_t>(i / 4))[i % 4], out_signed) ==
                want[i]);
        }
      }
    }
  }
}

TEST_CASE("POSTPROC: average pooling rounds ties away from zero", "[iss][postproc]") {
  Machine mc;  // DIM 4
  write_identity_params(mc.iss, 60);
  // A 1 x 8 grid pooled 1 x 2, stride 2: lane 0 holds the int8 pairs, lane 1 more pairs.
  const int32_t pairs[4][2][2] = {
      {{1, 2}, {-1, -2}}, {{0, 1}, {-1, 0}}, {{-128, -127}, {126, 127}}, {{5, 5}, {-3, 4}}};
  for (int p = 0; p < 4; ++p) {
    for (int e = 0; e < 2; ++e) {
      mc.iss.write_acc_row(2 * p + e,
                           std::vector<int32_t>{pairs[p][0][e], pairs[p][1][e], 0, 0}.data());
    }
  }
  qilin_postproc_t f = postproc_f(0, 60, 100, 1, 8, true);
  f.pool_kind = QILIN_POOL_AVG;
  f.pool_kh = 1, f.pool_kw = 2, f.pool_sh = 1, f.pool_sw = 2;
  REQUIRE_OK(mc.add(f).run());
  const int32_t want[4][2] = {{2, -2}, {1, -1}, {-128, 127}, {5, 1}};  // 1.5, -1.5, .5, -.5, ...
  for (int p = 0; p < 4; ++p) {
    CAPTURE(p);
    CHECK(as_int(mc.iss.sp_row(100 + p)[0], true) == want[p][0]);
    CHECK(as_int(mc.iss.sp_row(100 + p)[1], true) == want[p][1]);
  }
}

// ================================================================================================
// Tokens, SYNC and END
// ================================================================================================

TEST_CASE("SYNC ALL orders LD before ST and without it the checker reports a race", "[iss][sync]") {
  for (const bool barrier : {true, false}) {
    CAPTURE(barrier);
    Machine mc;
    mc.mem.write(kData, std::vector<uint8_t>{1, 2, 3, 4}.data(), 4);
    mc.add(load_f(QILIN_MEM_SP, 0, kData, 0, 1, 1));
    if (barrier) mc.add(sync_f(QILIN_QUEUE_ALL));
    mc.add(store_f(QILIN_MEM_SP, 0, kData + 64, 0, 1, 1));
    const IssResult r = mc.run();
    if (barrier) {
      REQUIRE_OK(r);
      CHECK(mc.mem.read(kData + 64, 4) == std::vector<uint8_t>{1, 2, 3, 4});
      CHECK(r.retired == std::array<uint64_t, 3>{3, 2, 3});  // LOAD/STORE + SYNC + END
    } else {
      // LD and ST are not neighbours: nothing orders the STORE after the LOAD.
      check_error(r, QILIN_ERR_RACE, 1, 0);
    }
  }
}

TEST_CASE("SYNC on one queue relays a token: LD -> EX -> ST", "[iss][sync]") {
  Machine mc;
  mc.mem.write(kData, std::vector<uint8_t>{5, 6, 7, 8}.data(), 4);
  mc.add(with(load_f(QILIN_MEM_SP, 0, kData, 0, 1, 1), kPushNext));
  mc.add(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext));
  mc.add(with(store_f(QILIN_MEM_SP, 0, kData + 64, 0, 1, 1), kPopPrev));
  const IssResult r = mc.run();
  REQUIRE_OK(r);
  CHECK(mc.mem.read(kData + 64, 4) == std::vector<uint8_t>{5, 6, 7, 8});
  CHECK(r.retired == std::array<uint64_t, 3>{2, 2, 2});
  CHECK(r.tokens_left == std::array<uint32_t, 4>{0, 0, 0, 0});
}

TEST_CASE("END: waits for all queues and unconsumed tokens are reported but no error",
          "[iss][sync]") {
  Machine mc;
  mc.add(sync_f(QILIN_QUEUE_LD, kPushNext)).add(sync_f(QILIN_QUEUE_LD, kPushNext));
  mc.add(sync_f(QILIN_QUEUE_ST, kPushPrev));
  const IssResult r = mc.run();
  REQUIRE_OK(r);
  CHECK(r.retired == std::array<uint64_t, 3>{3, 1, 2});
  CHECK(r.tokens_left == std::array<uint32_t, 4>{2, 0, 0, 1});
  // The next run starts with empty token FIFOs: a lone pop deadlocks.
  mc.prog.clear();
  const IssResult r2 = mc.add(sync_f(QILIN_QUEUE_EX, kPopPrev)).run();
  check_error(r2, QILIN_ERR_DEADLOCK, 0, kProg);
}

TEST_CASE("scratchpad and accumulator contents persist across runs", "[iss]") {
  Machine mc;
  mc.mem.write(kData, std::vector<uint8_t>{1, 2, 3, 4}.data(), 4);
  REQUIRE_OK(mc.add(load_f(QILIN_MEM_SP, 7, kData, 0, 1, 1)).run());
  mc.prog.clear();
  REQUIRE_OK(mc.add(store_f(QILIN_MEM_SP, 7, kData + 32, 0, 1, 1)).run());
  CHECK(mc.mem.read(kData + 32, 4) == std::vector<uint8_t>{1, 2, 3, 4});
}

// ================================================================================================
// Tiled GEMM programs
// ================================================================================================

TEST_CASE("program: double-buffered 64x64x64 GEMM on DIM 16 matches the golden model",
          "[iss][program]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const int dim = 16;
  GemmJob g = gemm_job(64, 64, 64, 64, dim);
  g.a_signed = rng.coin();
  g.b_signed = rng.coin();
  g.out_signed = rng.coin();
  g.a_zp = static_cast<int32_t>(g.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  g.b_zp = static_cast<int32_t>(g.b_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  g.out_zp = static_cast<int32_t>(g.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
  CAPTURE(g.a_signed, g.b_signed, g.out_signed, g.a_zp, g.b_zp, g.out_zp);
  MemImage mem;
  const GemmData d = make_gemm_data(rng, mem, g);
  const std::vector<qilin_insn_t> prog = tiled_gemm_program(g, dim);
  write_program(mem, kProg, prog);
  const std::vector<uint8_t> want = gemm_reference(g, d);

  // The result must not depend on the queue or token FIFO depths. The one exception is a
  // deadlock, and depths of 1 for both produce one: EX frees buffer 0 and wants to free buffer 1
  // while the token for buffer 0 still sits in EX->LD, and the LOAD that would take it cannot
  // be dispatched because the 1-entry EX queue is full. The ISA's minimum depths avoid this.
  MemImage first = mem;
  bool have_first = false;
  for (const uint32_t depth : {QILIN_MIN_INSN_QUEUE_DEPTH, 1u, 2u, 64u}) {
    for (const uint32_t tokens : {QILIN_MIN_TOKEN_DEPTH, 1u, 2u, 64u}) {
      CAPTURE(depth, tokens);
      IssConfig cfg = gemm_cfg(dim);
      cfg.insn_queue_depth = depth;
      cfg.token_depth = tokens;
      MemImage run_mem = mem;
      Iss iss(cfg, run_mem);
      const IssResult r = iss.run(kProg, static_cast<uint32_t>(prog.size()));
      if (depth == 1 && tokens == 1) {
        check_error(r, QILIN_ERR_DEADLOCK, 15, kProg + 15 * 16);
        continue;
      }
      REQUIRE_OK(r);
      CHECK(r.macs == 64ull * 64 * 64);
      CHECK(r.tokens_left == std::array<uint32_t, 4>{0, 0, 0, 0});
      CHECK(r.retired[0] == 4 + 2 * 16 + 1);  // params, 2 loads per iteration, END
      CHECK(r.retired[1] == 16 + 4 + 1);      // MATMULs, POSTPROCs, END
      CHECK(r.retired[2] == 4 + 1);           // STOREs, END
      check_gemm_output(run_mem, g, want);
      if (!have_first) {
        first = run_mem;
        have_first = true;
      }
      CHECK(!first.first_difference(run_mem).has_value());
    }
  }
}

TEST_CASE("program: random tiled GEMM shapes and tile sizes on DIM 4/8/16",
          "[iss][program][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  for (int iter = 0; iter < 12; ++iter) {
    const int dim = 4 << rng.uniform(0, 2);
    GemmJob g =
        gemm_job(static_cast<int>(rng.uniform(1, 90)), static_cast<int>(rng.uniform(1, 50)),
                 static_cast<int>(rng.uniform(1, 70)), static_cast<int>(rng.uniform(1, 40)), dim);
    g.a_signed = rng.coin();
    g.b_signed = rng.coin();
    g.out_signed = rng.coin();
    g.a_zp = static_cast<int32_t>(g.a_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    g.b_zp = static_cast<int32_t>(g.b_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    g.out_zp = static_cast<int32_t>(g.out_signed ? rng.uniform(-128, 127) : rng.uniform(0, 255));
    CAPTURE(iter, dim, g.M, g.N, g.K, g.tile_m);
    MemImage mem;
    const GemmData d = make_gemm_data(rng, mem, g);
    const std::vector<qilin_insn_t> prog = tiled_gemm_program(g, dim);
    write_program(mem, kProg, prog);
    Iss iss(gemm_cfg(dim), mem);
    const IssResult r = iss.run(kProg, static_cast<uint32_t>(prog.size()));
    REQUIRE_OK(r);
    CHECK(r.macs == uint64_t(g.M) * ((g.N + dim - 1) / dim * dim) * g.K);
    check_gemm_output(mem, g, gemm_reference(g, d));
  }
}

TEST_CASE("program: dropping any one token wait from the GEMM is caught", "[iss][program]") {
  // Every pop in the double-buffered program guards a real hazard: without it a race or a read
  // of not-yet-written data is reported (the data could be wrong on hardware). It must never
  // pass silently.
  const int dim = 8;
  GemmJob g = gemm_job(16, 24, 24, 16, dim);
  Rng rng(7);
  MemImage mem;
  make_gemm_data(rng, mem, g);
  const std::vector<qilin_insn_t> prog = tiled_gemm_program(g, dim);
  int mutated = 0;
  for (std::size_t i = 0; i < prog.size(); ++i) {
    for (const unsigned lsb : {QILIN_INSN_POP_PREV_LSB, QILIN_INSN_POP_NEXT_LSB}) {
      if (qilin_insn_opcode(&prog[i]) == QILIN_OP_END || !qilin_insn_get(&prog[i], lsb, 1))
        continue;
      std::vector<qilin_insn_t> bad = prog;
      qilin_insn_set(&bad[i], lsb, 1, 0);
      MemImage m = mem;
      write_program(m, kProg, bad);
      Iss iss(gemm_cfg(dim), m);
      const IssResult r = iss.run(kProg, static_cast<uint32_t>(bad.size()));
      CAPTURE(i, disassemble(prog[i]), r.to_string());
      CHECK((r.code == QILIN_ERR_RACE || r.code == QILIN_ERR_UNINIT_READ ||
             r.code == QILIN_ERR_DEADLOCK));
      ++mutated;
    }
  }
  CHECK(mutated > 10);
}

// ================================================================================================
// Errors
// ================================================================================================

TEST_CASE("errors: illegal opcodes", "[iss][error]") {
  for (const unsigned op : {0u, 7u, 8u, 15u}) {
    CAPTURE(op);
    Machine mc;
    mc.add(sync_f(QILIN_QUEUE_LD)).add_raw(qilin_insn_t{{op, 0}});
    check_error(mc.run(), QILIN_ERR_ILLEGAL_INSN, 1, kProg + 16);
  }
}

TEST_CASE("errors: a set reserved bit in any instruction kind", "[iss][error][random]") {
  const uint64_t seed = Catch::rngSeed();
  CAPTURE(seed);
  Rng rng(seed);
  const qilin_insn_t kinds[] = {
      encode(store_f(0, 0, kData, 0, 1, 1)), encode(matmul_f(0, 0, 0, 1, 1)),
      encode(postproc_f(0, 0, 0, 1, 1, true)), encode(sync_f(QILIN_QUEUE_EX)), encode_end()};
  for (const qilin_insn_t& base : kinds) {
    const unsigned op = qilin_insn_opcode(&base);
    CAPTURE(qilin_op_name(op));
    unsigned n = 0;
    const qilin_field_desc_t* fields = qilin_insn_fields(op, &n);
    qilin_insn_t used{{0, 0}};
    for (unsigned k = 0; k < n; ++k)
      qilin_insn_set(&used, fields[k].lsb, fields[k].width, ~uint64_t{0});
    for (int trial = 0; trial < 8; ++trial) {
      unsigned bit;
      do {
        bit = static_cast<unsigned>(rng.uniform(0, 127));
      } while (qilin_insn_get(&used, bit, 1));
      CAPTURE(bit);
      qilin_insn_t bad = base;
      qilin_insn_set(&bad, bit, 1, 1);
      Machine mc;
      check_error(mc.add_raw(bad).run(), QILIN_ERR_ILLEGAL_INSN, 0, kProg);
    }
  }
}

TEST_CASE("errors: token flags that name a missing neighbour", "[iss][error]") {
  const qilin_insn_t bad[] = {
      encode(with(load_f(0, 0, kData, 0, 1, 1), kPopPrev)),
      encode(with(load_f(0, 0, kData, 0, 1, 1), kPushPrev)),
      encode(with(store_f(0, 0, kData, 0, 1, 1), kPopNext)),
      encode(with(store_f(0, 0, kData, 0, 1, 1), kPushNext)),
      encode(sync_f(QILIN_QUEUE_LD, kPopPrev)),
      encode(sync_f(QILIN_QUEUE_ST, kPushNext)),
      encode(sync_f(QILIN_QUEUE_ALL, kPushNext)),  // a barrier carries no tokens
  };
  for (const qilin_insn_t& i : bad) {
    CAPTURE(disassemble(i));
    Machine mc;
    check_error(mc.add_raw(i).run(), QILIN_ERR_ILLEGAL_INSN, 0, kProg);
  }
}

TEST_CASE("errors: illegal field values", "[iss][error]") {
  std::vector<std::pair<std::string, qilin_insn_t>> bad;
  qilin_load_t l = load_f(QILIN_MEM_ACC, 0, kData, 0, 1, 1);
  l.pad_value = 1;
  bad.emplace_back("LOAD ACC pad_value", encode(l));
  bad.emplace_back("STORE overlapping rows", encode(store_f(QILIN_MEM_SP, 0, kData, 3, 2, 1)));
  // From ACC a vector is 4*DIM = 16 bytes: a 16-byte stride is enough for 1 vector, not for 2.
  bad.emplace_back("STORE ACC overlapping rows",
                   encode(store_f(QILIN_MEM_ACC, 0, kData, 16, 2, 2)));
  qilin_matmul_t m = matmul_f(0, 0, 0, 1, 5);  // DIM 4
  bad.emplace_back("k_size > DIM", encode(m));
  m = matmul_f(0, 0, 0, 1, 4);
  m.a_signed = 0, m.a_zp = -1;
  bad.emplace_back("a_zp outside uint8", encode(m));
  m = matmul_f(0, 0, 0, 1, 4);
  m.w_zp = 128;
  bad.emplace_back("w_zp outside int8", encode(m));
  qilin_postproc_t p = postproc_f(0, 0, 0, 4, 4, true);
  p.pool_kind = 3;
  bad.emplace_back("pool_kind 3", encode(p));
  p = postproc_f(0, 0, 0, 4, 4, true);
  p.pool_kh = 2;
  bad.emplace_back("pool fields without pooling", encode(p));
  p.pool_kind = QILIN_POOL_MAX, p.pool_kw = 2, p.pool_sh = 0, p.pool_sw = 1;
  bad.emplace_back("zero pool stride", encode(p));
  p.pool_sh = 1, p.pool_kh = 5;
  bad.emplace_back("window taller than the grid", encode(p));
  p = postproc_f(0, 0, 0, 4, 4, false);
  p.out_zp = -1;
  bad.emplace_back("out_zp outside uint8", encode(p));
  p = postproc_f(0, 0, 0, 4, 4, true);
  p.act_min = 0x05, p.act_max = 0xFB;  // 5 > -5 in int8 (but 5 < 251 as uint8)
  bad.emplace_back("act_min > act_max in int8", encode(p));
  for (const auto& [what, i] : bad) {
    CAPTURE(what);
    Machine mc;
    check_error(mc.add(sync_f(QILIN_QUEUE_ST)).add_raw(i).run(), QILIN_ERR_ILLEGAL_INSN, 1,
                kProg + 16);
  }
}

TEST_CASE("errors: SP and ACC row ranges", "[iss][error]") {
  // small_cfg: 256 SP rows, 64 ACC rows. ERR_ADDR = first row outside = max(addr, rows).
  struct Case {
    const char* what;
    qilin_insn_t insn;
    unsigned code;
    uint64_t addr;
  };
  qilin_load_t padded = load_f(QILIN_MEM_SP, 240, kData, 0, 2, 2);
  padded.pad_top = 1, padded.pad_left = 2;  // 3 x 4 = 12 rows: 240..251 fits
  qilin_load_t too_big = padded;
  too_big.pad_bottom = 1;  // 16 rows: 240..255 fits exactly
  qilin_load_t over = too_big;
  over.pad_right = 1;  // 4 x 5 = 20 rows: past 256
  qilin_postproc_t pool = postproc_f(0, 61, 255, 4, 4, true);
  pool.pool_kind = QILIN_POOL_MAX, pool.pool_kh = pool.pool_kw = 2, pool.pool_sh = pool.pool_sw = 2;
  const Case cases[] = {
      {"LOAD SP", encode(over), QILIN_ERR_SP_RANGE, 256},
      {"LOAD ACC start beyond", encode(load_f(QILIN_MEM_ACC, 70, kData, 0, 1, 1)),
       QILIN_ERR_ACC_RANGE, 70},
      {"STORE SP", encode(store_f(QILIN_MEM_SP, 252, kData, 64, 5, 1)), QILIN_ERR_SP_RANGE, 256},
      {"STORE ACC", encode(store_f(QILIN_MEM_ACC, 60, kData, 64, 3, 2)), QILIN_ERR_ACC_RANGE, 64},
      {"STORE ACC start beyond", encode(store_f(QILIN_MEM_ACC, 65, kData, 64, 0, 1)),
       QILIN_ERR_ACC_RANGE, 65},
      {"MATMUL A", encode(matmul_f(250, 0, 0, 7, 4)), QILIN_ERR_SP_RANGE, 256},
      {"MATMUL W", encode(matmul_f(0, 253, 0, 1, 4)), QILIN_ERR_SP_RANGE, 256},
      {"MATMUL C", encode(matmul_f(0, 0, 60, 5, 4)), QILIN_ERR_ACC_RANGE, 64},
      {"POSTPROC C", encode(postproc_f(50, 0, 0, 5, 3, true)), QILIN_ERR_ACC_RANGE, 64},
      {"POSTPROC params", encode(postproc_f(0, 62, 0, 1, 1, true)), QILIN_ERR_ACC_RANGE, 64},
      {"POSTPROC output (pooled: 4 rows)", encode(pool), QILIN_ERR_SP_RANGE, 256},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Machine mc;
    check_error(mc.add_raw(c.insn).run(), c.code, 0, c.addr);
  }
  // The variants that just fit are legal (pooled output 2 x 2 = 4 rows at 252..255).
  Machine ok;
  REQUIRE_OK(ok.add(padded).add(too_big).run());
  Machine ok_acc;  // ACC rows 60..63: exactly to the end
  for (uint32_t r = 60; r < 64; ++r) ok_acc.iss.write_acc_row(r, std::vector<int32_t>(4, 2).data());
  REQUIRE_OK(ok_acc.add(store_f(QILIN_MEM_ACC, 60, kData, 64, 2, 2)).run());
  Machine ok2;
  pool.p_addr = 60, pool.o_addr = 252;
  for (uint32_t r = 0; r < 16; ++r) ok2.iss.write_acc_row(r, std::vector<int32_t>(4, 1).data());
  write_identity_params(ok2.iss, 60);
  REQUIRE_OK(ok2.add(pool).run());
}

TEST_CASE("errors: DMA outside its window reports the first offending byte", "[iss][error]") {
  SECTION("LOAD: the second row crosses the read limit") {
    Machine mc;
    mc.mem.set_read_window(kData, kData + 100);
    check_error(mc.add(load_f(QILIN_MEM_SP, 0, kData + 92, 8, 3, 1)).run(), QILIN_ERR_DMA_WINDOW, 0,
                kData + 100);
  }
  SECTION("LOAD: below the read base") {
    Machine mc;
    mc.mem.set_read_window(kData, kData + 100);
    mc.add(sync_f(QILIN_QUEUE_LD)).add(load_f(QILIN_MEM_SP, 0, kData - 4, 8, 1, 1));
    check_error(mc.run(), QILIN_ERR_DMA_WINDOW, 1, kData - 4);
  }
  SECTION("STORE: rows beyond the write window; padding alone reads nothing") {
    Machine mc;
    mc.mem.set_write_window(kData, kData + 64);
    mc.mem.set_read_window(0, 0);
    qilin_load_t pad = load_f(QILIN_MEM_SP, 0, 0, 0, 0, 1);
    pad.pad_top = 2;  // two padding rows, no device read
    mc.add(with(pad, kPushNext)).add(sync_f(QILIN_QUEUE_EX, kPopPrev | kPushNext));
    mc.add(with(store_f(QILIN_MEM_SP, 0, kData + 60, 4, 2, 1), kPopPrev));  // 4 B rows
    check_error(mc.run(), QILIN_ERR_DMA_WINDOW, 2, kData + 64);
  }
  SECTION("inside the window but beyond the memory: BUS_ERROR") {
    Machine mc(small_cfg(), kData + 8);
    mc.mem.set_read_window(0, kData + 64);
    check_error(mc.add(load_f(QILIN_MEM_SP, 0, kData + 4, 0, 1, 2)).run(), QILIN_ERR_BUS_ERROR, 0,
                kData + 8);
  }
}

TEST_CASE("errors: LOAD and STORE need vector-aligned addresses and strides", "[iss][error]") {
  SECTION("LOAD SP: address not a multiple of DIM") {
    Machine mc;
    check_error(mc.add(load_f(QILIN_MEM_SP, 0, kData + 2, 4, 1, 1)).run(), QILIN_ERR_ALIGN, 0,
                kData + 2);
  }
  SECTION("LOAD ACC: stride a multiple of DIM but not of 4*DIM") {
    Machine mc;
    check_error(mc.add(load_f(QILIN_MEM_ACC, 0, kData, 4, 2, 1)).run(), QILIN_ERR_ALIGN, 0, kData);
  }
  SECTION("STORE SP: stride not a multiple of DIM") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    mc.iss.write_sp_row(1, std::vector<uint8_t>(4, 2).data());
    check_error(mc.add(store_f(QILIN_MEM_SP, 0, kData, 6, 2, 1)).run(), QILIN_ERR_ALIGN, 0, kData);
  }
  SECTION("STORE ACC: address a multiple of DIM but not of 4*DIM") {
    Machine mc;
    mc.iss.write_acc_row(0, std::vector<int32_t>(4, 1).data());
    check_error(mc.add(store_f(QILIN_MEM_ACC, 0, kData + 4, 0, 1, 1)).run(), QILIN_ERR_ALIGN, 0,
                kData + 4);
  }
  SECTION("STORE ACC: stride a multiple of DIM but not of 4*DIM") {
    Machine mc;
    mc.iss.write_acc_row(0, std::vector<int32_t>(4, 1).data());
    mc.iss.write_acc_row(1, std::vector<int32_t>(4, 2).data());
    check_error(mc.add(store_f(QILIN_MEM_ACC, 0, kData, 20, 2, 1)).run(), QILIN_ERR_ALIGN, 0,
                kData);
  }
}

TEST_CASE("errors: running off the stream and fetching beyond memory", "[iss][error]") {
  Machine mc;
  mc.add(sync_f(QILIN_QUEUE_EX)).add(sync_f(QILIN_QUEUE_LD));
  check_error(mc.run(false), QILIN_ERR_NO_END, 2, kProg + 32);
  MemImage small(kProg + 16);
  write_program(small, kProg, {encode(sync_f(QILIN_QUEUE_EX))});
  Iss iss(small_cfg(), small);
  check_error(iss.run(kProg, 2), QILIN_ERR_BUS_ERROR, 1, kProg + 16);
  CHECK_THROWS_AS(iss.run(kProg + 8, 1), std::invalid_argument);
}

TEST_CASE("errors: deadlocks including one that only the minimum queue depth exposes",
          "[iss][error]") {
  SECTION("a pop that nothing ever pushes") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    mc.add(sync_f(QILIN_QUEUE_LD)).add(with(matmul_f(0, 0, 0, 1, 1), kPopPrev));
    const IssResult r = mc.run();
    check_error(r, QILIN_ERR_DEADLOCK, 1, kProg + 16);
    CHECK(r.message.find("LD->EX") != std::string::npos);
  }
  SECTION("the dispatcher blocks on a full LD queue before the EX instruction that unblocks it") {
    // Nine LD instructions wait for EX; the EX instruction sending their tokens comes after them
    // in program order. With 8-entry queues the dispatcher never reaches it.
    for (const uint32_t depth : {QILIN_MIN_INSN_QUEUE_DEPTH, 16u}) {
      CAPTURE(depth);
      IssConfig cfg = small_cfg();
      cfg.insn_queue_depth = depth;
      Machine mc(cfg);
      for (int i = 0; i < 9; ++i) mc.add(sync_f(QILIN_QUEUE_LD, kPopNext));
      for (int i = 0; i < 9; ++i) mc.add(sync_f(QILIN_QUEUE_EX, kPushPrev));
      const IssResult r = mc.run();
      if (depth == QILIN_MIN_INSN_QUEUE_DEPTH) {
        check_error(r, QILIN_ERR_DEADLOCK, 0, kProg);
      } else {
        REQUIRE_OK(r);
      }
    }
  }
  SECTION("a full token FIFO") {
    IssConfig cfg = small_cfg();
    cfg.token_depth = 2;
    Machine mc(cfg);
    for (int i = 0; i < 3; ++i) mc.add(sync_f(QILIN_QUEUE_LD, kPushNext));
    mc.add(sync_f(QILIN_QUEUE_ALL));  // EX would pop them only after the barrier
    for (int i = 0; i < 3; ++i) mc.add(sync_f(QILIN_QUEUE_EX, kPopPrev));
    check_error(mc.run(), QILIN_ERR_DEADLOCK, 2, kProg + 32);
  }
}

TEST_CASE("errors: POSTPROC shift parameter outside -31..30", "[iss][error]") {
  for (const int32_t bad : {31, -32, INT32_MIN}) {
    CAPTURE(bad);
    Machine mc;
    write_identity_params(mc.iss, 10);
    mc.iss.write_acc_row(12, std::vector<int32_t>{0, 0, bad, 0}.data());
    mc.iss.write_acc_row(0, std::vector<int32_t>(4, 0).data());
    check_error(mc.add(postproc_f(0, 10, 0, 1, 1, true)).run(), QILIN_ERR_PARAM_RANGE, 0, 12);
  }
}

TEST_CASE("errors: hazards the ISS reports - uninitialised reads and races", "[iss][error]") {
  SECTION("MATMUL reads a scratchpad row nothing wrote") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    check_error(mc.add(matmul_f(5, 0, 0, 1, 1)).run(), QILIN_ERR_UNINIT_READ, 0, 5);
  }
  SECTION("accumulate into an accumulator row nothing wrote") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    qilin_matmul_t f = matmul_f(0, 0, 9, 1, 1);
    f.accumulate = 1;
    check_error(mc.add(f).run(), QILIN_ERR_UNINIT_READ, 0, 9);
  }
  SECTION("EX reads what LD writes without waiting for its token") {
    Machine mc;
    mc.iss.write_sp_row(1, std::vector<uint8_t>(4, 1).data());
    mc.mem.write(kData, std::vector<uint8_t>(4, 3).data(), 4);
    mc.add(with(load_f(QILIN_MEM_SP, 0, kData, 0, 1, 1), kPushNext));
    mc.add(matmul_f(0, 1, 0, 1, 1));  // forgot pop_prev
    mc.add(sync_f(QILIN_QUEUE_EX, kPopPrev));
    check_error(mc.run(), QILIN_ERR_RACE, 1, 0);
  }
  SECTION("LD reloads a buffer ST has not stored yet (write after read)") {
    Machine mc;
    mc.mem.write(kData, std::vector<uint8_t>(8, 3).data(), 8);
    mc.add(load_f(QILIN_MEM_SP, 0, kData, 0, 1, 1));
    mc.add(sync_f(QILIN_QUEUE_ALL));
    mc.add(store_f(QILIN_MEM_SP, 0, kData + 64, 0, 1, 1));
    mc.add(load_f(QILIN_MEM_SP, 0, kData + 4, 0, 1, 1));  // no wait for the STORE
    // Here ST (dispatched first) stores first, and the LOAD then finds an unordered reader; had
    // LD run first, the STORE would have found an unordered writer. Either way: RACE.
    check_error(mc.run(), QILIN_ERR_RACE, 3, 0);
  }
  SECTION("LD reads device memory that ST writes, unordered") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    mc.add(store_f(QILIN_MEM_SP, 0, kData, 0, 1, 1))
        .add(load_f(QILIN_MEM_SP, 1, kData, 0, 1, 1));
    const IssResult r = mc.run();
    INFO(r.to_string());
    CHECK(r.code == QILIN_ERR_RACE);
    CHECK(r.err_addr == kData);
  }
  SECTION("STORE from ACC reads an accumulator row nothing wrote") {
    Machine mc;
    mc.iss.write_acc_row(3, std::vector<int32_t>(4, 1).data());
    check_error(mc.add(store_f(QILIN_MEM_ACC, 3, kData, 16, 2, 1)).run(), QILIN_ERR_UNINIT_READ,
                0, 4);
  }
  SECTION("STORE from ACC without waiting for the MATMUL that writes the rows") {
    Machine mc;
    for (uint32_t r = 0; r < 4; ++r) mc.iss.write_sp_row(r, std::vector<uint8_t>(4, 1).data());
    mc.iss.write_acc_row(0, std::vector<int32_t>(4, 0).data());
    mc.add(with(matmul_f(0, 0, 0, 1, 4), kPushNext));
    mc.add(store_f(QILIN_MEM_ACC, 0, kData, 0, 1, 1));  // forgot pop_prev
    mc.add(sync_f(QILIN_QUEUE_ST, kPopPrev));
    check_error(mc.run(), QILIN_ERR_RACE, 1, 0);
  }
  SECTION("STORE into the instruction stream") {
    Machine mc;
    mc.iss.write_sp_row(0, std::vector<uint8_t>(4, 1).data());
    check_error(mc.add(store_f(QILIN_MEM_SP, 0, kProg + 20, 0, 1, 1)).run(), QILIN_ERR_RACE, 0,
                kProg + 20);
  }
  SECTION("the checks can be turned off") {
    IssConfig cfg = small_cfg();
    cfg.check_hazards = false;
    Machine mc(cfg);
    mc.add(matmul_f(5, 0, 0, 1, 1));
    REQUIRE_OK(mc.run());
  }
}

TEST_CASE("errors: the step budget", "[iss][error]") {
  Machine mc;
  for (int i = 0; i < 10; ++i) mc.add(sync_f(QILIN_QUEUE_EX));
  check_error(mc.run(true, 3), QILIN_ERR_STEP_LIMIT, 3, 0);
}

TEST_CASE("configuration limits follow the encoding", "[iss]") {
  MemImage mem;
  IssConfig c;
  c.dim = 256;
  CHECK_THROWS_AS(Iss(c, mem), std::invalid_argument);
  c = IssConfig{};
  c.sp_rows = (1u << 17) + 1;
  CHECK_THROWS_AS(Iss(c, mem), std::invalid_argument);
  c = IssConfig{};
  c.acc_rows = 1u << 16;
  CHECK_NOTHROW(Iss(c, mem));
}
