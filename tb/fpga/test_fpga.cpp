// SPDX-License-Identifier: Apache-2.0
// Smoke test of qilin_fpga_top through its UART pins (the host bridge protocol of
// docs/fpga.md): CSR reads, memory writes and reads, and a small LOAD/MATMUL/POSTPROC/STORE
// program run from the block-RAM device memory and checked against the ISS.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vqilin_fpga_top.h"
#include "qilin/csr.h"
#include "qilin/golden/insn_builders.h"
#include "qilin/golden/iss.h"
#include "qilin/golden/mem_image.h"
#include "sim_harness.h"

namespace {

using namespace qilin::golden;
using namespace qilin::golden::insn;
using qilin::tb::Sim;

#define CSR(reg) (0x80000000u | static_cast<uint32_t>(offsetof(qilin_csr_t, reg)))

constexpr int kClksPerBit = 4;      // -GClksPerBit in CMakeLists.txt
constexpr uint32_t kMemBytes = 65536;  // qilin_fpga_top MemBytes default
constexpr int kDim = 8;

// Host side of the UART: drives uart_rx_i bit by bit and decodes uart_tx_o.
class UartHost {
 public:
  explicit UartHost(const char* name) : sim_(name, 3'000'000) {
    sim_->uart_rx_i = 1;
    sim_.reset();
    // The top synchronises the reset release (3 cycles); the line idles before the first byte.
    for (int i = 0; i < 16; ++i) step();
  }

  void step() {
    sim_.tick();
    // 8N1 decoder sampling the middle of each bit.
    const bool tx = sim_->uart_tx_o;
    if (rx_cnt_ < 0) {
      if (!tx) rx_cnt_ = 0;
    } else {
      ++rx_cnt_;
      const int bit = (rx_cnt_ - kClksPerBit / 2) / kClksPerBit;  // 0 = start bit
      if ((rx_cnt_ - kClksPerBit / 2) % kClksPerBit == 0) {
        if (bit >= 1 && bit <= 8) rx_byte_ = static_cast<uint8_t>((rx_byte_ >> 1) | (tx << 7));
        if (bit == 9) {
          REQUIRE(tx);  // stop bit
          rx_.push_back(rx_byte_);
          rx_cnt_ = -1;
        }
      }
    }
  }

  void send(uint8_t b) {
    const int bits = (b << 1) | 0x200;  // start, 8 data LSB first, stop
    for (int i = 0; i < 10; ++i) {
      sim_->uart_rx_i = (bits >> i) & 1;
      for (int c = 0; c < kClksPerBit; ++c) step();
    }
  }

  uint8_t recv() {
    while (rx_.empty()) step();
    const uint8_t b = rx_.front();
    rx_.pop_front();
    return b;
  }

  void send32(uint32_t v) {
    for (int i = 0; i < 4; ++i) send(static_cast<uint8_t>(v >> (8 * i)));
  }

  uint8_t write(uint32_t addr, uint32_t data) {
    send('W');
    send32(addr);
    send32(data);
    return recv();
  }

  uint32_t read(uint32_t addr) {
    send('R');
    send32(addr);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{recv()} << (8 * i);
    return v;
  }

  Sim<Vqilin_fpga_top>& sim() { return sim_; }

 private:
  Sim<Vqilin_fpga_top> sim_;
  std::deque<uint8_t> rx_;
  int rx_cnt_ = -1;
  uint8_t rx_byte_ = 0;
};

}  // namespace

TEST_CASE("fpga: ID and configuration CSRs over the UART bridge", "[fpga]") {
  UartHost h("fpga_id");
  CHECK(h.read(CSR(ID)) == 0x51494C4Eu);
  CHECK(h.read(CSR(HW_CFG0)) == ((uint32_t{kDim} << 16) | kDim));
  CHECK(h.read(CSR(HW_SP_ROWS)) == 4096u);
  CHECK(h.read(CSR(HW_ACC_ROWS)) == 1024u);
  CHECK(h.read(CSR(STATUS)) == 0u);
  // A CSR write answers 'K' and reads back.
  CHECK(h.write(CSR(CMD_LEN), 0x1234u) == 'K');
  CHECK(h.read(CSR(CMD_LEN)) == 0x1234u);
  // Memory words: every word lane of a 32-byte beat, and the top of the memory.
  for (uint32_t a : {0x0u, 0x4u, 0x1Cu, 0x20u, kMemBytes - 4}) {
    CHECK(h.write(a, 0xA5000000u | a) == 'K');
  }
  for (uint32_t a : {0x0u, 0x4u, 0x1Cu, 0x20u, kMemBytes - 4}) {
    CHECK(h.read(a) == (0xA5000000u | a));
  }
}

TEST_CASE("fpga: a small MATMUL program runs from block RAM and matches the ISS", "[fpga]") {
  constexpr uint64_t kProg = 0x0000, kData = 0x1000, kParams = 0x2000, kOut = 0x3000;
  MemImage img(kMemBytes);
  std::mt19937 rng(1);
  std::vector<uint8_t> ab(16 * kDim);  // W rows 0..7, then A rows 8..15
  for (auto& v : ab) v = static_cast<uint8_t>(static_cast<int>(rng() % 9) - 4);
  img.write(kData, ab.data(), ab.size());
  std::vector<int32_t> params;  // identity requantisation: bias 0, multiplier 2^30, shift 1
  for (int i = 0; i < kDim; ++i) params.push_back(0);
  for (int i = 0; i < kDim; ++i) params.push_back(1 << 30);
  for (int i = 0; i < kDim; ++i) params.push_back(1);
  img.write_s32(kParams, params.data(), params.size());
  const std::vector<qilin_insn_t> prog = {
      encode(load_f(QILIN_MEM_ACC, 100, kParams, 4 * kDim, 3, 1)),
      encode(load_f(QILIN_MEM_SP, 0, kData, kDim, 8, 1)),
      encode(with(load_f(QILIN_MEM_SP, 8, kData + 8 * kDim, kDim, 8, 1), kPushNext)),
      encode(with(matmul_f(8, 0, 0, 8, kDim), kPopPrev)),
      encode(with(postproc_f(0, 100, 200, 8, 1, true), kPushNext)),
      encode(with(store_f(QILIN_MEM_SP, 200, kOut, kDim, 8, 1), kPopPrev)),
      encode_end()};
  write_program(img, kProg, prog);

  MemImage want = img;
  IssConfig cfg;
  cfg.dim = kDim;
  cfg.sp_rows = 4096;
  cfg.acc_rows = 1024;
  Iss iss(cfg, want);
  const IssResult r = iss.run(kProg, static_cast<uint32_t>(prog.size()));
  REQUIRE(r.ok());

  UartHost h("fpga_matmul");
  // Upload the program, data and parameters word by word.
  for (uint64_t base : {kProg, kData, kParams}) {
    for (uint32_t off = 0; off < 0x100; off += 4) {
      uint32_t w = 0;
      img.read(base + off, &w, 4);
      REQUIRE(h.write(static_cast<uint32_t>(base + off), w) == 'K');
    }
  }
  REQUIRE(h.write(CSR(DMA_RD_BASE_LO), 0) == 'K');
  REQUIRE(h.write(CSR(DMA_RD_LIMIT_LO), kMemBytes) == 'K');
  REQUIRE(h.write(CSR(DMA_WR_BASE_LO), 0) == 'K');
  REQUIRE(h.write(CSR(DMA_WR_LIMIT_LO), kMemBytes) == 'K');
  REQUIRE(h.write(CSR(CMD_BASE_LO), kProg) == 'K');
  REQUIRE(h.write(CSR(CMD_LEN), static_cast<uint32_t>(prog.size())) == 'K');
  REQUIRE(h.write(CSR(CTRL), QILIN_CSR__CTRL__START_bm | QILIN_CSR__CTRL__IRQ_EN_bm) == 'K');
  uint32_t status = 0;
  for (int i = 0; i < 200; ++i) {
    status = h.read(CSR(STATUS));
    if ((status & QILIN_CSR__STATUS__ERROR_bm) ||
        ((status & QILIN_CSR__STATUS__DONE_bm) && !(status & QILIN_CSR__STATUS__BUSY_bm)))
      break;
  }
  INFO("STATUS " << status << " ERR_CODE " << h.read(CSR(ERR_CODE)));
  REQUIRE(status == QILIN_CSR__STATUS__DONE_bm);
  CHECK((h.sim()->led_o & 0x2) != 0);  // LED 1: interrupt (done)
  for (uint32_t off = 0; off < 8 * kDim; off += 4) {
    uint32_t exp = 0;
    want.read(kOut + off, &exp, 4);
    INFO("output word at 0x" << std::hex << kOut + off);
    CHECK(h.read(static_cast<uint32_t>(kOut + off)) == exp);
  }
}
