// SPDX-License-Identifier: Apache-2.0
// Macros shared by the functional cover files in tb/cover (coverage builds only; the
// build adds this directory to the include path of a model that binds a cover file).
`ifndef QILIN_COV_SVH
`define QILIN_COV_SVH
// One named cover point, sampled on the rising clock edge outside reset.
`define QILIN_CP(name, expr) \
  name: cover property (@(posedge clk_i) disable iff (!rst_ni) (expr));
// A named FIFO: cp_<name>_full (no room) and cp_<name>_empty (it held data and drained).
// The cover module needs the inputs fifo_rdy (room) and fifo_vld (not empty), and a
// register fifo_vld_q of fifo_vld.
`define QILIN_FIFO_CP(name, i) \
  `QILIN_CP(cp_``name``_full, !fifo_rdy[i]) \
  `QILIN_CP(cp_``name``_empty, fifo_vld_q[i] && !fifo_vld[i])
`endif
