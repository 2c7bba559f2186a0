// SPDX-License-Identifier: Apache-2.0
// DMA command check before any bus traffic: vector alignment of address and stride, then
// the accessed byte range against an address window; reports the first offending byte.
//
// The access is y_size rows of row_bytes = x_size << vb_log2 bytes at addr + y*stride.
// A command that touches no memory (y_size or x_size 0) always passes. Bytes at or above
// 2**AxiAddrW are outside every window. Result in 2 cycles, or 2 + (offending row) when the
// range ends beyond the window (a row-by-row search finds the first offending byte).
`include "qilin_assert.svh"

module qilin_dma_check (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 start_i,     // pulse; operands then held
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  addr_i,
  input  logic [qilin_dma_pkg::StrideW-1:0]    stride_i,
  input  logic [qilin_dma_pkg::SizeW-1:0]      y_size_i,
  input  logic [qilin_dma_pkg::SizeW-1:0]      x_size_i,
  input  logic [3:0]                           vb_log2_i,   // vector bytes = 2**vb_log2 (<= 256)
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  win_base_i,  // sampled at start_i
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  win_limit_i, // exclusive; sampled at start_i
  output logic                                 done_o,      // pulse
  output logic [qilin_dma_pkg::ErrW-1:0]       err_code_o,  // valid with done_o
  output logic [qilin_dma_pkg::DramAddrW-1:0]  err_addr_o
);
  localparam int unsigned DramAddrW = qilin_dma_pkg::DramAddrW;
  localparam int unsigned StrideW   = qilin_dma_pkg::StrideW;
  localparam int unsigned SizeW     = qilin_dma_pkg::SizeW;
  localparam int unsigned ErrW      = qilin_dma_pkg::ErrW;
  localparam int unsigned AxiAddrW  = qilin_axi_pkg::AddrW;
  // addr + (y_size-1)*stride + row_bytes < 2**40 + 2**48 + 2**24 < 2**50.
  localparam int unsigned WideW     = 50;
  localparam int unsigned ProdW     = SizeW + StrideW;
  localparam int unsigned RowBytesW = SizeW + 8;

  typedef enum logic [1:0] {StIdle, StCmp, StSearch} st_e;
  st_e st_q, st_d;

  logic [WideW-1:0]     lim_q, lim_d;       // min(win_limit, 2**AxiAddrW)
  logic [WideW-1:0]     base_q, base_d;
  logic [ProdW-1:0]     prod_q, prod_d;     // (y_size - 1) * stride
  logic [WideW-1:0]     rs_q, rs_d;         // search: start of the current row
  logic                 done_q, done_d;
  logic [ErrW-1:0]      code_q, code_d;
  logic [WideW-1:0]     eaddr_q, eaddr_d;

  logic [RowBytesW-1:0] row_bytes;
  logic [SizeW-1:0]     y_m1;
  logic [7:0]           align_mask;
  logic                 misaligned, empty;
  logic [WideW-1:0]     last_excl, row_end;
  logic [WideW-1:0]     limit_w, space_w;

  assign y_m1       = y_size_i - SizeW'(1);
  assign row_bytes  = RowBytesW'(x_size_i) << vb_log2_i;
  assign align_mask = (8'd1 << vb_log2_i) - 8'd1;
  assign misaligned = ((addr_i[7:0] & align_mask) != 8'd0) || ((stride_i[7:0] & align_mask) != 8'd0);
  assign empty      = (y_size_i == '0) || (x_size_i == '0);
  assign last_excl  = WideW'(addr_i) + WideW'(prod_q) + WideW'(row_bytes);
  assign row_end    = rs_q + WideW'(row_bytes);
  assign limit_w    = WideW'(win_limit_i);
  assign space_w    = WideW'(1) << AxiAddrW;

  always_comb begin
    st_d    = st_q;
    lim_d   = lim_q;
    base_d  = base_q;
    prod_d  = prod_q;
    rs_d    = rs_q;
    done_d  = 1'b0;
    code_d  = code_q;
    eaddr_d = eaddr_q;
    unique case (st_q)
      StIdle: begin
        if (start_i) begin
          lim_d  = (limit_w < space_w) ? limit_w : space_w;
          base_d = WideW'(win_base_i);
          prod_d = ProdW'(y_m1) * ProdW'(stride_i);
          st_d   = StCmp;
        end
      end
      StCmp: begin
        done_d  = 1'b1;
        code_d  = qilin_dma_pkg::ErrNone;
        eaddr_d = '0;
        st_d    = StIdle;
        if (empty) begin
          code_d = qilin_dma_pkg::ErrNone;
        end else if (misaligned) begin
          code_d  = qilin_dma_pkg::ErrBadAlign;
          eaddr_d = WideW'(addr_i);
        end else if (WideW'(addr_i) < base_q) begin
          code_d  = qilin_dma_pkg::ErrWindow;
          eaddr_d = WideW'(addr_i);
        end else if (last_excl > lim_q) begin
          done_d = 1'b0;
          rs_d   = WideW'(addr_i);
          st_d   = StSearch;
        end
      end
      StSearch: begin
        // Rows only move up, so the first row reaching past the limit holds the first
        // offending byte: its start, or the limit itself if the row straddles it.
        if (row_end > lim_q) begin
          done_d  = 1'b1;
          code_d  = qilin_dma_pkg::ErrWindow;
          eaddr_d = (rs_q > lim_q) ? rs_q : lim_q;
          st_d    = StIdle;
        end else begin
          rs_d = rs_q + WideW'(stride_i);
        end
      end
      default: st_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q    <= StIdle;
      lim_q   <= '0;
      base_q  <= '0;
      prod_q  <= '0;
      rs_q    <= '0;
      done_q  <= 1'b0;
      code_q  <= '0;
      eaddr_q <= '0;
    end else begin
      st_q    <= st_d;
      lim_q   <= lim_d;
      base_q  <= base_d;
      prod_q  <= prod_d;
      rs_q    <= rs_d;
      done_q  <= done_d;
      code_q  <= code_d;
      eaddr_q <= eaddr_d;
    end
  end

  assign done_o     = done_q;
  assign err_code_o = code_q;
  // The first offending byte lies below 2**34 + 2**32 (the row before it ended inside the
  // window) or is addr itself, so it fits the command's address width.
  assign err_addr_o = eaddr_q[DramAddrW-1:0];

  logic unused_eaddr;
  assign unused_eaddr = ^eaddr_q[WideW-1:DramAddrW];

  `QILIN_ASSERT(StartWhenIdle_A, !start_i || (st_q == StIdle), clk_i, rst_ni)

endmodule
