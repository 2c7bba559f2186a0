// SPDX-License-Identifier: Apache-2.0
// STORE DMA engine: reads consecutive scratchpad rows (Dim-byte vectors) or accumulator
// rows (4*Dim-byte vectors) and writes them as a 2-D block to device memory over AXI4
// (docs/dma.md).
//
// Source port: every request reads one Dim-byte chunk. From SP a chunk is a row (address =
// row); from ACC (cmd.src_acc) row r is the 4 chunks 4*r + j, j = 0..3, bytes 4*Dim*... of the
// little-endian row, and sp_req_acc_o tells the owner of the port which memory to read. A
// command is all SP or all ACC, so nothing else changes: an ACC row is 4 consecutive vectors.
//
// Pipeline: command -> check (alignment, window; before any traffic) -> burst splitter ->
// AW stage (+ burst length for W, burst address for B). In parallel, SP read requests ->
// SP response buffer -> packer (vectors into 32-byte beats with WSTRB, WLAST from the
// burst lengths) -> W stage. A SP read is requested only with room reserved for its
// response, so an SRAM with a fixed latency may ignore sp_rsp_ready_o. W beats of a burst
// may leave before its AW is accepted (AXI allows it; the master never waits for AWREADY).
// On an error response (B): no further AWs and SP reads; bursts already started get their
// W beats with WSTRB = 0 (nothing more is written); the command completes with ErrAxi.
`include "qilin_assert.svh"

module qilin_dma_wr #(
  parameter int unsigned Dim            = 16,  // array size: SP vector Dim bytes
  parameter int unsigned SpAddrW        = 14,  // source chunk-address width (SP rows, 4*ACC rows)
  parameter int unsigned MaxOutstanding = 16,  // AXI write bursts in flight
  parameter int unsigned MaxBurstBeats  = 16,  // beats per burst, 1..256
  parameter int unsigned SpRspDepth     = 8,   // SP reads in flight (response buffer)
  parameter logic [qilin_axi_pkg::IdW-1:0] AxiId = '0,
  // Do not override.
  parameter int unsigned SpW            = Dim * 8
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  // Command.
  input  qilin_dma_pkg::dma_wr_cmd_t           cmd_i,
  input  logic                                 cmd_valid_i,
  output logic                                 cmd_ready_o,
  // Write window [base, limit) in bytes (CSRs), sampled when a command starts.
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  wr_win_base_i,
  input  logic [qilin_dma_pkg::DramAddrW-1:0]  wr_win_limit_i,
  // Scratchpad read port: requests, and responses in request order.
  output logic                                 sp_req_valid_o,
  input  logic                                 sp_req_ready_i,
  output logic [SpAddrW-1:0]                   sp_req_addr_o,
  output logic                                 sp_req_acc_o,   // chunk of ACC row addr/4
  output logic                                 sp_req_sp_o,    // sp_req_valid_o && !sp_req_acc_o
  output logic                                 sp_req_accv_o,  // sp_req_valid_o && sp_req_acc_o
  input  logic                                 sp_rsp_valid_i,
  output logic                                 sp_rsp_ready_o,
  input  logic [SpW-1:0]                       sp_rsp_data_i,
  // AXI4 write master.
  output qilin_axi_pkg::axi_aw_t               aw_o,
  output logic                                 aw_valid_o,
  input  logic                                 aw_ready_i,
  output qilin_axi_pkg::axi_w_t                w_o,
  output logic                                 w_valid_o,
  input  logic                                 w_ready_i,
  input  qilin_axi_pkg::axi_b_t                b_i,
  input  logic                                 b_valid_i,
  output logic                                 b_ready_o,
  // Completion, one per command, after the last B response.
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
  localparam int unsigned SpLog2    = $clog2(SpB);
  localparam int unsigned ChunkB    = (SpB < BeatB) ? SpB : BeatB;   // bytes of a vector per beat
  localparam int unsigned Bpv       = (SpB > BeatB) ? SpB / BeatB : 1; // beats per vector
  localparam int unsigned BiW       = 2;
  localparam int unsigned SpOutW    = $clog2(SpRspDepth + 1) + 1;
  localparam int unsigned AwW       = qilin_axi_pkg::IdW + AxiAddrW + 8 + 3 + 2;  // axi_aw_t
  localparam int unsigned WW        = BusW + BeatB + 1;  // axi_w_t

  typedef enum logic [2:0] {StIdle, StChkGo, StCheck, StRun, StDrain, StDone} st_e;

  st_e                        st_q, st_d;
  qilin_dma_pkg::dma_wr_cmd_t cmd_q;
  logic                       idle_q;   // st_q == StIdle
  logic                       chkgo_q;  // st_q == StChkGo (check and burst start)
  logic                       go_q;     // st_q == StRun && !abort_q
  logic                       clr_q;    // abort_q || st_q == StDone (burst splitter clear)
  logic [ErrW-1:0]            err_q, err_d;
  logic [DramAddrW-1:0]       eaddr_q, eaddr_d;
  logic                       abort_q, abort_d;

  // ---------------------------------------------------------------------------------
  // Check.
  // ---------------------------------------------------------------------------------
  logic                 chk_done, chk_pass, start_run;
  logic [SizeW+1:0]     xv;  // Dim-byte chunks per DRAM row (4 per vector from ACC)
  logic [RowW+1:0]      src0;  // first chunk address

  assign xv   = cmd_q.src_acc ? {cmd_q.x_size, 2'b00} : {2'b00, cmd_q.x_size};
  assign src0 = cmd_q.src_acc ? {cmd_q.src_addr, 2'b00} : {2'b00, cmd_q.src_addr};
  logic [ErrW-1:0]      chk_code;
  logic [DramAddrW-1:0] chk_addr;

  // Loop bounds, registered from cmd_q (which holds still from StChkGo on, at least two
  // cycles before the command runs).
  logic [SizeW+1:0]     xvm1_q;   // xv - 1
  logic [SizeW-1:0]     ym1_q;    // y_size - 1
  // xv - 2 and y_size - 2 (reset to xvm1_q - 1, ym1_q - 1): a counter's "next value is the
  // bound" is a compare of two registers, not an incrementer's carry chain in series with
  // the compare (rq_x_q / px_q -> row-end flags -> the request and packer state: 9 CCU2C +
  // 5 LUT levels before, stop 20). Bounds_A.
  logic [SizeW+1:0]     xvm2_q;
  logic [SizeW-1:0]     ym2_q;
  logic                 empty_q;  // y_size or x_size is 0
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      xvm1_q  <= '0;
      ym1_q   <= '0;
      xvm2_q  <= '1;
      ym2_q   <= '1;
      empty_q <= 1'b1;
    end else begin
      xvm1_q  <= xv - (SizeW+2)'(1);
      ym1_q   <= cmd_q.y_size - SizeW'(1);
      xvm2_q  <= xv - (SizeW+2)'(2);
      ym2_q   <= cmd_q.y_size - SizeW'(2);
      empty_q <= (cmd_q.y_size == '0) || (cmd_q.x_size == '0);
    end
  end

  qilin_dma_check u_check (
    .clk_i,
    .rst_ni,
    .start_i     (chkgo_q),
    .addr_i      (cmd_q.dram_addr),
    .stride_i    (cmd_q.dram_stride),
    .y_size_i    (cmd_q.y_size),
    .x_size_i    (cmd_q.x_size),
    .vb_log2_i   (cmd_q.src_acc ? 4'(SpLog2 + 2) : 4'(SpLog2)),
    .win_base_i  (wr_win_base_i),
    .win_limit_i (wr_win_limit_i),
    .done_o      (chk_done),
    .pass_o      (chk_pass),
    .err_code_o  (chk_code),
    .err_addr_o  (chk_addr)
  );
  // The check runs only in StCheck, so its registered pass flag starts the command.
  assign start_run = chk_pass;

  // ---------------------------------------------------------------------------------
  // Bursts -> AW stage, burst lengths (for WLAST), burst addresses (for B errors).
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
    .row_bytes_i ((SizeW+8)'(xv) << SpLog2),
    .valid_o     (gen_valid),
    .ready_i     (gen_ready),
    .line_o      (gen_line),
    .beats_o     (gen_beats),
    .load_beats_o(gen_load_beats)
  );

  logic                awq_in_ready, info_in_ready, info_valid, wlen_in_ready, wlen_valid, wlen_pop;
  logic [AwW-1:0]      awq_in, awq_out;
  logic [AxiAddrW-1:0] gen_addr, info_addr;
  logic [7:0]          gen_len, wlen;
  logic [1:0]          awq_count;
  logic [$clog2(MaxOutstanding+1)-1:0] info_count;
  logic [$clog2(MaxOutstanding)-1:0]   wlen_count;
  logic                wlq_valid, wlq_pop;   // burst-length queue, before its head register
  logic [7:0]          wlq_data;

  assign gen_addr  = {gen_line[AxiAddrW-OffW-1:0], OffW'(0)};
  assign gen_len   = 8'(gen_beats - BeatsW'(1));
  assign awq_in    = {AxiId, gen_addr, gen_len, 3'(OffW), qilin_axi_pkg::BurstIncr};
  assign gen_ready = go_q && gen_valid && awq_in_ready &&
                     info_in_ready && wlen_in_ready;

  qilin_fifo #(.Width(AwW), .Depth(2)) u_awq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (gen_ready),
    .in_ready_o  (awq_in_ready),
    .in_data_i   (awq_in),
    .out_valid_o (aw_valid_o),
    .out_ready_i (aw_ready_i),
    .out_data_o  (awq_out),
    .count_o     (awq_count)
  );
  assign aw_o = awq_out;

  qilin_fifo #(.Width(AxiAddrW), .Depth(MaxOutstanding)) u_info (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (gen_ready),
    .in_ready_o  (info_in_ready),
    .in_data_i   (gen_addr),
    .out_valid_o (info_valid),
    .out_ready_i (b_valid_i),
    .out_data_o  (info_addr),
    .count_o     (info_count)
  );

  // One entry fewer than the bursts in flight: the head register below holds the other (a
  // burst's length waits here only until its W beats are sent, and at most MaxOutstanding
  // bursts are in flight: u_info), so this FIFO is never the one that stops the generator.
  qilin_fifo #(.Width(8), .Depth(MaxOutstanding - 1)) u_wlen (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (gen_ready),
    .in_ready_o  (wlen_in_ready),
    .in_data_i   (gen_len),
    .out_valid_o (wlq_valid),
    .out_ready_i (wlq_pop),
    .out_data_o  (wlq_data),
    .count_o     (wlen_count)
  );

  // Head register of the burst lengths, so WLAST (a compare with the W beat count) starts
  // from flip-flops. Refilled whenever it is empty or empties in the same cycle.
  assign wlq_pop = wlq_valid && (!wlen_valid || wlen_pop);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wlen_valid <= 1'b0;
      wlen       <= '0;
    end else if (wlq_pop) begin
      wlen_valid <= 1'b1;
      wlen       <= wlq_data;
    end else if (wlen_pop) begin
      wlen_valid <= 1'b0;
    end
  end

  // ---------------------------------------------------------------------------------
  // SP read requests (credit: a response-buffer entry per request).
  // ---------------------------------------------------------------------------------
  logic               rq_active_q, rq_active_d;
  logic [SizeW+1:0]   rq_x_q, rq_x_d, rq_x_nx;
  logic [SizeW-1:0]   rq_y_q, rq_y_d, rq_y_nx;
  // rq_xl_q == (rq_x_q == xvm1_q), rq_yl_q == (rq_y_q == ym1_q), kept as registers (the
  // values for the next request are compared from registers; the push only selects).
  logic               rq_xl_q, rq_xl_d, rq_yl_q, rq_yl_d, rq_xl_nx, rq_yl_nx;
  logic [SpAddrW-1:0] rq_addr_q, rq_addr_d;
  logic [SpOutW-1:0]  sp_out_q, sp_out_d, sp_out_inc, sp_out_dec;
  logic               rq_push, reqq_in_ready, spbuf_valid, spbuf_pop;
  logic [1:0]         reqq_count;
  logic [SpW-1:0]     spbuf_data;
  logic [$clog2(SpRspDepth+1)-1:0] spbuf_count;

  // Credits: sp_out_q counts the requests pushed and not yet popped from the response
  // buffer, with each pop subtracted a cycle late (pop_q): the pop (head register, packer
  // and W handshake, 5 LUT levels) then reaches one flip-flop instead of the count's enable
  // (11.30 ns routed, stop 23). The credits in use are sp_out_q - pop_q, the count as it
  // was (SpOut_A), so the push tests that from registers and timing is unchanged.
  logic pop_q;
  assign rq_push = go_q && rq_active_q && reqq_in_ready &&
                   ((sp_out_q < SpOutW'(SpRspDepth)) ||
                    (pop_q && (sp_out_q == SpOutW'(SpRspDepth))));

  assign rq_x_nx    = rq_x_q + (SizeW+2)'(1);
  assign rq_y_nx    = rq_y_q + SizeW'(1);
  assign rq_xl_nx   = (rq_x_q == xvm2_q);  // == (rq_x_nx == xvm1_q)
  assign rq_yl_nx   = (rq_y_q == ym2_q);   // == (rq_y_nx == ym1_q)
  assign sp_out_inc = sp_out_q + SpOutW'(1);
  assign sp_out_dec = sp_out_q - SpOutW'(1);

  // SP request queue. The request's valid, address and ACC flag, which enter the core's
  // SP / ACC bank arbitration, come from flip-flops: the chunk addresses of a command are
  // consecutive, so the head's address is a counter that moves on with every accepted
  // request, and the valid is a registered copy of the queue's "not empty". The queue's
  // own data only back the assertion below.
  // The valid is also kept split by memory (rqs_q, rqa_q), so the core's SP and ACC
  // arbiters take their request bits straight from flip-flops (no AND with the ACC flag,
  // a 40-load net, in front of the arbitration: stop 20). cmd_q holds still whenever a
  // request is queued (it loads only while idle, when the queue is empty).
  logic               reqq_valid, rqv_q, rqv_d, rqs_q, rqa_q, rq_pop;
  logic [SpAddrW-1:0] rq_hd_q, reqq_addr;
  logic               reqq_acc;
  // rqv_q == reqq_valid (SpReq_A): the pop starts from a flip-flop, not the count compare.
  assign rq_pop = rqv_q && sp_req_ready_i;
  assign rqv_d  = rq_push || (reqq_count > 2'(rq_pop));
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rqv_q   <= 1'b0;
      rqs_q   <= 1'b0;
      rqa_q   <= 1'b0;
      rq_hd_q <= '0;
    end else begin
      rqv_q <= rqv_d;
      rqs_q <= rqv_d && !cmd_q.src_acc;
      rqa_q <= rqv_d && cmd_q.src_acc;
      if (start_run)   rq_hd_q <= src0[SpAddrW-1:0];
      else if (rq_pop) rq_hd_q <= rq_hd_q + SpAddrW'(1);
    end
  end

  qilin_fifo #(.Width(SpAddrW + 1), .Depth(2)) u_reqq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (rq_push),
    .in_ready_o  (reqq_in_ready),
    .in_data_i   ({cmd_q.src_acc, rq_addr_q}),
    .out_valid_o (reqq_valid),
    .out_ready_i (sp_req_ready_i),
    .out_data_o  ({reqq_acc, reqq_addr}),
    .count_o     (reqq_count)
  );
  assign sp_req_valid_o = rqv_q;
  assign sp_req_addr_o  = rq_hd_q;
  assign sp_req_acc_o   = cmd_q.src_acc;  // held from StChkGo until the command is done
  assign sp_req_sp_o    = rqs_q;
  assign sp_req_accv_o  = rqa_q;

  // In flip-flops (FlopStore): its write data is the core's SP / ACC response select, which
  // reached the LUT-RAM write pins at 9-10 ns in the routes (docs/fpga.md).
  qilin_fifo #(.Width(SpW), .Depth(SpRspDepth), .FlopStore(1'b1)) u_spbuf (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (sp_rsp_valid_i),
    .in_ready_o  (sp_rsp_ready_o),
    .in_data_i   (sp_rsp_data_i),
    .out_valid_o (spbuf_valid),
    .out_ready_i (spbuf_pop),
    .out_data_o  (spbuf_data),
    .count_o     (spbuf_count)
  );

  // ---------------------------------------------------------------------------------
  // Packer: vectors -> 32-byte beats. Each DRAM row starts a new beat at its byte offset.
  // ---------------------------------------------------------------------------------
  logic                  pk_active_q, pk_active_d;
  logic [SizeW+1:0]      px_q, px_d;
  logic [SizeW-1:0]      py_q, py_d;
  logic [BiW-1:0]        ci_q, ci_d;                 // beat index within a wide vector
  logic [OffW-1:0]       off_q, off_d, rowoff_q, rowoff_d;
  logic [BusW-1:0]       asm_data_q, placed, fill, beat_data;
  logic [BeatB-1:0]      asm_strb_q, asm_strb_d, pmask, beat_strb;
  logic [7:0]            wbeat_q, wbeat_d;           // W beats sent of the current burst
  logic                  chunk_last, beat_end, consume, w_last, w_push;
  logic                  pkgo_q;               // go_q && pk_active_q
  logic                  wok_q, wok_d;         // wlen_valid && wq_in_ready
  logic                  wlen_valid_d;
  logic [1:0]            wq_cnt_d;
  logic                  wq_in_ready;
  logic [OffW:0]         off_sum;
  logic [WW-1:0]         wq_in, wq_out;
  logic [1:0]            wq_count;

  // Head register: the SP response buffer's head chunk, so the placement mux and the W
  // queue start from flip-flops. A chunk moves on whenever the head is empty or empties in
  // the same cycle; its credit is returned when it leaves the buffer.
  logic                  sh_valid_q, sh_pop, sh_free;
  logic [SpW-1:0]        sh_data_q;

  assign sh_pop    = abort_q ? sh_valid_q : (consume && chunk_last);
  assign sh_free   = !sh_valid_q || sh_pop;  // the head is free after this cycle
  assign spbuf_pop = spbuf_valid && sh_free;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)        sh_valid_q <= 1'b0;
    else if (spbuf_pop) sh_valid_q <= 1'b1;
    else if (sh_pop)    sh_valid_q <= 1'b0;
  end
  // Data has no reset: it is only used while sh_valid_q is set. So it loads whenever the
  // head is free, whether or not the buffer holds a chunk: the enable of its SpW flops
  // leaves out the buffer's count (10.52 ns routed, stop 21).
  always_ff @(posedge clk_i) begin
    if (sh_free) sh_data_q <= spbuf_data;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) pop_q <= 1'b0;
    else         pop_q <= spbuf_pop;
  end
`ifndef SYNTHESIS
  // The count as it was: plus a push, minus a pop, in the same cycle.
  logic [SpOutW-1:0] sp_out_ref_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) sp_out_ref_q <= '0;
    else         sp_out_ref_q <= sp_out_ref_q + SpOutW'(rq_push) - SpOutW'(spbuf_pop);
  end
  `QILIN_ASSERT(SpOut_A, sp_out_ref_q == sp_out_q - SpOutW'(pop_q), clk_i, rst_ni)
`endif

  assign chunk_last = (ci_q == BiW'(Bpv - 1));
  // pend_q == (px_q == xvm1_q), kept as a register: the packer's last vector of a row.
  logic                  pend_q, pend_d, pend_nx;
  logic [SizeW+1:0]      px_nx;
  assign px_nx      = px_q + (SizeW+2)'(1);
  assign pend_nx    = (px_q == xvm2_q);    // == (px_nx == xvm1_q)
  assign off_sum    = {1'b0, off_q} + (OffW+1)'(ChunkB);

  // The chunk ends its beat (its last byte lane is filled, or its row ends). Kept as a
  // register (bend_q, computed from the next offset, chunk index and row-end flag), so the
  // packer's consume, the W push and the 288 assembly enables start from flip-flops.
  logic                  bend_q, bend_d;
  logic [OffW:0]         off_sum_d;
  assign beat_end   = bend_q;

  if (Bpv > 1) begin : gen_wide
    always_comb begin
      placed = '0;
      for (int unsigned k = 0; k < Bpv; k++) begin
        if (ci_q == BiW'(k)) placed = sh_data_q[k*BusW +: BusW];
      end
    end
    assign pmask = '1;
    assign fill  = placed;
    logic unused_off;
    assign unused_off = ^off_q;
  end else begin : gen_narrow
    // dram_addr and dram_stride are multiples of the vector size (check), so the byte
    // offset is a multiple of ChunkB = SpB: a chunk goes to one of BeatB/SpB slots (a
    // one-level select per bit instead of a byte shifter).
    localparam int unsigned Slots = BeatB / SpB;
    localparam int unsigned SlotW = (Slots > 1) ? $clog2(Slots) : 1;
    logic [SlotW-1:0] slot;
    assign slot = SlotW'(off_q >> SpLog2);
    always_comb begin
      placed = '0;
      pmask  = '0;
      for (int unsigned k = 0; k < Slots; k++) begin
        if (slot == SlotW'(k)) begin
          placed[k*SpW +: SpW] = sh_data_q;
          pmask[k*SpB +: SpB]  = '1;
        end
      end
    end
    assign fill = {Slots{sh_data_q}};
  end

  // The assembly register's bytes count only where asm_strb_q is set (they are not cleared
  // at a beat's end): byte lanes load the chunk where it is placed, straight from the head
  // register, so no clear or select reaches their 256 data inputs.
  always_comb begin
    for (int unsigned b = 0; b < BeatB; b++) begin
      beat_data[b*8 +: 8] = placed[b*8 +: 8] | (asm_data_q[b*8 +: 8] & {8{asm_strb_q[b]}});
    end
  end
  always_ff @(posedge clk_i) begin
    for (int unsigned b = 0; b < BeatB; b++) begin
      if (consume && pmask[b]) asm_data_q[b*8 +: 8] <= fill[b*8 +: 8];
    end
  end
  assign beat_strb = asm_strb_q | pmask;
  // w_last == (wbeat_q == wlen), a flag register from next state (WLast_A): the 8-bit
  // compare was in front of w_push, the beat counter's enable and the burst-length pop
  // (5 LUT levels, 12.34 ns routed, stop 21).
  logic wlast_q;
  assign w_last    = wlast_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) wlast_q <= 1'b1;  // wbeat_q == wlen == 0
    else         wlast_q <= (wbeat_d == (wlq_pop ? wlq_data : wlen));
  end
  // The consume and push decisions start from registers: pkgo_q, and wok_q (a burst length
  // at the head and room in the W queue, computed for the next cycle from the next
  // burst-length valid and the W queue's next fill level).
  assign consume   = pkgo_q && sh_valid_q && (!beat_end || wok_q);
  // After an error, the bursts already started are completed with empty strobes.
  assign w_push    = wok_q && ((pkgo_q && sh_valid_q && beat_end) || abort_q);
  assign wlen_valid_d = wlq_pop || (wlen_valid && !wlen_pop);
  assign wq_cnt_d     = wq_count + 2'(w_push) - 2'(w_valid_o && w_ready_i);
  assign wok_d        = wlen_valid_d && (wq_cnt_d != 2'd2);
  assign wq_in     = abort_q ? {BusW'(0), BeatB'(0), w_last} : {beat_data, beat_strb, w_last};
  assign wlen_pop  = w_push && w_last;

  always_comb begin
    rq_active_d = rq_active_q;
    rq_x_d      = rq_x_q;
    rq_y_d      = rq_y_q;
    rq_xl_d     = rq_xl_q;
    rq_yl_d     = rq_yl_q;
    rq_addr_d   = rq_addr_q;
    // Both neighbours are computed from the register; the push and pop_q only select.
    sp_out_d    = (rq_push == pop_q) ? sp_out_q : rq_push ? sp_out_inc : sp_out_dec;
    pk_active_d = pk_active_q;
    px_d        = px_q;
    pend_d      = pend_q;
    py_d        = py_q;
    ci_d        = ci_q;
    off_d       = off_q;
    rowoff_d    = rowoff_q;
    asm_strb_d  = asm_strb_q;
    wbeat_d     = wbeat_q;
    if (start_run) begin
      rq_active_d = !empty_q;
      rq_x_d      = '0;
      rq_y_d      = '0;
      rq_xl_d     = (xvm1_q == '0);
      rq_yl_d     = (ym1_q == '0);
      rq_addr_d   = src0[SpAddrW-1:0];
      pk_active_d = !empty_q;
      px_d        = '0;
      pend_d      = (xvm1_q == '0);
      py_d        = '0;
      ci_d        = '0;
      off_d       = cmd_q.dram_addr[OffW-1:0];
      rowoff_d    = cmd_q.dram_addr[OffW-1:0];
      asm_strb_d  = '0;
      wbeat_d     = '0;
    end else begin
      if (rq_push) begin
        rq_addr_d = rq_addr_q + SpAddrW'(1);
        if (rq_xl_q) begin
          rq_x_d  = '0;
          rq_xl_d = (xvm1_q == '0);
          rq_y_d  = rq_y_nx;
          rq_yl_d = rq_yl_nx;
          if (rq_yl_q) rq_active_d = 1'b0;
        end else begin
          rq_x_d  = rq_x_nx;
          rq_xl_d = rq_xl_nx;
        end
      end
      if (consume) begin
        asm_strb_d = beat_end ? '0 : beat_strb;
        ci_d       = chunk_last ? '0 : ci_q + BiW'(1);
        if (chunk_last && pend_q) begin
          off_d    = rowoff_q + cmd_q.dram_stride[OffW-1:0];
          rowoff_d = rowoff_q + cmd_q.dram_stride[OffW-1:0];
        end else begin
          off_d = off_sum[OffW-1:0];
        end
        if (chunk_last) begin
          if (pend_q) begin
            px_d   = '0;
            pend_d = (xvm1_q == '0);
            py_d = py_q + SizeW'(1);
            if (py_q == ym1_q) pk_active_d = 1'b0;
          end else begin
            px_d   = px_nx;
            pend_d = pend_nx;
          end
        end
      end
      if (w_push) wbeat_d = w_last ? '0 : wbeat_q + 8'd1;
    end
    off_sum_d = {1'b0, off_d} + (OffW+1)'(ChunkB);
    bend_d    = off_sum_d[OffW] || ((ci_d == BiW'(Bpv - 1)) && pend_d);
  end

  qilin_fifo #(.Width(WW), .Depth(2)) u_wq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (w_push),
    .in_ready_o  (wq_in_ready),
    .in_data_i   (wq_in),
    .out_valid_o (w_valid_o),
    .out_ready_i (w_ready_i),
    .out_data_o  (wq_out),
    .count_o     (wq_count)
  );
  assign w_o = wq_out;

  // ---------------------------------------------------------------------------------
  // B responses and control.
  // ---------------------------------------------------------------------------------
  assign b_ready_o = 1'b1;

  logic all_idle;
  assign all_idle = (awq_count == '0) && (info_count == '0) && (wlen_count == '0) && !wlen_valid &&
                    (wq_count == '0) && (reqq_count == '0) && (sp_out_q == SpOutW'(pop_q)) &&
                    !sh_valid_q;

  always_comb begin
    st_d    = st_q;
    err_d   = err_q;
    eaddr_d = eaddr_q;
    abort_d = abort_q;
    if (b_valid_i && b_i.resp[1] && !abort_q) begin
      abort_d = 1'b1;
      err_d   = qilin_dma_pkg::ErrAxi;
      eaddr_d = DramAddrW'(info_addr);
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
        if (abort_q) st_d = StDrain;
        else if (!gen_valid && !rq_active_q && !pk_active_q && all_idle) st_d = StDone;
      end
      StDrain: begin
        if (all_idle) st_d = StDone;
      end
      StDone: begin
        if (done_ready_i) st_d = StIdle;
      end
      default: st_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q        <= StIdle;
      err_q       <= '0;
      eaddr_q     <= '0;
      abort_q     <= 1'b0;
      rq_active_q <= 1'b0;
      rq_x_q      <= '0;
      rq_y_q      <= '0;
      rq_xl_q     <= 1'b0;
      rq_yl_q     <= 1'b0;
      rq_addr_q   <= '0;
      sp_out_q    <= '0;
      pk_active_q <= 1'b0;
      px_q        <= '0;
      pend_q      <= 1'b0;
      bend_q      <= 1'b0;
      py_q        <= '0;
      ci_q        <= '0;
      off_q       <= '0;
      rowoff_q    <= '0;
      asm_strb_q  <= '0;
      wbeat_q     <= '0;
    end else begin
      st_q        <= st_d;
      err_q       <= err_d;
      eaddr_q     <= eaddr_d;
      abort_q     <= abort_d;
      rq_active_q <= rq_active_d;
      rq_x_q      <= rq_x_d;
      rq_y_q      <= rq_y_d;
      rq_xl_q     <= rq_xl_d;
      rq_yl_q     <= rq_yl_d;
      rq_addr_q   <= rq_addr_d;
      sp_out_q    <= sp_out_d;
      pk_active_q <= pk_active_d;
      px_q        <= px_d;
      pend_q      <= pend_d;
      bend_q      <= bend_d;
      py_q        <= py_d;
      ci_q        <= ci_d;
      off_q       <= off_d;
      rowoff_q    <= rowoff_d;
      asm_strb_q  <= asm_strb_d;
      wbeat_q     <= wbeat_d;
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
      pkgo_q  <= 1'b0;
      wok_q   <= 1'b0;
      cmd_q   <= '0;
    end else begin
      idle_q  <= (st_d == StIdle);
      chkgo_q <= (st_d == StChkGo);
      go_q    <= (st_d == StRun) && !abort_d;
      clr_q   <= abort_d || (st_d == StDone);
      pkgo_q  <= (st_d == StRun) && !abort_d && pk_active_d;
      wok_q   <= wok_d;
      if (idle_q) cmd_q  <= cmd_i;
    end
  end

  assign cmd_ready_o  = idle_q;
  assign done_valid_o = (st_q == StDone);
  assign err_valid_o  = done_valid_o && (err_q != qilin_dma_pkg::ErrNone);
  assign err_code_o   = err_q;
  assign err_addr_o   = eaddr_q;
  assign busy_o       = !idle_q;

  // Line bits above the AXI address are zero (window check); row bits above SpAddrW are
  // not used; single B ID; buffer fill levels are not needed (credits bound them); the
  // STORE side reserves no buffer per burst, so it has no use for the next head's beats.
  logic unused_bits;
  assign unused_bits = ^{gen_line[LineW-1:AxiAddrW-OffW], src0[RowW+1:SpAddrW],
                         b_i.id, b_i.resp[0], spbuf_count, gen_load_beats};

  `QILIN_ASSERT(StateFlags_A, idle_q == (st_q == StIdle) && chkgo_q == (st_q == StChkGo) &&
                go_q == ((st_q == StRun) && !abort_q) &&
                clr_q == (abort_q || (st_q == StDone)), clk_i, rst_ni)
  `QILIN_ASSERT(CheckInStCheck_A, !chk_done || (st_q == StCheck), clk_i, rst_ni)
  `QILIN_ASSERT_INIT(DimPow2_A, Dim >= 1 && Dim <= 64 && (Dim & (Dim - 1)) == 0)
  `QILIN_ASSERT_INIT(SpAddrW_A, SpAddrW <= RowW + 2)
  `QILIN_ASSERT_INIT(Outstanding_A, MaxOutstanding >= 2 && SpRspDepth >= 1)
  // Credits keep the SP response buffer from overflowing.
  `QILIN_ASSERT(SpRspNoStall_A, !sp_rsp_valid_i || sp_rsp_ready_o, clk_i, rst_ni)
  `QILIN_ASSERT(BHasBurst_A, !b_valid_i || info_valid, clk_i, rst_ni)
  `QILIN_ASSERT(RowEnd_A, !((st_q == StRun) && pk_active_q) || (pend_q == (px_q == xvm1_q)),
                clk_i, rst_ni)
  `QILIN_ASSERT(WLast_A, wlast_q == (wbeat_q == wlen), clk_i, rst_ni)
  `QILIN_ASSERT(PackFlags_A, (pkgo_q == (go_q && pk_active_q)) &&
                (wok_q == (wlen_valid && wq_in_ready)), clk_i, rst_ni)
  `QILIN_ASSERT(SpReq_A, (rqv_q == reqq_valid) &&
                (!reqq_valid || ((reqq_addr == rq_hd_q) && (reqq_acc == cmd_q.src_acc))),
                clk_i, rst_ni)
  `QILIN_ASSERT(SpReqSplit_A, (rqs_q == (rqv_q && !cmd_q.src_acc)) &&
                (rqa_q == (rqv_q && cmd_q.src_acc)) && (rq_pop == (reqq_valid && sp_req_ready_i)),
                clk_i, rst_ni)
  `QILIN_ASSERT(Bounds_A, (xvm2_q == xvm1_q - (SizeW+2)'(1)) && (ym2_q == ym1_q - SizeW'(1)) &&
                (rq_xl_nx == (rq_x_nx == xvm1_q)) && (rq_yl_nx == (rq_y_nx == ym1_q)) &&
                (pend_nx == (px_nx == xvm1_q)), clk_i, rst_ni)
  `QILIN_ASSERT(BeatEnd_A, !((st_q == StRun) && pk_active_q) ||
                (bend_q == (off_sum[OffW] || (chunk_last && pend_q))), clk_i, rst_ni)
  `QILIN_ASSERT(OffAligned_A, !((st_q == StRun) && pk_active_q) ||
                ((off_q & OffW'(ChunkB - 1)) == '0), clk_i, rst_ni)
  `QILIN_ASSERT(ReqFlags_A, !((st_q == StRun) && rq_active_q) ||
                ((rq_xl_q == (rq_x_q == xvm1_q)) && (rq_yl_q == (rq_y_q == ym1_q))), clk_i, rst_ni)
  `QILIN_ASSERT(BId_A, !b_valid_i || (b_i.id == AxiId), clk_i, rst_ni)

endmodule
