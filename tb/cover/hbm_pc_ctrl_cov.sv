// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into hbm_pc_ctrl (coverage builds only): refresh postponed
// (more than one owed), refresh forced at the postponement limit, both scheduler modes,
// request queue full and drained empty.
module hbm_pc_ctrl_cov #(
  parameter int unsigned RefPostpone = 8
) (
  input logic       clk_i,
  input logic       rst_ni,
  input logic [3:0] ref_pend_q,
  input logic       wr_mode_o,
  input logic       req_ready_o,  // request queue has room
  input logic       q_nonempty    // queue_count_o != 0
);
  logic q_nonempty_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) q_nonempty_q <= 1'b0;
    else         q_nonempty_q <= q_nonempty;
  end
  cp_queue_full: cover property (@(posedge clk_i) disable iff (!rst_ni) !req_ready_o);
  cp_queue_empty: cover property (@(posedge clk_i) disable iff (!rst_ni)
                                  q_nonempty_q && !q_nonempty);
  cp_ref_postponed: cover property (@(posedge clk_i) disable iff (!rst_ni) ref_pend_q > 4'd1);
  cp_ref_forced: cover property (@(posedge clk_i) disable iff (!rst_ni)
                                 ref_pend_q >= 4'(RefPostpone));
  cp_mode_read: cover property (@(posedge clk_i) disable iff (!rst_ni) !wr_mode_o);
  cp_mode_write: cover property (@(posedge clk_i) disable iff (!rst_ni) wr_mode_o);
endmodule

bind hbm_pc_ctrl hbm_pc_ctrl_cov #(.RefPostpone(RefPostpone)) u_cov (.clk_i, .rst_ni,
                                                                     .ref_pend_q, .wr_mode_o,
                                                                     .req_ready_o,
                                                                     .q_nonempty(queue_count_o != '0));
