// SPDX-License-Identifier: Apache-2.0
// Bridges a verilated AXI4 master with qilin_axi_pkg struct ports to the AxiMem model:
// bit layouts of the packed structs, and per-channel drive/sample helpers for a DUT whose
// ports follow the naming ar_o/ar_valid_o/ar_ready_i, r_i/r_valid_i/r_ready_o, aw_o/...,
// w_o/..., b_i/... . Any other port naming needs only the few assignments below.
#pragma once

#include <cstdint>

#include "axi_mem.h"
#include "bits.h"

namespace qilin::tb::axi_pkg {

// rtl/common/qilin_axi_pkg.sv. A packed struct's first member is its most significant.
inline constexpr unsigned kIdW = 6, kAddrW = 34, kDataW = 256, kStrbW = kDataW / 8;
// axi_ax_t {id, addr, len, size, burst}
inline constexpr unsigned kAxBurst = 0, kAxSize = 2, kAxLen = 5, kAxAddr = 13,
                          kAxId = kAxAddr + kAddrW;
// axi_w_t {data, strb, last}
inline constexpr unsigned kWLast = 0, kWStrb = 1, kWData = 1 + kStrbW;
// axi_b_t {id, resp}
inline constexpr unsigned kBResp = 0, kBId = 2;
// axi_r_t {id, data, resp, last}
inline constexpr unsigned kRLast = 0, kRResp = 1, kRData = 3, kRId = 3 + kDataW;

template <class P>
AxiAddr unpack_ax(const P& p) {
  AxiAddr a;
  a.burst = static_cast<uint32_t>(get_bits(p, kAxBurst, 2));
  a.size = static_cast<uint32_t>(get_bits(p, kAxSize, 3));
  a.len = static_cast<uint32_t>(get_bits(p, kAxLen, 8));
  a.addr = get_bits(p, kAxAddr, kAddrW);
  a.id = static_cast<uint32_t>(get_bits(p, kAxId, kIdW));
  return a;
}

template <class P>
void unpack_w(const P& p, AxiMasterOut& m) {
  m.w_last = get_bits(p, kWLast, 1) != 0;
  m.w_strb = get_bits(p, kWStrb, kStrbW);
  for (unsigned i = 0; i < kStrbW; ++i)
    m.w_data[i] = static_cast<uint8_t>(get_bits(p, kWData + 8 * i, 8));
}

template <class P>
void pack_b(P& p, const AxiSlaveOut& s) {
  put_bits(p, kBResp, 2, s.b_resp);
  put_bits(p, kBId, kIdW, s.b_id);
}

template <class P>
void pack_r(P& p, const AxiSlaveOut& s) {
  put_bits(p, kRLast, 1, s.r_last);
  put_bits(p, kRResp, 2, s.r_resp);
  for (unsigned i = 0; i < kStrbW; i += 4) {
    const uint32_t w = s.r_data[i] | (s.r_data[i + 1] << 8) | (s.r_data[i + 2] << 16) |
                       (static_cast<uint32_t>(s.r_data[i + 3]) << 24);
    put_bits(p, kRData + 8 * i, 32, w);
  }
  put_bits(p, kRId, kIdW, s.r_id);
}

// Read-master DUT (ar_*, r_*): slave outputs -> DUT inputs, DUT outputs -> master view.
template <class M>
void drive_read_slave(M& dut, const AxiSlaveOut& s) {
  dut.ar_ready_i = s.ar_ready;
  dut.r_valid_i = s.r_valid;
  pack_r(dut.r_i, s);
}
template <class M>
void sample_read_master(const M& dut, AxiMasterOut& m) {
  m.ar_valid = dut.ar_valid_o;
  m.ar = unpack_ax(dut.ar_o);
  m.r_ready = dut.r_ready_o;
}

// Write-master DUT (aw_*, w_*, b_*).
template <class M>
void drive_write_slave(M& dut, const AxiSlaveOut& s) {
  dut.aw_ready_i = s.aw_ready;
  dut.w_ready_i = s.w_ready;
  dut.b_valid_i = s.b_valid;
  pack_b(dut.b_i, s);
}
template <class M>
void sample_write_master(const M& dut, AxiMasterOut& m) {
  m.aw_valid = dut.aw_valid_o;
  m.aw = unpack_ax(dut.aw_o);
  m.w_valid = dut.w_valid_o;
  unpack_w(dut.w_o, m);
  m.b_ready = dut.b_ready_o;
}

}  // namespace qilin::tb::axi_pkg
