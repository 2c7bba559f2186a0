// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_dma_rd (coverage builds only): every FSM state;
// each FIFO full and drained empty (AR queue, outstanding info, read buffer, destination).
`include "qilin_cov.svh"

module qilin_dma_rd_cov #(
  parameter int unsigned N = 4
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [2:0]   st_q,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_arq, u_info, u_rbuf, u_dstq
  input logic [N-1:0] fifo_vld   // out_valid_o of the same
);
  logic [N-1:0] fifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fifo_vld_q <= '0;
    else         fifo_vld_q <= fifo_vld;
  end
  // Encodings of st_e: StIdle, StChkGo, StCheck, StRun, StDrain, StDone.
  `QILIN_CP(cp_st_idle, st_q == 3'd0)
  `QILIN_CP(cp_st_chkgo, st_q == 3'd1)
  `QILIN_CP(cp_st_check, st_q == 3'd2)
  `QILIN_CP(cp_st_run, st_q == 3'd3)
  `QILIN_CP(cp_st_drain, st_q == 3'd4)
  `QILIN_CP(cp_st_done, st_q == 3'd5)
  `QILIN_FIFO_CP(arq, 0)
  `QILIN_FIFO_CP(info, 1)
  `QILIN_FIFO_CP(rbuf, 2)
  `QILIN_FIFO_CP(dstq, 3)
endmodule

bind qilin_dma_rd qilin_dma_rd_cov u_cov (
  .clk_i, .rst_ni, .st_q,
  .fifo_rdy({u_dstq.in_ready_o, u_rbuf.in_ready_o, u_info.in_ready_o, u_arq.in_ready_o}),
  .fifo_vld({u_dstq.out_valid_o, u_rbuf.out_valid_o, u_info.out_valid_o, u_arq.out_valid_o})
);
