// SPDX-License-Identifier: Apache-2.0
// Round-robin arbiter: one-hot grant among requesters, priority rotates past each winner.
module qilin_rr_arb #(
  parameter int unsigned N = 2,
  // Do not override.
  parameter int unsigned IdxW = (N > 1) ? $clog2(N) : 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic [N-1:0]    req_i,
  input  logic            advance_i,  // the grant was used: rotate priority past it
  output logic [N-1:0]    gnt_o,
  output logic [IdxW-1:0] idx_o
);
  logic [IdxW-1:0] last_q, last_d;
  logic            found;

  // The first requester above the last winner, else the first requester overall.
  always_comb begin
    gnt_o = '0;
    idx_o = '0;
    found = 1'b0;
    for (int unsigned i = 0; i < N; i++) begin
      if (!found && req_i[i] && (i > 32'(last_q))) begin
        found    = 1'b1;
        gnt_o[i] = 1'b1;
        idx_o    = IdxW'(i);
      end
    end
    for (int unsigned i = 0; i < N; i++) begin
      if (!found && req_i[i]) begin
        found    = 1'b1;
        gnt_o[i] = 1'b1;
        idx_o    = IdxW'(i);
      end
    end
  end

  assign last_d = (advance_i && found) ? idx_o : last_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) last_q <= IdxW'(N - 1);
    else         last_q <= last_d;
  end
endmodule
