// SPDX-License-Identifier: Apache-2.0
// DMA command check before any bus traffic: vector alignment of address and stride, then
// the accessed byte range against an address window; reports the first offending byte.
//
// The access is y_size rows of row_bytes = x_size << vb_log2 bytes at addr + y*stride.
// A command that touches no memory (y_size or x_size 0) always passes. Bytes at or above
// 2**AxiAddrW are outside every window. Result (done_o) 4 cycles after start_i, or
// 4 + (offending row) when the range ends beyond the window (a row-by-row search finds the
// first offending byte).
`include "qilin_assert.svh"

module qilin_dma_check (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  input  logic                                 start_i,     // pulse; operands held from then
                                                               // until done_o
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  addr_i,
  input  logic [qilin_dma_pkg::StrideW-1:0]    stride_i,
  input  logic [qilin_dma_pkg::SizeW-1:0]      y_size_i,
  input  logic [qilin_dma_pkg::SizeW-1:0]      x_size_i,
  input  logic [3:0]                           vb_log2_i,   // vector bytes = 2**vb_log2 (<= 256)
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  win_base_i,  // sampled at start_i
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  win_limit_i, // exclusive; sampled at start_i
  output logic                                 done_o,      // pulse
  output logic                                 pass_o,      // done_o && err_code_o == 0
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
  localparam int unsigned RowBytesW = SizeW + 8;

  typedef enum logic [2:0] {StIdle, StAdd, StSum, StCmp, StSearch} st_e;
  st_e st_q, st_d;

  // Pipeline: start (operand stage: two 16 x 16 multiplies, addr - stride, row bytes, flags)
  // -> StAdd (first row's end, addr + row_bytes - stride, the product) -> StSum (last row's
  // end, as the limit minus it) -> StCmp (verdict) -> StSearch (error path only). Every
  // stage is one or two adders, or one compare, from registers. The last row's end is
  //   addr + (y_size-1)*stride + row_bytes = (addr - stride + row_bytes) + y_size*stride,
  // which keeps a decrement out of the multiplier's path; addr - stride is signed (one bit
  // more than WideW), so every intermediate is exact. The operand and adder stages
  // load on every cycle (the operands are held from start_i on), so only the window, which
  // is sampled at start_i, needs an enable (idle_q, a flip-flop).
  logic                 idle_q;             // st_q == StIdle
  logic [WideW-1:0]     lim_q;              // min(win_limit, 2**AxiAddrW)
  logic [2*SizeW-1:0]   plo_q;              // y_size * stride[15:0]
  logic [2*SizeW-1:0]   phi_q;              // y_size * stride[31:16]
  logic [RowBytesW-1:0] rb_q;               // row_bytes
  logic [WideW:0]       ams_q;              // addr - stride (signed)
  logic [WideW-1:0]     arb_q;              // addr + row_bytes: end of the first row
  logic [WideW:0]       ars_q;              // addr + row_bytes - stride (signed)
  logic [WideW-1:0]     prod_q;             // y_size * stride
  // The limit compares are sign bits of differences kept in registers (lim - x < 0 iff
  // x > lim; both sides are below 2**50, so a 51-bit difference): a 50-bit compare in
  // front of the verdict and the search's selects was a carry chain of 25 cells, 33 levels
  // (11.20 ns routed, stop 21). Differences are one adder (or two in series) from registers.
  localparam int unsigned DiffW = WideW + 1;
  logic [DiffW-1:0]     dlast_q;            // lim - end of the last row (DiffRef_A)
  logic                 empty_q, misal_q, below_q;
  logic [WideW-1:0]     rs_q, rs_d;         // search: start of the current row
  logic [DiffW-1:0]     drs_q, drs_d;       // search: lim - rs
  logic [DiffW-1:0]     dre_q, dre_d;       // search: lim - end of the current row (excl.)
  logic                 done_q, done_d, pass_q;
  logic [ErrW-1:0]      code_q, code_d;
  logic [WideW-1:0]     eaddr_q, eaddr_d;

  logic [7:0]           align_mask;
  logic [WideW-1:0]     limit_w, space_w;

  assign align_mask = (8'd1 << vb_log2_i) - 8'd1;
  assign limit_w    = WideW'(win_limit_i);
  assign space_w    = WideW'(1) << AxiAddrW;

  // y_size * stride as two 16x16 products, registered in the DSPs' output registers on ECP5
  // (qilin_mul18 without input registers: same cycle as the fabric registers they replace,
  // which sat after a long route out of the DSP column; 46 endpoints at 13.0 ns routed).
  logic [35:0] plo_p, phi_p;
  logic        unused_p;
  qilin_mul18 #(.InRegs(1'b0)) u_mul_lo (
    .clk_i, .rst_ni, .en_i(1'b1),
    .a_i({2'b00, y_size_i}), .b_i({2'b00, stride_i[SizeW-1:0]}), .p_o(plo_p)
  );
  qilin_mul18 #(.InRegs(1'b0)) u_mul_hi (
    .clk_i, .rst_ni, .en_i(1'b1),
    .a_i({2'b00, y_size_i}), .b_i({2'b00, stride_i[2*SizeW-1:SizeW]}), .p_o(phi_p)
  );
  assign plo_q    = plo_p[2*SizeW-1:0];
  assign phi_q    = phi_p[2*SizeW-1:0];
  assign unused_p = ^{plo_p[35:2*SizeW], phi_p[35:2*SizeW]};
  `QILIN_ASSERT_INIT(MulFits_A, SizeW == 16)

  // Operand and adder stages (no enable).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rb_q    <= '0;
      ams_q   <= '0;
      arb_q   <= '0;
      ars_q   <= '0;
      prod_q  <= '0;
      dlast_q <= '0;
      empty_q <= 1'b0;
      misal_q <= 1'b0;
    end else begin
      rb_q    <= RowBytesW'(x_size_i) << vb_log2_i;
      ams_q   <= (WideW+1)'(addr_i) - (WideW+1)'(stride_i);
      empty_q <= (y_size_i == '0) || (x_size_i == '0);
      misal_q <= ((addr_i[7:0] & align_mask) != 8'd0) || ((stride_i[7:0] & align_mask) != 8'd0);
      arb_q   <= WideW'(addr_i) + WideW'(rb_q);
      ars_q   <= ams_q + (WideW+1)'(rb_q);
      prod_q  <= WideW'(plo_q) + (WideW'(phi_q) << SizeW);
      // lim_q is held from the cycle after start_i, before ars_q and prod_q are formed.
      dlast_q <= DiffW'(lim_q) - DiffW'(ars_q) - DiffW'(prod_q);
    end
  end

  // The window, sampled at start_i.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lim_q   <= '0;
      below_q <= 1'b0;
    end else if (idle_q) begin
      lim_q   <= (limit_w < space_w) ? limit_w : space_w;
      below_q <= (addr_i < win_base_i);
    end
  end

  always_comb begin
    st_d    = st_q;
    rs_d    = rs_q;
    drs_d   = drs_q;
    dre_d   = dre_q;
    done_d  = 1'b0;
    code_d  = code_q;
    eaddr_d = eaddr_q;
    unique case (st_q)
      StIdle:  if (start_i) st_d = StAdd;
      StAdd:   st_d = StSum;
      StSum:   st_d = StCmp;
      StCmp: begin
        done_d  = 1'b1;
        code_d  = qilin_dma_pkg::ErrNone;
        eaddr_d = '0;
        st_d    = StIdle;
        rs_d    = WideW'(addr_i);
        drs_d   = DiffW'(lim_q) - DiffW'(addr_i);
        dre_d   = DiffW'(lim_q) - DiffW'(arb_q);
        if (empty_q) begin
          code_d = qilin_dma_pkg::ErrNone;
        end else if (misal_q) begin
          code_d  = qilin_dma_pkg::ErrBadAlign;
          eaddr_d = WideW'(addr_i);
        end else if (below_q) begin
          code_d  = qilin_dma_pkg::ErrWindow;
          eaddr_d = WideW'(addr_i);
        end else if (dlast_q[DiffW-1]) begin  // last row's end > lim
          done_d = 1'b0;
          st_d   = StSearch;
        end
      end
      StSearch: begin
        // Rows only move up, so the first row reaching past the limit holds the first
        // offending byte: its start, or the limit itself if the row straddles it. The
        // address and the next row are computed every cycle (the verdict reads the sign
        // of a difference); they are read only with done_o.
        eaddr_d = drs_q[DiffW-1] ? rs_q : lim_q;  // rs > lim
        rs_d    = rs_q + WideW'(stride_i);
        drs_d   = drs_q - DiffW'(stride_i);
        dre_d   = dre_q - DiffW'(stride_i);
        if (dre_q[DiffW-1]) begin  // the row ends beyond lim
          done_d = 1'b1;
          code_d = qilin_dma_pkg::ErrWindow;
          st_d   = StIdle;
        end
      end
      default: st_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q    <= StIdle;
      idle_q  <= 1'b1;
      rs_q    <= '0;
      drs_q   <= '0;
      dre_q   <= '0;
      done_q  <= 1'b0;
      pass_q  <= 1'b0;
      code_q  <= '0;
      eaddr_q <= '0;
    end else begin
      st_q    <= st_d;
      idle_q  <= (st_d == StIdle);
      rs_q    <= rs_d;
      drs_q   <= drs_d;
      dre_q   <= dre_d;
      done_q  <= done_d;
      pass_q  <= done_d && (code_d == qilin_dma_pkg::ErrNone);
      code_q  <= code_d;
      eaddr_q <= eaddr_d;
    end
  end

  assign done_o     = done_q;
  assign pass_o     = pass_q;
  assign err_code_o = code_q;
  // The first offending byte lies below 2**34 + 2**32 (the row before it ended inside the
  // window) or is addr itself, so it fits the command's address width.
  assign err_addr_o = eaddr_q[DramAddrW-1:0];

  logic unused_eaddr;
  assign unused_eaddr = ^eaddr_q[WideW-1:DramAddrW];

  `QILIN_ASSERT_INIT(StrideW_A, StrideW == 2 * SizeW)
  `QILIN_ASSERT(StartWhenIdle_A, !start_i || (st_q == StIdle), clk_i, rst_ni)
  `QILIN_ASSERT(IdleFlag_A, idle_q == (st_q == StIdle), clk_i, rst_ni)

`ifndef SYNTHESIS
  // References for the differences: the last row's end as a plain sum, and the search's
  // rows from their start (a row ends row_bytes after it starts).
  logic [WideW-1:0] last_ref_q;
  always_ff @(posedge clk_i) last_ref_q <= WideW'(ars_q + (WideW+1)'(prod_q));
  `QILIN_ASSERT(DiffRef_A, ((st_q != StCmp) || (dlast_q == DiffW'(lim_q) - DiffW'(last_ref_q))) &&
                ((st_q != StSearch) || ((drs_q == DiffW'(lim_q) - DiffW'(rs_q)) &&
                 (dre_q == DiffW'(lim_q) - DiffW'(rs_q) - DiffW'(rb_q)))), clk_i, rst_ni)
`endif

endmodule
