// SPDX-License-Identifier: Apache-2.0
// Command processor: fetches the instruction stream over AXI4, checks each instruction
// (docs/isa.md §7), dispatches it in program order to the LD, EX and ST queues, resolves the
// dependency tokens and barriers, issues to the units and reports the first error
// (docs/cmd_proc.md).
//
// Pipeline: AR generator -> R beats -> beat buffer -> check register (one instruction, legality
// checks read from it) -> per-queue instruction FIFO -> head pops its tokens -> unit issue ->
// pending FIFO (issued, not completed) -> retire FIFO (completed, pushes outstanding) -> retire.
// An AR is issued only when the beat buffer has room for all its beats, so RREADY is always 1.
`include "qilin_assert.svh"

module qilin_cmd_proc #(
  parameter int unsigned Dim            = 16,     // array size (MATMUL k_size limit, vector bytes)
  parameter int unsigned SpRows         = 16384,  // scratchpad rows, at most 2^17
  parameter int unsigned AccRows        = 1024,   // accumulator rows, at most 2^16
  parameter int unsigned InsnQueueDepth = 8,      // per-queue instruction FIFO, >= 8
  parameter int unsigned TokenDepth     = 16,     // tokens per token FIFO, >= 16
  parameter int unsigned FetchBurst     = 8,      // instructions per AXI burst: 4, 8, 16 or 32
  parameter int unsigned FetchBursts    = 4,      // bursts in flight (beat buffer = all of them)
  parameter int unsigned UnitInflight   = 4,      // per queue: issued but not yet retired
  parameter logic [qilin_axi_pkg::IdW-1:0] FetchId = '0
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           soft_reset_i,  // synchronous clear of everything
  // Doorbell and status.
  input  logic                           start_i,       // pulse; ignored while busy_o
  input  logic [39:0]                    cmd_base_i,    // stream base (byte address, 16-aligned)
  input  logic [31:0]                    cmd_len_i,     // stream length in instructions
  output logic                           busy_o,
  output logic                           done_o,        // pulse: END completed in all queues
  output logic                           error_o,       // pulse: the first error was latched
  output logic [7:0]                     err_code_o,    // latched until start / soft reset
  output logic [39:0]                    err_addr_o,
  output logic [31:0]                    err_pc_o,
  // AXI4 read master (instruction fetch).
  output qilin_axi_pkg::axi_ar_t         ar_o,
  output logic                           ar_valid_o,
  input  logic                           ar_ready_i,
  input  qilin_axi_pkg::axi_r_t          r_i,
  input  logic                           r_valid_i,
  output logic                           r_ready_o,
  // LD unit.
  output logic                           ld_valid_o,
  input  logic                           ld_ready_i,
  output logic [127:0]                   ld_insn_o,
  output logic [31:0]                    ld_pc_o,
  input  logic                           ld_done_i,
  input  logic                           ld_err_i,
  input  logic [7:0]                     ld_err_code_i,
  input  logic [39:0]                    ld_err_addr_i,
  // EX unit.
  output logic                           ex_valid_o,
  input  logic                           ex_ready_i,
  output logic [127:0]                   ex_insn_o,
  output logic [31:0]                    ex_pc_o,
  output logic [23:0]                    ex_grid_o,   // a POSTPROC head's in_h * in_w
  input  logic                           ex_done_i,
  input  logic                           ex_err_i,
  input  logic [7:0]                     ex_err_code_i,
  input  logic [39:0]                    ex_err_addr_i,
  // ST unit.
  output logic                           st_valid_o,
  input  logic                           st_ready_i,
  output logic [127:0]                   st_insn_o,
  output logic [31:0]                    st_pc_o,
  input  logic                           st_done_i,
  input  logic                           st_err_i,
  input  logic [7:0]                     st_err_code_i,
  input  logic [39:0]                    st_err_addr_i,
  // Performance / status.
  output logic [1:0]                     insn_retired_o,  // program instructions retired now
  output logic                           ld_retired_o,    // per-queue retire pulses
  output logic                           ex_retired_o,
  output logic                           st_retired_o,
  output logic                           ld_token_stall_o,
  output logic                           ex_token_stall_o,
  output logic                           st_token_stall_o
);
  // ---------------------------------------------------------------------------------------
  // Constants.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned InsnW     = qilin_isa_pkg::InsnW;
  localparam int unsigned AddrW     = qilin_isa_pkg::DramAddrW;
  localparam int unsigned AxiAddrW  = qilin_axi_pkg::AddrW;
  localparam int unsigned BusW      = qilin_axi_pkg::DataW;
  localparam int unsigned OffW      = $clog2(BusW / 8);         // 5: 32-byte beats
  localparam int unsigned LineW     = AddrW - OffW;             // beat index
  localparam int unsigned Bpb       = FetchBurst / 2;           // beats per burst
  localparam int unsigned BpbW      = $clog2(Bpb);
  localparam int unsigned BufBeats  = Bpb * FetchBursts;
  localparam int unsigned ResvW     = $clog2(BufBeats + 1);
  localparam int unsigned BeatsW    = 33;                       // ceil((len + 1) / 2)
  localparam int unsigned ObW       = $clog2(BufBeats + 2) + 1;
  localparam int unsigned TokW      = $clog2(TokenDepth + 1);
  localparam int unsigned GridW     = 24;                       // in_h * in_w (12 x 12 bits)
  localparam int unsigned QEntW     = 2 + GridW + 32 + InsnW;   // {kind, grid, pc, insn}
  localparam int unsigned InflW     = $clog2(UnitInflight + 1);

  // Queue entry kinds.
  localparam logic [1:0] KUnit = 2'd0;  // LOAD/STORE/MATMUL/POSTPROC: goes to the unit
  localparam logic [1:0] KSync = 2'd1;  // SYNC(LD/EX/ST): tokens only
  localparam logic [1:0] KBar  = 2'd2;  // SYNC(ALL)
  localparam logic [1:0] KEnd  = 2'd3;  // END

  localparam int unsigned PopPrevB  = qilin_isa_pkg::InsnPopPrevLsb;
  localparam int unsigned PopNextB  = qilin_isa_pkg::InsnPopNextLsb;
  localparam int unsigned PushPrevB = qilin_isa_pkg::InsnPushPrevLsb;
  localparam int unsigned PushNextB = qilin_isa_pkg::InsnPushNextLsb;

  // ---------------------------------------------------------------------------------------
  // Run control.
  // ---------------------------------------------------------------------------------------
  logic                run_q, run_d;          // a program runs (no error, END not completed)
  logic                err_q, err_d;          // an error is latched
  logic                uerr_any_q;            // a unit error is registered, latched next
  logic                live, live_d;          // running: dispatch, issue, tokens, fetch
  logic                start_acc, clear;
  logic [AddrW-1:0]    base_q;
  logic [31:0]         len_q;
  logic [2:0]          pend_any;              // per queue: unit instructions in flight
  logic [2:0]          pend_nz_d;             // the same, next cycle
  logic                ob_zero;
  logic                ar_valid_q;
  logic                busy_q, busy_d;

  logic [3:0] unused_base_lsbs;
  assign unused_base_lsbs = cmd_base_i[3:0];  // the stream base is 16-byte aligned

  // busy_o == run_q || ar_valid_q || !ob_zero || |pend_any, registered from the next state
  // (BusyRetimed_A): start_acc, and so `clear`, which fans out to several hundred flops, is
  // one gate from the inputs instead of behind the pending FIFOs' counts.
  assign busy_o    = busy_q;
  // live == run_q && !err_q && !uerr_any_q, registered from the next state (LiveRetimed_A):
  // it gates fetch, dispatch, issue, tokens and barriers.
  assign start_acc = start_i && !busy_q && !soft_reset_i;
  assign clear     = soft_reset_i || start_acc;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      base_q <= '0;
      len_q  <= '0;
    end else if (start_acc) begin
      base_q <= {cmd_base_i[AddrW-1:4], 4'b0};
      len_q  <= cmd_len_i;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Fetch: AR generator. Bursts never cross a FetchBurst*16-byte boundary (so never 4 KiB).
  // ---------------------------------------------------------------------------------------
  logic [LineW-1:0]    fa_line_q, fa_line_d;
  logic [BeatsW-1:0]   beats_left_q, beats_left_d, beats_total;
  logic                fetch_on_q, fetch_on_d;
  logic [ResvW-1:0]    resv_q, resv_d, resv_m1, resv_add, resv_add_m1;
  logic                ar_valid_d, ar_stale_q, ar_stale_d;
  qilin_axi_pkg::axi_ar_t ar_q, ar_d;
  logic [ObW-1:0]      ob_q, ob_d, drop_q, drop_d;
  logic [BpbW:0]       to_boundary, burst_n, burst_q;
  logic                bn_fresh_q;
  logic                bl_small;
  logic                ar_load, ar_hs, r_last_hs, r_drop;
  logic                buf_pop, end_seen_q, end_seen_d, r_err;
  logic [qilin_axi_pkg::IdW-1:0] unused_r_id;
  logic [32:0]         halves;

  assign halves      = {1'b0, cmd_len_i} + 33'(cmd_base_i[4]);
  assign beats_total = (cmd_len_i == '0) ? '0 : BeatsW'((34'(halves) + 34'd1) >> 1);
  assign to_boundary = (BpbW + 1)'(Bpb) - (BpbW + 1)'(fa_line_q[BpbW-1:0]);
  // min(beats_left, to_boundary) on BpbW+1 bits: a wide count only matters through its
  // high bits being non-zero (keeps the 33-bit compare off the AR path).
  assign bl_small    = (beats_left_q[BeatsW-1:BpbW+1] == '0);
  assign burst_n     = (bl_small && (beats_left_q[BpbW:0] < to_boundary)) ? beats_left_q[BpbW:0]
                                                                         : to_boundary;
  // The next burst's size is registered (burst_q) and valid one cycle after the line and
  // count it derives from last changed (bn_fresh_q); an AR takes at least two cycles anyway.
  // burst_q is 0 exactly when no beats are left.
  assign ar_load     = live && !soft_reset_i && fetch_on_q && !end_seen_q && !ar_valid_q &&
                       bn_fresh_q && (burst_q != '0) &&
                       ((ResvW + 1)'(resv_q) + (ResvW + 1)'(burst_q) <= (ResvW + 1)'(BufBeats));
  assign resv_m1     = resv_q - ResvW'(1);
  assign resv_add    = resv_q + ResvW'(burst_q);
  assign resv_add_m1 = resv_add - ResvW'(1);
  assign ar_hs       = ar_valid_q && ar_ready_i;
  assign r_ready_o   = 1'b1;
  assign r_last_hs   = r_valid_i && r_i.last;
  assign r_drop      = (drop_q != '0);
  // SLVERR or DECERR (EXOKAY is never returned to a normal read).
  assign r_err       = (r_i.resp != qilin_axi_pkg::RespOkay);
  assign unused_r_id = r_i.id;
  assign ob_zero     = (ob_q == '0);
  assign ar_o        = ar_q;
  assign ar_valid_o  = ar_valid_q;

  always_comb begin
    fa_line_d    = fa_line_q;
    beats_left_d = beats_left_q;
    fetch_on_d   = fetch_on_q;
    // buf_pop comes late (check stage -> take): it only selects between two sums.
    resv_d       = buf_pop ? resv_m1 : resv_q;
    ar_valid_d   = ar_valid_q && !ar_ready_i;
    ar_stale_d   = ar_stale_q && ar_valid_d;
    ar_d         = ar_q;
    // The AR register follows the next burst while no AR is presented (its contents only
    // matter with ar_valid_o), so only its valid bit depends on ar_load.
    if (!ar_valid_q) begin
      ar_d.id    = FetchId;
      ar_d.addr  = AxiAddrW'({fa_line_q, {OffW{1'b0}}});
      ar_d.len   = 8'(burst_q) - 8'd1;
      ar_d.size  = 3'(OffW);
      ar_d.burst = qilin_axi_pkg::BurstIncr;
    end
    ob_d         = ob_q + ObW'(ar_hs) - ObW'(r_last_hs);
    drop_d       = drop_q + ObW'(ar_hs && ar_stale_q) - ObW'(r_last_hs && r_drop);
    if (ar_load) begin
      ar_valid_d    = 1'b1;
      fa_line_d     = fa_line_q + LineW'(burst_q);
      beats_left_d  = beats_left_q - BeatsW'(burst_q);
      resv_d        = buf_pop ? resv_add_m1 : resv_add;
    end
    if (end_seen_q || !run_q) fetch_on_d = 1'b0;
    if (clear) begin
      // An AR already presented must stay valid until accepted (AXI); its burst and every
      // burst still outstanding are then dropped on return (drop counter).
      ar_stale_d = ar_valid_d;
      drop_d     = ob_d;
      resv_d     = '0;
      fetch_on_d = 1'b0;
      if (start_acc) begin
        fa_line_d    = cmd_base_i[AddrW-1:OffW];
        beats_left_d = beats_total;
        fetch_on_d   = 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fa_line_q    <= '0;
      beats_left_q <= '0;
      fetch_on_q   <= 1'b0;
      resv_q       <= '0;
      ar_valid_q   <= 1'b0;
      ar_stale_q   <= 1'b0;
      ar_q         <= '0;
      burst_q      <= '0;
      bn_fresh_q   <= 1'b0;
      ob_q         <= '0;
      drop_q       <= '0;
    end else begin
      fa_line_q    <= fa_line_d;
      beats_left_q <= beats_left_d;
      fetch_on_q   <= fetch_on_d;
      resv_q       <= resv_d;
      ar_valid_q   <= ar_valid_d;
      ar_stale_q   <= ar_stale_d;
      ar_q         <= ar_d;
      burst_q      <= burst_n;
      bn_fresh_q   <= !(ar_load || clear);
      ob_q         <= ob_d;
      drop_q       <= drop_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Beat buffer and instruction extraction (two instructions per beat).
  // ---------------------------------------------------------------------------------------
  logic                 buf_valid, buf_in_ready;
  logic [BusW:0]        buf_data;
  logic [ResvW-1:0]     unused_buf_cnt;
  logic                 half_q, half_d;
  logic [31:0]          fetch_pc_q, fetch_pc_d;
  logic                 more_q, more_d;           // instructions left to take
  logic                 take;
  logic [InsnW-1:0]     take_insn;
  logic                 chk_accept;

  // The head in flip-flops (HeadReg): the taken instruction's decode into the check
  // pipeline's c1 registers started at a LUT-RAM read (11.54 ns routed, stop 21).
  qilin_fifo #(.Width(BusW + 1), .Depth(BufBeats), .HeadReg(1'b1)) u_beat_buf (
    .clk_i, .rst_ni,
    .flush_i    (clear),
    .in_valid_i (r_valid_i && !r_drop),
    .in_ready_o (buf_in_ready),
    .in_data_i  ({r_err, r_i.data}),
    .out_valid_o(buf_valid),
    .out_ready_i(buf_pop),
    .out_data_o (buf_data),
    .count_o    (unused_buf_cnt)
  );

  assign take      = live && buf_valid && !end_seen_q && more_q &&
                     chk_accept;
  assign take_insn = half_q ? buf_data[2*InsnW-1:InsnW] : buf_data[InsnW-1:0];
  assign buf_pop   = take && half_q;

  always_comb begin
    half_d     = take ? !half_q : half_q;
    // An increment selected by take (take is not the carry-in of the adder).
    fetch_pc_d = take ? fetch_pc_q + 32'd1 : fetch_pc_q;
    // more_q == (fetch_pc_q != len_q), kept registered: take only selects the next value.
    more_d     = take ? (fetch_pc_q + 32'd1 != len_q) : more_q;
    end_seen_d = end_seen_q ||
                 (take && !buf_data[BusW] &&
                  take_insn[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW] ==
                  qilin_isa_pkg::OpEnd);
    if (clear) begin
      half_d     = cmd_base_i[4];
      fetch_pc_d = '0;
      more_d     = start_acc ? (cmd_len_i != '0) : (len_q != '0);
      end_seen_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      half_q     <= 1'b0;
      fetch_pc_q <= '0;
      more_q     <= 1'b0;
      end_seen_q <= 1'b0;
    end else begin
      half_q     <= half_d;
      fetch_pc_q <= fetch_pc_d;
      more_q     <= more_d;
      end_seen_q <= end_seen_d;
    end
  end

  // ---------------------------------------------------------------------------------------
  // Check pipeline: the legality checks of docs/isa.md §7, spread over five registers so
  // that no stage holds more than one adder, multiplier or comparator level (the FPGA build
  // closes timing at 100 MHz). c0 decodes, c1 divides (pool output size), c2 multiplies
  // (row counts), c3 compares, chk (the last stage) holds the verdict and dispatches. The
  // stages advance together (adv); a bubble in one stays a bubble.
  //   c0: fields, checks 1-4, the operands of every row count;
  //   c1: pool output lines (in - k) / s + 1 by a reciprocal multiply;
  //   c2: row counts a*b and the room each range has left (rows - addr);
  //   c3: range checks; chk: first failing check (registered), then dispatch.
  // ---------------------------------------------------------------------------------------
  localparam int unsigned CntW = 28;  // row count: 16 x 12-bit operands
  localparam int unsigned LimW = 19;  // rows - addr, signed (rows <= 2^17)

  logic              adv;             // every stage moves one step (control copy)
  logic              adv_c0, adv_c1, adv_c2, adv_c3, adv_chk;  // copies for the data stages
  logic              chk_valid_q;
  logic [InsnW-1:0]  chk_insn_q;
  logic [31:0]       chk_pc_q;
  logic [GridW-1:0]  chk_grid_q;      // c3's first row count: in_h * in_w for a POSTPROC
  logic              chk_fire;
  // Per queue: room for chk's instruction as adv saw it (a register, for AdvRetimed_A), and
  // its next value; the instruction FIFO's count plus the dispatch register's bit is at most
  // QFifoDepth - 1 (q_le1) or QFifoDepth - 2 (q_le2).
  logic [2:0]        q_room, q_room_d, q_le1, q_le2;

  // Fields common to all stages: {valid, bus error, pc, insn}.
  logic              c0_valid_q, c1_valid_q, c2_valid_q, c3_valid_q;
  logic              c0_berr_q, c1_berr_q, c2_berr_q, c3_berr_q;
  logic [31:0]       c0_pc_q, c1_pc_q, c2_pc_q, c3_pc_q;
  logic [InsnW-1:0]  c0_insn_q, c1_insn_q, c2_insn_q, c3_insn_q;

  // Advance: the last stage is empty, or every queue it names has room. It enables ~1200
  // data flops, so it is a register: next cycle's value from the next state (the valid bit
  // and queue mask of chk after this cycle's step, and the queues' room, a credit check of
  // flops only, see adv_d below), in one copy per
  // stage (* keep *: Yosys would merge identical flops). AdvRetimed_A checks it against the
  // definition. It does not depend on go or on the check verdict: while the machine is
  // stopped, or when chk holds an illegal instruction (its error is latched in the same
  // cycle), the stages may still step; nothing is dispatched (chk_fire has go and the
  // verdict) and their contents are dropped at the next start.
  localparam int unsigned AdvCopies = 6;  // control, c0, c1, c2, c3, chk
  logic                 adv_d;
  logic [AdvCopies-1:0] adv_rep;
  // Reset to 1: chk is empty after reset.
  qilin_keep_copies #(.N(AdvCopies), .ResetVal(1'b1)) u_adv_copies (
    .clk_i, .rst_ni, .d_i(adv_d), .q_o(adv_rep)
  );
  assign adv        = adv_rep[0];
  assign adv_c0     = adv_rep[1];
  assign adv_c1     = adv_rep[2];
  assign adv_c2     = adv_rep[3];
  assign adv_c3     = adv_rep[4];
  assign adv_chk    = adv_rep[5];
  assign chk_accept = adv;

  // Only the valid bits see `clear`: the data registers' enable is adv alone, so the start /
  // soft-reset logic does not fan out to the ~1200 data flops.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c0_valid_q, c1_valid_q, c2_valid_q, c3_valid_q, chk_valid_q} <= '0;
    end else if (clear) begin
      {c0_valid_q, c1_valid_q, c2_valid_q, c3_valid_q, chk_valid_q} <= '0;
    end else if (adv) begin
      {c0_valid_q, c1_valid_q, c2_valid_q, c3_valid_q, chk_valid_q} <=
          {take, c0_valid_q, c1_valid_q, c2_valid_q, c3_valid_q};
    end
  end

  // c0 loads on every step, also when nothing is taken (its valid bit is then 0), so its
  // enable is the adv copy alone.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c0_berr_q, c0_pc_q, c0_insn_q} <= '0;
    end else if (adv_c0) begin
      c0_berr_q <= buf_data[BusW];
      c0_insn_q <= take_insn;
      c0_pc_q   <= fetch_pc_q;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c1_berr_q, c1_pc_q, c1_insn_q} <= '0;
    end else if (adv_c1) begin
      {c1_berr_q, c1_pc_q, c1_insn_q} <= {c0_berr_q, c0_pc_q, c0_insn_q};
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c2_berr_q, c2_pc_q, c2_insn_q} <= '0;
    end else if (adv_c2) begin
      {c2_berr_q, c2_pc_q, c2_insn_q} <= {c1_berr_q, c1_pc_q, c1_insn_q};
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c3_berr_q, c3_pc_q, c3_insn_q} <= '0;
    end else if (adv_c3) begin
      {c3_berr_q, c3_pc_q, c3_insn_q} <= {c2_berr_q, c2_pc_q, c2_insn_q};
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {chk_grid_q, chk_pc_q, chk_insn_q} <= '0;
    end else if (adv_chk) begin
      {chk_grid_q, chk_pc_q, chk_insn_q} <= {c3_cnt0_q[GridW-1:0], c3_pc_q, c3_insn_q};
    end
  end

  // ---- c0: decode ----
  logic [3:0]   take_op;
  logic [5:0]   c0_opdec_q;  // {END, SYNC, POSTPROC, MATMUL, STORE, LOAD}, decoded at take
  logic         is_load, is_store, is_matmul, is_post, is_sync, is_end, known;
  logic         f_pp, f_pn, f_sp, f_sn;
  logic [1:0]   sync_q;
  logic [127:0] resv_mask;
  logic         resv_ok, deps_ok, field_ok;
  logic [2:0]   qmask;
  logic [1:0]   qkind;

  // The opcode is decoded as the instruction enters c0, so c0's checks start from one-hot
  // flags (OpDecoded_A).
  assign take_op   = take_insn[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW];
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c0_opdec_q <= '0;
    end else if (adv_c0) begin
      c0_opdec_q <= {take_op == qilin_isa_pkg::OpEnd, take_op == qilin_isa_pkg::OpSync,
                     take_op == qilin_isa_pkg::OpPostproc, take_op == qilin_isa_pkg::OpMatmul,
                     take_op == qilin_isa_pkg::OpStore, take_op == qilin_isa_pkg::OpLoad};
    end
  end
  assign {is_end, is_sync, is_post, is_matmul, is_store, is_load} = c0_opdec_q;
  `QILIN_ASSERT(OpDecoded_A, c0_opdec_q == {
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpEnd,
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpSync,
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpPostproc,
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpMatmul,
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpStore,
      c0_insn_q[qilin_isa_pkg::InsnOpcodeLsb +: 4] == qilin_isa_pkg::OpLoad}, clk_i, rst_ni)
  assign known     = is_load || is_store || is_matmul || is_post || is_sync || is_end;
  assign f_pp      = c0_insn_q[PopPrevB];
  assign f_pn      = c0_insn_q[PopNextB];
  assign f_sp      = c0_insn_q[PushPrevB];
  assign f_sn      = c0_insn_q[PushNextB];
  assign sync_q    = c0_insn_q[qilin_isa_pkg::SyncQueueLsb +: qilin_isa_pkg::SyncQueueW];

  always_comb begin
    resv_mask = '0;
    if (is_load)   resv_mask = qilin_isa_pkg::LoadReservedMask;
    if (is_store)  resv_mask = qilin_isa_pkg::StoreReservedMask;
    if (is_matmul) resv_mask = qilin_isa_pkg::MatmulReservedMask;
    if (is_post)   resv_mask = qilin_isa_pkg::PostprocReservedMask;
    if (is_sync)   resv_mask = qilin_isa_pkg::SyncReservedMask;
    if (is_end)    resv_mask = qilin_isa_pkg::EndReservedMask;
  end
  assign resv_ok = ((c0_insn_q & resv_mask) == '0);

  // Target queues and entry kind.
  always_comb begin
    qmask = 3'b000;
    qkind = KUnit;
    if (is_load)   qmask = 3'b001;
    if (is_store)  qmask = 3'b100;
    if (is_matmul || is_post) qmask = 3'b010;
    if (is_sync) begin
      qkind = KSync;
      unique case (sync_q)
        qilin_isa_pkg::QueueLd: qmask = 3'b001;
        qilin_isa_pkg::QueueEx: qmask = 3'b010;
        qilin_isa_pkg::QueueSt: qmask = 3'b100;
        default: begin
          qmask = 3'b111;
          qkind = KBar;
        end
      endcase
    end
    if (is_end) begin
      qmask = 3'b111;
      qkind = KEnd;
    end
  end

  // Check 3: LD has no previous queue, ST no next one, a barrier carries no flags.
  assign deps_ok = !(qmask == 3'b001 && (f_pp || f_sp)) &&
                   !(qmask == 3'b100 && (f_pn || f_sn)) &&
                   !(qkind == KBar && (f_pp || f_pn || f_sp || f_sn));

  // Fields.
  logic         ld_acc;
  logic [7:0]   ld_pad_value;
  logic [2:0]   ld_pt, ld_pb, ld_pl, ld_pr;
  logic [16:0]  ld_local;
  logic [11:0]  ld_y;
  logic [9:0]   ld_x;
  logic         st_acc;
  logic [16:0]  st_local;
  logic [11:0]  st_y;
  logic [9:0]   st_x;
  logic [19:0]  st_stride;
  logic         mm_as, mm_ws;
  logic [16:0]  mm_a, mm_w;
  logic [15:0]  mm_c, mm_m;
  logic [7:0]   mm_k;
  logic [1:0]   mm_azp, mm_wzp;  // bits 8:7 of the zero points
  logic         pp_s;
  logic [1:0]   pp_kind;
  logic [15:0]  pp_c, pp_p;
  logic [16:0]  pp_o;
  logic [11:0]  pp_h, pp_w;
  logic [1:0]   pp_zp;            // bits 8:7 of out_zp
  logic [7:0]   pp_amin, pp_amax;
  logic [3:0]   pp_kh, pp_kw;
  logic [2:0]   pp_sh, pp_sw;

  assign ld_acc       = c0_insn_q[qilin_isa_pkg::LoadDstLsb] == qilin_isa_pkg::MemAcc;
  assign ld_pad_value = c0_insn_q[qilin_isa_pkg::LoadPadValueLsb +: qilin_isa_pkg::LoadPadValueW];
  assign ld_pt        = c0_insn_q[qilin_isa_pkg::LoadPadTopLsb +: qilin_isa_pkg::LoadPadTopW];
  assign ld_pb = c0_insn_q[qilin_isa_pkg::LoadPadBottomLsb +: qilin_isa_pkg::LoadPadBottomW];
  assign ld_pl = c0_insn_q[qilin_isa_pkg::LoadPadLeftLsb +: qilin_isa_pkg::LoadPadLeftW];
  assign ld_pr = c0_insn_q[qilin_isa_pkg::LoadPadRightLsb +: qilin_isa_pkg::LoadPadRightW];
  assign ld_local = c0_insn_q[qilin_isa_pkg::LoadLocalAddrLsb +: qilin_isa_pkg::LoadLocalAddrW];
  assign ld_y     = c0_insn_q[qilin_isa_pkg::LoadYSizeLsb +: qilin_isa_pkg::LoadYSizeW];
  assign ld_x     = c0_insn_q[qilin_isa_pkg::LoadXSizeLsb +: qilin_isa_pkg::LoadXSizeW];

  assign st_acc   = c0_insn_q[qilin_isa_pkg::StoreSrcLsb] == qilin_isa_pkg::MemAcc;
  assign st_local = c0_insn_q[qilin_isa_pkg::StoreLocalAddrLsb +: qilin_isa_pkg::StoreLocalAddrW];
  assign st_y     = c0_insn_q[qilin_isa_pkg::StoreYSizeLsb +: qilin_isa_pkg::StoreYSizeW];
  assign st_x     = c0_insn_q[qilin_isa_pkg::StoreXSizeLsb +: qilin_isa_pkg::StoreXSizeW];
  assign st_stride =
      c0_insn_q[qilin_isa_pkg::StoreDramStrideLsb +: qilin_isa_pkg::StoreDramStrideW];

  assign mm_as  = c0_insn_q[qilin_isa_pkg::MatmulASignedLsb];
  assign mm_ws  = c0_insn_q[qilin_isa_pkg::MatmulWSignedLsb];
  assign mm_a   = c0_insn_q[qilin_isa_pkg::MatmulAAddrLsb +: qilin_isa_pkg::MatmulAAddrW];
  assign mm_w   = c0_insn_q[qilin_isa_pkg::MatmulWAddrLsb +: qilin_isa_pkg::MatmulWAddrW];
  assign mm_c   = c0_insn_q[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW];
  assign mm_m   = c0_insn_q[qilin_isa_pkg::MatmulMSizeLsb +: qilin_isa_pkg::MatmulMSizeW];
  assign mm_k   = c0_insn_q[qilin_isa_pkg::MatmulKSizeLsb +: qilin_isa_pkg::MatmulKSizeW];
  assign mm_azp = c0_insn_q[qilin_isa_pkg::MatmulAZpLsb + qilin_isa_pkg::MatmulAZpW - 2 +: 2];
  assign mm_wzp = c0_insn_q[qilin_isa_pkg::MatmulWZpLsb + qilin_isa_pkg::MatmulWZpW - 2 +: 2];

  assign pp_s    = c0_insn_q[qilin_isa_pkg::PostprocOutSignedLsb];
  assign pp_kind = c0_insn_q[qilin_isa_pkg::PostprocPoolKindLsb +: qilin_isa_pkg::PostprocPoolKindW];
  assign pp_c    = c0_insn_q[qilin_isa_pkg::PostprocCAddrLsb +: qilin_isa_pkg::PostprocCAddrW];
  assign pp_p    = c0_insn_q[qilin_isa_pkg::PostprocPAddrLsb +: qilin_isa_pkg::PostprocPAddrW];
  assign pp_o    = c0_insn_q[qilin_isa_pkg::PostprocOAddrLsb +: qilin_isa_pkg::PostprocOAddrW];
  assign pp_h    = c0_insn_q[qilin_isa_pkg::PostprocInHLsb +: qilin_isa_pkg::PostprocInHW];
  assign pp_w    = c0_insn_q[qilin_isa_pkg::PostprocInWLsb +: qilin_isa_pkg::PostprocInWW];
  assign pp_zp   =
      c0_insn_q[qilin_isa_pkg::PostprocOutZpLsb + qilin_isa_pkg::PostprocOutZpW - 2 +: 2];
  assign pp_amin = c0_insn_q[qilin_isa_pkg::PostprocActMinLsb +: qilin_isa_pkg::PostprocActMinW];
  assign pp_amax = c0_insn_q[qilin_isa_pkg::PostprocActMaxLsb +: qilin_isa_pkg::PostprocActMaxW];
  assign pp_kh   = c0_insn_q[qilin_isa_pkg::PostprocPoolKhLsb +: qilin_isa_pkg::PostprocPoolKhW];
  assign pp_kw   = c0_insn_q[qilin_isa_pkg::PostprocPoolKwLsb +: qilin_isa_pkg::PostprocPoolKwW];
  assign pp_sh   = c0_insn_q[qilin_isa_pkg::PostprocPoolShLsb +: qilin_isa_pkg::PostprocPoolShW];
  assign pp_sw   = c0_insn_q[qilin_isa_pkg::PostprocPoolSwLsb +: qilin_isa_pkg::PostprocPoolSwW];

  // Check 4: field values and combinations. A 9-bit zero point lies in int8 when bits 8 and 7
  // agree, and in uint8 when bit 8 is 0. Flipping bit 7 maps int8 order onto uint8 order.
  logic        ld_ok, st_ok, mm_ok, pp_ok, pp_pool_ok, pp_none;
  logic [23:0] st_row_bytes;
  assign pp_none      = (pp_kind == qilin_isa_pkg::PoolNone);
  assign ld_ok        = !(ld_acc && ld_pad_value != 8'd0);
  // A constant multiply (shifts for a power-of-two Dim), then x4 for 32-bit ACC lanes.
  assign st_row_bytes = (24'(st_x) * 24'(Dim)) << (st_acc ? 2 : 0);
  // STORE rows may not overlap in device memory; a vector is 4*Dim bytes from ACC.
  assign st_ok        = !(st_y > 12'd1 && 24'(st_stride) < st_row_bytes);
  assign mm_ok        = (32'(mm_k) <= 32'(Dim)) &&
                        (mm_as ? (mm_azp[1] == mm_azp[0]) : !mm_azp[1]) &&
                        (mm_ws ? (mm_wzp[1] == mm_wzp[0]) : !mm_wzp[1]);
  always_comb begin
    pp_pool_ok = 1'b0;
    if (pp_none) begin
      pp_pool_ok = (pp_kh == 4'd0) && (pp_kw == 4'd0) && (pp_sh == 3'd0) && (pp_sw == 3'd0);
    end else if (pp_kind == qilin_isa_pkg::PoolMax || pp_kind == qilin_isa_pkg::PoolAvg) begin
      pp_pool_ok = (pp_kh != 4'd0) && (pp_kw != 4'd0) && (pp_sh != 3'd0) && (pp_sw != 3'd0) &&
                   (12'(pp_kh) <= pp_h) && (12'(pp_kw) <= pp_w);
    end
  end
  assign pp_ok = pp_pool_ok &&
                 (pp_s ? (pp_zp[1] == pp_zp[0]) : !pp_zp[1]) &&
                 (pp_s ? ({!pp_amin[7], pp_amin[6:0]} <= {!pp_amax[7], pp_amax[6:0]})
                       : (pp_amin <= pp_amax));
  assign field_ok = (is_load && ld_ok) || (is_store && st_ok) || (is_matmul && mm_ok) ||
                    (is_post && pp_ok) || is_sync || is_end;

  // Check 5 operands: up to three row ranges per instruction in field order; range i checks
  // addr_i + cnt_i <= rows (SP or ACC), also for a count of 0. cnt0 = a0 * b0, cnt1 is a
  // field, cnt2 is MATMUL's m, POSTPROC's in_h * in_w (= cnt0) or, pooling, oh * ow.
  logic [15:0] a0;
  logic [11:0] b0;
  logic [16:0] r0_addr, r1_addr, r2_addr;
  logic [7:0]  r1_cnt;
  logic        r0_acc, r1_acc, r2_acc, r0_en, r1_en, r2_en;
  logic        r2_is_m, r2_is_grid;  // cnt2 = m, or cnt2 = cnt0; else pooled
  // Pool output lines: (in - k) / s + 1 = (in - k + s) / s; numerators below 2^13.
  logic [12:0] nh, nw;
  assign nh = 13'(pp_h) - 13'(pp_kh) + 13'(pp_sh);
  assign nw = 13'(pp_w) - 13'(pp_kw) + 13'(pp_sw);

  always_comb begin
    a0         = '0;
    b0         = '0;
    r0_addr    = '0;
    r0_acc     = 1'b0;
    r0_en      = 1'b0;
    r1_addr    = '0;
    r1_cnt     = '0;
    r1_acc     = 1'b0;
    r1_en      = 1'b0;
    r2_addr    = '0;
    r2_acc     = 1'b0;
    r2_en      = 1'b0;
    r2_is_m    = 1'b0;
    r2_is_grid = 1'b0;
    if (is_load) begin
      a0      = 16'(ld_pt) + 16'(ld_y) + 16'(ld_pb);
      b0      = 12'(ld_pl) + 12'(ld_x) + 12'(ld_pr);
      r0_addr = ld_local;
      r0_acc  = ld_acc;
      r0_en   = 1'b1;
    end
    if (is_store) begin
      a0      = 16'(st_y);
      b0      = 12'(st_x);
      r0_addr = st_local;
      r0_acc  = st_acc;
      r0_en   = 1'b1;
    end
    if (is_matmul) begin
      a0      = mm_m;
      b0      = 12'd1;
      r0_addr = mm_a;
      r0_en   = 1'b1;
      r1_addr = mm_w;
      r1_cnt  = mm_k;
      r1_en   = 1'b1;
      r2_addr = 17'(mm_c);
      r2_acc  = 1'b1;
      r2_en   = 1'b1;
      r2_is_m = 1'b1;
    end
    if (is_post) begin
      a0         = 16'(pp_h);
      b0         = pp_w;
      r0_addr    = 17'(pp_c);
      r0_acc     = 1'b1;
      r0_en      = 1'b1;
      r1_addr    = 17'(pp_p);
      r1_cnt     = 8'd3;
      r1_acc     = 1'b1;
      r1_en      = 1'b1;
      r2_addr    = pp_o;
      r2_en      = 1'b1;
      r2_is_grid = pp_none;
    end
  end

  // Pool output lines: n / s = (n * ceil(2^14 / s)) >> 14, exact for n < 2^13 and s in 1..7
  // (checked exhaustively, docs/cmd_proc.md); s = 0 only in an illegal instruction, whose
  // counts are never used. The reciprocal is looked up in c0, the product formed in c1.
  function automatic logic [14:0] recip14(input logic [2:0] s);
    unique case (s)
      3'd2:    recip14 = 15'd8192;
      3'd3:    recip14 = 15'd5462;
      3'd4:    recip14 = 15'd4096;
      3'd5:    recip14 = 15'd3277;
      3'd6:    recip14 = 15'd2731;
      3'd7:    recip14 = 15'd2341;
      default: recip14 = 15'd16384;
    endcase
  endfunction
  // Register c0 -> c1.
  logic        c1_illegal_q;
  logic [2:0]  c1_qmask_q;
  logic [1:0]  c1_qkind_q;
  logic [15:0] c1_a0_q, c1_m_q;
  logic [11:0] c1_b0_q;
  logic [16:0] c1_r0_addr_q, c1_r1_addr_q, c1_r2_addr_q;
  logic [7:0]  c1_r1_cnt_q;
  logic        c1_r0_acc_q, c1_r1_acc_q, c1_r2_acc_q, c1_r0_en_q, c1_r1_en_q, c1_r2_en_q;
  logic        c1_r2_is_m_q, c1_r2_is_grid_q;
  logic [12:0] c1_nh_q, c1_nw_q;
  logic [14:0] c1_rh_q, c1_rw_q;  // ceil(2^14 / s)

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c1_illegal_q, c1_qmask_q, c1_qkind_q, c1_a0_q, c1_b0_q, c1_m_q, c1_r0_addr_q,
       c1_r1_addr_q, c1_r2_addr_q, c1_r1_cnt_q, c1_r0_acc_q, c1_r1_acc_q, c1_r2_acc_q,
       c1_r0_en_q, c1_r1_en_q, c1_r2_en_q, c1_r2_is_m_q, c1_r2_is_grid_q, c1_nh_q, c1_nw_q,
       c1_rh_q, c1_rw_q} <= '0;
    end else if (adv_c1) begin
      c1_illegal_q    <= !known || !resv_ok || !deps_ok || !field_ok;
      c1_qmask_q      <= qmask;
      c1_qkind_q      <= qkind;
      c1_a0_q         <= a0;
      c1_b0_q         <= b0;
      c1_m_q          <= mm_m;
      c1_r0_addr_q    <= r0_addr;
      c1_r1_addr_q    <= r1_addr;
      c1_r2_addr_q    <= r2_addr;
      c1_r1_cnt_q     <= r1_cnt;
      c1_r0_acc_q     <= r0_acc;
      c1_r1_acc_q     <= r1_acc;
      c1_r2_acc_q     <= r2_acc;
      c1_r0_en_q      <= r0_en;
      c1_r1_en_q      <= r1_en;
      c1_r2_en_q      <= r2_en;
      c1_r2_is_m_q    <= r2_is_m;
      c1_r2_is_grid_q <= r2_is_grid;
      c1_nh_q         <= nh;
      c1_nw_q         <= nw;
      c1_rh_q         <= recip14(pp_sh);
      c1_rw_q         <= recip14(pp_sw);
    end
  end

  // ---- c1: pool output lines ----
  // The products are registered with stage c2 (same enable) inside qilin_mul18: on ECP5 the
  // DSP's output register, not a fabric register after a route out of the DSP column. No
  // reset: stage c2's data is only read behind its valid bit.
  logic [35:0] qh_prod, qw_prod;
  qilin_mul18 #(.InRegs(1'b0)) u_mul_qh (
    .clk_i, .rst_ni(1'b1), .en_i(adv_c2),
    .a_i(18'(c1_nh_q)), .b_i(18'(c1_rh_q)), .p_o(qh_prod)
  );
  qilin_mul18 #(.InRegs(1'b0)) u_mul_qw (
    .clk_i, .rst_ni(1'b1), .en_i(adv_c2),
    .a_i(18'(c1_nw_q)), .b_i(18'(c1_rw_q)), .p_o(qw_prod)
  );
  logic unused_qprod;
  assign unused_qprod = ^{qh_prod[35:27], qh_prod[13:0], qw_prod[35:27], qw_prod[13:0]};

  // The room a range has: rows - addr, negative if addr is already past the end.
  function automatic logic signed [LimW-1:0] room(input logic [16:0] addr, input logic acc);
    room = (acc ? LimW'(AccRows) : LimW'(SpRows)) - LimW'(addr);
  endfunction
  // The error address of a failing range: addr if it is already past the end, else rows.
  function automatic logic [17:0] max_row(input logic [16:0] addr, input logic acc);
    logic [17:0] rows;
    rows    = acc ? 18'(AccRows) : 18'(SpRows);
    max_row = (18'(addr) > rows) ? 18'(addr) : rows;
  endfunction

  // Register c1 -> c2.
  logic                   c2_illegal_q;
  logic [2:0]             c2_qmask_q;
  logic [1:0]             c2_qkind_q;
  logic [15:0]            c2_a0_q, c2_m_q;
  logic [11:0]            c2_b0_q;
  logic [12:0]            c2_oh_q, c2_ow_q;     // pool output lines: in qilin_mul18 registers
  assign c2_oh_q = qh_prod[26:14];
  assign c2_ow_q = qw_prod[26:14];
  logic [7:0]             c2_r1_cnt_q;
  logic signed [LimW-1:0] c2_room0_q, c2_room1_q, c2_room2_q;
  logic [17:0]            c2_max0_q, c2_max1_q, c2_max2_q;
  logic                   c2_r0_acc_q, c2_r1_acc_q, c2_r2_acc_q, c2_r0_en_q, c2_r1_en_q, c2_r2_en_q;
  logic                   c2_r2_is_m_q, c2_r2_is_grid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c2_illegal_q, c2_qmask_q, c2_qkind_q, c2_a0_q, c2_b0_q, c2_m_q,
       c2_r1_cnt_q, c2_room0_q, c2_room1_q, c2_room2_q, c2_max0_q, c2_max1_q, c2_max2_q,
       c2_r0_acc_q, c2_r1_acc_q, c2_r2_acc_q, c2_r0_en_q, c2_r1_en_q, c2_r2_en_q, c2_r2_is_m_q,
       c2_r2_is_grid_q} <= '0;
    end else if (adv_c2) begin
      c2_illegal_q    <= c1_illegal_q;
      c2_qmask_q      <= c1_qmask_q;
      c2_qkind_q      <= c1_qkind_q;
      c2_a0_q         <= c1_a0_q;
      c2_b0_q         <= c1_b0_q;
      c2_m_q          <= c1_m_q;
      c2_r1_cnt_q     <= c1_r1_cnt_q;
      c2_room0_q      <= room(c1_r0_addr_q, c1_r0_acc_q);
      c2_room1_q      <= room(c1_r1_addr_q, c1_r1_acc_q);
      c2_room2_q      <= room(c1_r2_addr_q, c1_r2_acc_q);
      c2_max0_q       <= max_row(c1_r0_addr_q, c1_r0_acc_q);
      c2_max1_q       <= max_row(c1_r1_addr_q, c1_r1_acc_q);
      c2_max2_q       <= max_row(c1_r2_addr_q, c1_r2_acc_q);
      c2_r0_acc_q     <= c1_r0_acc_q;
      c2_r1_acc_q     <= c1_r1_acc_q;
      c2_r2_acc_q     <= c1_r2_acc_q;
      c2_r0_en_q      <= c1_r0_en_q;
      c2_r1_en_q      <= c1_r1_en_q;
      c2_r2_en_q      <= c1_r2_en_q;
      c2_r2_is_m_q    <= c1_r2_is_m_q;
      c2_r2_is_grid_q <= c1_r2_is_grid_q;
    end
  end

  // ---- c2: row counts ----
  // The products are the c3 registers, inside qilin_mul18 (the DSP's output register on
  // ECP5). cnt2's operands are selected in front of its multiplier: m * 1, a0 * b0 (the
  // grid) or oh * ow (pooled).
  logic [17:0] c2_cnt2_a, c2_cnt2_b;
  always_comb begin
    if (c2_r2_is_m_q) begin
      c2_cnt2_a = 18'(c2_m_q);
      c2_cnt2_b = 18'd1;
    end else if (c2_r2_is_grid_q) begin
      c2_cnt2_a = 18'(c2_a0_q);
      c2_cnt2_b = 18'(c2_b0_q);
    end else begin
      c2_cnt2_a = 18'(c2_oh_q);
      c2_cnt2_b = 18'(c2_ow_q);
    end
  end
  logic [35:0] cnt0_prod, cnt2_prod;
  qilin_mul18 #(.InRegs(1'b0)) u_mul_cnt0 (
    .clk_i, .rst_ni, .en_i(adv_c3),
    .a_i(18'(c2_a0_q)), .b_i(18'(c2_b0_q)), .p_o(cnt0_prod)
  );
  qilin_mul18 #(.InRegs(1'b0)) u_mul_cnt2 (
    .clk_i, .rst_ni, .en_i(adv_c3),
    .a_i(c2_cnt2_a), .b_i(c2_cnt2_b), .p_o(cnt2_prod)
  );
  logic unused_cprod;
  assign unused_cprod = ^{cnt0_prod[35:CntW], cnt2_prod[35:CntW]};

  // Register c2 -> c3.
  logic                   c3_illegal_q;
  logic [2:0]             c3_qmask_q;
  logic [1:0]             c3_qkind_q;
  logic [CntW-1:0]        c3_cnt0_q, c3_cnt2_q;  // in qilin_mul18 registers (above)
  assign c3_cnt0_q = cnt0_prod[CntW-1:0];
  assign c3_cnt2_q = cnt2_prod[CntW-1:0];
  logic [7:0]             c3_cnt1_q;
  logic signed [LimW-1:0] c3_room0_q, c3_room1_q, c3_room2_q;
  logic [17:0]            c3_max0_q, c3_max1_q, c3_max2_q;
  logic                   c3_r0_acc_q, c3_r1_acc_q, c3_r2_acc_q, c3_r0_en_q, c3_r1_en_q, c3_r2_en_q;
  logic [AddrW-1:0]       c3_iaddr_q;  // the instruction's byte address, base + 16 * pc

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {c3_illegal_q, c3_qmask_q, c3_qkind_q, c3_cnt1_q, c3_room0_q,
       c3_room1_q, c3_room2_q, c3_max0_q, c3_max1_q, c3_max2_q, c3_r0_acc_q, c3_r1_acc_q,
       c3_r2_acc_q, c3_r0_en_q, c3_r1_en_q, c3_r2_en_q, c3_iaddr_q} <= '0;
    end else if (adv_c3) begin
      c3_iaddr_q   <= base_q + AddrW'({c2_pc_q, 4'b0});
      c3_illegal_q <= c2_illegal_q;
      c3_qmask_q   <= c2_qmask_q;
      c3_qkind_q   <= c2_qkind_q;
      c3_cnt1_q    <= c2_r1_cnt_q;
      c3_room0_q   <= c2_room0_q;
      c3_room1_q   <= c2_room1_q;
      c3_room2_q   <= c2_room2_q;
      c3_max0_q    <= c2_max0_q;
      c3_max1_q    <= c2_max1_q;
      c3_max2_q    <= c2_max2_q;
      c3_r0_acc_q  <= c2_r0_acc_q;
      c3_r1_acc_q  <= c2_r1_acc_q;
      c3_r2_acc_q  <= c2_r2_acc_q;
      c3_r0_en_q   <= c2_r0_en_q;
      c3_r1_en_q   <= c2_r1_en_q;
      c3_r2_en_q   <= c2_r2_en_q;
    end
  end

  // ---- c3: range checks; the first failing check gives the error ----
  function automatic logic over(input logic [CntW-1:0] cnt, input logic signed [LimW-1:0] rm);
    over = rm[LimW-1] || (cnt > CntW'(rm));
  endfunction
  // The same test as the checks use it: a room that is not negative is at most the larger
  // memory's row count (rows - addr), below 2^RmW, so a count passes it when a high bit is
  // set or by an RmW-bit compare (OverNarrow_A). cnt0 and cnt2 come from the DSP output
  // registers; the compare's carry chain is half as long (13 bits instead of 28 on the FPGA
  // top), and the OR of the high bits runs beside it.
  localparam int unsigned MaxRows = (SpRows > AccRows) ? SpRows : AccRows;
  localparam int unsigned RmW     = $clog2(MaxRows + 1);
  function automatic logic over_n(input logic [CntW-1:0] cnt,
                                  input logic signed [LimW-1:0] rm);
    over_n = rm[LimW-1] || (|cnt[CntW-1:RmW]) || (cnt[RmW-1:0] > rm[RmW-1:0]);
  endfunction
  logic             rc0_bad, rc1_bad, rc2_bad;
  logic             c3_err;
  logic [7:0]       c3_code;
  logic [AddrW-1:0] c3_insn_addr;
  logic [1:0]       c3_asel;  // error address: 0 instruction, 1..3 range 0..2's max row
  assign rc0_bad      = c3_r0_en_q && over_n(c3_cnt0_q, c3_room0_q);
  assign rc1_bad      = c3_r1_en_q && over_n(CntW'(c3_cnt1_q), c3_room1_q);
  assign rc2_bad      = c3_r2_en_q && over_n(c3_cnt2_q, c3_room2_q);
  `QILIN_ASSERT(OverNarrow_A,
                !c3_valid_q ||
                ((rc0_bad == (c3_r0_en_q && over(c3_cnt0_q, c3_room0_q))) &&
                 (rc1_bad == (c3_r1_en_q && over(CntW'(c3_cnt1_q), c3_room1_q))) &&
                 (rc2_bad == (c3_r2_en_q && over(c3_cnt2_q, c3_room2_q)))), clk_i, rst_ni)
  assign c3_insn_addr = c3_iaddr_q;  // base_q only changes at a start, which empties c2

  always_comb begin
    c3_err  = 1'b1;
    c3_code = qilin_isa_pkg::ErrIllegalInsn;
    c3_asel = 2'd0;
    if (c3_berr_q) begin
      c3_code = qilin_isa_pkg::ErrBusError;
    end else if (c3_illegal_q) begin
      c3_code = qilin_isa_pkg::ErrIllegalInsn;
    end else if (rc0_bad) begin
      c3_code = c3_r0_acc_q ? qilin_isa_pkg::ErrAccRange : qilin_isa_pkg::ErrSpRange;
      c3_asel = 2'd1;
    end else if (rc1_bad) begin
      c3_code = c3_r1_acc_q ? qilin_isa_pkg::ErrAccRange : qilin_isa_pkg::ErrSpRange;
      c3_asel = 2'd2;
    end else if (rc2_bad) begin
      c3_code = c3_r2_acc_q ? qilin_isa_pkg::ErrAccRange : qilin_isa_pkg::ErrSpRange;
      c3_asel = 2'd3;
    end else begin
      c3_err = 1'b0;
    end
  end

  // Register c3 -> chk.
  logic             chk_err_q;
  logic [7:0]       chk_code_q;
  logic [AddrW-1:0] chk_addr, chk_iaddr_q;
  logic [17:0]      chk_max0_q, chk_max1_q, chk_max2_q;
  logic [1:0]       chk_asel_q;
  logic [2:0]       chk_qmask_q;
  logic [1:0]       chk_qkind_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {chk_err_q, chk_code_q, chk_asel_q, chk_iaddr_q, chk_max0_q, chk_max1_q, chk_max2_q,
       chk_qmask_q, chk_qkind_q} <= '0;
    end else if (adv_chk) begin
      chk_err_q   <= c3_err;
      chk_code_q  <= c3_code;
      // The error address is selected after the register (from the candidates and the
      // select), so the range compares reach only the 2-bit select, not 40 address flops.
      chk_asel_q  <= c3_asel;
      chk_iaddr_q <= c3_insn_addr;
      chk_max0_q  <= c3_max0_q;
      chk_max1_q  <= c3_max1_q;
      chk_max2_q  <= c3_max2_q;
      chk_qmask_q <= c3_qmask_q;
      chk_qkind_q <= c3_qkind_q;
    end
  end

  // Next advance, from flops only (not from this cycle's dispatch or push). An instruction
  // that chk holds next cycle fires then at the earliest, and the dispatch register pushes
  // it one cycle later; by then the FIFO holds at most its count now, plus the dispatch
  // register's entry (q_le1 counts both), plus an entry chk may fire now. The FIFO must
  // keep a free entry for it. Pops are not counted (a pop frees an entry one cycle later
  // for dispatch), so a blocked queue still fills its whole FIFO. Safety: QNoOverflow_A.
  //   chk stays (adv = 0): it does not fire now; its queues need q_le1.
  //   chk steps (adv = 1): c3's instruction follows; a queue that chk (valid) names may get
  //   chk's entry now and needs q_le2 (go and the verdict are left out: a stopped machine
  //   dispatches nothing anyway), any other q_le1.
  logic [2:0] room_c3;
  logic       ok_c3, ok_chk;
  assign room_c3  = chk_valid_q ? ((chk_qmask_q & q_le2) | (~chk_qmask_q & q_le1)) : q_le1;
  assign ok_c3    = !c3_valid_q || ((c3_qmask_q & ~room_c3) == 3'b000);
  assign ok_chk   = !chk_valid_q || ((chk_qmask_q & ~q_le1) == 3'b000);
  assign adv_d    = clear || (adv ? ok_c3 : ok_chk);
  assign q_room_d = adv ? room_c3 : q_le1;  // chk's room next cycle (AdvRetimed_A)

  // Dispatch register: chk's entry, and per queue a valid bit set when chk fires into that
  // queue. It pushes into the instruction FIFOs in the next cycle, so their push and LUT RAM
  // write enable come from a flop; the FIFO has room by the credit check behind adv
  // (QNoOverflow_A). The entry loads every cycle (no enable): it is only used behind a
  // valid bit, which is set only in a cycle after chk fired. Cost: one cycle to the head.
  logic [2:0]       dsp_v_q;
  logic [QEntW-1:0] dsp_ent_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) dsp_v_q <= '0;
    else         dsp_v_q <= (chk_fire && !clear) ? chk_qmask_q : 3'b000;
  end
  always_ff @(posedge clk_i) begin
    dsp_ent_q <= {chk_qkind_q, chk_grid_q, chk_pc_q, chk_insn_q};
  end
  always_comb begin
    unique case (chk_asel_q)
      2'd1:    chk_addr = AddrW'(chk_max0_q);
      2'd2:    chk_addr = AddrW'(chk_max1_q);
      2'd3:    chk_addr = AddrW'(chk_max2_q);
      default: chk_addr = chk_iaddr_q;
    endcase
  end

  // ---------------------------------------------------------------------------------------
  // Queues.
  // ---------------------------------------------------------------------------------------
  // Each queue is an instruction FIFO (LUT RAM) followed by a two-entry head ring of
  // registers. The ring is filled from the FIFO whenever its write entry is free (an enable
  // from flops), so the head that the issue, token and barrier logic looks at, and the
  // instruction and PC presented to the unit, come from registers (through a 2:1 select
  // by a registered head index) instead of from the LUT RAM's asynchronous read; the pop of
  // the head only clears a valid bit and flips the index. Two entries keep one issue per
  // cycle: the entry popped in one cycle is refilled in the next while the other one heads.
  // The FIFO holds InsnQueueDepth - 2 entries, so a queue still holds InsnQueueDepth
  // instructions when its head waits. Cost: one cycle from the FIFO to the head.
  localparam int unsigned QFifoDepth = InsnQueueDepth - 2;
  localparam int unsigned QCntW      = $clog2(QFifoDepth + 1);
  localparam int unsigned HflW       = 8;

  // Head flags, decoded when an entry enters the ring: {unit, sync, barrier or END, END,
  // pop_prev, pop_next (UNIT and SYNC only), push_prev, push_next}.
  function automatic logic [HflW-1:0] hflags(input logic [QEntW-1:0] e);
    logic [1:0] k;
    logic       tok;
    k      = e[QEntW-1 -: 2];
    tok    = (k == KUnit) || (k == KSync);
    hflags = {k == KUnit, k == KSync, (k == KBar) || (k == KEnd), k == KEnd,
              tok && e[PopPrevB], tok && e[PopNextB], e[PushPrevB], e[PushNextB]};
  endfunction

  logic [2:0]        unit_ready, unit_done, unit_err;
  logic [2:0][7:0]   unit_err_code;
  logic [2:0][39:0]  unit_err_addr;
  logic [2:0]        issue_valid, retire_fire, bar_arr, tok_stall;
  logic [2:0][127:0] head_insn;
  logic [2:0][31:0]  head_pc, err_pc;
  logic [2:0][GridW-1:0] head_grid;
  logic              bar_fire, bar_is_end;
  logic [2:0]        head_is_end;
  // Token take requests per queue, and token availability / room per queue.
  logic [2:0]        pop_prev_take, pop_next_take, push_prev_take, push_next_take;
  logic [2:0]        from_prev_avail, from_next_avail, to_prev_room, to_next_room;

  assign unit_ready    = {st_ready_i, ex_ready_i, ld_ready_i};
  assign unit_done     = {st_done_i, ex_done_i, ld_done_i};
  assign unit_err      = {st_err_i, ex_err_i, ld_err_i};
  assign unit_err_code = {st_err_code_i, ex_err_code_i, ld_err_code_i};
  assign unit_err_addr = {st_err_addr_i, ex_err_addr_i, ld_err_addr_i};

  // When chk is valid, adv is "every queue it names has room", so this is the old
  // go && chk_valid_q && !chk_err_q && ((chk_qmask_q & ~q_room) == 0).
  assign chk_fire = live && chk_valid_q && !chk_err_q && adv;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) q_room <= 3'b111;
    else         q_room <= q_room_d;  // only AdvRetimed_A reads it
  end
  assign bar_fire = live && (&bar_arr);
  assign bar_is_end = &head_is_end;  // the same END heads all three queues

  for (genvar q = 0; q < 3; q++) begin : gen_q
    // Instruction FIFO.
    logic             fv, f_pop, q_push;
    logic [QEntW-1:0] fent;
    logic [QCntW-1:0] fcnt;
    logic             q_in_ready;

    assign q_push = dsp_v_q[q];  // a flop: the FIFO's push and LUT RAM write enable

    qilin_fifo #(.Width(QEntW), .Depth(QFifoDepth)) u_insn_q (
      .clk_i, .rst_ni,
      .flush_i    (clear),
      .in_valid_i (q_push),
      .in_ready_o (q_in_ready),
      .in_data_i  (dsp_ent_q),
      .out_valid_o(fv),
      .out_ready_i(f_pop),
      .out_data_o (fent),
      .count_o    (fcnt)
    );
    `QILIN_ASSERT(QNoOverflow_A, !q_push || q_in_ready, clk_i, rst_ni)

    // Credits for adv_d: count plus the entry being pushed, from flops. Equalities (the count
    // never exceeds QFifoDepth), not an adder and a compare, which Yosys maps to a carry chain.
    logic c_full, c_m1, c_m2;
    assign c_full   = (fcnt == QCntW'(QFifoDepth));
    assign c_m1     = (fcnt == QCntW'(QFifoDepth - 1));
    assign c_m2     = (fcnt == QCntW'(QFifoDepth - 2));
    assign q_le1[q] = !c_full && !(c_m1 && q_push);
    assign q_le2[q] = !c_full && !c_m1 && !(c_m2 && q_push);
    `QILIN_ASSERT(QCredits_A,
                  q_le1[q] == (32'(fcnt) + 32'(q_push) <= 32'(QFifoDepth - 1)) &&
                  q_le2[q] == (32'(fcnt) + 32'(q_push) <= 32'(QFifoDepth - 2)), clk_i, rst_ni)

    // Head ring: entries e0/e1, valid bits, write index, head index (two copies, * keep *:
    // one selects the 160 data bits for the unit, one the flags for the control logic).
    logic [1:0]          e_v_q, e_v_d;
    logic                wsel_q, wsel_d, hsel_d, hsel_c, hsel_dat;
    logic [HflW-1:0]     e_fl_q [2];  // each entry's flags: only the reference of HeadRetimed_A
    logic [GridW+31+InsnW:0] e_ent_q [2];  // {grid, pc, insn}
    logic                head_pop;
    logic [1:0]          hsel_rep;

    // The head's and the other entry's valid bits and flags are registers of their own,
    // loaded from the next state (HeadRetimed_A), so the head logic starts at flops and no
    // select by hsel sits on them: the flags move FIFO -> other -> head like a two-entry
    // shift queue. Flags are 0 while their entry is empty, so no head term needs the valid
    // bit. In ring order the write entry is the head when the head is empty, else the other
    // entry (FillRef_A), so the fill enables need no index compare.
    // fv_q is the FIFO's out_valid (count != 0) registered from the next state (FvRetimed_A):
    // one flop instead of the count's three bits in the fill terms.
    logic            hv_q, hv_d, o_v_q, o_v_d, fill_same, fill_other, fv_q, fv_d;
    logic [HflW-1:0] hfl_q, hfl_d, o_fl_q, o_fl_d, f_fl;
    logic [1:0]      e_we;
    assign fv_d       = !clear && (q_push || (fv_q && !(f_pop && (fcnt == QCntW'(1)))));
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) fv_q <= 1'b0;
      else         fv_q <= fv_d;
    end
    `QILIN_ASSERT(FvRetimed_A, fv_q == fv, clk_i, rst_ni)
    assign f_fl       = hflags(fent);
    assign fill_same  = fv_q && !hv_q;
    assign fill_other = fv_q && hv_q && !o_v_q;
    assign f_pop      = fill_same || fill_other;
    // The entries' write enables (1000 loads) straight from the ring's own flops.
    assign e_we[0]    = fv_q && !wsel_q && !e_v_q[0];
    assign e_we[1]    = fv_q && wsel_q && !e_v_q[1];
    `QILIN_ASSERT(FillRef_A, (f_pop == (fv && !e_v_q[wsel_q])) &&
                  (fill_same == (f_pop && (wsel_q == hsel_c))) &&
                  (e_we == {f_pop && wsel_q, f_pop && !wsel_q}), clk_i, rst_ni)

    qilin_keep_copies #(.N(2)) u_hsel_copies (
      .clk_i, .rst_ni, .d_i(hsel_d), .q_o(hsel_rep)
    );
    assign hsel_c   = hsel_rep[0];
    assign hsel_dat = hsel_rep[1];

    always_comb begin
      e_v_d  = e_v_q;
      hsel_d = hsel_c ^ head_pop;
      wsel_d = wsel_q ^ f_pop;
      if (head_pop) e_v_d[hsel_c] = 1'b0;
      if (f_pop)    e_v_d[wsel_q] = 1'b1;
      if (clear) begin
        e_v_d  = '0;
        hsel_d = 1'b0;
        wsel_d = 1'b0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        e_v_q  <= '0;
        wsel_q <= 1'b0;
      end else begin
        e_v_q  <= e_v_d;
        wsel_q <= wsel_d;
      end
    end

    // Entry storage has no reset: it is only used where its valid bit says it was written.
    for (genvar i = 0; i < 2; i++) begin : gen_ent
      always_ff @(posedge clk_i) begin
        if (e_we[i]) begin
          e_ent_q[i] <= fent[GridW+31+InsnW:0];
          e_fl_q[i]  <= hflags(fent);
        end
      end
    end

    logic            h_unit, h_sync, h_bar, h_end, h_pp, h_pn, h_sp, h_sn;
    // Both outcomes of the pop are formed from flops and the FIFO's head, and head_pop (late:
    // an issue waits for the unit's ready) only selects between them. A popped head is
    // followed by the other entry, or by the FIFO's head if that fills the (empty) other
    // entry in the same cycle; the popped entry becomes the other one, empty (a popping head
    // is valid, so it is not refilled in that cycle). A head that stays is filled if empty
    // and loses the pops it takes. need_pp/need_pn are the outstanding pops (NeedRetimed_A).
    logic            hv_pop, hv_stay, npp_stay, npn_stay;
    logic [HflW-1:0] hfl_pop, hfl_stay;
    logic            need_pp_q, need_pn_q, need_pp_d, need_pn_d;
    assign hv_pop   = o_v_q || fill_other;
    assign hfl_pop  = fill_other ? f_fl : o_fl_q;
    assign hv_stay  = hv_q || fill_same;
    assign hfl_stay = fill_same ? f_fl : hfl_q;
    assign npp_stay = fill_same ? f_fl[3] : (need_pp_q && !pop_prev_take[q]);
    assign npn_stay = fill_same ? f_fl[2] : (need_pn_q && !pop_next_take[q]);
    always_comb begin
      hv_d      = head_pop ? hv_pop : hv_stay;
      hfl_d     = head_pop ? hfl_pop : hfl_stay;
      need_pp_d = head_pop ? hfl_pop[3] : npp_stay;
      need_pn_d = head_pop ? hfl_pop[2] : npn_stay;
      o_v_d     = !head_pop && (o_v_q || fill_other);
      o_fl_d    = head_pop ? '0 : (fill_other ? f_fl : o_fl_q);
      if (clear) begin
        hv_d      = 1'b0;
        hfl_d     = '0;
        need_pp_d = 1'b0;
        need_pn_d = 1'b0;
        o_v_d     = 1'b0;
        o_fl_d    = '0;
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        hv_q      <= 1'b0;
        hfl_q     <= '0;
        o_v_q     <= 1'b0;
        o_fl_q    <= '0;
        need_pp_q <= 1'b0;
        need_pn_q <= 1'b0;
      end else begin
        hv_q      <= hv_d;
        hfl_q     <= hfl_d;
        o_v_q     <= o_v_d;
        o_fl_q    <= o_fl_d;
        need_pp_q <= need_pp_d;
        need_pn_q <= need_pn_d;
      end
    end
    logic [HflW-1:0] h_fl_sel, o_fl_sel;  // the entries' flags, as a select by hsel reads them
    assign h_fl_sel = hsel_c ? e_fl_q[1] : e_fl_q[0];
    assign o_fl_sel = hsel_c ? e_fl_q[0] : e_fl_q[1];
    `QILIN_ASSERT(HeadRetimed_A, (hv_q == e_v_q[hsel_c]) && (o_v_q == e_v_q[!hsel_c]) &&
                  (hfl_q == (hv_q ? h_fl_sel : '0)) && (o_fl_q == (o_v_q ? o_fl_sel : '0)),
                  clk_i, rst_ni)
    `QILIN_ASSERT(HeadPopValid_A, !head_pop || hv_q, clk_i, rst_ni)
    assign {h_unit, h_sync, h_bar, h_end, h_pp, h_pn, h_sp, h_sn} = hfl_q;
    assign {head_grid[q], head_pc[q], head_insn[q]} = hsel_dat ? e_ent_q[1] : e_ent_q[0];

    // Pending FIFO: issued, not completed ({pc, push_prev, push_next}); retire FIFO:
    // completed, pushes not yet done.
    logic              pend_v, ret_v, unused_pend_ready;
    logic [33:0]       pend_data;
    logic [1:0]        ret_data;
    logic [InflW-1:0]  pend_cnt;
    logic              issue, ret_pop, done_pop;

    assign done_pop = unit_done[q] && pend_v;

    qilin_fifo #(.Width(34), .Depth(UnitInflight)) u_pend (
      .clk_i, .rst_ni,
      .flush_i    (clear),
      .in_valid_i (issue),
      .in_ready_o (unused_pend_ready),
      .in_data_i  ({head_pc[q], h_sp, h_sn}),
      .out_valid_o(pend_v),
      .out_ready_i(done_pop),
      .out_data_o (pend_data),
      .count_o    (pend_cnt)
    );
    // Retire FIFO in registers (a shift queue, oldest in entry 0, valid bits contiguous from
    // 0) instead of LUT RAM: the retire logic reads its head from flops, not through the
    // RAM's asynchronous read port; ret_pop only selects the shifted state.
    logic [UnitInflight-1:0] rq_v_q, rq_sp_q, rq_sn_q, rq_v_s, rq_sp_s, rq_sn_s;
    logic [UnitInflight-1:0] rq_v_d, rq_sp_d, rq_sn_d;
    always_comb begin
      rq_v_s  = ret_pop ? (rq_v_q >> 1)  : rq_v_q;
      rq_sp_s = ret_pop ? (rq_sp_q >> 1) : rq_sp_q;
      rq_sn_s = ret_pop ? (rq_sn_q >> 1) : rq_sn_q;
      rq_v_d  = rq_v_s;
      rq_sp_d = rq_sp_s;
      rq_sn_d = rq_sn_s;
      for (int i = 0; i < int'(UnitInflight); i++) begin
        if (done_pop && !rq_v_s[i] && (i == 0 || rq_v_s[(i == 0) ? 0 : i - 1])) begin
          rq_v_d[i]  = 1'b1;
          rq_sp_d[i] = pend_data[1];
          rq_sn_d[i] = pend_data[0];
        end
      end
      if (clear) rq_v_d = '0;
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        rq_v_q  <= '0;
        rq_sp_q <= '0;
        rq_sn_q <= '0;
      end else begin
        rq_v_q  <= rq_v_d;
        rq_sp_q <= rq_sp_d;
        rq_sn_q <= rq_sn_d;
      end
    end
    assign ret_v    = rq_v_q[0];
    assign ret_data = {rq_sp_q[0], rq_sn_q[0]};

    // Instructions in flight (pending + retire), with its two flags registered from the next
    // state (InflRetimed_A): below UnitInflight (issue allowed) and zero (SYNC, barrier).
    // done_pop moves an entry from pending to retire and leaves the total alone.
    // The count's neighbours are formed from flops; issue and ret_pop only select.
    logic [InflW-1:0] infl_q, infl_d;
    logic             infl_room_q, infl_zero_q, infl_room_d, infl_zero_d;
    always_comb begin
      if (issue && !ret_pop) begin
        infl_d      = infl_q + InflW'(1);
        infl_room_d = (32'(infl_q) + 32'd1 < 32'(UnitInflight));
        infl_zero_d = 1'b0;
      end else if (!issue && ret_pop) begin
        infl_d      = infl_q - InflW'(1);
        infl_room_d = 1'b1;
        infl_zero_d = (infl_q == InflW'(1));
      end else begin
        infl_d      = infl_q;
        infl_room_d = infl_room_q;
        infl_zero_d = infl_zero_q;
      end
      if (clear) begin
        infl_d      = '0;
        infl_room_d = 1'b1;
        infl_zero_d = 1'b1;
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        infl_q      <= '0;
        infl_room_q <= 1'b1;
        infl_zero_q <= 1'b1;
      end else begin
        infl_q      <= infl_d;
        infl_room_q <= infl_room_d;
        infl_zero_q <= infl_zero_d;
      end
    end
    logic [InflW-1:0] ret_cnt;
    always_comb begin
      ret_cnt = '0;
      for (int i = 0; i < int'(UnitInflight); i++) ret_cnt = ret_cnt + InflW'(rq_v_q[i]);
    end
    `QILIN_ASSERT(InflRetimed_A, (infl_q == pend_cnt + ret_cnt) &&
                  (infl_room_q == (infl_q < InflW'(UnitInflight))) &&
                  (infl_zero_q == (infl_q == '0)), clk_i, rst_ni)
    `QILIN_ASSERT(RetQueueOrder_A, (rq_v_q & (rq_v_q + UnitInflight'(1))) == '0, clk_i, rst_ni)
    `QILIN_ASSERT(RetNoOverflow_A, !done_pop || ret_pop || !rq_v_q[UnitInflight-1],
                  clk_i, rst_ni)
    assign pend_any[q]  = pend_v;
    // pend_v of the next cycle, for busy_d.
    assign pend_nz_d[q] = !clear && (issue || (pend_v && !(done_pop && pend_cnt == InflW'(1))));

    // Head: pops (each on its own), then issue or (SYNC) retire.
    logic go;
    logic need_pp, need_pn, pp_done_q, pn_done_q, pp_done_d, pn_done_d;
    logic pops_ok, nothing_inflight, presented_q, presented_d;
    assign go      = live;
    assign need_pp = need_pp_q;
    assign need_pn = need_pn_q;
    `QILIN_ASSERT(NeedRetimed_A, (need_pp_q == (hv_q && h_pp && !pp_done_q)) &&
                  (need_pn_q == (hv_q && h_pn && !pn_done_q)), clk_i, rst_ni)
    assign pop_prev_take[q] = go && need_pp && from_prev_avail[q];
    assign pop_next_take[q] = go && need_pn && from_next_avail[q];
    // Without go: every use of pops_ok is gated by go, except a presented instruction's
    // issue, whose pops are already done.
    assign pops_ok = (!need_pp || from_prev_avail[q]) && (!need_pn || from_next_avail[q]);
    assign nothing_inflight = infl_zero_q;

    // A presented instruction stays valid until taken, even after an error.
    assign issue_valid[q] = h_unit && pops_ok &&
                            infl_room_q &&
                            (go || presented_q);
    assign issue = issue_valid[q] && unit_ready[q];

    // Retire stage: the oldest completed instruction, or a SYNC head with nothing in flight.
    logic sync_cand, r_act, r_sp, r_sn, sp_done_q, sn_done_q, sp_done_d, sn_done_d;
    logic need_sp, need_sn;
    assign sync_cand = h_sync && pops_ok && nothing_inflight;
    assign r_act     = ret_v || sync_cand;
    assign r_sp      = ret_v ? ret_data[1] : h_sp;
    assign r_sn      = ret_v ? ret_data[0] : h_sn;
    assign need_sp   = r_act && r_sp && !sp_done_q;
    assign need_sn   = r_act && r_sn && !sn_done_q;
    assign push_prev_take[q] = go && need_sp && to_prev_room[q];
    assign push_next_take[q] = go && need_sn && to_next_room[q];
    // The retire decision written flat from flops (RetireFlat_A): a completed instruction
    // (ret_v) needs no pops, a SYNC head its pops, and each push needs room unless done.
    logic sync_ret, retire_ref;
    assign ret_pop  = go && ret_v && (!ret_data[1] || sp_done_q || to_prev_room[q]) &&
                      (!ret_data[0] || sn_done_q || to_next_room[q]);
    assign sync_ret = go && !ret_v && sync_cand && (!h_sp || sp_done_q || to_prev_room[q]) &&
                      (!h_sn || sn_done_q || to_next_room[q]);
    assign retire_fire[q] = ret_pop || sync_ret;
    assign retire_ref     = go && r_act && (!need_sp || push_prev_take[q]) &&
                            (!need_sn || push_next_take[q]);
    `QILIN_ASSERT(RetireFlat_A, (retire_fire[q] == retire_ref) &&
                  (ret_pop == (retire_ref && ret_v)), clk_i, rst_ni)

    // Arrived at a barrier, registered from the next state (BarArrRetimed_A): bar_fire is
    // then one gate from four flops.
    // head_is_end is likewise "arrived at END": only &head_is_end (with bar_arr) is used.
    logic bar_arr_q, end_arr_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        bar_arr_q <= 1'b0;
        end_arr_q <= 1'b0;
      end else begin
        bar_arr_q <= hfl_d[5] && infl_zero_d;
        end_arr_q <= hfl_d[4] && infl_zero_d;
      end
    end
    assign bar_arr[q]     = bar_arr_q;
    assign head_is_end[q] = end_arr_q;
    `QILIN_ASSERT(BarArrRetimed_A, (bar_arr_q == (h_bar && nothing_inflight)) &&
                  (end_arr_q == (h_end && nothing_inflight)), clk_i, rst_ni)
    assign head_pop   = issue || sync_ret || bar_fire;

    assign tok_stall[q] = go && ((need_pp && !from_prev_avail[q]) ||
                                 (need_pn && !from_next_avail[q]) ||
                                 (need_sp && !to_prev_room[q]) ||
                                 (need_sn && !to_next_room[q]));

    always_comb begin
      pp_done_d   = pp_done_q || pop_prev_take[q];
      pn_done_d   = pn_done_q || pop_next_take[q];
      sp_done_d   = sp_done_q || push_prev_take[q];
      sn_done_d   = sn_done_q || push_next_take[q];
      presented_d = issue_valid[q] && !unit_ready[q];
      if (head_pop) begin
        pp_done_d = 1'b0;
        pn_done_d = 1'b0;
      end
      if (retire_fire[q]) begin
        sp_done_d = 1'b0;
        sn_done_d = 1'b0;
      end
      if (clear) begin
        pp_done_d   = 1'b0;
        pn_done_d   = 1'b0;
        sp_done_d   = 1'b0;
        sn_done_d   = 1'b0;
        presented_d = 1'b0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pp_done_q   <= 1'b0;
        pn_done_q   <= 1'b0;
        sp_done_q   <= 1'b0;
        sn_done_q   <= 1'b0;
        presented_q <= 1'b0;
      end else begin
        pp_done_q   <= pp_done_d;
        pn_done_q   <= pn_done_d;
        sp_done_q   <= sp_done_d;
        sn_done_q   <= sn_done_d;
        presented_q <= presented_d;
      end
    end

    // The PC a unit error belongs to: the oldest issued, not completed instruction (or, if
    // the unit reports with nothing in flight, the last one issued).
    logic [31:0] last_pc_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        last_pc_q <= '0;
      end else if (issue) begin
        last_pc_q <= head_pc[q];
      end
    end
    assign err_pc[q] = pend_v ? pend_data[33:2] : last_pc_q;

    `QILIN_ASSERT(DoneInFlight_A, !(run_q && unit_done[q] && !pend_v), clk_i, rst_ni)
    // The ring fills and drains in order: an entry is valid only if the head one is.
    `QILIN_ASSERT(RingOrder_A, !(e_v_q[!hsel_c] && !e_v_q[hsel_c]), clk_i, rst_ni)
    `QILIN_ASSERT(HselCopies_A, hsel_c == hsel_dat, clk_i, rst_ni)
  end

  // ---------------------------------------------------------------------------------------
  // Token FIFOs (counters): 0 LD->EX, 1 EX->LD, 2 EX->ST, 3 ST->EX.
  // ---------------------------------------------------------------------------------------
  logic [TokW-1:0] tok0_q, tok1_q, tok2_q, tok3_q;
  logic            tok0_push, tok0_pop, tok1_push, tok1_pop;
  logic            tok2_push, tok2_pop, tok3_push, tok3_pop;

  assign tok0_push = push_next_take[0];
  assign tok0_pop  = pop_prev_take[1];
  assign tok1_push = push_prev_take[1];
  assign tok1_pop  = pop_next_take[0];
  assign tok2_push = push_next_take[1];
  assign tok2_pop  = pop_prev_take[2];
  assign tok3_push = push_prev_take[2];
  assign tok3_pop  = pop_next_take[1];

  // count != 0 and count != TokenDepth, registered from the next state (TokFlags_A), so the
  // head and retire logic starts at flops. A pop needs a token and a push needs room, so
  //   nz' = push || count > 1 || (count == 1 && !pop),
  //   nf' = pop || count < TokenDepth - 1 || (count == TokenDepth - 1 && !push).
  logic [3:0] tok_nz_q, tok_nf_q, tok_nz_d, tok_nf_d;
  logic [3:0] tok_push, tok_pop;
  logic [3:0][TokW-1:0] tok_cnt;
  assign tok_push = {tok3_push, tok2_push, tok1_push, tok0_push};
  assign tok_pop  = {tok3_pop, tok2_pop, tok1_pop, tok0_pop};
  assign tok_cnt  = {tok3_q, tok2_q, tok1_q, tok0_q};
  for (genvar i = 0; i < 4; i++) begin : gen_tok_flags
    assign tok_nz_d[i] = !clear && (tok_push[i] || (tok_cnt[i] > TokW'(1)) ||
                                     ((tok_cnt[i] == TokW'(1)) && !tok_pop[i]));
    assign tok_nf_d[i] = clear || tok_pop[i] || (tok_cnt[i] < TokW'(TokenDepth - 1)) ||
                         ((tok_cnt[i] == TokW'(TokenDepth - 1)) && !tok_push[i]);
    `QILIN_ASSERT(TokFlags_A, (tok_nz_q[i] == (tok_cnt[i] != '0)) &&
                              (tok_nf_q[i] == (tok_cnt[i] != TokW'(TokenDepth))), clk_i, rst_ni)
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tok_nz_q <= '0;
      tok_nf_q <= '1;
    end else begin
      tok_nz_q <= tok_nz_d;
      tok_nf_q <= tok_nf_d;
    end
  end

  // A count's next value: its neighbours are formed from the flops, push and pop (late, from
  // the head and retire logic) only select.
  function automatic logic [TokW-1:0] tok_step(input logic [TokW-1:0] c, input logic up,
                                               input logic down);
    logic [TokW-1:0] inc, dec;
    inc = c + TokW'(1);
    dec = c - TokW'(1);
    unique case ({up, down})
      2'b10:   tok_step = inc;
      2'b01:   tok_step = dec;
      default: tok_step = c;
    endcase
  endfunction

  assign from_prev_avail = {tok_nz_q[2], tok_nz_q[0], 1'b0};
  assign from_next_avail = {1'b0, tok_nz_q[3], tok_nz_q[1]};
  assign to_prev_room    = {tok_nf_q[3], tok_nf_q[1], 1'b0};
  assign to_next_room    = {1'b0, tok_nf_q[2], tok_nf_q[0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tok0_q <= '0;
      tok1_q <= '0;
      tok2_q <= '0;
      tok3_q <= '0;
    end else if (clear) begin
      tok0_q <= '0;
      tok1_q <= '0;
      tok2_q <= '0;
      tok3_q <= '0;
    end else begin
      tok0_q <= tok_step(tok0_q, tok0_push, tok0_pop);
      tok1_q <= tok_step(tok1_q, tok1_push, tok1_pop);
      tok2_q <= tok_step(tok2_q, tok2_push, tok2_pop);
      tok3_q <= tok_step(tok3_q, tok3_push, tok3_pop);
    end
  end

  // ---------------------------------------------------------------------------------------
  // Errors, completion and status.
  // ---------------------------------------------------------------------------------------
  logic              no_end, err_new;
  logic [7:0]        err_code_q;
  logic [AddrW-1:0]  err_addr_q;
  logic [31:0]       err_pc_q;
  logic              err_pulse_q, done_pulse_q;

  assign no_end = live && !(c0_valid_q || c1_valid_q || c2_valid_q || c3_valid_q || chk_valid_q) &&
                  !end_seen_q && !more_q;

  // Unit errors are registered first (they arrive late, from the units' completion logic),
  // the first by precedence (LD, EX, ST) with its code, address and PC, and latched a cycle
  // later: one cycle later than the units report them. In that cycle nothing new happens
  // (live is low, as err_q would have made it), and a unit error registered there wins over
  // a dispatch error of that cycle (it was reported first), so the latched error is the one
  // of the unregistered design. A unit error is registered only while running with nothing
  // latched or registered yet.
  logic              uerr_en;
  logic [7:0]        uerr_code_q;
  logic [AddrW-1:0]  uerr_addr_q;
  logic [31:0]       uerr_pc_q;
  logic [AddrW-1:0]  noend_addr_q;   // base + 16 * len, set at the start
  assign uerr_en = live && !clear;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      uerr_any_q  <= 1'b0;
      uerr_code_q <= '0;
      uerr_addr_q <= '0;
      uerr_pc_q   <= '0;
    end else begin
      uerr_any_q <= uerr_en && (|unit_err);
      if (unit_err[0]) begin
        uerr_code_q <= unit_err_code[0];
        uerr_addr_q <= unit_err_addr[0];
        uerr_pc_q   <= err_pc[0];
      end else if (unit_err[1]) begin
        uerr_code_q <= unit_err_code[1];
        uerr_addr_q <= unit_err_addr[1];
        uerr_pc_q   <= err_pc[1];
      end else begin
        uerr_code_q <= unit_err_code[2];
        uerr_addr_q <= unit_err_addr[2];
        uerr_pc_q   <= err_pc[2];
      end
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      noend_addr_q <= '0;
    end else if (start_acc) begin
      noend_addr_q <= {cmd_base_i[AddrW-1:4], 4'b0} + AddrW'({cmd_len_i, 4'b0});
    end
  end

  // The error registers load only when an error is latched (or cleared); the source is a
  // 3:1 select by registered bits: a registered unit error, else the check register's
  // verdict, else NO_END.
  logic              dsp_err;
  logic [7:0]        src_code;
  logic [AddrW-1:0]  src_addr;
  logic [31:0]       src_pc;
  assign dsp_err = chk_valid_q && chk_err_q;
  // err_new without the clear term for the error registers, whose clear branch has priority
  // anyway: `clear` (hundreds of loads) then reaches their enable in parallel, not at the
  // end of the error condition.
  logic err_new_nc;
  assign err_new_nc = run_q && !err_q && (uerr_any_q || dsp_err || no_end);
  assign err_new    = err_new_nc && !clear;
  always_comb begin
    src_code = qilin_isa_pkg::ErrNoEnd;
    src_addr = noend_addr_q;
    src_pc   = len_q;
    if (uerr_any_q) begin
      src_code = uerr_code_q;
      src_addr = uerr_addr_q;
      src_pc   = uerr_pc_q;
    end else if (dsp_err) begin
      src_code = chk_code_q;
      src_addr = chk_addr;
      src_pc   = chk_pc_q;
    end
  end

  always_comb begin
    run_d = run_q;
    err_d = err_q || err_new;
    if (err_new || (bar_fire && bar_is_end)) run_d = 1'b0;
    if (clear) begin
      run_d = start_acc;
      err_d = 1'b0;
    end
  end
  assign busy_d = run_d || ar_valid_d || (ob_d != '0) || (|pend_nz_d);
  // busy is two registers, ORed after them (start_acc stays one LUT): the queues' part (late
  // unit ready/done) and the fetch part (late AXI handshakes, ob_d != 0 without its adder).
  logic busy_c_q, busy_f_q, busy_c_d, busy_f_d, ob_nz_d;
  always_comb begin
    unique case ({ar_hs, r_last_hs})
      2'b10:   ob_nz_d = 1'b1;
      2'b01:   ob_nz_d = (ob_q != ObW'(1));
      default: ob_nz_d = !ob_zero;
    endcase
  end
  assign busy_c_d = run_d || (|pend_nz_d);
  assign busy_f_d = ar_valid_d || ob_nz_d;
  assign busy_q   = busy_c_q || busy_f_q;
  `QILIN_ASSERT(BusySplit_A, (busy_c_d || busy_f_d) == busy_d, clk_i, rst_ni)
  // live_d written flat (LiveFlat_A): since live == run_q && !err_q && !uerr_any_q, a live
  // program stays live unless the check register holds an error, the stream ran out without
  // END (no_end), the END barrier fires or a unit reports an error; start makes it live.
  logic live_ref, noend_cond;
  assign noend_cond = !(c0_valid_q || c1_valid_q || c2_valid_q || c3_valid_q || chk_valid_q) &&
                      !end_seen_q && !more_q;
  // (&bar_arr && bar_is_end == bar_is_end: an arrived END is an arrived barrier.)
  assign live_d   = clear ? start_acc
                          : (live && !dsp_err && !noend_cond && !bar_is_end && !(|unit_err));
  assign live_ref = run_d && !err_d && !(uerr_en && (|unit_err));
  `QILIN_ASSERT(LiveFlat_A, live_d == live_ref, clk_i, rst_ni)

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      run_q        <= 1'b0;
      err_q        <= 1'b0;
      busy_c_q     <= 1'b0;
      busy_f_q     <= 1'b0;
      live         <= 1'b0;
      err_pulse_q  <= 1'b0;
      done_pulse_q <= 1'b0;
    end else begin
      run_q        <= run_d;
      err_q        <= err_d;
      busy_c_q     <= busy_c_d;
      busy_f_q     <= busy_f_d;
      live         <= live_d;
      err_pulse_q  <= err_new;
      done_pulse_q <= bar_fire && bar_is_end && !clear;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_code_q <= qilin_isa_pkg::ErrNone;
      err_addr_q <= '0;
      err_pc_q   <= '0;
    end else if (clear) begin
      err_code_q <= qilin_isa_pkg::ErrNone;
      err_addr_q <= '0;
      err_pc_q   <= '0;
    end else if (err_new_nc) begin
      err_code_q <= src_code;
      err_addr_q <= src_addr;
      err_pc_q   <= src_pc;
    end
  end

  assign done_o     = done_pulse_q;
  assign error_o    = err_pulse_q;
  assign err_code_o = err_code_q;
  assign err_addr_o = err_addr_q;
  assign err_pc_o   = err_pc_q;

  // Unit ports.
  assign ld_valid_o = issue_valid[0];
  assign ex_valid_o = issue_valid[1];
  assign st_valid_o = issue_valid[2];
  assign ld_insn_o  = head_insn[0];
  assign ex_insn_o  = head_insn[1];
  assign st_insn_o  = head_insn[2];
  assign ld_pc_o    = head_pc[0];
  assign ex_pc_o    = head_pc[1];
  // The check pipeline's product (c2) travels with the instruction, so the EX unit needs no
  // multiplier of its own between this queue's head and its input buffer.
  assign ex_grid_o  = head_grid[1];
  logic unused_grid;
  assign unused_grid = ^{head_grid[0], head_grid[2]};  // the DMA units count their own rows
  assign st_pc_o    = head_pc[2];

  assign ld_retired_o     = retire_fire[0] || bar_fire;
  assign ex_retired_o     = retire_fire[1] || bar_fire;
  assign st_retired_o     = retire_fire[2] || bar_fire;
  assign insn_retired_o   = bar_fire ? 2'd1
                                     : 2'(retire_fire[0]) + 2'(retire_fire[1]) + 2'(retire_fire[2]);
  assign ld_token_stall_o = tok_stall[0];
  assign ex_token_stall_o = tok_stall[1];
  assign st_token_stall_o = tok_stall[2];

  // ---------------------------------------------------------------------------------------
  // Assertions.
  // ---------------------------------------------------------------------------------------
  `QILIN_ASSERT_INIT(InsnQueueDepth_A, InsnQueueDepth >= qilin_isa_pkg::MinInsnQueueDepth)
  `QILIN_ASSERT_INIT(TokenDepth_A, TokenDepth >= qilin_isa_pkg::MinTokenDepth)
  `QILIN_ASSERT_INIT(FetchBurst_A, FetchBurst == 4 || FetchBurst == 8 || FetchBurst == 16 ||
                                   FetchBurst == 32)
  `QILIN_ASSERT_INIT(FetchBursts_A, FetchBursts >= 1)
  `QILIN_ASSERT_INIT(Rows_A, SpRows <= 131072 && AccRows <= 65536 && Dim >= 1 && Dim <= 255)
  `QILIN_ASSERT(BeatBufNoOverflow_A, !(r_valid_i && !r_drop) || buf_in_ready, clk_i, rst_ni)
  // Registered from the next state: each is its definition in every cycle.
  `QILIN_ASSERT(BusyRetimed_A, busy_q == (run_q || ar_valid_q || !ob_zero || (|pend_any)),
                clk_i, rst_ni)
  `QILIN_ASSERT(AdvRetimed_A, adv == (!chk_valid_q || ((chk_qmask_q & ~q_room) == 3'b000)),
                clk_i, rst_ni)
  for (genvar i = 1; i < AdvCopies; i++) begin : gen_adv_check
    `QILIN_ASSERT(AdvCopies_A, adv_rep[i] == adv, clk_i, rst_ni)
  end
  `QILIN_ASSERT_INIT(InsnQueueRing_A, InsnQueueDepth >= 3)
  `QILIN_ASSERT(LiveRetimed_A, live == (run_q && !err_q && !uerr_any_q), clk_i, rst_ni)
  `QILIN_ASSERT(NoEndAddr_A, !run_q || (noend_addr_q == base_q + AddrW'({len_q, 4'b0})),
                clk_i, rst_ni)

endmodule
