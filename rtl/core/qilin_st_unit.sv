// SPDX-License-Identifier: Apache-2.0
// ST unit: turns a STORE instruction from the command processor into a qilin_dma_wr command
// and reports the DMA's completion (done or error) back, one per instruction, in order.
//
// The DMA has no soft reset. On soft_reset_i the commands still in the DMA are counted and
// their completions are dropped silently (cmd_proc expects no done_i for them); busy_o stays
// high until they have drained.
`include "qilin_assert.svh"

module qilin_st_unit #(
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
  // To the write DMA.
  output qilin_dma_pkg::dma_wr_cmd_t   cmd_o,
  output logic                         cmd_valid_o,
  input  logic                         cmd_ready_i,
  input  logic                         dma_done_valid_i,
  output logic                         dma_done_ready_o,
  input  logic                         dma_err_valid_i,
  input  logic [7:0]                   dma_err_code_i,
  input  logic [39:0]                  dma_err_addr_i,
  output logic                         busy_o   // commands in flight (also dropped ones)
);
  localparam int unsigned CntW = $clog2(MaxInflight + 1);

  logic [CntW-1:0] infl_q, drop_q, infl_d;
  logic            acc, fin, drop_now;

  // Field slices (qilin_isa_pkg STORE layout). src = ACC goes to the DMA as src_acc: it reads
  // each ACC row as 4 Dim-byte chunks through the accumulator's shared read port (qilin_core).
  always_comb begin
    cmd_o             = '0;
    cmd_o.dram_addr   = insn_i[qilin_isa_pkg::StoreDramAddrLsb +: qilin_isa_pkg::StoreDramAddrW];
    cmd_o.dram_stride = 32'(insn_i[qilin_isa_pkg::StoreDramStrideLsb +: qilin_isa_pkg::StoreDramStrideW]);
    cmd_o.y_size      = 16'(insn_i[qilin_isa_pkg::StoreYSizeLsb +: qilin_isa_pkg::StoreYSizeW]);
    cmd_o.x_size      = 16'(insn_i[qilin_isa_pkg::StoreXSizeLsb +: qilin_isa_pkg::StoreXSizeW]);
    cmd_o.src_acc     = insn_i[qilin_isa_pkg::StoreSrcLsb] == qilin_isa_pkg::MemAcc;
    cmd_o.src_addr    = 24'(insn_i[qilin_isa_pkg::StoreLocalAddrLsb +: qilin_isa_pkg::StoreLocalAddrW]);
  end

  assign cmd_valid_o      = valid_i && !soft_reset_i && (infl_q != CntW'(MaxInflight));
  assign ready_o          = cmd_ready_i && cmd_valid_o;
  assign acc              = cmd_valid_o && cmd_ready_i;
  assign dma_done_ready_o = 1'b1;
  assign fin              = dma_done_valid_i;
  assign drop_now         = fin && (drop_q != '0);

  assign done_o     = fin && !drop_now && !dma_err_valid_i;
  assign err_o      = fin && !drop_now && dma_err_valid_i;
  assign err_code_o = dma_err_code_i;
  assign err_addr_o = dma_err_addr_i;
  assign busy_o     = infl_q != '0;

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

  logic unused_bits;
  // Opcode, token flags and reserved bits; bit StoreSrcLsb (8) is used.
  assign unused_bits = ^{insn_i[28:9], insn_i[7:0]};

  `QILIN_ASSERT_INIT(WrCmdW_A, $bits(cmd_o) == 40 + 32 + 16 + 16 + 1 + 24)
  `QILIN_ASSERT_INIT(SrcLsb_A, qilin_isa_pkg::StoreSrcLsb == 8)
endmodule
