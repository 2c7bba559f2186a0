// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_dma_check (coverage builds only): every FSM state.
module qilin_dma_check_cov (
  input logic       clk_i,
  input logic       rst_ni,
  input logic [2:0] st_q
);
  // Encodings of qilin_dma_check's st_e: StIdle, StAdd, StSum, StCmp, StSearch.
  cp_st_idle: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd0);
  cp_st_add: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd1);
  cp_st_sum: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd2);
  cp_st_cmp: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd3);
  cp_st_search: cover property (@(posedge clk_i) disable iff (!rst_ni) st_q == 3'd4);
endmodule

bind qilin_dma_check qilin_dma_check_cov u_cov (.clk_i, .rst_ni, .st_q);
