// SPDX-License-Identifier: Apache-2.0
// Pairwise priorities of a round-robin arbiter (qilin_rr_arb with advance_i = 1), kept as
// registers, so each requester learns whether it loses without waiting for the grant chain:
// blk_o[i] says that a rival which wins over requester i requests now. A requester is
// granted exactly when it requests and is not blocked (the owner checks this against the
// arbiter's grant). Bit j*N + i of pri_q: requester j wins over requester i.
module qilin_rr_pri #(
  parameter int unsigned N = 2,
  // Do not override.
  parameter int unsigned IdxW = (N > 1) ? $clog2(N) : 1
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic [N-1:0]    req_i,
  input  logic [IdxW-1:0] win_idx_i,  // the arbiter's winner; used when some req_i is set
  output logic [N-1:0]    blk_o
);
  logic [N*N-1:0] pri_q, pri_nx;

  // The order after winner w is w+1, w+2, ..., w: for j < i, j wins unless j <= w < i;
  // for j > i, j wins if i <= w < j. After reset (w = N - 1), j wins iff j < i.
  always_comb begin
    pri_nx = '0;
    for (int unsigned j = 0; j < N; j++) begin
      for (int unsigned i = 0; i < N; i++) begin
        if (j < i)      pri_nx[j*N + i] = (32'(win_idx_i) < j) || (32'(win_idx_i) >= i);
        else if (j > i) pri_nx[j*N + i] = (32'(win_idx_i) >= i) && (32'(win_idx_i) < j);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pri_q <= '0;
      for (int unsigned j = 0; j < N; j++)
        for (int unsigned i = j + 1; i < N; i++) pri_q[j*N + i] <= 1'b1;
    end else if (|req_i) begin
      pri_q <= pri_nx;
    end
  end

  always_comb begin
    for (int unsigned i = 0; i < N; i++) begin
      blk_o[i] = 1'b0;
      for (int unsigned j = 0; j < N; j++)
        if (j != i) blk_o[i] = blk_o[i] || (req_i[j] && pri_q[j*N + i]);
    end
  end
endmodule
