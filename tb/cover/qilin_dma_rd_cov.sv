// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_dma_rd (coverage builds only): every FSM state.
module qilin_dma_rd_cov (
  input logic       clk_i,
  input logic       rst_ni,
  input logic [2:0] st_q
);
  // Encodings of qilin_dma_rd's st_e: StIdle, StChkGo, StCheck, StRun, StDrain, StDone.
  cp_st_idle: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd0);
  cp_st_chkgo: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd1);
  cp_st_check: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd2);
  cp_st_run: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd3);
  cp_st_drain: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd4);
  cp_st_done: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd5);
endmodule

bind qilin_dma_rd qilin_dma_rd_cov u_cov (.clk_i, .rst_ni, .st_q);
