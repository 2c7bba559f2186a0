// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into hbm_axi_slave (coverage builds only): each AXI FIFO
// (AR, AW, W, B) full and drained empty.
`include "qilin_cov.svh"

module hbm_axi_slave_cov #(
  parameter int unsigned N = 4
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_ar_fifo, u_aw_fifo, u_w_fifo, u_b_fifo
  input logic [N-1:0] fifo_vld
);
  logic [N-1:0] fifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fifo_vld_q <= '0;
    else         fifo_vld_q <= fifo_vld;
  end
  `QILIN_FIFO_CP(ar_fifo, 0)
  `QILIN_FIFO_CP(aw_fifo, 1)
  `QILIN_FIFO_CP(w_fifo, 2)
  `QILIN_FIFO_CP(b_fifo, 3)
endmodule

bind hbm_axi_slave hbm_axi_slave_cov u_cov (
  .clk_i, .rst_ni,
  .fifo_rdy({u_b_fifo.in_ready_o, u_w_fifo.in_ready_o, u_aw_fifo.in_ready_o,
             u_ar_fifo.in_ready_o}),
  .fifo_vld({u_b_fifo.out_valid_o, u_w_fifo.out_valid_o, u_aw_fifo.out_valid_o,
             u_ar_fifo.out_valid_o})
);
