// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into every qilin_fifo (coverage builds only): the queue is
// full, it is empty after having held data, and a producer is held off by a full queue.
module qilin_fifo_cov (
  input logic clk_i,
  input logic rst_ni,
  input logic in_valid_i,
  input logic in_ready_o,
  input logic out_valid_o,
  input logic out_ready_i
);
  logic was_valid_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) was_valid_q <= 1'b0;
    else         was_valid_q <= out_valid_o;
  end
  cp_full: cover property (@(posedge clk_i) disable iff (!rst_ni) !in_ready_o);
  cp_empty: cover property (@(posedge clk_i) disable iff (!rst_ni) was_valid_q && !out_valid_o);
  cp_full_stall: cover property (@(posedge clk_i) disable iff (!rst_ni) in_valid_i && !in_ready_o);
endmodule

bind qilin_fifo qilin_fifo_cov u_cov (.clk_i, .rst_ni, .in_valid_i, .in_ready_o, .out_valid_o,
                                      .out_ready_i);
