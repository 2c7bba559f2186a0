// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_ex_post (coverage builds only): every FSM state;
// the output FIFO full and drained empty.
module qilin_ex_post_cov (
  input logic       clk_i,
  input logic       rst_ni,
  input logic [2:0] state_q,
  input logic       ofifo_rdy,  // u_ofifo.in_ready_o
  input logic       ofifo_vld   // u_ofifo.out_valid_o
);
  logic ofifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ofifo_vld_q <= 1'b0;
    else         ofifo_vld_q <= ofifo_vld;
  end
  cp_ofifo_full: cover property (@(posedge clk_i) disable iff (!rst_ni) !ofifo_rdy);
  cp_ofifo_empty: cover property (@(posedge clk_i) disable iff (!rst_ni) ofifo_vld_q && !ofifo_vld);
  // Encodings of qilin_ex_post's state_e: StIdle, StParam, StWait, StStream, StErr.
  cp_st_idle: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == 3'd0);
  cp_st_param: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == 3'd1);
  cp_st_wait: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == 3'd2);
  cp_st_stream: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == 3'd3);
  cp_st_err: cover property (@(posedge clk_i) disable iff (!rst_ni) state_q == 3'd4);
endmodule

bind qilin_ex_post qilin_ex_post_cov u_cov (.clk_i, .rst_ni, .state_q,
                                            .ofifo_rdy(u_ofifo.in_ready_o),
                                            .ofifo_vld(u_ofifo.out_valid_o));
