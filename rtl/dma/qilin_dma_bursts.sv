// SPDX-License-Identifier: Apache-2.0
// Splits a 2-D DRAM access (y_size rows of row_bytes at addr + y*stride) into AXI INCR
// bursts of full bus beats: at most MaxBurstBeats beats, never crossing a 4 KiB boundary,
// never spanning two rows. Bursts come out in order on a valid/ready stream.
`include "qilin_assert.svh"

module qilin_dma_bursts #(
  parameter int unsigned MaxBurstBeats = 16,
  // Do not override.
  parameter int unsigned BeatB     = qilin_axi_pkg::DataW / 8,
  parameter int unsigned LineW     = qilin_dma_pkg::DramAddrW - $clog2(BeatB),
  parameter int unsigned BeatsW    = 9
) (
  input  logic                                clk_i,
  input  logic                                rst_ni,
  input  logic                                start_i,   // pulse: load a new access
  input  logic                                clear_i,   // drop the rest of the access
  input  logic [qilin_dma_pkg::DramAddrW-1:0] addr_i,    // sampled at start_i
  input  logic [qilin_dma_pkg::StrideW-1:0]   stride_i,  // sampled at start_i
  input  logic [qilin_dma_pkg::SizeW-1:0]     y_size_i,  // sampled at start_i
  input  logic [qilin_dma_pkg::SizeW+7:0]     row_bytes_i, // sampled at start_i
  output logic                                valid_o,
  input  logic                                ready_i,
  output logic [LineW-1:0]                    line_o,    // first beat: byte address / BeatB
  output logic [BeatsW-1:0]                   beats_o    // 1 .. MaxBurstBeats
);
  localparam int unsigned DramAddrW = qilin_dma_pkg::DramAddrW;
  localparam int unsigned StrideW   = qilin_dma_pkg::StrideW;
  localparam int unsigned SizeW     = qilin_dma_pkg::SizeW;
  localparam int unsigned RowBytesW = SizeW + 8;
  localparam int unsigned OffW      = $clog2(BeatB);
  localparam int unsigned PageLines = 4096 / BeatB;
  localparam int unsigned PageW     = $clog2(PageLines);

  logic [SizeW-1:0]     yleft_q, yleft_d;     // rows left, the current one included
  logic [DramAddrW-1:0] row_q, row_d;         // byte address of the current row
  logic [LineW-1:0]     cur_q, cur_d;         // next line to request
  logic [LineW-1:0]     end_q, end_d;         // last line of the current row
  logic [StrideW-1:0]   stride_q, stride_d;
  logic [RowBytesW-1:0] rb_q, rb_d;

  logic [LineW-1:0]     rem;                  // lines left in the row
  logic [PageW:0]       to_page;              // lines up to the next 4 KiB boundary
  logic [BeatsW-1:0]    beats;
  logic [DramAddrW-1:0] next_row, first_end, next_end;

  assign rem       = end_q - cur_q + LineW'(1);
  assign to_page   = (PageW+1)'(PageLines) - (PageW+1)'(cur_q[PageW-1:0]);
  assign next_row  = row_q + DramAddrW'(stride_q);
  assign first_end = addr_i + DramAddrW'(row_bytes_i) - DramAddrW'(1);
  assign next_end  = next_row + DramAddrW'(rb_q) - DramAddrW'(1);

  always_comb begin
    beats = BeatsW'(MaxBurstBeats);
    if (rem < LineW'(beats)) beats = BeatsW'(rem);
    if (BeatsW'(to_page) < beats) beats = BeatsW'(to_page);
  end

  always_comb begin
    yleft_d  = yleft_q;
    row_d    = row_q;
    cur_d    = cur_q;
    end_d    = end_q;
    stride_d = stride_q;
    rb_d     = rb_q;
    if (start_i) begin
      yleft_d  = (row_bytes_i == '0) ? '0 : y_size_i;
      row_d    = addr_i;
      cur_d    = addr_i[DramAddrW-1:OffW];
      end_d    = first_end[DramAddrW-1:OffW];
      stride_d = stride_i;
      rb_d     = row_bytes_i;
    end else if (clear_i) begin
      yleft_d = '0;
    end else if (valid_o && ready_i) begin
      if (LineW'(beats) == rem) begin
        yleft_d = yleft_q - SizeW'(1);
        row_d   = next_row;
        cur_d   = next_row[DramAddrW-1:OffW];
        end_d   = next_end[DramAddrW-1:OffW];
      end else begin
        cur_d = cur_q + LineW'(beats);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      yleft_q  <= '0;
      row_q    <= '0;
      cur_q    <= '0;
      end_q    <= '0;
      stride_q <= '0;
      rb_q     <= '0;
    end else begin
      yleft_q  <= yleft_d;
      row_q    <= row_d;
      cur_q    <= cur_d;
      end_q    <= end_d;
      stride_q <= stride_d;
      rb_q     <= rb_d;
    end
  end

  assign valid_o = (yleft_q != '0);
  assign line_o  = cur_q;
  assign beats_o = beats;

  logic unused_low;
  assign unused_low = ^{first_end[OffW-1:0], next_end[OffW-1:0]};

  `QILIN_ASSERT_INIT(BurstRange_A, MaxBurstBeats >= 1 && MaxBurstBeats <= 256)
  `QILIN_ASSERT_INIT(BeatPow2_A, (BeatB & (BeatB - 1)) == 0 && BeatB <= 4096)

endmodule
