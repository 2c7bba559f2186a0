// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_dma_wr (coverage builds only): every FSM state;
// each FIFO full and drained empty (AW queue, outstanding info, burst lengths, SP requests,
// SP response buffer, W queue).
`include "qilin_cov.svh"

module qilin_dma_wr_cov #(
  parameter int unsigned N = 6
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [2:0]   st_q,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_awq, u_info, u_wlen, u_reqq, u_spbuf, u_wq
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
  `QILIN_FIFO_CP(awq, 0)
  `QILIN_FIFO_CP(info, 1)
  `QILIN_FIFO_CP(wlen, 2)
  `QILIN_FIFO_CP(reqq, 3)
  `QILIN_FIFO_CP(spbuf, 4)
  `QILIN_FIFO_CP(wq, 5)
endmodule

bind qilin_dma_wr qilin_dma_wr_cov u_cov (
  .clk_i, .rst_ni, .st_q,
  .fifo_rdy({u_wq.in_ready_o, u_spbuf.in_ready_o, u_reqq.in_ready_o, u_wlen.in_ready_o,
             u_info.in_ready_o, u_awq.in_ready_o}),
  .fifo_vld({u_wq.out_valid_o, u_spbuf.out_valid_o, u_reqq.out_valid_o, u_wlen.out_valid_o,
             u_info.out_valid_o, u_awq.out_valid_o})
);
