// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_axi_mux (coverage builds only): the W-order FIFO full and
// drained empty.
`include "qilin_cov.svh"

module qilin_axi_mux_cov #(
  parameter int unsigned N = 1
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_w_order
  input logic [N-1:0] fifo_vld
);
  logic [N-1:0] fifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fifo_vld_q <= '0;
    else         fifo_vld_q <= fifo_vld;
  end
  `QILIN_FIFO_CP(w_order, 0)
endmodule

bind qilin_axi_mux qilin_axi_mux_cov u_cov (.clk_i, .rst_ni, .fifo_rdy(u_w_order.in_ready_o),
                              .fifo_vld(u_w_order.out_valid_o));
