// SPDX-License-Identifier: Apache-2.0
// DMA issue buffer shared by the LD and ST units (qilin_ld_unit, qilin_st_unit): takes a
// decoded DMA command from the command processor, hands it to the DMA and reports the DMA's
// completion (done or error) back, one per command, in order.
//
// Timing: the command goes through a one-entry buffer, so the DMA's command path starts at
// flip-flops and the command processor sees a registered ready (rdy_q, masked only by the
// soft reset). The buffer loads the decoded command on every cycle it is empty (its enable
// is a flip-flop) and holds it until the DMA takes it: one cycle more from issue to the DMA
// than a pass-through; the DMA takes one command at a time, so no throughput is lost.
//
// The DMA has no soft reset. On soft_reset_i the commands still in the DMA are counted and
// their completions are dropped silently (cmd_proc expects no done_o for them); busy_o stays
// high until they have drained. A command still in the buffer is dropped (it never reaches
// the DMA, like the instructions the command processor flushes).
module qilin_dma_issue #(
  parameter int unsigned CmdW        = 8,   // bits of the decoded DMA command
  parameter int unsigned MaxInflight = 15   // DMA commands accepted and not yet completed
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  input  logic            soft_reset_i,
  // From the command processor (through the unit's decoder).
  input  logic            valid_i,
  output logic            ready_o,
  input  logic [CmdW-1:0] cmd_i,
  output logic            done_o,
  output logic            err_o,
  output logic [7:0]      err_code_o,
  output logic [39:0]     err_addr_o,
  // To the DMA.
  output logic [CmdW-1:0] cmd_o,
  output logic            cmd_valid_o,
  input  logic            cmd_ready_i,
  input  logic            dma_done_valid_i,
  output logic            dma_done_ready_o,
  input  logic            dma_err_valid_i,
  input  logic [7:0]      dma_err_code_i,
  input  logic [39:0]     dma_err_addr_i,
  output logic            busy_o   // buffered or in flight (also dropped ones)
);
  localparam int unsigned CntW = $clog2(MaxInflight + 1);

  logic [CntW-1:0] infl_q, drop_q, infl_d;
  logic            acc, fin, drop_now;
  logic [CmdW-1:0] buf_q;
  logic            vld_q, vld_d, rdy_q;

  // The buffer takes a command when it is empty (rdy_q) and passes it on when the DMA takes
  // it; its data register follows the input while the buffer is empty.
  assign ready_o     = rdy_q && !soft_reset_i;
  assign cmd_o       = buf_q;
  assign cmd_valid_o = vld_q && !soft_reset_i && (infl_q != CntW'(MaxInflight));
  assign acc         = cmd_valid_o && cmd_ready_i;
  assign vld_d       = !soft_reset_i && (vld_q ? !acc : valid_i && rdy_q);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      vld_q <= 1'b0;
      rdy_q <= 1'b1;
    end else begin
      vld_q <= vld_d;
      rdy_q <= !vld_d;
    end
  end
  // Data has no reset: it is only used while vld_q is set.
  always_ff @(posedge clk_i) begin
    if (!vld_q) buf_q <= cmd_i;
  end

  assign dma_done_ready_o = 1'b1;
  assign fin              = dma_done_valid_i;
  assign drop_now         = fin && (drop_q != '0);

  assign done_o     = fin && !drop_now && !dma_err_valid_i;
  assign err_o      = fin && !drop_now && dma_err_valid_i;
  assign err_code_o = dma_err_code_i;
  assign err_addr_o = dma_err_addr_i;
  assign busy_o     = vld_q || (infl_q != '0);

  assign infl_d = infl_q + CntW'(acc) - CntW'(fin);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      infl_q <= '0;
      drop_q <= '0;
    end else begin
      infl_q <= infl_d;
      if (soft_reset_i)  drop_q <= infl_d;
      else if (drop_now) drop_q <= drop_q - CntW'(1);
    end
  end
endmodule
