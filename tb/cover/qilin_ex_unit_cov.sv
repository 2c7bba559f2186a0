// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_ex_unit (coverage builds only): the MATMUL
// in-flight limit (MaxInflight) reached. Only the chip build with ExMaxInflight 2
// (test_chip_inflight) reaches it; at the default 15 the command processor's UnitInflight
// (4) binds first.
`include "qilin_cov.svh"

module qilin_ex_unit_cov (
  input logic clk_i,
  input logic rst_ni,
  input logic room_full,    // a MATMUL ready to issue but for the limit (mm_cand, !room_q)
  input logic room_held,    // the limit reached with dones held behind a POSTPROC
  input logic room_reopen,  // the limit reached and a MATMUL done arrives
  input logic reset_full,   // soft reset with MaxInflight MATMULs in flight
  input logic err_full      // POSTPROC error out with MaxInflight MATMULs in flight
);
  `QILIN_CP(cp_room_full, room_full)
  `QILIN_CP(cp_room_held, room_held)
  `QILIN_CP(cp_room_reopen, room_reopen)
  `QILIN_CP(cp_room_reset_full, reset_full)
  `QILIN_CP(cp_room_err_full, err_full)
endmodule

bind qilin_ex_unit qilin_ex_unit_cov u_cov (
  .clk_i, .rst_ni,
  .room_full(mm_cand && !room_q),
  .room_held(!room_q && (held_q != '0)),
  .room_reopen(!room_q && mm_done_i),
  .reset_full(soft_reset_i && (32'(mm_out_q) == MaxInflight)),
  .err_full(err_o && (32'(mm_out_q) == MaxInflight))
);
