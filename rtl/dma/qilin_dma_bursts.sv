// SPDX-License-Identifier: Apache-2.0
// Splits a 2-D DRAM access (y_size rows of row_bytes at addr + y*stride) into AXI INCR
// bursts of full bus beats: at most MaxBurstBeats beats, never crossing a 4 KiB boundary,
// never spanning two rows. Bursts come out in order on a valid/ready stream.
//
// Timing: the outputs are registers (a three-entry output stage: head and a two-entry spill
// ring), so a parent's ready logic starts from flip-flops, and ready_i reaches only the
// output stage's head load enable and valid bits: the generator advances when the stage
// will have room whatever ready_i does (at most two entries held after this cycle's
// advance, from flip-flops), never in the same cycle as ready_i; the third entry keeps one
// burst per cycle. Behind it the generator keeps narrow, precomputed
// state: the lines left in the current row, the page position of the next line (lines to
// the 4 KiB boundary and the resulting burst cap), and the next row's byte address, line
// count and page position; so producing a burst is one row-length compare and the
// advances. The advance itself is a register (adv_q), so the generator's ~150 enables start
// from a flip-flop. The start values (first and second row's line counts and page state)
// are computed from the inputs into registers in the cycle of start_i and loaded one cycle
// later (the inputs hold still from start_i on), so no adder chain of the parent's command
// register reaches the generator in the same cycle. The first burst of an access is valid
// 4 cycles after start_i (the DMA engines take it no earlier than 5 cycles after, when
// their check has passed); then one burst per cycle.
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
  output logic [BeatsW-1:0]                   beats_o,   // 1 .. MaxBurstBeats
  // The beats the head takes when it loads (it loads when it is empty or ready_i is high),
  // from registers: a parent can work out next cycle's beats_o ahead of ready_i.
  output logic [BeatsW-1:0]                   load_beats_o
);
  localparam int unsigned DramAddrW = qilin_dma_pkg::DramAddrW;
  localparam int unsigned StrideW   = qilin_dma_pkg::StrideW;
  localparam int unsigned SizeW     = qilin_dma_pkg::SizeW;
  localparam int unsigned RowBytesW = SizeW + 8;
  localparam int unsigned OffW      = $clog2(BeatB);
  localparam int unsigned PageLines = 4096 / BeatB;
  localparam int unsigned PageW     = $clog2(PageLines);
  // Lines of a row: ceil((offset + row_bytes) / BeatB) < 2**(RowBytesW-OffW) + 2.
  localparam int unsigned RemW      = RowBytesW - OffW + 1;
  localparam int unsigned SumW      = RowBytesW + 1;  // offset + row_bytes + BeatB-1
  // Bursts are capped by the page, so a burst never exceeds min(MaxBurstBeats, PageLines).
  localparam int unsigned MaxB      = (MaxBurstBeats < PageLines) ? MaxBurstBeats : PageLines;

  // ---------------------------------------------------------------------------------
  // Generator: the next burst to load into the output stage.
  // ---------------------------------------------------------------------------------
  // Page state of a line: tp = lines up to the next 4 KiB boundary (1 .. PageLines);
  // a burst from there is capped at lim = min(MaxB, tp), and hit = (tp <= MaxB) says the
  // cap is the page boundary.
  logic                 gvalid_q, gvalid_d;  // a row is left (yleft_q != 0)
  logic [SizeW-1:0]     yleft_q, yleft_d;    // rows left, the current one included
  logic                 ylast_q, ylast_d;    // yleft_q == 1
  logic [LineW-1:0]     cur_q, cur_d;        // next line to request
  logic [RemW-1:0]      rem_q, rem_d;        // lines left in the current row (>= 1)
  logic [PageW:0]       tp_q, tp_d;          // page state of cur_q
  logic [BeatsW-1:0]    lim_q, lim_d;
  logic                 hit_q, hit_d;
  logic [DramAddrW-1:0] nrow_q, nrow_d;      // byte address of the next row
  logic [RemW-1:0]      nrem_q, nrem_d;      // lines of the next row
  logic [PageW:0]       ntp_q, ntp_d;        // page state of the next row's first line
  logic [StrideW-1:0]   stride_q, stride_d;
  logic [SumW-1:0]      rbp_q, rbp_d;        // row_bytes + BeatB - 1

  // Output stage: head (o*) register and a two-entry spill ring (s*): entries, read and
  // write index, count.
  logic                 ovalid_q;
  logic [LineW-1:0]     oline_q;
  logic [BeatsW-1:0]    obeats_q;
  logic [LineW-1:0]     sline_q [2];
  logic [BeatsW-1:0]    sbeats_q [2];
  logic                 srd_q, srd_d, swr_q, swr_d, s_in, s_out, room2;
  logic [1:0]           scnt_q, scnt_d;

  logic                 advance, row_last, hit_tp, hit_ntp, hit_in;
  logic                 adv_q, adv_d;        // advance, registered
  logic                 ce_q;                // ld_q || adv_q: the state's load enable
  logic                 ce_row_q;            // ld_q || (adv_q && rlast_q)
  logic                 ld_q;                // start_i delayed: loads the precomputed values
  logic                 ovalid_d, head_load;
  // Start values, computed every cycle from the (held) inputs.
  logic [RemW-1:0]      p_rem_q, p_nrem_q;
  logic [PageW:0]       p_tp_q, p_ntp_q;
  logic [BeatsW-1:0]    p_lim_q;
  logic                 p_hit_q, p_gv_q;
  logic [DramAddrW-1:0] p_nrow_q;
  logic [SumW-1:0]      p_rbp_q;
  logic                 rlast_q, rlast_d, fresh_q, rlast_adv;
  logic [BeatsW-1:0]    beats, lim_tp, lim_ntp, lim_in;
  logic [PageW:0]       tp_step, tp_in;
  logic [LineW-1:0]     cur_next;            // cur_q + lim_q
  logic [DramAddrW-1:0] nrow_in, nrow_next;
  logic [SumW-1:0]      rbp_in;
  // Lines of a row = (byte offset in its first beat + row_bytes + BeatB-1) / BeatB.
  logic [SumW-1:0]      sum_first, sum_second, sum_next;

  // The generator hands a burst to the output stage whenever the stage will have room.
  assign advance  = adv_q;
  // rem_q <= lim_q for the state after an advance:
  //   row_last:  nrem_q <= lim_ntp;   else  rem_q - lim_q <= lim_tp (rem_q > lim_q).
  // With lim = (hit ? tp : MaxB) and lim_tp = (hit_tp && !hit_q) ? tp_q - MaxB : MaxB this
  // is a select by flags among compares of registers with each other or constants, all in
  // parallel (no subtract before the compare, no compare before the select): RlastAdv_A.
  logic rl_ntp, rl_nmax, rl_hit, rl_tp, rl_2max, rlast_adv_ref;
  assign rl_ntp    = (32'(nrem_q) <= 32'(ntp_q));
  assign rl_nmax   = (32'(nrem_q) <= 32'(MaxB));
  assign rl_hit    = (32'(rem_q) <= 32'(tp_q) + 32'(MaxB));
  assign rl_tp     = (32'(rem_q) <= 32'(tp_q));
  assign rl_2max   = (32'(rem_q) <= 32'(2 * MaxB));
  assign rlast_adv = row_last ? (hit_ntp ? rl_ntp : rl_nmax)
                              : (hit_q ? rl_hit : ((32'(tp_q) <= 32'(2 * MaxB)) ? rl_tp
                                                                               : rl_2max));
  assign rlast_adv_ref = row_last ? (nrem_q <= RemW'(lim_ntp))
                                  : ((rem_q - RemW'(lim_q)) <= RemW'(lim_tp));
  // The row ends with this burst when its remaining lines fit (kept as a register, equal
  // to rem_q <= lim_q, so the advance's select starts from a flip-flop). After start_i it
  // is computed from the loaded registers in a cycle without an advance (fresh_q).
  assign row_last = rlast_q;
  assign beats    = row_last ? BeatsW'(rem_q) : lim_q;

  // Within a row: the next burst starts lim_q lines on, at the page boundary when hit_q.
  assign cur_next = hit_q ? {cur_q[LineW-1:PageW] + (LineW-PageW)'(1), PageW'(0)}
                          : cur_q + LineW'(MaxB);
  assign tp_step  = tp_q - (PageW+1)'(MaxB);
  assign hit_tp   = hit_q ? (MaxB == PageLines) : ((PageW+2)'(tp_q) <= (PageW+2)'(2 * MaxB));
  assign lim_tp   = hit_tp && !hit_q ? BeatsW'(tp_step) : BeatsW'(MaxB);

  // At a row change: the next row's precomputed page state.
  assign hit_ntp  = (ntp_q <= (PageW+1)'(MaxB));
  assign lim_ntp  = hit_ntp ? BeatsW'(ntp_q) : BeatsW'(MaxB);
  assign nrow_next = nrow_q + DramAddrW'(stride_q);
  assign sum_next  = rbp_q + SumW'(nrow_next[OffW-1:0]);

  // At start.
  assign tp_in      = (PageW+1)'(PageLines) - (PageW+1)'(addr_i[OffW+PageW-1:OffW]);
  assign hit_in     = (tp_in <= (PageW+1)'(MaxB));
  assign lim_in     = hit_in ? BeatsW'(tp_in) : BeatsW'(MaxB);
  assign nrow_in    = addr_i + DramAddrW'(stride_i);
  assign rbp_in     = SumW'(row_bytes_i) + SumW'(BeatB - 1);
  assign sum_first  = rbp_in + SumW'(addr_i[OffW-1:0]);
  assign sum_second = rbp_in + SumW'(nrow_in[OffW-1:0]);

  always_comb begin
    gvalid_d = gvalid_q;
    yleft_d  = yleft_q;
    ylast_d  = ylast_q;
    cur_d    = cur_q;
    rem_d    = rem_q;
    tp_d     = tp_q;
    lim_d    = lim_q;
    hit_d    = hit_q;
    nrow_d   = nrow_q;
    nrem_d   = nrem_q;
    ntp_d    = ntp_q;
    stride_d = stride_q;
    rbp_d    = rbp_q;
    // Load enables are flip-flops: ld_q (start values only), ce_row_q == ld_q || (advance
    // && row_last) (row registers), ce_q == ld_q || advance (position registers); ld_q
    // and row_last only select. An advance in a cycle of start_i or clear_i still moves
    // the state: gvalid_d drops then, and the next access reloads everything.
    if (ld_q) begin
      stride_d = stride_i;
      rbp_d    = p_rbp_q;
    end
    if (ce_row_q) begin
      if (ld_q) begin
        yleft_d  = y_size_i;
        ylast_d  = (y_size_i == SizeW'(1));
        nrow_d   = p_nrow_q;
        nrem_d   = p_nrem_q;
        ntp_d    = p_ntp_q;
      end else begin
        yleft_d  = yleft_q - SizeW'(1);
        ylast_d  = (yleft_q == SizeW'(2));
        nrow_d   = nrow_next;
        nrem_d   = sum_next[SumW-1:OffW];
        ntp_d    = (PageW+1)'(PageLines) - (PageW+1)'(nrow_next[OffW+PageW-1:OffW]);
      end
    end
    if (ce_q) begin
      if (ld_q) begin
        cur_d    = addr_i[DramAddrW-1:OffW];
        rem_d    = p_rem_q;
        tp_d     = p_tp_q;
        lim_d    = p_lim_q;
        hit_d    = p_hit_q;
      end else if (row_last) begin
        cur_d    = nrow_q[DramAddrW-1:OffW];
        rem_d    = nrem_q;
        tp_d     = ntp_q;
        lim_d    = lim_ntp;
        hit_d    = hit_ntp;
      end else begin
        cur_d = cur_next;
        rem_d = rem_q - RemW'(lim_q);
        tp_d  = hit_q ? (PageW+1)'(PageLines) : tp_step;
        lim_d = lim_tp;
        hit_d = hit_tp;
      end
    end
    if (ld_q)                       gvalid_d = p_gv_q;
    else if (start_i || clear_i)    gvalid_d = 1'b0;
    else if (advance && row_last)   gvalid_d = !ylast_q;
    // From the registers only (never the start values): recomputed after a start, else
    // updated with the advance.
    if (ld_q)               rlast_d = rlast_q;
    else if (fresh_q)       rlast_d = (rem_q <= RemW'(lim_q));
    else if (advance)       rlast_d = rlast_adv;
    else                    rlast_d = rlast_q;
    // Output stage valid bits and indices (below) and the registered advance for the next
    // cycle. The head takes the oldest spill entry, else the generator's burst; a burst the
    // head does not take goes to the spill ring.
    s_out    = head_load && (scnt_q != 2'd0);
    s_in     = advance && !(head_load && (scnt_q == 2'd0));
    ovalid_d = head_load ? ((scnt_q != 2'd0) || advance) : ovalid_q;
    scnt_d   = scnt_q + 2'(s_in) - 2'(s_out);
    srd_d    = srd_q ^ s_out;
    swr_d    = swr_q ^ s_in;
    if (ld_q || start_i || clear_i) begin
      ovalid_d = 1'b0;
      scnt_d   = '0;
      srd_d    = 1'b0;
      swr_d    = 1'b0;
    end
    // Room for next cycle's advance without looking at ready_i: the stage holds at most
    // ovalid_q + scnt_q + advance entries after this cycle, and must hold at most two.
    room2 = (3'(ovalid_q) + 3'(scnt_q) + 3'(advance)) <= 3'd2;
    adv_d = gvalid_d && room2 && !ld_q;
  end

  always_ff @(posedge clk_i) begin
    p_gv_q   <= (row_bytes_i != '0) && (y_size_i != '0);
    p_rem_q  <= sum_first[SumW-1:OffW];
    p_tp_q   <= tp_in;
    p_lim_q  <= lim_in;
    p_hit_q  <= hit_in;
    p_nrow_q <= nrow_in;
    p_nrem_q <= sum_second[SumW-1:OffW];
    p_ntp_q  <= (PageW+1)'(PageLines) - (PageW+1)'(nrow_in[OffW+PageW-1:OffW]);
    p_rbp_q  <= rbp_in;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gvalid_q <= 1'b0;
      rlast_q  <= 1'b1;
      fresh_q  <= 1'b0;
      ld_q     <= 1'b0;
      adv_q    <= 1'b0;
      ce_q     <= 1'b0;
      ce_row_q <= 1'b0;
      yleft_q  <= '0;
      ylast_q  <= 1'b0;
      cur_q    <= '0;
      rem_q    <= '0;
      tp_q     <= '0;
      lim_q    <= '0;
      hit_q    <= 1'b0;
      nrow_q   <= '0;
      nrem_q   <= '0;
      ntp_q    <= '0;
      stride_q <= '0;
      rbp_q    <= '0;
    end else begin
      gvalid_q <= gvalid_d;
      rlast_q  <= rlast_d;
      fresh_q  <= ld_q;
      ld_q     <= start_i;
      adv_q    <= adv_d;
      ce_q     <= start_i || adv_d;
      ce_row_q <= start_i || (adv_d && rlast_d);
      yleft_q  <= yleft_d;
      ylast_q  <= ylast_d;
      cur_q    <= cur_d;
      rem_q    <= rem_d;
      tp_q     <= tp_d;
      lim_q    <= lim_d;
      hit_q    <= hit_d;
      nrow_q   <= nrow_d;
      nrem_q   <= nrem_d;
      ntp_q    <= ntp_d;
      stride_q <= stride_d;
      rbp_q    <= rbp_d;
    end
  end

  // Output stage. The head loads whenever it is empty or leaves (head_load): from the spill
  // ring if that holds an entry, else the generator's burst. The spill entry at the write
  // index takes every advance's burst (it is free then: an advance leaves at most two
  // entries), whether or not it is kept (s_in). So ready_i reaches only the head's load
  // enable, the valid bits and the indices.
  assign head_load = !ovalid_q || ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ovalid_q <= 1'b0;
      scnt_q   <= '0;
      srd_q    <= 1'b0;
      swr_q    <= 1'b0;
    end else begin
      ovalid_q <= ovalid_d;
      scnt_q   <= scnt_d;
      srd_q    <= srd_d;
      swr_q    <= swr_d;
    end
  end
  // Data has no reset: it is only used while its valid bit is set.
  always_ff @(posedge clk_i) begin
    if (head_load) begin
      oline_q  <= (scnt_q != 2'd0) ? sline_q[srd_q] : cur_q;
      obeats_q <= load_beats_o;
    end
  end
  for (genvar i = 0; i < 2; i++) begin : gen_spill
    always_ff @(posedge clk_i) begin
      if (advance && (swr_q == 1'(i))) begin
        sline_q[i]  <= cur_q;
        sbeats_q[i] <= beats;
      end
    end
  end

  assign valid_o = ovalid_q;
  assign line_o  = oline_q;
  assign beats_o = obeats_q;
  assign load_beats_o = (scnt_q != 2'd0) ? sbeats_q[srd_q] : beats;

  logic unused_low;
  assign unused_low = ^{sum_first[OffW-1:0], sum_second[OffW-1:0], sum_next[OffW-1:0]};

  `QILIN_ASSERT_INIT(BurstRange_A, MaxBurstBeats >= 1 && MaxBurstBeats <= 256)
  `QILIN_ASSERT_INIT(BeatPow2_A, (BeatB & (BeatB - 1)) == 0 && BeatB <= 4096)
  // A row in progress always has lines left; the registered flags and page state agree.
  `QILIN_ASSERT(RowLast_A, fresh_q || (rlast_q == (rem_q <= RemW'(lim_q))), clk_i, rst_ni)
  `QILIN_ASSERT(RemNonZero_A, !gvalid_q || (rem_q != '0), clk_i, rst_ni)
  `QILIN_ASSERT(Flags_A, !gvalid_q || ((yleft_q != '0) && (ylast_q == (yleft_q == SizeW'(1)))),
                clk_i, rst_ni)
  `QILIN_ASSERT(PageState_A, !gvalid_q ||
                ((tp_q == (PageW+1)'(PageLines) - (PageW+1)'(cur_q[PageW-1:0])) &&
                 (hit_q == (tp_q <= (PageW+1)'(MaxB))) &&
                 (lim_q == (hit_q ? BeatsW'(tp_q) : BeatsW'(MaxB)))), clk_i, rst_ni)
  `QILIN_ASSERT(Advance_A, (!adv_q || (gvalid_q && !fresh_q)) &&
                (ce_q == (ld_q || adv_q)) && (ce_row_q == (ld_q || (adv_q && rlast_q))),
                clk_i, rst_ni)
  // An advance always finds room: at most two entries held, so the spill ring has a free
  // entry at its write index.
  `QILIN_ASSERT(AdvanceRoom_A, !adv_q || ((3'(ovalid_q) + 3'(scnt_q)) <= 3'd2), clk_i, rst_ni)
  `QILIN_ASSERT(RlastAdv_A, !advance || (rlast_adv == rlast_adv_ref), clk_i, rst_ni)
  `QILIN_ASSERT(SpillOnlyBehindHead_A, (scnt_q == 2'd0) || ovalid_q, clk_i, rst_ni)
  `QILIN_ASSERT(SpillCount_A, scnt_q <= 2'd2, clk_i, rst_ni)
  `QILIN_ASSERT(BeatsRange_A, !ovalid_q || (obeats_q != '0 && obeats_q <= BeatsW'(MaxB)),
                clk_i, rst_ni)

endmodule
