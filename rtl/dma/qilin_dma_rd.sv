// SPDX-License-Identifier: Apache-2.0
// LOAD DMA engine: reads a 2-D block of vectors from device memory over AXI4 and writes it,
// surrounded by padding, into consecutive scratchpad (Dim-byte) or accumulator
// (4*Dim-byte) rows (docs/dma.md).
//
// Pipeline: command -> check (alignment, window; before any AXI traffic) -> burst splitter
// -> AR stage; R beats -> read buffer -> grid writer (pads and data vectors, row-major)
// -> destination write stage. An AR is issued only when the read buffer has room for all
// its beats, so RREADY stays high; at most MaxOutstanding bursts are in flight.
// On an AXI error response: no further ARs, the remaining R beats are dropped, the
// destination writes stop, and the command completes with ErrAxi and the burst address.
`include "qilin_assert.svh"

module qilin_dma_rd #(
  parameter int unsigned Dim            = 16,   // array size: SP vector Dim bytes
  parameter int unsigned SpAddrW        = 14,   // scratchpad row-address width
  parameter int unsigned AccAddrW       = 10,   // accumulator row-address width
  parameter int unsigned MaxOutstanding = 16,   // AXI read bursts in flight
  parameter int unsigned MaxBurstBeats  = 16,   // beats per burst, 1..256
  parameter int unsigned RdBufBeats     = 128,  // read buffer, in 32-byte beats
  parameter logic [qilin_axi_pkg::IdW-1:0] AxiId = '0,
  // Do not override.
  parameter int unsigned SpW      = Dim * 8,
  parameter int unsigned AccW     = 4 * Dim * 8,
  parameter int unsigned DstAddrW = (SpAddrW > AccAddrW) ? SpAddrW : AccAddrW
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  // Command.
  input  qilin_dma_pkg::dma_rd_cmd_t           cmd_i,
  input  logic                                 cmd_valid_i,
  output logic                                 cmd_ready_o,
  // Read window [base, limit) in bytes (CSRs), sampled when a command starts.
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  rd_win_base_i,
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  rd_win_limit_i,
  // AXI4 read master.
  output qilin_axi_pkg::axi_ar_t               ar_o,
  output logic                                 ar_valid_o,
  input  logic                                 ar_ready_i,
  input  qilin_axi_pkg::axi_r_t                r_i,
  input  logic                                 r_valid_i,
  output logic                                 r_ready_o,
  // Destination row writes (SP: data in the low SpW bits, upper bits zero).
  output logic                                 wr_valid_o,
  input  logic                                 wr_ready_i,
  output logic                                 wr_acc_o,
  output logic [DstAddrW-1:0]                  wr_addr_o,
  output logic [AccW-1:0]                      wr_data_o,
  // Completion, one per command, after its last destination write was accepted.
  output logic                                 done_valid_o,
  input  logic                                 done_ready_i,
  output logic                                 err_valid_o,  // done_valid_o && err_code_o != 0
  output logic [qilin_dma_pkg::ErrW-1:0]       err_code_o,
  output logic [qilin_dma_pkg::DramAddrW-1:0]  err_addr_o,
  output logic                                 busy_o
);
  localparam int unsigned DramAddrW = qilin_dma_pkg::DramAddrW;
  localparam int unsigned SizeW     = qilin_dma_pkg::SizeW;
  localparam int unsigned ErrW      = qilin_dma_pkg::ErrW;
  localparam int unsigned RowW      = qilin_dma_pkg::RowW;
  localparam int unsigned AxiAddrW  = qilin_axi_pkg::AddrW;
  localparam int unsigned BusW      = qilin_axi_pkg::DataW;
  localparam int unsigned BeatB     = BusW / 8;
  localparam int unsigned OffW      = $clog2(BeatB);
  localparam int unsigned LineW     = DramAddrW - OffW;
  localparam int unsigned BeatsW    = 9;
  localparam int unsigned SpB       = Dim;
  localparam int unsigned AccB      = 4 * Dim;
  localparam int unsigned SpLog2    = $clog2(SpB);
  localparam int unsigned SpChunkB  = (SpB < BeatB) ? SpB : BeatB;    // bytes of a vector per beat
  localparam int unsigned AccChunkB = (AccB < BeatB) ? AccB : BeatB;
  localparam int unsigned SpBpv     = (SpB > BeatB) ? SpB / BeatB : 1;  // beats per vector
  localparam int unsigned AccBpv    = (AccB > BeatB) ? AccB / BeatB : 1;
  localparam int unsigned BiW       = 4;
  localparam int unsigned GridW     = SizeW + 2;  // pads + size + pads < 2**17
  localparam int unsigned ResvW     = $clog2(RdBufBeats + 1) + 1;
  localparam int unsigned InfoW     = AxiAddrW + BeatsW;
  localparam int unsigned ArW       = qilin_axi_pkg::IdW + AxiAddrW + 8 + 3 + 2;  // axi_ar_t
  localparam int unsigned DqW       = AccW;   // destination queue: data only

  typedef enum logic [2:0] {StIdle, StChkGo, StCheck, StRun, StDrain, StDone} st_e;

  st_e                        st_q, st_d;
  qilin_dma_pkg::dma_rd_cmd_t cmd_q;
  logic                       idle_q;   // st_q == StIdle
  logic                       chkgo_q;  // st_q == StChkGo (check and burst start)
  logic                       go_q;     // st_q == StRun && !abort_q
  logic                       clr_q;    // abort_q || st_q == StDone (burst splitter clear)
  logic [ErrW-1:0]            err_q, err_d;
  logic [DramAddrW-1:0]       eaddr_q, eaddr_d;
  logic                       abort_q, abort_d;   // AXI error: stop issuing, drop data
  logic [ResvW-1:0]           free_q, free_d;     // read-buffer beats not reserved by ARs
  logic [ResvW-1:0]           free_sub;           // free_q - gen_beats
  logic [BeatsW-1:0]          rcnt_q, rcnt_d;     // R beats received of the oldest burst
  // The first error response, registered with its burst's address: the abort acts a cycle
  // after the beat, so R's valid and response (late, from the memory's queue) reach one flop
  // instead of the state decode. The beat itself is still in the read-buffer pipeline then
  // (three registers from the writer), so no data of an errored burst is written.
  logic                       rerr_q;
  logic [AxiAddrW-1:0]        rerr_addr_q;
  logic                       quiet_q;  // queues and counts all empty in the previous cycle

  // ---------------------------------------------------------------------------------
  // Check.
  // ---------------------------------------------------------------------------------
  logic                 chk_done, chk_pass;
  logic [3:0]           vb_log2;  // log2 of the vector size in bytes
  logic [ErrW-1:0]      chk_code;
  logic [DramAddrW-1:0] chk_addr;

  assign vb_log2 = cmd_q.dst_acc ? 4'(SpLog2 + 2) : 4'(SpLog2);

  qilin_dma_check u_check (
    .clk_i,
    .rst_ni,
    .start_i     (chkgo_q),
    .addr_i      (cmd_q.dram_addr),
    .stride_i    (cmd_q.dram_stride),
    .y_size_i    (cmd_q.y_size),
    .x_size_i    (cmd_q.x_size),
    .vb_log2_i   (vb_log2),
    .win_base_i  (rd_win_base_i),
    .win_limit_i (rd_win_limit_i),
    .done_o      (chk_done),
    .pass_o      (chk_pass),
    .err_code_o  (chk_code),
    .err_addr_o  (chk_addr)
  );

  logic start_run;
  // The check runs only in StCheck, so its registered pass flag starts the command.
  assign start_run = chk_pass;

  // ---------------------------------------------------------------------------------
  // Bursts -> AR stage (+ burst info for R accounting and error addresses).
  // The splitter loads the command when the check starts (cmd_q holds still from then on),
  // so its first burst is ready when the command runs; bursts are taken only in StRun.
  // ---------------------------------------------------------------------------------
  logic              gen_valid, gen_ready;
  logic [LineW-1:0]  gen_line;
  logic [BeatsW-1:0] gen_beats, gen_load_beats;

  qilin_dma_bursts #(.MaxBurstBeats(MaxBurstBeats)) u_bursts (
    .clk_i,
    .rst_ni,
    .start_i     (chkgo_q),  // primed while the check runs
    .clear_i     (clr_q),     // abort_q || (st_q == StDone), its own flip-flop
    .addr_i      (cmd_q.dram_addr),
    .stride_i    (cmd_q.dram_stride),
    .y_size_i    (cmd_q.y_size),
    .row_bytes_i ((SizeW+8)'(cmd_q.x_size) << vb_log2),
    .valid_o     (gen_valid),
    .ready_i     (gen_ready),
    .line_o      (gen_line),
    .beats_o     (gen_beats),
    .load_beats_o(gen_load_beats)
  );

  logic                   arq_in_ready, arq_valid, info_in_ready, info_valid, info_pop;
  logic [ArW-1:0]         arq_in, arq_out;
  logic [InfoW-1:0]       info_out;
  logic [AxiAddrW-1:0]    gen_addr, info_addr;
  logic [BeatsW-1:0]      gen_len, info_len;   // burst length - 1 (ARLEN)
  logic [$clog2(3)-1:0]   arq_count;
  logic [$clog2(MaxOutstanding+1)-1:0] info_count;

  assign gen_addr  = {gen_line[AxiAddrW-OffW-1:0], OffW'(0)};
  assign gen_len   = gen_beats - BeatsW'(1);
  assign arq_in    = {AxiId, gen_addr, 8'(gen_len), 3'(OffW),
                      qilin_axi_pkg::BurstIncr};
  // The issue's conditions (room in the AR and info queues, read-buffer beats for the head
  // burst) are worked out a cycle ahead into two flip-flops, so gen_ready is one gate from
  // flip-flops: it enables the AR and info queues, the burst stage and the reservation
  // count, which the placer spreads apart (IssueOk_A). The queues' flag (qroom_q) takes the
  // late AR handshake and last R beat from outside; the reservation's (resv_ok_q) is the
  // deeper local compare, kept apart from them.
  logic qroom_q, qroom_d, resv_ok_q;
  assign gen_ready = go_q && gen_valid && qroom_q && resv_ok_q;

  assign free_sub  = free_q - ResvW'(gen_beats);

  qilin_fifo #(.Width(ArW), .Depth(2)) u_arq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (gen_ready),
    .in_ready_o  (arq_in_ready),
    .in_data_i   (arq_in),
    .out_valid_o (arq_valid),
    .out_ready_i (ar_ready_i),
    .out_data_o  (arq_out),
    .count_o     (arq_count)
  );
  assign ar_valid_o = arq_valid;
  assign ar_o       = arq_out;

  qilin_fifo #(.Width(InfoW), .Depth(MaxOutstanding)) u_info (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (gen_ready),
    .in_ready_o  (info_in_ready),
    .in_data_i   ({gen_addr, gen_len}),
    .out_valid_o (info_valid),
    .out_ready_i (info_pop),
    .out_data_o  (info_out),
    .count_o     (info_count)
  );
  assign info_addr  = info_out[InfoW-1:BeatsW];
  assign info_len   = info_out[BeatsW-1:0];

  // ---------------------------------------------------------------------------------
  // R -> read buffer.
  // ---------------------------------------------------------------------------------
  logic                 r_fire, r_take, r_last_exp, rbuf_in_ready, rbuf_valid, rbuf_pop;
  logic [BusW-1:0]      rbuf_data;
  logic [$clog2(RdBufBeats+1)-1:0] rbuf_count;

  assign r_ready_o  = rbuf_in_ready;
  assign r_fire     = r_valid_i && r_ready_o;
  // R is never back-pressured (RNoStall_A), so a beat is taken whenever it is valid: the
  // late R valid from the memory's queue does not meet the read buffer's count compare
  // on its way to the burst info pop, rcnt_q and the error registers (RTake_A).
  assign r_take     = r_valid_i;
  assign r_last_exp = (rcnt_q == info_len);
  assign info_pop   = r_take && r_last_exp;

  qilin_fifo #(.Width(BusW), .Depth(RdBufBeats)) u_rbuf (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (r_valid_i),
    .in_ready_o  (rbuf_in_ready),
    .in_data_i   (r_i.data),
    .out_valid_o (rbuf_valid),
    .out_ready_i (rbuf_pop),
    .out_data_o  (rbuf_data),
    .count_o     (rbuf_count)
  );

  // Registers between the read buffer and the writer: the buffer's read register (pre_*;
  // synthesis folds it into block RAM as a synchronous read port) and a two-entry
  // register queue (hq_*), so the writer's byte shift and the destination queue start from
  // flip-flops (a two-way select). The block RAM's output goes straight into a register
  // (no logic: its clock-to-output is long), and the buffer is read and pre moves on
  // whenever the queue has room (flip-flops only); the writer's pop reaches only the
  // queue's pointers. A beat per cycle flows. Buffer space is returned to the reservation
  // when a beat leaves the buffer.
  logic                pre_valid_q, hd_valid, hd_pop, pre_move;  // hd_*: queue head
  logic                hdv_q;                 // hq_cnt_q != 0 (HeadValid_A)
  logic [1:0]          hq_cnt_d;
  logic                w_pop;                 // the writer used up the head beat
  logic [BusW-1:0]     pre_data_q, hd_data;
  logic [BusW-1:0]     hq0_q, hq1_q;         // queue slots (flip-flops, not a memory)
  logic                hq_wr_q, hq_rd_q;      // write and read slots
  logic [1:0]          hq_cnt_q;

  assign hd_pop     = abort_q ? hd_valid : w_pop;
  assign pre_move   = pre_valid_q && (hq_cnt_q != 2'd2);
  assign rbuf_pop   = rbuf_valid && (!pre_valid_q || (hq_cnt_q != 2'd2));
  // The writer's consume/emit decisions read the registered copy (one flop instead of the
  // count compare in series with them).
  assign hd_valid   = hdv_q;
  assign hq_cnt_d   = hq_cnt_q + 2'(pre_move) - 2'(hd_pop);
  assign hd_data    = hq_rd_q ? hq1_q : hq0_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pre_valid_q <= 1'b0;
      hq_wr_q     <= 1'b0;
      hq_rd_q     <= 1'b0;
      hq_cnt_q    <= '0;
      hdv_q       <= 1'b0;
    end else begin
      if (rbuf_pop)      pre_valid_q <= 1'b1;
      else if (pre_move) pre_valid_q <= 1'b0;
      if (pre_move) hq_wr_q <= !hq_wr_q;
      if (hd_pop)   hq_rd_q <= !hq_rd_q;
      hq_cnt_q <= hq_cnt_d;
      hdv_q    <= (hq_cnt_d != 2'd0);
    end
  end
  // Data has no reset: it is only used while its valid bit is set.
  always_ff @(posedge clk_i) begin
    if (rbuf_pop) pre_data_q <= rbuf_data;
    if (pre_move && !hq_wr_q) hq0_q <= pre_data_q;
    if (pre_move && hq_wr_q)  hq1_q <= pre_data_q;
  end

  // ---------------------------------------------------------------------------------
  // Grid writer: walks the padded destination grid row-major, one vector per step.
  // ---------------------------------------------------------------------------------
  // Grid bounds, registered from cmd_q in three stages (cmd_q holds still from StChkGo on,
  // four cycles before the writer starts).
  logic [GridW-1:0]    y0_q, y1_q, x0_q, x1m1_q, x1_q, xtm1_q, ytm1_q;
  logic                grid_empty_q;
  logic                w_active_q, w_active_d;
  logic [GridW-1:0]    yy_q, yy_d, xx_q, xx_d;
  logic [OffW-1:0]     off_q, off_d, rowoff_q, rowoff_d;  // byte offset in the head beat
  logic [BiW-1:0]      bi_q, bi_d;                        // beat index within the vector
  logic                row_end, chunk_last, consume, emit;
  logic [OffW:0]       chunk_b, off_sum;
  logic                dq_in_ready, dq_valid;
  logic [DqW-1:0]      dq_in, dq_out;
  logic [1:0]          dq_count;
  logic [BusW-1:0]     shifted;
  logic [SpW-1:0]      sp_vec;
  logic [AccW-1:0]     acc_vec, vec_data;
  logic [((AccBpv > 1) ? AccW - BusW : 1)-1:0] gath_all;  // earlier beats of a wide vector

  // Two stages, one adder each: pads + size, then the totals minus one (the far pads minus
  // one are prepared in the first stage). The grid is empty when a total is 0, i.e. its
  // total minus one is all ones (totals are below 2**17).
  logic [GridW-1:0] pbm1_q, prm1_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      y0_q         <= '0;
      y1_q         <= '0;
      x0_q         <= '0;
      x1_q         <= '0;
      pbm1_q       <= '0;
      prm1_q       <= '0;
      x1m1_q       <= '0;
      xtm1_q       <= '0;
      ytm1_q       <= '0;
      grid_empty_q <= 1'b1;
    end else begin
      y0_q         <= GridW'(cmd_q.y_pad_top);
      y1_q         <= GridW'(cmd_q.y_pad_top) + GridW'(cmd_q.y_size);
      x0_q         <= GridW'(cmd_q.x_pad_left);
      x1_q         <= GridW'(cmd_q.x_pad_left) + GridW'(cmd_q.x_size);
      pbm1_q       <= GridW'(cmd_q.y_pad_bottom) - GridW'(1);
      prm1_q       <= GridW'(cmd_q.x_pad_right) - GridW'(1);
      x1m1_q       <= x1_q - GridW'(1);
      xtm1_q       <= x1_q + prm1_q;
      ytm1_q       <= y1_q + pbm1_q;
      grid_empty_q <= (ytm1_q == '1) || (xtm1_q == '1);
    end
  end

  // Registered position flags, kept equal to the compares on yy_q/xx_q (assertion below).
  logic ydata_q, ydata_d, xdata_q, xdata_d, xend_q, xend_d;
  logic xdata0_q, xend0_q, xlast0_q, ydata0_q, ylast0_q;  // flags of column 0 / row 0
  // Last column / last row of the padded grid, kept as registers like the flags above.
  logic xlast_q, xlast_d, ylast_q, ylast_d;
  logic [GridW-1:0] yy_nx, xx_nx;
  assign yy_nx = yy_q + GridW'(1);
  assign xx_nx = xx_q + GridW'(1);

  // The flags of the next column and the next row (xx_q + 1, yy_q + 1) are registers too,
  // so a step of the writer (emit, which arrives late) selects among registers only. They
  // are prepared from the position two ahead, compared with bounds moved down by two
  // (signed and a bit wider: a negative bound lies below every position), so no adder is
  // in series with the compares.
  localparam int unsigned SW = GridW + 1;
  logic signed [SW-1:0] x0m2_q, x1m2_q, x1m3_q, xtm3_q, y0m2_q, y1m2_q, ytm3_q, xx_s, yy_s;
  logic xdata1_q, xend1_q, xlast1_q, ydata1_q, ylast1_q;  // flags of column 1 / row 1
  logic xdn_q, xdn_d, xen_q, xen_d, xln_q, xln_d;         // flags of column xx_q + 1
  logic ydn_q, ydn_d, yln_q, yln_d;                       // flags of row yy_q + 1
  logic xdn2, xen2, xln2, ydn2, yln2;                     // flags of xx_q + 2 / yy_q + 2
  assign xx_s = $signed({1'b0, xx_q});
  assign yy_s = $signed({1'b0, yy_q});
  assign xdn2 = (xx_s >= x0m2_q) && (xx_s < x1m2_q);
  assign xen2 = (xx_s == x1m3_q);
  assign xln2 = (xx_s == xtm3_q);
  assign ydn2 = (yy_s >= y0m2_q) && (yy_s < y1m2_q);
  assign yln2 = (yy_s == ytm3_q);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      xdata0_q <= 1'b0;
      xend0_q  <= 1'b0;
      xlast0_q <= 1'b0;
      ydata0_q <= 1'b0;
      ylast0_q <= 1'b0;
      x0m2_q   <= '0;
      x1m2_q   <= '0;
      x1m3_q   <= '0;
      xtm3_q   <= '0;
      y0m2_q   <= '0;
      y1m2_q   <= '0;
      ytm3_q   <= '0;
      xdata1_q <= 1'b0;
      xend1_q  <= 1'b0;
      xlast1_q <= 1'b0;
      ydata1_q <= 1'b0;
      ylast1_q <= 1'b0;
    end else begin
      xdata0_q <= (x0_q == '0) && (x1_q != '0);  // column 0
      xend0_q  <= (x1m1_q == '0);
      xlast0_q <= (xtm1_q == '0);
      ydata0_q <= (y0_q == '0) && (y1_q != '0);  // row 0
      ylast0_q <= (ytm1_q == '0);
      x0m2_q   <= $signed({1'b0, x0_q}) - SW'(2);
      x1m2_q   <= $signed({1'b0, x1_q}) - SW'(2);
      x1m3_q   <= $signed({1'b0, x1m1_q}) - SW'(2);
      xtm3_q   <= $signed({1'b0, xtm1_q}) - SW'(2);
      y0m2_q   <= $signed({1'b0, y0_q}) - SW'(2);
      y1m2_q   <= $signed({1'b0, y1_q}) - SW'(2);
      ytm3_q   <= $signed({1'b0, ytm1_q}) - SW'(2);
      xdata1_q <= (x0_q <= GridW'(1)) && (x1_q > GridW'(1));
      xend1_q  <= (x1m1_q == GridW'(1));
      xlast1_q <= (xtm1_q == GridW'(1));
      ydata1_q <= (y0_q <= GridW'(1)) && (y1_q > GridW'(1));
      ylast1_q <= (ytm1_q == GridW'(1));
    end
  end

  // The writer's decisions start from registers kept equal to the position compares
  // (assertion below): isd_q (a data vector, not padding), clast_q (last beat of the
  // vector), wgo_q (running with vectors left). The data select on padding uses the two
  // position flags, so isd_q has no wide fanout.
  logic isd_q, clast_q, wgo_q, clast_d, isd_d, wgo_d;
  // The decisions themselves come from registers too, each a one-LUT function of four
  // flops (WriterDec_A, EmitConsume_A): the head's valid (hdv_q), the destination queue's
  // room (dq_rdy_q) and the writer's state split three ways, prepared from the next-state
  // values: a pad vector to emit (epad_q), the last beat of a data vector, which needs the
  // head and queue room (edat_q), an earlier beat of a data vector, which needs the head
  // only (cmid_q). Head queue -> position/offset registers 6 -> 4 LUT levels, -> flags 7 -> 6.
  logic epad_q, edat_q, cmid_q, dq_rdy_q;
  assign row_end    = xend_q;
  assign chunk_b    = cmd_q.dst_acc ? (OffW+1)'(AccChunkB) : (OffW+1)'(SpChunkB);
  assign chunk_last = clast_q;
  assign off_sum    = {1'b0, off_q} + chunk_b;
  assign consume    = hd_valid && (cmid_q || (edat_q && dq_rdy_q));
  assign emit       = dq_rdy_q && (epad_q || (edat_q && hd_valid));
  // A beat is used up when its last byte was taken or its row ended. Whether the chunk
  // crosses the beat's end is a flop (ovf_q == off_sum[OffW] while running, OvfFlag_A),
  // prepared for each value the offset can step to, so no carry chain sits between the
  // consume and the head queue's pop (and its kept read-pointer copies).
  logic ovf_q, ovf_d, ovf_init, ovf_row, ovf_step;
  logic [OffW:0] off_init_sum, off_row_sum, off_step_sum;
  assign off_init_sum = {1'b0, cmd_q.dram_addr[OffW-1:0]} + chunk_b;
  assign off_row_sum  = {1'b0, rowoff_q + cmd_q.dram_stride[OffW-1:0]} + chunk_b;
  assign off_step_sum = {1'b0, off_sum[OffW-1:0]} + chunk_b;
  assign ovf_init     = off_init_sum[OffW];
  assign ovf_row      = off_row_sum[OffW];
  assign ovf_step     = off_step_sum[OffW];
  assign ovf_d        = start_run ? ovf_init :
                        (consume && chunk_last) ? (row_end ? ovf_row : ovf_step) : ovf_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ovf_q <= 1'b0;
    else         ovf_q <= ovf_d;
  end
  assign w_pop      = consume && (ovf_q || (chunk_last && row_end));
  // dram_addr and dram_stride are multiples of the vector size (check), so the byte offset
  // is a multiple of SpB (both chunk sizes are): a select among BeatB/SpB positions instead
  // of a byte shifter.
  localparam int unsigned SlotW = (OffW > SpLog2) ? OffW - SpLog2 : 1;
  // The data select reads a kept copy of the offset's slot bits (SlotCopy_A): off_q itself
  // (fan-out 324 as the select) also feeds the head pop.
  (* keep *) logic [SlotW-1:0] slot_q;
  logic [SlotW-1:0] slot;
  (* keep *)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) slot_q <= '0;
    else         slot_q <= SlotW'(off_d >> SpLog2);
  end
  assign slot       = slot_q;
  assign shifted    = hd_data >> {slot, {(SpLog2 + 3){1'b0}}};

  // Vectors wider than a beat: earlier beats wait in gath_q, the last comes from the head.
  if (AccBpv > 1) begin : gen_gather
    logic [AccW-BusW-1:0] gath_q, gath_d;
    always_comb begin
      gath_d = gath_q;
      for (int unsigned k = 0; k + 1 < AccBpv; k++) begin
        if (consume && !chunk_last && (bi_q == BiW'(k))) gath_d[k*BusW +: BusW] = hd_data;
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) gath_q <= '0;
      else         gath_q <= gath_d;
    end
    assign gath_all = gath_q;
    assign acc_vec  = {hd_data, gath_q};
    if (SpBpv > 1) begin : gen_sp_gather
      assign sp_vec = {hd_data, gath_q[SpW-BusW-1:0]};
    end else begin : gen_sp_slice
      assign sp_vec = shifted[SpW-1:0];
    end
  end else begin : gen_no_gather
    logic unused_gath;  // no earlier beats: a vector fits in one
    assign gath_all    = '0;
    assign unused_gath = ^gath_all;
    assign acc_vec     = shifted[AccW-1:0];
    assign sp_vec      = shifted[SpW-1:0];
  end

  always_comb begin
    if (!(ydata_q && xdata_q)) vec_data = cmd_q.dst_acc ? '0 : AccW'({SpB{cmd_q.pad_value}});
    else if (cmd_q.dst_acc)    vec_data = acc_vec;
    else                       vec_data = AccW'(sp_vec);
  end

  // The data selects (head slot, offset slot, padding, ACC) each reach every bit of the
  // destination queue's input. Each quarter of the bits computes vec_data from its own
  // copies of them (SelCopies_A, DqIn_A), so that no select net spans the whole queue: its
  // entries were the largest late group of the 7db77c9 route (docs/fpga.md).
  localparam int unsigned SelN = 4;
  localparam int unsigned SelW = AccW / SelN;
  logic [SelN-1:0]            hqrd_c, isd_c, acc_c;
  logic [SlotW-1:0][SelN-1:0] slot_c;
  logic [SlotW-1:0]           slot_d;
  assign slot_d = SlotW'(off_d >> SpLog2);
  qilin_keep_copies #(.N(SelN)) u_hqrd_copies (
    .clk_i, .rst_ni, .d_i(hq_rd_q ^ hd_pop), .q_o(hqrd_c)
  );
  qilin_keep_copies #(.N(SelN)) u_isd_copies (.clk_i, .rst_ni, .d_i(isd_d), .q_o(isd_c));
  qilin_keep_copies #(.N(SelN)) u_acc_copies (
    .clk_i, .rst_ni, .d_i(idle_q ? cmd_i.dst_acc : cmd_q.dst_acc), .q_o(acc_c)
  );
  for (genvar b = 0; b < SlotW; b++) begin : gen_slot_copies
    qilin_keep_copies #(.N(SelN)) u_copies (
      .clk_i, .rst_ni, .d_i(slot_d[b]), .q_o(slot_c[b])
    );
  end
  for (genvar g = 0; g < SelN; g++) begin : gen_sel
    logic [SlotW-1:0] sl;
    logic [BusW-1:0]  hd, sh;
    logic [AccW-1:0]  accv, spv, vec;
    logic             unused_sel;
    for (genvar b = 0; b < SlotW; b++) begin : gen_sl
      assign sl[b] = slot_c[b][g];
    end
    assign hd = hqrd_c[g] ? hq1_q : hq0_q;
    assign sh = hd >> {sl, {(SpLog2 + 3){1'b0}}};
    if (AccBpv > 1) begin : gen_gather
      assign accv = {hd, gath_all};
      if (SpBpv > 1) begin : gen_sp_gather
        assign spv = AccW'({hd, gath_all[SpW-BusW-1:0]});
      end else begin : gen_sp_slice
        assign spv = AccW'(sh[SpW-1:0]);
      end
    end else begin : gen_no_gather
      assign accv = sh[AccW-1:0];
      assign spv  = AccW'(sh[SpW-1:0]);
    end
    always_comb begin
      if (!isd_c[g])     vec = acc_c[g] ? '0 : AccW'({SpB{cmd_q.pad_value}});
      else if (acc_c[g]) vec = accv;
      else               vec = spv;
    end
    assign dq_in[g*SelW +: SelW] = vec[g*SelW +: SelW];
    // Each quarter keeps its slice; the rest of its copy of the select is left to synthesis.
    assign unused_sel = ^{vec, sh};
  end

  always_comb begin
    w_active_d = w_active_q;
    yy_d       = yy_q;
    xx_d       = xx_q;
    ydata_d    = ydata_q;
    xdata_d    = xdata_q;
    xend_d     = xend_q;
    xlast_d    = xlast_q;
    ylast_d    = ylast_q;
    xdn_d      = xdn_q;
    xen_d      = xen_q;
    xln_d      = xln_q;
    ydn_d      = ydn_q;
    yln_d      = yln_q;
    off_d      = off_q;
    rowoff_d   = rowoff_q;
    bi_d       = bi_q;
    if (start_run) begin
      w_active_d = !grid_empty_q;
      yy_d       = '0;
      xx_d       = '0;
      ydata_d    = ydata0_q;
      xdata_d    = xdata0_q;
      xend_d     = xend0_q;
      xlast_d    = xlast0_q;
      ylast_d    = ylast0_q;
      xdn_d      = xdata1_q;
      xen_d      = xend1_q;
      xln_d      = xlast1_q;
      ydn_d      = ydata1_q;
      yln_d      = ylast1_q;
      off_d      = cmd_q.dram_addr[OffW-1:0];
      rowoff_d   = cmd_q.dram_addr[OffW-1:0];
      bi_d       = '0;
    end else begin
      if (emit) begin
        if (xlast_q) begin
          xx_d    = '0;
          xdata_d = xdata0_q;
          xend_d  = xend0_q;
          xlast_d = xlast0_q;
          xdn_d   = xdata1_q;
          xen_d   = xend1_q;
          xln_d   = xlast1_q;
          yy_d    = yy_nx;
          ydata_d = ydn_q;
          ylast_d = yln_q;
          ydn_d   = ydn2;
          yln_d   = yln2;
          if (ylast_q) w_active_d = 1'b0;
        end else begin
          xx_d    = xx_nx;
          xdata_d = xdn_q;
          xend_d  = xen_q;
          xlast_d = xln_q;
          xdn_d   = xdn2;
          xen_d   = xen2;
          xln_d   = xln2;
        end
      end
      if (consume) begin
        if (!chunk_last) begin
          bi_d = bi_q + BiW'(1);
        end else begin
          bi_d = '0;
          if (row_end) begin
            off_d    = rowoff_q + cmd_q.dram_stride[OffW-1:0];
            rowoff_d = rowoff_q + cmd_q.dram_stride[OffW-1:0];
          end else begin
            off_d = off_sum[OffW-1:0];
          end
        end
      end
    end
  end

  // Destination queue. Only the data goes through the LUT-RAM FIFO; the write's valid,
  // ACC flag and row address, which steer the scratchpad / accumulator bank arbitration of
  // the core, come from flip-flops: the row addresses of a command are consecutive, so the
  // head's address is a counter (hd_addr_q) that moves on with every accepted write, and
  // the valid is a registered copy of the queue's "not empty".
  logic                dq_pop, dq_nvalid_q;
  logic [DstAddrW-1:0] hd_addr_q, hd_addr1_q;  // hd_addr1_q == hd_addr_q + 1 (HdAddr1_A)
  // The pop looks at the registered valid (DstValid_A): the late grant meets one flop only.
  assign dq_pop = dq_nvalid_q && wr_ready_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dq_nvalid_q <= 1'b0;
      dq_rdy_q    <= 1'b1;
      hd_addr_q   <= '0;
      hd_addr1_q  <= DstAddrW'(1);
    end else begin
      // Entries after this cycle: count + push - pop (emit pushes: it implies room).
      dq_nvalid_q <= emit || (dq_count > 2'(dq_pop));
      // Room after this cycle: fewer than two entries.
      dq_rdy_q    <= dq_pop || (dq_count == 2'd0) || ((dq_count == 2'd1) && !emit);
      // The late pop only selects the precomputed successor (no carry chain behind it).
      if (start_run) begin
        hd_addr_q  <= cmd_q.dst_addr[DstAddrW-1:0];
        hd_addr1_q <= cmd_q.dst_addr[DstAddrW-1:0] + DstAddrW'(1);
      end else if (dq_pop) begin
        hd_addr_q  <= hd_addr1_q;
        hd_addr1_q <= hd_addr1_q + DstAddrW'(1);
      end
    end
  end

  // clast_d likewise: bi_d == bi_lim for the two values bi_d can take on a step, 0 and
  // bi_q + 1, selected by the start and the consume (ClastCand_A); between steps it holds.
  logic [BiW-1:0] bi_lim;
  logic           clast_z, clast_inc;
  assign bi_lim    = cmd_q.dst_acc ? BiW'(AccBpv - 1) : BiW'(SpBpv - 1);
  assign clast_z   = (bi_lim == '0);
  assign clast_inc = (bi_q + BiW'(1) == bi_lim);
  assign clast_d   = start_run ? clast_z : consume ? (clast_q ? clast_z : clast_inc) : clast_q;
  assign wgo_d   = (st_d == StRun) && !abort_d && w_active_d;
  // isd_d is written out so that the late emit only selects between candidates made of
  // flops (IsdCand_A): ydata_d && xdata_d left it five LUT levels deep (10.9 ns routed,
  // stop 25).
  logic isd_emit, isd_init;
  assign isd_init = ydata0_q && xdata0_q;
  assign isd_emit = xlast_q ? (ydn_q && xdata0_q) : (ydata_q && xdn_q);
  assign isd_d    = start_run ? isd_init : emit ? isd_emit : isd_q;

  // In flip-flops: its write data (slot select and pad mux) arrives late in the cycle, and
  // LUT-RAM write pins were in every route's worst groups (docs/fpga.md).
  qilin_fifo #(.Width(DqW), .Depth(2), .FlopStore(1'b1)) u_dstq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (emit),
    .in_ready_o  (dq_in_ready),
    .in_data_i   (dq_in),
    .out_valid_o (dq_valid),
    .out_ready_i (wr_ready_i),
    .out_data_o  (dq_out),
    .count_o     (dq_count)
  );
  // The write's valid and ACC flag leave from flip-flops of their own (kept, so Yosys does
  // not merge them back): the core's SP / ACC write arbitration sees a flop with a fan-out
  // of one block instead of cmd_q.dst_acc (fan-out 153, the destination data select) or
  // the queue's valid (the pop and address counter).
  (* keep *) logic wrv_q;
  (* keep *) logic wracc_q;
  (* keep *)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) wrv_q <= 1'b0;
    else         wrv_q <= emit || (dq_count > 2'(dq_pop));
  end
  (* keep *)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)     wracc_q <= 1'b0;
    else if (idle_q) wracc_q <= cmd_i.dst_acc;
  end
  assign wr_valid_o = wrv_q;
  assign wr_acc_o   = wracc_q;  // held from StChkGo until the command is done
  assign wr_addr_o  = hd_addr_q;
  assign wr_data_o  = dq_out;

  // ---------------------------------------------------------------------------------
  // Burst issue.
  // ---------------------------------------------------------------------------------
  // Next cycle's issue conditions. Each term is a set of candidates computed from registers
  // (compares of counts and of the reservation with the head's beats), and this cycle's
  // issue, AR handshake, last R beat and buffer pop only select among them:
  //   AR / info queue: room after this cycle's push and pop;
  //   reservation: next cycle's head beats (the head loads on an issue or when empty) against
  //   next cycle's free_q (free_d, chosen by the issue and the pop).
  logic              arq_pop, arq_ok_n, info_ok_n, resv_ok_n;
  logic              rs_sub0, rs_sub1, rs_ld0, rs_ld1, rs_hd0, rs_hd1;
  localparam int unsigned CmpW = (ResvW > BeatsW) ? ResvW : BeatsW;
  logic [CmpW-1:0]   free_c, free_inc, free_sub_c, free_sub_inc, load_c, beats_c;
  assign arq_pop      = arq_valid && ar_ready_i;
  assign free_c       = CmpW'(free_q);
  assign free_inc     = CmpW'(free_q) + CmpW'(1);
  assign free_sub_c   = CmpW'(free_sub);
  assign free_sub_inc = CmpW'(free_sub) + CmpW'(1);
  assign load_c       = CmpW'(gen_load_beats);
  assign beats_c      = CmpW'(gen_beats);
  assign rs_sub0      = (load_c <= free_sub_c);     // issue, no pop
  assign rs_sub1      = (load_c <= free_sub_inc);   // issue and pop
  assign rs_ld0       = (load_c <= free_c);         // empty head loads, no pop
  assign rs_ld1       = (load_c <= free_inc);
  assign rs_hd0       = (beats_c <= free_c);        // head stays
  assign rs_hd1       = (beats_c <= free_inc);
  always_comb begin
    unique case ({gen_ready, arq_pop})
      2'b10:   arq_ok_n = (arq_count == '0);
      2'b01:   arq_ok_n = 1'b1;
      default: arq_ok_n = arq_in_ready;
    endcase
    unique case ({gen_ready, info_pop})
      2'b10:   info_ok_n = (32'(info_count) != 32'(MaxOutstanding - 1));
      2'b01:   info_ok_n = 1'b1;
      default: info_ok_n = info_in_ready;
    endcase
    if (gen_ready)       resv_ok_n = rbuf_pop ? rs_sub1 : rs_sub0;
    else if (!gen_valid) resv_ok_n = rbuf_pop ? rs_ld1 : rs_ld0;
    else                 resv_ok_n = rbuf_pop ? rs_hd1 : rs_hd0;
  end
  assign qroom_d = arq_ok_n && info_ok_n;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      qroom_q   <= 1'b0;
      resv_ok_q <= 1'b0;
    end else begin
      qroom_q   <= qroom_d;
      resv_ok_q <= resv_ok_n;
    end
  end

  // ---------------------------------------------------------------------------------
  // Control.
  // ---------------------------------------------------------------------------------
  always_comb begin
    st_d    = st_q;
    err_d   = err_q;
    eaddr_d = eaddr_q;
    abort_d = abort_q;
    // The sums are computed from registers; the late gen_ready and rbuf_pop only select.
    unique case ({gen_ready, rbuf_pop})
      2'b00:   free_d = free_q;
      2'b01:   free_d = free_q + ResvW'(1);
      2'b10:   free_d = free_sub;
      default: free_d = free_sub + ResvW'(1);
    endcase
    rcnt_d  = r_take ? (r_last_exp ? '0 : rcnt_q + BeatsW'(1)) : rcnt_q;
    if (rerr_q) begin
      abort_d = 1'b1;
      err_d   = qilin_dma_pkg::ErrAxi;
      eaddr_d = DramAddrW'(rerr_addr_q);
    end
    unique case (st_q)
      StIdle: begin
        // Cleared while idle (nothing reads them then), independent of the valid.
        err_d   = qilin_dma_pkg::ErrNone;
        eaddr_d = '0;
        abort_d = 1'b0;
        if (cmd_valid_i) st_d = StChkGo;
      end
      StChkGo: st_d = StCheck;
      StCheck: begin
        // A pass comes with code NONE and address 0.
        if (chk_done) begin
          err_d   = chk_code;
          eaddr_d = chk_addr;
          st_d    = chk_pass ? StRun : StDone;
        end
      end
      StRun: begin
        if (abort_q)                                st_d = StDrain;
        else if (!w_active_q && (dq_count == '0)) st_d = StDone;
      end
      StDrain: begin
        // Every issued AR has been answered and every beat dropped (a cycle ago, which is
        // as good: DrainQuiet_A).
        if (quiet_q) st_d = StDone;
      end
      StDone: begin
        if (done_ready_i) st_d = StIdle;
      end
      default: st_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q       <= StIdle;
      err_q      <= '0;
      eaddr_q    <= '0;
      abort_q    <= 1'b0;
      free_q     <= ResvW'(RdBufBeats);
      rcnt_q     <= '0;
      w_active_q <= 1'b0;
      yy_q       <= '0;
      xx_q       <= '0;
      ydata_q    <= 1'b0;
      xdata_q    <= 1'b0;
      xend_q     <= 1'b0;
      xlast_q    <= 1'b0;
      ylast_q    <= 1'b0;
      xdn_q      <= 1'b0;
      xen_q      <= 1'b0;
      xln_q      <= 1'b0;
      ydn_q      <= 1'b0;
      yln_q      <= 1'b0;
      off_q      <= '0;
      rowoff_q   <= '0;
      bi_q       <= '0;
    end else begin
      st_q       <= st_d;
      err_q      <= err_d;
      eaddr_q    <= eaddr_d;
      abort_q    <= abort_d;
      free_q     <= free_d;
      rcnt_q     <= rcnt_d;
      w_active_q <= w_active_d;
      yy_q       <= yy_d;
      xx_q       <= xx_d;
      ydata_q    <= ydata_d;
      xdata_q    <= xdata_d;
      xend_q     <= xend_d;
      xlast_q    <= xlast_d;
      ylast_q    <= ylast_d;
      xdn_q      <= xdn_d;
      xen_q      <= xen_d;
      xln_q      <= xln_d;
      ydn_q      <= ydn_d;
      yln_q      <= yln_d;
      off_q      <= off_d;
      rowoff_q   <= rowoff_d;
      bi_q       <= bi_d;
    end
  end

  // The drain's end from a register: the queues and counts of one cycle earlier, all empty.
  // While aborted nothing refills them (no AR is issued, no R beat comes without one, the
  // writer emits nothing), so a cycle-old "all empty" still holds (DrainQuiet_A); the wide
  // AND of the counts is then no part of the state decode. An aborted command ends a cycle
  // later.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) quiet_q <= 1'b0;
    else         quiet_q <= (arq_count == '0) && (info_count == '0) && (rbuf_count == '0) &&
                            !pre_valid_q && !hd_valid && (dq_count == '0);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rerr_q      <= 1'b0;
      rerr_addr_q <= '0;
    end else begin
      rerr_q      <= r_take && r_i.resp[1] && !abort_q && !rerr_q;
      rerr_addr_q <= info_addr;  // the errored beat's burst, read only with rerr_q
    end
  end

  // The command register follows cmd_i while idle and holds the command taken (its enable
  // is a flip-flop, not the valid).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idle_q  <= 1'b1;
      chkgo_q <= 1'b0;
      go_q    <= 1'b0;
      clr_q   <= 1'b0;
      wgo_q   <= 1'b0;
      isd_q   <= 1'b0;
      clast_q <= 1'b0;
      epad_q  <= 1'b0;
      edat_q  <= 1'b0;
      cmid_q  <= 1'b0;
      cmd_q   <= '0;
    end else begin
      idle_q  <= (st_d == StIdle);
      chkgo_q <= (st_d == StChkGo);
      go_q    <= (st_d == StRun) && !abort_d;
      clr_q   <= abort_d || (st_d == StDone);
      wgo_q   <= wgo_d;
      isd_q   <= isd_d;
      clast_q <= clast_d;
      epad_q  <= wgo_d && !isd_d;
      edat_q  <= wgo_d && isd_d && clast_d;
      cmid_q  <= wgo_d && isd_d && !clast_d;
      if (idle_q) cmd_q  <= cmd_i;
    end
  end

  assign cmd_ready_o  = idle_q;
  assign done_valid_o = (st_q == StDone);
  assign err_valid_o  = done_valid_o && (err_q != qilin_dma_pkg::ErrNone);
  assign err_code_o   = err_q;
  assign err_addr_o   = eaddr_q;
  assign busy_o       = !idle_q;

  // Bits that are known to be zero or are not needed: line bits above the AXI address
  // (the window check keeps every access below 2**AxiAddrW), row-address bits above the
  // destination width, the single R ID.
  logic unused_bits;
  assign unused_bits = ^{gen_line[LineW-1:AxiAddrW-OffW], cmd_q.dst_addr[RowW-1:DstAddrW],
                         r_i.id, r_i.last, r_i.resp[0], shifted};

  `QILIN_ASSERT(StateFlags_A, idle_q == (st_q == StIdle) && chkgo_q == (st_q == StChkGo) &&
                go_q == ((st_q == StRun) && !abort_q) &&
                clr_q == (abort_q || (st_q == StDone)), clk_i, rst_ni)
  `QILIN_ASSERT(CheckInStCheck_A, !chk_done || (st_q == StCheck), clk_i, rst_ni)
  `QILIN_ASSERT_INIT(DimPow2_A, Dim >= 1 && Dim <= 64 && (Dim & (Dim - 1)) == 0)
  `QILIN_ASSERT_INIT(DstAddrW_A, DstAddrW <= RowW)
  `QILIN_ASSERT_INIT(Outstanding_A, MaxOutstanding >= 1)
  `QILIN_ASSERT_INIT(RdBuf_A, RdBufBeats >= MaxBurstBeats && RdBufBeats >= 2)
  // Reserved buffer space means R is never back-pressured.
  `QILIN_ASSERT(RNoStall_A, !r_valid_i || r_ready_o, clk_i, rst_ni)
  `QILIN_ASSERT(HeadQueue_A, hq_cnt_q <= 2'd2, clk_i, rst_ni)
  `QILIN_ASSERT(RHasBurst_A, !r_valid_i || info_valid, clk_i, rst_ni)
  `QILIN_ASSERT(RLast_A, !r_fire || (r_i.last == r_last_exp), clk_i, rst_ni)
  `QILIN_ASSERT(RId_A, !r_fire || (r_i.id == AxiId), clk_i, rst_ni)
  // The registered position flags match the grid position.
  `QILIN_ASSERT(GridFlags_A, !((st_q == StRun) && w_active_q) ||
                ((ydata_q == ((yy_q >= y0_q) && (yy_q < y1_q))) &&
                 (xdata_q == ((xx_q >= x0_q) && (xx_q < x1_q))) && (xend_q == (xx_q == x1m1_q)) &&
                 (xlast_q == (xx_q == xtm1_q)) && (ylast_q == (yy_q == ytm1_q)) &&
                 (xdn_q == ((xx_nx >= x0_q) && (xx_nx < x1_q))) && (xen_q == (xx_nx == x1m1_q)) &&
                 (xln_q == (xx_nx == xtm1_q)) && (ydn_q == ((yy_nx >= y0_q) && (yy_nx < y1_q))) &&
                 (yln_q == (yy_nx == ytm1_q))),
                clk_i, rst_ni)
  `QILIN_ASSERT(WriterFlags_A, (wgo_q == (go_q && w_active_q)) &&
                (isd_q == (ydata_q && xdata_q)) &&
                (!go_q || (clast_q == (bi_q == bi_lim))), clk_i, rst_ni)
  `QILIN_ASSERT(DstValid_A, dq_nvalid_q == dq_valid, clk_i, rst_ni)
  `QILIN_ASSERT(WrCopies_A, (wrv_q == dq_nvalid_q) && (wracc_q == cmd_q.dst_acc),
                clk_i, rst_ni)
  `QILIN_ASSERT(SlotCopy_A, slot_q == SlotW'(off_q >> SpLog2), clk_i, rst_ni)
  for (genvar g = 0; g < SelN; g++) begin : gen_sel_chk
    `QILIN_ASSERT(SelCopies_A, (hqrd_c[g] == hq_rd_q) && (isd_c[g] == isd_q) &&
                  (acc_c[g] == cmd_q.dst_acc) && (gen_sel[g].sl == slot_q), clk_i, rst_ni)
  end
  `QILIN_ASSERT(DqIn_A, dq_in == vec_data, clk_i, rst_ni)
  `QILIN_ASSERT(DstReady_A, dq_rdy_q == dq_in_ready, clk_i, rst_ni)
  `QILIN_ASSERT(HeadValid_A, hdv_q == (hq_cnt_q != 2'd0), clk_i, rst_ni)
  `QILIN_ASSERT(RTake_A, r_take == r_fire, clk_i, rst_ni)
  `QILIN_ASSERT(DrainQuiet_A, !((st_q == StDrain) && quiet_q) ||
                ((arq_count == '0) && (info_count == '0) && (rbuf_count == '0) &&
                 !pre_valid_q && !hd_valid && (dq_count == '0)), clk_i, rst_ni)
  // The registered issue conditions equal the direct ones whenever a burst waits.
  `QILIN_ASSERT(IssueOk_A, !gen_valid || ((qroom_q == (arq_in_ready && info_in_ready)) &&
                (resv_ok_q == (ResvW'(gen_beats) <= free_q))), clk_i, rst_ni)
  // An error is acted on while running: R beats come only then, and the errored beat is
  // still ahead of the writer, so the command cannot have finished without it.
  `QILIN_ASSERT(RErrRun_A, !rerr_q || ((st_q == StRun) && !abort_q), clk_i, rst_ni)
  `QILIN_ASSERT(IsdCand_A, isd_d == (ydata_d && xdata_d), clk_i, rst_ni)
  `QILIN_ASSERT(ClastCand_A, !(start_run || consume) || (clast_d == (bi_d == bi_lim)),
                clk_i, rst_ni)
  `QILIN_ASSERT(OvfFlag_A, !go_q || (ovf_q == off_sum[OffW]), clk_i, rst_ni)
  `QILIN_ASSERT(WriterDec_A, (epad_q == (wgo_q && !isd_q)) &&
                (edat_q == (wgo_q && isd_q && clast_q)) &&
                (cmid_q == (wgo_q && isd_q && !clast_q)), clk_i, rst_ni)
  // The decisions equal the expressions on the unregistered terms.
  `QILIN_ASSERT(EmitConsume_A,
                (emit == (wgo_q && dq_in_ready &&
                          (!isd_q || ((hq_cnt_q != 2'd0) && clast_q)))) &&
                (consume == (wgo_q && isd_q && (hq_cnt_q != 2'd0) &&
                             (!clast_q || dq_in_ready))), clk_i, rst_ni)
  `QILIN_ASSERT(HdAddr1_A, hd_addr1_q == hd_addr_q + DstAddrW'(1), clk_i, rst_ni)
  // (A command without data, x_size 0, passes the check whatever its alignment; it never
  // consumes a beat.)
  `QILIN_ASSERT(OffAligned_A, !consume || ((off_q & OffW'(SpB - 1)) == '0), clk_i, rst_ni)
  // The writer uses up exactly the beats that were requested.
  `QILIN_ASSERT(WriterDoneAllIssued_A,
                !(go_q && !w_active_q) ||
                (!gen_valid && (rbuf_count == '0) && !pre_valid_q && !hd_valid),
                clk_i, rst_ni)

endmodule
