// SPDX-License-Identifier: Apache-2.0
// LD unit: turns a LOAD instruction from the command processor into a qilin_dma_rd command
// and reports the DMA's completion (done or error) back, one per instruction, in order.
// The command buffer and the completion bookkeeping (soft reset, dropped completions) are
// qilin_dma_issue's; this module only decodes the instruction.
`include "qilin_assert.svh"

module qilin_ld_unit #(
  parameter int unsigned MaxInflight = 15  // DMA commands accepted and not yet completed
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  input  logic                         soft_reset_i,
  // From the command processor.
  input  logic                         valid_i,
  output logic                         ready_o,
  input  logic [127:0]                 insn_i,
  output logic                         done_o,
  output logic                         err_o,
  output logic [7:0]                   err_code_o,
  output logic [39:0]                  err_addr_o,
  // To the read DMA.
  output qilin_dma_pkg::dma_rd_cmd_t   cmd_o,
  output logic                         cmd_valid_o,
  input  logic                         cmd_ready_i,
  input  logic                         dma_done_valid_i,
  output logic                         dma_done_ready_o,
  input  logic                         dma_err_valid_i,
  input  logic [7:0]                   dma_err_code_i,
  input  logic [39:0]                  dma_err_addr_i,
  output logic                         busy_o   // buffered or in flight (also dropped ones)
);
  qilin_dma_pkg::dma_rd_cmd_t dec;

  // Field slices (qilin_isa_pkg LOAD layout).
  always_comb begin
    dec              = '0;
    dec.dram_addr    = insn_i[qilin_isa_pkg::LoadDramAddrLsb +: qilin_isa_pkg::LoadDramAddrW];
    dec.dram_stride  = 32'(insn_i[qilin_isa_pkg::LoadDramStrideLsb +: qilin_isa_pkg::LoadDramStrideW]);
    dec.y_size       = 16'(insn_i[qilin_isa_pkg::LoadYSizeLsb +: qilin_isa_pkg::LoadYSizeW]);
    dec.x_size       = 16'(insn_i[qilin_isa_pkg::LoadXSizeLsb +: qilin_isa_pkg::LoadXSizeW]);
    dec.dst_acc      = insn_i[qilin_isa_pkg::LoadDstLsb];
    dec.dst_addr     = 24'(insn_i[qilin_isa_pkg::LoadLocalAddrLsb +: qilin_isa_pkg::LoadLocalAddrW]);
    dec.y_pad_top    = 8'(insn_i[qilin_isa_pkg::LoadPadTopLsb +: qilin_isa_pkg::LoadPadTopW]);
    dec.y_pad_bottom = 8'(insn_i[qilin_isa_pkg::LoadPadBottomLsb +: qilin_isa_pkg::LoadPadBottomW]);
    dec.x_pad_left   = 8'(insn_i[qilin_isa_pkg::LoadPadLeftLsb +: qilin_isa_pkg::LoadPadLeftW]);
    dec.x_pad_right  = 8'(insn_i[qilin_isa_pkg::LoadPadRightLsb +: qilin_isa_pkg::LoadPadRightW]);
    dec.pad_value    = insn_i[qilin_isa_pkg::LoadPadValueLsb +: qilin_isa_pkg::LoadPadValueW];
  end

  qilin_dma_issue #(.CmdW($bits(dec)), .MaxInflight(MaxInflight)) u_issue (
    .clk_i, .rst_ni, .soft_reset_i,
    .valid_i, .ready_o, .cmd_i(dec), .done_o, .err_o, .err_code_o, .err_addr_o,
    .cmd_o, .cmd_valid_o, .cmd_ready_i,
    .dma_done_valid_i, .dma_done_ready_o, .dma_err_valid_i, .dma_err_code_i, .dma_err_addr_i,
    .busy_o
  );

  logic unused_bits;
  assign unused_bits = ^insn_i[7:0];

  `QILIN_ASSERT_INIT(RdCmdW_A, $bits(dec) == 40 + 32 + 16 + 16 + 1 + 24 + 5 * 8)
endmodule
