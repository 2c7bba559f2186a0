// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_requant (coverage builds only): the output FIFO full and
// drained empty.
`include "qilin_cov.svh"

module qilin_requant_cov #(
  parameter int unsigned N = 1
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_out_fifo
  input logic [N-1:0] fifo_vld
);
  logic [N-1:0] fifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fifo_vld_q <= '0;
    else         fifo_vld_q <= fifo_vld;
  end
  `QILIN_FIFO_CP(out_fifo, 0)
endmodule

bind qilin_requant qilin_requant_cov u_cov (.clk_i, .rst_ni, .fifo_rdy(u_out_fifo.in_ready_o),
                              .fifo_vld(u_out_fifo.out_valid_o));
