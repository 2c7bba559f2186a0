// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into hbm_pc_ctrl (coverage builds only): refresh postponed
// (more than one owed), refresh forced at the postponement limit, both scheduler modes.
module hbm_pc_ctrl_cov #(
  parameter int unsigned RefPostpone = 8
) (
  input logic       clk_i,
  input logic       rst_ni,
  input logic [3:0] ref_pend_q,
  input logic       wr_mode_o
);
  cp_ref_postponed: cover property (@(posedge clk_i) disable iff (!rst_ni) ref_pend_q > 4'd1);
  cp_ref_forced: cover property (@(posedge clk_i) disable iff (!rst_ni)
                                 ref_pend_q >= 4'(RefPostpone));
  cp_mode_read: cover property (@(posedge clk_i) disable iff (!rst_ni) !wr_mode_o);
  cp_mode_write: cover property (@(posedge clk_i) disable iff (!rst_ni) wr_mode_o);
endmodule

bind hbm_pc_ctrl hbm_pc_ctrl_cov #(.RefPostpone(RefPostpone)) u_cov (.clk_i, .rst_ni,
                                                                     .ref_pend_q, .wr_mode_o);
