// SPDX-License-Identifier: Apache-2.0
// Internal command formats between the Qilin core's decoder and its execution units.
package qilin_core_pkg;

  // Scratchpad and accumulator row addresses (up to 64 Ki rows each).
  localparam int unsigned SpAddrW  = 16;
  localparam int unsigned AccAddrW = 16;

  // One MATMUL: ACC[c_addr + m] (+)= sum_k (SP[a_addr + m][k] - a_zp) * (SP[w_addr + k][n] - w_zp)
  // for m < m_size, k < k_size; n spans the array's columns.
  typedef struct packed {
    logic [SpAddrW-1:0]  w_addr;
    logic [7:0]          k_size;      // 1 .. Dim
    logic [SpAddrW-1:0]  a_addr;
    logic [15:0]         m_size;      // >= 1
    logic [AccAddrW-1:0] c_addr;
    logic                accumulate;  // add into ACC instead of overwriting
    logic                a_signed;
    logic                w_signed;
    logic [8:0]          a_zp;        // signed
    logic [8:0]          w_zp;        // signed
  } matmul_cmd_t;
  // $bits(matmul_cmd_t); Yosys cannot take $bits of a package type, so it is spelled out
  // here and checked against $bits in simulation.
  localparam int unsigned MatmulCmdW = 2 * SpAddrW + 8 + 16 + AccAddrW + 3 + 2 * 9;

endpackage
