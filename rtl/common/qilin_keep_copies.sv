// SPDX-License-Identifier: Apache-2.0
// Copies flip-flops of one control bit that fans out to hundreds of loads. Each copy drives
// one group of the loads, so no single net carries the whole fan-out (docs/fpga.md).
//
// One process per copy, each marked keep: Yosys copies a process's attributes to its
// flip-flop, and opt_merge leaves cells marked keep alone. Without it the copies would be
// merged back into one flop.
module qilin_keep_copies #(
  parameter int unsigned N        = 2,
  parameter bit          ResetVal = 1'b0
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         d_i,
  output logic [N-1:0] q_o
);
  for (genvar i = 0; i < N; i++) begin : gen_copy
    (* keep *) logic q;
    (* keep *)
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) q <= ResetVal;
      else         q <= d_i;
    end
    assign q_o[i] = q;
  end
endmodule
