// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_ex_matmul (coverage builds only): each command
// queue (weights, activations, outputs) and row buffer (weights, activations) full and
// drained empty.
`include "qilin_cov.svh"

module qilin_ex_matmul_cov #(
  parameter int unsigned N = 5
) (
  input logic         clk_i,
  input logic         rst_ni,
  input logic [N-1:0] fifo_rdy,  // in_ready_o of u_wq, u_aq, u_oq, u_wbuf, u_abuf
  input logic [N-1:0] fifo_vld
);
  logic [N-1:0] fifo_vld_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) fifo_vld_q <= '0;
    else         fifo_vld_q <= fifo_vld;
  end
  `QILIN_FIFO_CP(wq, 0)
  `QILIN_FIFO_CP(aq, 1)
  `QILIN_FIFO_CP(oq, 2)
  `QILIN_FIFO_CP(wbuf, 3)
  `QILIN_FIFO_CP(abuf, 4)
endmodule

bind qilin_ex_matmul qilin_ex_matmul_cov u_cov (
  .clk_i, .rst_ni,
  .fifo_rdy({u_abuf.in_ready_o, u_wbuf.in_ready_o, u_oq.in_ready_o, u_aq.in_ready_o,
             u_wq.in_ready_o}),
  .fifo_vld({u_abuf.out_valid_o, u_wbuf.out_valid_o, u_oq.out_valid_o, u_aq.out_valid_o,
             u_wq.out_valid_o})
);
