// SPDX-License-Identifier: Apache-2.0
// Synchronous valid/ready FIFO; the head is visible combinationally (first-word fall-through).
// HeadReg keeps a copy of the head in flip-flops, so out_data_o comes from registers instead
// of the storage's read mux (a LUT-RAM read on FPGAs); the handshake and counts are the same.
// FlopStore keeps the entries in flip-flops instead of a memory (LUT RAM on FPGAs), for short
// wide queues whose write data arrives late: a flip-flop can sit anywhere near its logic, a
// LUT-RAM write pin cannot. Its entries load from registers only (see gen_flop_store).
`include "qilin_assert.svh"

module qilin_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4,
  parameter bit          HeadReg = 1'b0,
  parameter bit          FlopStore = 1'b0,
  // Do not override.
  parameter int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  parameter int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             flush_i,  // drops all entries; wins over a push in the same cycle
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o,
  output logic [CntW-1:0]  count_o
);
  logic [Width-1:0] rd_head, rd_next;  // the entries at rd_ptr_q and rd_ptr_inc
  logic [PtrW-1:0]  rd_ptr_q, rd_ptr_d, wr_ptr_q, wr_ptr_d;
  logic [CntW-1:0]  cnt_q, cnt_d;
  logic             push, pop;

  assign in_ready_o  = (cnt_q != CntW'(Depth));
  assign out_valid_o = (cnt_q != '0);
  assign count_o     = cnt_q;
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;

  logic [PtrW-1:0] rd_ptr_inc, wr_ptr_inc;
  logic [CntW-1:0] cnt_inc, cnt_dec;
  assign rd_ptr_inc = (rd_ptr_q == PtrW'(Depth - 1)) ? '0 : rd_ptr_q + PtrW'(1);
  assign wr_ptr_inc = (wr_ptr_q == PtrW'(Depth - 1)) ? '0 : wr_ptr_q + PtrW'(1);
  // The count's neighbours come from the register; push and pop (often decided late, by an
  // arbiter or a consumer's ready) only select among them, instead of entering an adder.
  assign cnt_inc = cnt_q + CntW'(1);
  assign cnt_dec = cnt_q - CntW'(1);

  always_comb begin
    rd_ptr_d = pop ? rd_ptr_inc : rd_ptr_q;
    wr_ptr_d = push ? wr_ptr_inc : wr_ptr_q;
    unique case ({push, pop})
      2'b10:   cnt_d = cnt_inc;
      2'b01:   cnt_d = cnt_dec;
      default: cnt_d = cnt_q;
    endcase
    if (flush_i) begin
      rd_ptr_d = '0;
      wr_ptr_d = '0;
      cnt_d    = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ptr_q <= '0;
      wr_ptr_q <= '0;
      cnt_q    <= '0;
    end else begin
      rd_ptr_q <= rd_ptr_d;
      wr_ptr_q <= wr_ptr_d;
      cnt_q    <= cnt_d;
    end
  end

  // Storage has no reset: it is only read where count says it was written.
  if (FlopStore) begin : gen_flop_store
    // The entry at the write pointer is free whenever there is room, so it loads the input
    // every such cycle, pushed or not: its enable is made of registers only, and a late
    // push just moves the pointer (what a cycle without a push wrote is never read).
    // One register per entry, so that no tool infers a memory from them.
    logic [Depth*Width-1:0] ents;
    for (genvar e = 0; e < Depth; e++) begin : gen_ent
      logic [Width-1:0] ent_q;
      always_ff @(posedge clk_i) begin
        if (in_ready_o && (wr_ptr_q == PtrW'(e))) ent_q <= in_data_i;
      end
      assign ents[e*Width +: Width] = ent_q;
    end
    assign rd_head = ents[rd_ptr_q*Width +: Width];
    assign rd_next = ents[rd_ptr_inc*Width +: Width];
  end else begin : gen_mem_store
    logic [Width-1:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      if (push) mem_q[wr_ptr_q] <= in_data_i;
    end
    assign rd_head = mem_q[rd_ptr_q];
    assign rd_next = mem_q[rd_ptr_inc];
  end

  if (HeadReg) begin : gen_head_reg
    // The head after this cycle: the row written now if it lands at the new read pointer
    // (empty, or its only row popped), else the stored row after the popped one. Whether
    // a row is pushed does not matter: without one the FIFO is empty after this cycle and
    // the head is not read. So the enable is the empty flag or the consumer's ready, and
    // the producer's valid (often late, through a decode of the data) stays out of it.
    logic [Width-1:0] head_q;
    always_ff @(posedge clk_i) begin
      if ((cnt_q == '0) || out_ready_i) head_q <= (cnt_q <= CntW'(1)) ? in_data_i : rd_next;
    end
    assign out_data_o = head_q;
`ifndef SYNTHESIS
    `QILIN_ASSERT(HeadReg_A, (cnt_q == '0) || (head_q == rd_head), clk_i, rst_ni)
`endif
  end else begin : gen_head_mux
    assign out_data_o = rd_head;
    logic unused_rd_next;  // only the head register reads ahead
    assign unused_rd_next = ^rd_next;
  end

  `QILIN_ASSERT_INIT(DepthMin_A, Depth >= 1)

endmodule
