// SPDX-License-Identifier: Apache-2.0
// EX unit: decodes MATMUL and POSTPROC instructions from the command processor's EX queue,
// issues them to qilin_ex_matmul / qilin_ex_post, and returns one done pulse per instruction
// in instruction order.
//
// Ordering (docs/core_top.md): instructions issue in order, one per cycle; the result must
// equal running them one after another (docs/isa.md section 2).
// - MATMULs are pipelined: one is issued whenever ex_matmul takes it, several may be in
//   flight; their done pulses come back in order.
// - A MATMUL may issue while a POSTPROC runs if the ACC rows it writes [c, c+m) miss the
//   POSTPROC's grid [c_addr, c_addr + in_h*in_w) and parameter rows [p_addr, p_addr+3), and
//   the SP rows it reads (A [a, a+m), W [w, w+k)) miss the POSTPROC's output rows
//   [o_addr, o_addr + in_h*in_w) (the exact count without pooling, an upper bound with it).
// - A POSTPROC may issue while MATMULs are in flight if none of them writes ACC rows it reads
//   (a table holds the C range of each MATMUL in flight until its done) and its output rows
//   miss the union of SP rows read by the MATMULs issued since ex_matmul was last empty. With
//   no MATMUL in flight it waits for the ACC accumulate pipeline to drain (acc_idle_i). At most
//   one POSTPROC is in flight, and none issues while done pulses are still owed for MATMULs
//   issued behind the previous one.
// - Completion stays in program order: a POSTPROC's done/error goes out after the dones of
//   the MATMULs issued before it; dones of MATMULs issued after it are held (counted) and
//   released one per cycle after it. After a POSTPROC error nothing more is issued or
//   reported until soft reset (MATMULs already issued behind it still run; memory is
//   undefined after an error, docs/isa.md section 7).
// - Instructions that do not use the array (m_size = 0; k_size = 0) wait until nothing is in
//   flight. k_size = 0 without accumulate writes m_size zero rows into the ACC through the
//   accumulate port (zf_*), as the ISS does; with accumulate it changes nothing.
// ACC port sharing: a POSTPROC reading while MATMULs accumulate into other rows only loses
// read-port cycles on a bank conflict (qilin_acc_mem gives the accumulate port priority).
// Soft reset: the POSTPROC is cleared (ex_post clear_i, driven by the core); MATMULs in flight
// cannot be cancelled, so their done pulses are counted and dropped.
`include "qilin_assert.svh"

module qilin_ex_unit #(
  parameter int unsigned Dim         = 16,
  parameter int unsigned MaxInflight = 15
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          soft_reset_i,
  // From the command processor.
  input  logic                          valid_i,
  output logic                          ready_o,
  input  logic [127:0]                  insn_i,
  input  logic [23:0]                   grid_i,   // in_h * in_w of a POSTPROC (cmd_proc's check)
  output logic                          done_o,
  output logic                          err_o,
  output logic [7:0]                    err_code_o,
  output logic [39:0]                   err_addr_o,
  // ex_matmul.
  output logic                          mm_valid_o,
  input  logic                          mm_ready_i,
  output qilin_core_pkg::matmul_cmd_t   mm_cmd_o,
  input  logic                          mm_done_i,
  // ex_post.
  output logic                          post_valid_o,
  input  logic                          post_ready_i,
  output logic [15:0]                   post_c_addr_o,
  output logic [15:0]                   post_p_addr_o,
  output logic [16:0]                   post_o_addr_o,
  output logic [11:0]                   post_in_h_o,
  output logic [11:0]                   post_in_w_o,
  output logic                          post_out_signed_o,
  output logic                          post_bias_en_o,
  output logic [1:0]                    post_pool_kind_o,
  output logic [3:0]                    post_kh_o,
  output logic [3:0]                    post_kw_o,
  output logic [2:0]                    post_sh_o,
  output logic [2:0]                    post_sw_o,
  output logic [7:0]                    post_n_win_o,     // kh * kw (1 without pooling)
  output logic [8:0]                    post_out_zp_o,
  output logic [7:0]                    post_act_min_o,
  output logic [7:0]                    post_act_max_o,
  input  logic                          post_done_i,
  input  logic                          post_err_i,
  input  logic [7:0]                    post_err_code_i,
  input  logic [15:0]                   post_err_addr_i,
  // ACC accumulate pipeline idle, and the zero-fill writes (data 0, overwrite).
  input  logic                          acc_idle_i,
  output logic                          zf_valid_o,
  output logic [15:0]                   zf_addr_o,
  // Performance: MACs of a MATMUL, valid two cycles after it is accepted.
  output logic                          macs_valid_o,
  output logic [31:0]                   macs_o,
  output logic                          busy_o
);
  localparam int unsigned CntW = $clog2(MaxInflight + 1);
  // Row ranges [lo, hi) for the hazard checks, 25 bits so no sum can wrap.
  localparam int unsigned RngW = 25;

  // ---- input buffer and decode slots ----
  // The command processor sees a registered ready (a two-entry buffer), and the issue logic
  // below works on a decode slot holding the instruction, its precomputed row ranges and its
  // decode: neither the ranges' arithmetic nor the issue decision is on a path into the
  // command processor (100 MHz on ECP5, docs/fpga.md). An instruction in the buffer counts as
  // issued for the command processor; done pulses still come back in program order.
  //
  // There are two decode slots, used in turn (a two-entry queue of registers). A slot loads
  // from the buffer when it is empty, an enable made of registers only; the issue decision
  // (d_take, behind the units' ready inputs) only clears the current slot's valid bit and
  // moves to the other slot. So the decision never drives the wide slot registers (it did as
  // a single decode register's load enable: 18 ns in the whole-chip ranking). The current
  // slot is selected by a register, in copies so that none drives hundreds of muxes. Timing
  // is unchanged: the next instruction is current the cycle after an issue whenever it had
  // reached the buffer by the issue cycle, as the single register loaded it then.
  logic                in_valid, ld, ld_cur, d_take, d_valid;
  logic [127:0]        in_insn, insn;
  logic [RngW-1:0]     in_grid;
  logic [1:0]          unused_in_cnt;
  // The buffer is a qilin_skid: its entries are flip-flops (not a LUT-RAM FIFO), so the
  // slot's range adders below start at registers.
  qilin_skid #(.Width(128 + RngW)) u_in (
    .clk_i,
    .rst_ni,
    .flush_i     (soft_reset_i),
    .in_valid_i  (valid_i),
    .in_ready_o  (ready_o),
    .in_data_i   ({RngW'(grid_i), insn_i}),
    .out_valid_o (in_valid),
    .out_ready_i (ld),
    .out_data_o  ({in_grid, in_insn}),
    .count_o     (unused_in_cnt)
  );

  // A slot: the instruction, its ranges (MATMUL: ACC rows written, SP rows read (A and W).
  // POSTPROC: ACC grid and parameter rows read, SP rows written; in_h * in_w bounds the output
  // rows, exact without pooling, an over-estimate with it) and its decode.
  typedef struct packed {
    logic [127:0]    insn;
    logic [7:0]      pn;    // POSTPROC window size N = kh * kw (1 without pooling)
    logic [RngW-1:0] mc_lo, mc_hi, ma_lo, ma_hi, mw_lo, mw_hi;
    logic [RngW-1:0] pc_lo, pc_hi, pp_lo, pp_hi, po_lo, po_hi;
    logic            is_mm, is_post, mm_work, m_zero;
  } slot_t;
  slot_t           slot_d, cur;
  // Two scalars, not an array: Yosys leaves fields of a packed-struct array element undriven.
  slot_t           slot0_q, slot1_q;
  logic  [1:0]     slot_v_q;
  logic            wr_q, rd_q;      // slot to load next; current slot (control copy)
  localparam int unsigned RdCopies = 5;
  logic [RdCopies-1:0] rd_rep_q;  // copies of rd_q for the slot muxes and the hazard pick

  logic [3:0]      in_op;
  logic [15:0]     in_m;
  logic [7:0]      in_k;
  assign in_op = in_insn[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW];
  assign in_m  = in_insn[qilin_isa_pkg::MatmulMSizeLsb +: qilin_isa_pkg::MatmulMSizeW];
  assign in_k  = in_insn[qilin_isa_pkg::MatmulKSizeLsb +: qilin_isa_pkg::MatmulKSizeW];
  // N for ex_post, by shifts and adds (a `*` maps to a MULT18X18D even at 4x4 bits): computed
  // here from the buffer's registers, it kept 10 levels out of ex_post's command intake. As
  // kh * kw[1:0] + (kh * kw[3:2] << 2), each half a select among the multiples 0, 1, 2 and
  // 3 of kh, and the kind's "no pooling" (N = 1) last: one adder on the path instead of
  // three in series behind the kind decode (qilin_ex_unit.sv slot path, docs/fpga.md).
  logic [3:0] in_kh, in_kw;
  logic [5:0] kh3, pn_lo, pn_hi;
  logic [7:0] pn_raw;
  logic       pool_none;
  assign pool_none = (in_insn[qilin_isa_pkg::PostprocPoolKindLsb +:
                              qilin_isa_pkg::PostprocPoolKindW] == qilin_isa_pkg::PoolNone);
  assign in_kh = in_insn[qilin_isa_pkg::PostprocPoolKhLsb +: qilin_isa_pkg::PostprocPoolKhW];
  assign in_kw = in_insn[qilin_isa_pkg::PostprocPoolKwLsb +: qilin_isa_pkg::PostprocPoolKwW];
  assign kh3   = 6'(in_kh) + (6'(in_kh) << 1);
  function automatic logic [5:0] kh_times(input logic [3:0] kh, input logic [5:0] kh_x3,
                                          input logic [1:0] k);
    unique case (k)
      2'd0:    kh_times = '0;
      2'd1:    kh_times = 6'(kh);
      2'd2:    kh_times = 6'(kh) << 1;
      default: kh_times = kh_x3;
    endcase
  endfunction
  assign pn_lo = kh_times(in_kh, kh3, in_kw[1:0]);
  assign pn_hi = kh_times(in_kh, kh3, in_kw[3:2]);
  assign pn_raw = 8'(pn_lo) + (8'(pn_hi) << 2);
`ifndef SYNTHESIS
  logic [7:0] pn_ref;
  assign pn_ref = 8'(in_kh) * 8'(in_kw);
  `QILIN_ASSERT(PnProduct_A, !in_valid || (pn_raw == pn_ref), clk_i, rst_ni)
`endif
  always_comb begin
    slot_d.insn    = in_insn;
    slot_d.pn      = pool_none ? 8'd1 : pn_raw;
    slot_d.mc_lo   = RngW'(in_insn[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW]);
    slot_d.mc_hi   = RngW'(in_insn[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW]) +
                     RngW'(in_m);
    slot_d.ma_lo   = RngW'(in_insn[qilin_isa_pkg::MatmulAAddrLsb +: qilin_isa_pkg::MatmulAAddrW]);
    slot_d.ma_hi   = RngW'(in_insn[qilin_isa_pkg::MatmulAAddrLsb +: qilin_isa_pkg::MatmulAAddrW]) +
                     RngW'(in_m);
    slot_d.mw_lo   = RngW'(in_insn[qilin_isa_pkg::MatmulWAddrLsb +: qilin_isa_pkg::MatmulWAddrW]);
    slot_d.mw_hi   = RngW'(in_insn[qilin_isa_pkg::MatmulWAddrLsb +: qilin_isa_pkg::MatmulWAddrW]) +
                     RngW'(in_k);
    slot_d.pc_lo   = RngW'(in_insn[qilin_isa_pkg::PostprocCAddrLsb +: qilin_isa_pkg::PostprocCAddrW]);
    slot_d.pc_hi   = RngW'(in_insn[qilin_isa_pkg::PostprocCAddrLsb +: qilin_isa_pkg::PostprocCAddrW]) +
                     in_grid;
    slot_d.pp_lo   = RngW'(in_insn[qilin_isa_pkg::PostprocPAddrLsb +: qilin_isa_pkg::PostprocPAddrW]);
    slot_d.pp_hi   = RngW'(in_insn[qilin_isa_pkg::PostprocPAddrLsb +: qilin_isa_pkg::PostprocPAddrW]) +
                     RngW'(3);
    slot_d.po_lo   = RngW'(in_insn[qilin_isa_pkg::PostprocOAddrLsb +: qilin_isa_pkg::PostprocOAddrW]);
    slot_d.po_hi   = RngW'(in_insn[qilin_isa_pkg::PostprocOAddrLsb +: qilin_isa_pkg::PostprocOAddrW]) +
                     in_grid;
    slot_d.is_mm   = (in_op == qilin_isa_pkg::OpMatmul);
    slot_d.is_post = (in_op == qilin_isa_pkg::OpPostproc);
    slot_d.mm_work = (in_m != '0) && (in_k != '0);
    slot_d.m_zero  = (in_m == '0);
  end

  // Load the next slot while it is empty (registers and the buffer's valid only).
  assign ld      = in_valid && !slot_v_q[wr_q] && !soft_reset_i;
  assign ld_cur  = ld && (wr_q == rd_q);
  assign d_valid = slot_v_q[rd_q];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      slot_v_q <= '0;
      wr_q     <= 1'b0;
      rd_q     <= 1'b0;
    end else if (soft_reset_i) begin
      slot_v_q <= '0;
      wr_q     <= 1'b0;
      rd_q     <= 1'b0;
    end else begin
      // ld and d_take never hit the same slot: ld needs it empty, d_take full.
      if (ld) begin
        slot_v_q[wr_q] <= 1'b1;
        wr_q           <= !wr_q;
      end
      if (d_take) begin
        slot_v_q[rd_q] <= 1'b0;
        rd_q           <= !rd_q;
      end
    end
  end

  // The copies of rd_q, loaded with rd_q's next value.
  qilin_keep_copies #(.N(RdCopies)) u_rd_copies (
    .clk_i, .rst_ni, .d_i(!soft_reset_i && (rd_q ^ d_take)), .q_o(rd_rep_q)
  );

  // Payloads: no reset, only read where the valid bits say they were written. Their enable
  // leaves out soft_reset_i (a load then is into a slot the reset empties): the reset's
  // fan-out on ~1000 enables was 10 ns in the whole-chip ranking.
  logic ld_pl;
  assign ld_pl = in_valid && !slot_v_q[wr_q];
  always_ff @(posedge clk_i) begin
    if (ld_pl && !wr_q) slot0_q <= slot_d;
    if (ld_pl &&  wr_q) slot1_q <= slot_d;
  end

  // The current slot, by groups of fields, each behind its own copy of rd_q.
  always_comb begin
    cur = rd_rep_q[0] ? slot1_q : slot0_q;
    {cur.insn, cur.pn} = rd_rep_q[1] ? {slot1_q.insn, slot1_q.pn} : {slot0_q.insn, slot0_q.pn};
    {cur.mc_lo, cur.mc_hi, cur.ma_lo, cur.ma_hi, cur.mw_lo, cur.mw_hi} = rd_rep_q[2] ?
        {slot1_q.mc_lo, slot1_q.mc_hi, slot1_q.ma_lo, slot1_q.ma_hi, slot1_q.mw_lo,
         slot1_q.mw_hi} :
        {slot0_q.mc_lo, slot0_q.mc_hi, slot0_q.ma_lo, slot0_q.ma_hi, slot0_q.mw_lo,
         slot0_q.mw_hi};
    {cur.pc_lo, cur.pc_hi, cur.pp_lo, cur.pp_hi, cur.po_lo, cur.po_hi} = rd_rep_q[3] ?
        {slot1_q.pc_lo, slot1_q.pc_hi, slot1_q.pp_lo, slot1_q.pp_hi, slot1_q.po_lo,
         slot1_q.po_hi} :
        {slot0_q.pc_lo, slot0_q.pc_hi, slot0_q.pp_lo, slot0_q.pp_hi, slot0_q.po_lo,
         slot0_q.po_hi};
    // The decode bits feed the issue decision: behind the control copy.
    {cur.is_mm, cur.is_post, cur.mm_work, cur.m_zero} = rd_q ?
        {slot1_q.is_mm, slot1_q.is_post, slot1_q.mm_work, slot1_q.m_zero} :
        {slot0_q.is_mm, slot0_q.is_post, slot0_q.mm_work, slot0_q.m_zero};
  end

  logic [RngW-1:0] mc_lo, mc_hi, ma_lo, ma_hi, mw_lo, mw_hi;
  logic [RngW-1:0] pc_lo, pc_hi, pp_lo, pp_hi, po_lo, po_hi;
  logic            is_mm_q, is_post_q, mm_work_q, m_zero_q;
  assign insn = cur.insn;
  assign {mc_lo, mc_hi, ma_lo, ma_hi, mw_lo, mw_hi} =
         {cur.mc_lo, cur.mc_hi, cur.ma_lo, cur.ma_hi, cur.mw_lo, cur.mw_hi};
  assign {pc_lo, pc_hi, pp_lo, pp_hi, po_lo, po_hi} =
         {cur.pc_lo, cur.pc_hi, cur.pp_lo, cur.pp_hi, cur.po_lo, cur.po_hi};
  assign {is_mm_q, is_post_q, mm_work_q, m_zero_q} =
         {cur.is_mm, cur.is_post, cur.mm_work, cur.m_zero};

  // ---- decode ----
  logic [3:0]  op;
  logic        is_mm, is_post;
  logic [15:0] m_size;
  logic [7:0]  k_size;
  logic        mm_acc;
  assign op      = insn[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW];
  assign is_mm   = is_mm_q;
  assign is_post = is_post_q;
  assign m_size  = insn[qilin_isa_pkg::MatmulMSizeLsb +: qilin_isa_pkg::MatmulMSizeW];
  assign k_size  = insn[qilin_isa_pkg::MatmulKSizeLsb +: qilin_isa_pkg::MatmulKSizeW];
  assign mm_acc  = insn[qilin_isa_pkg::MatmulAccumulateLsb];

  logic [16:0] a_addr17, w_addr17;
  assign a_addr17 = insn[qilin_isa_pkg::MatmulAAddrLsb +: qilin_isa_pkg::MatmulAAddrW];
  assign w_addr17 = insn[qilin_isa_pkg::MatmulWAddrLsb +: qilin_isa_pkg::MatmulWAddrW];

  always_comb begin
    mm_cmd_o            = '0;
    mm_cmd_o.w_addr     = w_addr17[15:0];  // the SP is at most 2^16 rows here
    mm_cmd_o.k_size     = k_size;
    mm_cmd_o.a_addr     = a_addr17[15:0];
    mm_cmd_o.m_size     = m_size;
    mm_cmd_o.c_addr     = insn[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW];
    mm_cmd_o.accumulate = mm_acc;
    mm_cmd_o.a_signed   = insn[qilin_isa_pkg::MatmulASignedLsb];
    mm_cmd_o.w_signed   = insn[qilin_isa_pkg::MatmulWSignedLsb];
    mm_cmd_o.a_zp       = insn[qilin_isa_pkg::MatmulAZpLsb +: qilin_isa_pkg::MatmulAZpW];
    mm_cmd_o.w_zp       = insn[qilin_isa_pkg::MatmulWZpLsb +: qilin_isa_pkg::MatmulWZpW];
  end

  assign post_out_signed_o = insn[qilin_isa_pkg::PostprocOutSignedLsb];
  assign post_bias_en_o    = insn[qilin_isa_pkg::PostprocBiasEnLsb];
  assign post_pool_kind_o  = insn[qilin_isa_pkg::PostprocPoolKindLsb +: qilin_isa_pkg::PostprocPoolKindW];
  assign post_c_addr_o     = insn[qilin_isa_pkg::PostprocCAddrLsb +: qilin_isa_pkg::PostprocCAddrW];
  assign post_p_addr_o     = insn[qilin_isa_pkg::PostprocPAddrLsb +: qilin_isa_pkg::PostprocPAddrW];
  assign post_o_addr_o     = insn[qilin_isa_pkg::PostprocOAddrLsb +: qilin_isa_pkg::PostprocOAddrW];
  assign post_in_h_o       = insn[qilin_isa_pkg::PostprocInHLsb +: qilin_isa_pkg::PostprocInHW];
  assign post_in_w_o       = insn[qilin_isa_pkg::PostprocInWLsb +: qilin_isa_pkg::PostprocInWW];
  assign post_out_zp_o     = insn[qilin_isa_pkg::PostprocOutZpLsb +: qilin_isa_pkg::PostprocOutZpW];
  assign post_act_min_o    = insn[qilin_isa_pkg::PostprocActMinLsb +: qilin_isa_pkg::PostprocActMinW];
  assign post_act_max_o    = insn[qilin_isa_pkg::PostprocActMaxLsb +: qilin_isa_pkg::PostprocActMaxW];
  assign post_kh_o         = insn[qilin_isa_pkg::PostprocPoolKhLsb +: qilin_isa_pkg::PostprocPoolKhW];
  assign post_kw_o         = insn[qilin_isa_pkg::PostprocPoolKwLsb +: qilin_isa_pkg::PostprocPoolKwW];
  assign post_sh_o         = insn[qilin_isa_pkg::PostprocPoolShLsb +: qilin_isa_pkg::PostprocPoolShW];
  assign post_sw_o         = insn[qilin_isa_pkg::PostprocPoolSwLsb +: qilin_isa_pkg::PostprocPoolSwW];
  assign post_n_win_o      = cur.pn;

  // ---- state ----
  logic [CntW-1:0] mm_out_q, mm_drop_q, mm_out_d;  // MATMULs in ex_matmul (incl. dropped)
  logic            post_q;                          // a POSTPROC is in ex_post
  logic            zf_q;                            // zero-fill in progress
  logic [15:0]     zf_addr_q, zf_left_q;
  logic            sdone_q;                         // a done pulse owed next cycle
  // In-order completion around a POSTPROC that overlaps MATMULs.
  logic            post_fin_q, post_ferr_q;  // POSTPROC finished (done / error), pulse owed
  logic [CntW-1:0] pre_q;                    // MATMUL dones owed before the POSTPROC's
  logic [CntW-1:0] held_q, held_d;           // MATMUL dones (issued after it) held back
  logic            errd_q;                   // an error was reported: nothing more until reset

  // ---- hazard tracking ----
  function automatic logic ovl(input logic [RngW-1:0] a_lo, input logic [RngW-1:0] a_hi,
                               input logic [RngW-1:0] b_lo, input logic [RngW-1:0] b_hi);
    ovl = (a_lo < a_hi) && (b_lo < b_hi) && (a_lo < b_hi) && (b_lo < a_hi);
  endfunction

  // The POSTPROC in ex_post (captured at issue); the ACC rows of each MATMUL in flight (a
  // table in issue order, one entry per MATMUL, freed by its done); and the union of the SP
  // rows read by the MATMULs issued since ex_matmul was last empty (covers all in flight).
  localparam int unsigned TrkDepth = 4;  // >= ex_matmul's command depth: never binds
  logic [RngW-1:0] rc_lo_q, rc_hi_q, rp_lo_q, rp_hi_q, ro_lo_q, ro_hi_q;
  logic [RngW-1:0] ua_lo_q, ua_hi_q, uw_lo_q, uw_hi_q;
  logic [TrkDepth-1:0][RngW-1:0] tc_lo_q, tc_hi_q;
  logic [TrkDepth-1:0]           tv_q;
  logic [1:0]                    twr_q, trd_q;
  logic                          trk_full;
  assign trk_full = &tv_q;

  // The range hazards are registered: computed from both slots and the tracking state of
  // one cycle, the current slot's pair kept (rd_q's copy selects after the compares, so the
  // compares start at the slot registers), used in the next. They are current (fresh_q)
  // when the current instruction did not change in the previous cycle (no issue, which
  // moves to the other slot, and no load into the current slot): nothing but an issue adds
  // to the tracking state (completions only remove entries, so an older result is
  // conservative).
  logic [1:0] mm_haz_s, post_haz_s;  // per slot
  for (genvar g = 0; g < 2; g++) begin : gen_haz
    slot_t s;
    logic  c_haz, unused_dec;  // the instruction, N and the decode bits are not ranges
    assign s          = (g == 0) ? slot0_q : slot1_q;
    assign unused_dec = ^{s.insn, s.pn, s.is_mm, s.is_post, s.mm_work, s.m_zero};
    always_comb begin
      c_haz = 1'b0;
      for (int unsigned i = 0; i < TrkDepth; i++) begin
        if (tv_q[i] && (ovl(s.pc_lo, s.pc_hi, tc_lo_q[i], tc_hi_q[i]) ||
                        ovl(s.pp_lo, s.pp_hi, tc_lo_q[i], tc_hi_q[i]))) begin
          c_haz = 1'b1;
        end
      end
    end
    // A MATMUL must not write ACC rows the running POSTPROC reads, nor read SP rows it
    // writes.
    assign mm_haz_s[g]   = post_q && (ovl(s.mc_lo, s.mc_hi, rc_lo_q, rc_hi_q) ||
                                      ovl(s.mc_lo, s.mc_hi, rp_lo_q, rp_hi_q) ||
                                      ovl(s.ma_lo, s.ma_hi, ro_lo_q, ro_hi_q) ||
                                      ovl(s.mw_lo, s.mw_hi, ro_lo_q, ro_hi_q));
    // A POSTPROC must not read ACC rows an earlier MATMUL in flight writes, nor write SP
    // rows one still reads.
    assign post_haz_s[g] = c_haz || ovl(s.po_lo, s.po_hi, ua_lo_q, ua_hi_q) ||
                           ovl(s.po_lo, s.po_hi, uw_lo_q, uw_hi_q);
  end

  logic mm_haz, post_haz, mm_haz_q, post_rng_haz_q, fresh_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mm_haz_q       <= 1'b0;
      post_rng_haz_q <= 1'b0;
      fresh_q        <= 1'b0;
    end else begin
      // After an issue rd_q moves, but then fresh_q is low and the pair is not used.
      mm_haz_q       <= mm_haz_s[rd_rep_q[4]];
      post_rng_haz_q <= post_haz_s[rd_rep_q[4]];
      fresh_q        <= !d_take && !ld_cur && !soft_reset_i;
    end
  end
  assign mm_haz   = !fresh_q || mm_haz_q;
  // With no MATMUL in flight a POSTPROC waits for the accumulate pipeline to drain.
  assign post_haz = !fresh_q || ((mm_out_q == '0) ? !acc_idle_i : post_rng_haz_q);

  logic quiet, mm_work, mm_go, post_go, triv_go, zf_go, acc_mm, mm_drop_now, zf_last;
  logic post_owed, mm_fin, post_end, post_now, fin_now, pre_pass, mm_pass, mm_hold, rel;
  assign post_owed = post_q || post_fin_q;  // a POSTPROC whose done/error is not yet out
  // Registered from the next state (Flags_A): the terms of post_valid_o and of done_o/err_o
  // that are functions of this unit's counters and flags, so that those outputs (err_o
  // feeds the command processor and the room flag, done_o ~120 loads in it) are one LUT
  // level behind the units' done pulses and the issue decision two fewer.
  logic pv_ok_q;    // !errd_q && !post_owed && (held_q == 0) && !zf_q && (mm_drop_q == 0)
  logic dn_mm_q;    // a MATMUL done goes out now (passed on, not held or dropped)
  logic dn_post_q;  // a POSTPROC done/error goes out now
  logic dn_reg_q;   // a done owed by registers alone: released, trivial, finished POSTPROC
  logic er_reg_q;   // a finished POSTPROC's error goes out now
  assign quiet   = (mm_out_q == '0) && !post_owed && (held_q == '0) && !zf_q;
  assign mm_work = mm_work_q;

  // room_q == (mm_out_q + held_q < MaxInflight), registered from the next state (Room_A).
  // The next count is the present one plus small steps (an issue, a done, a hold, a
  // release, or held cleared by a reset/error), so the compares are made on the present
  // registers for each step and the late signals (the issue, err_o) only select one.
  logic room_q, room_d;
  logic [4:0] room_tot;  // [j]: mm_out_q + held_q + j - 2 < MaxInflight
  logic [2:0] room_mm;   // [j]: mm_out_q + j - 1 < MaxInflight (held cleared)
  logic [1:0] step_mm;   // 1 - mm_done_i (+ acc_mm, added by the select below)
  logic [2:0] step_tot;  // 2 - mm_done_i + mm_hold - rel (+ acc_mm)
  for (genvar j = 0; j < 5; j++) begin : gen_room_tot
    assign room_tot[j] = (32'(mm_out_q) + 32'(held_q) + 32'(j) < MaxInflight + 2);
  end
  for (genvar j = 0; j < 3; j++) begin : gen_room_mm
    assign room_mm[j] = (32'(mm_out_q) + 32'(j) < MaxInflight + 1);
  end
  assign step_mm  = 2'd1 - 2'(mm_done_i);
  assign step_tot = 3'd2 - 3'(mm_done_i) + 3'(mm_hold) - 3'(rel);
  // The candidates for this cycle's done (mm_done_i, late from ex_matmul) are formed apart:
  // with no done there is no hold, so each is a compare of registers, and the done only
  // selects (RoomCand_A: the same values as indexing room_tot / room_mm by the steps, whose
  // adder and 5:1 select were 9 levels behind mm_out_q in the f8ba176 netlist).
  logic [CntW:0] tot;    // mm_out_q + held_q
  logic          hold1;  // mm_hold if a done arrives now
  logic          a0_n, a0_y, a1_n, a1_y, c0_y, c1_n, c_lt;  // _n: no done, _y: a done
  assign tot   = (CntW + 1)'(mm_out_q) + (CntW + 1)'(held_q);
  assign hold1 = (mm_drop_q == '0) && (pre_q == '0) && (post_owed || (held_q != '0));
  assign a0_n  = (32'(tot) < MaxInflight + 32'(rel));
  assign a0_y  = (32'(tot) + 32'(hold1) < MaxInflight + 1 + 32'(rel));
  assign a1_n  = (32'(tot) + 1 < MaxInflight + 32'(rel));
  assign a1_y  = (32'(tot) + 32'(hold1) < MaxInflight + 32'(rel));
  assign c_lt  = (32'(mm_out_q) < MaxInflight);
  assign c0_y  = (32'(mm_out_q) < MaxInflight + 1);
  assign c1_n  = (32'(mm_out_q) + 1 < MaxInflight);
  // The issue (acc_mm) and err_o come last: each picks between two ready candidates.
  logic room_a0, room_a1, room_c0, room_c1;
  assign room_a0 = mm_done_i ? a0_y : a0_n;
  assign room_a1 = mm_done_i ? a1_y : a1_n;
  assign room_c0 = mm_done_i ? c0_y : c_lt;
  assign room_c1 = mm_done_i ? c_lt : c1_n;
  `QILIN_ASSERT(RoomCand_A, (room_a0 == room_tot[step_tot]) &&
                (room_a1 == room_tot[step_tot + 3'd1]) && (room_c0 == room_mm[step_mm]) &&
                (room_c1 == room_mm[step_mm + 2'd1]), clk_i, rst_ni)
  assign room_d  = (soft_reset_i || err_o) ? (acc_mm ? room_c1 : room_c0)
                                           : (acc_mm ? room_a1 : room_a0);

  // mm_cand: a MATMUL could issue but for the in-flight limit (room_q).
  logic mm_cand;
  assign mm_cand      = d_valid && !soft_reset_i && !errd_q && is_mm && mm_work && !mm_haz &&
                        !zf_q && !trk_full;
  assign mm_valid_o   = mm_cand && room_q;
  assign mm_go        = mm_valid_o && mm_ready_i;
  assign post_valid_o = d_valid && !soft_reset_i && is_post && pv_ok_q && !post_haz;
  assign post_go      = post_valid_o && post_ready_i;
  // m_size = 0 (no-op), k_size = 0 with accumulate (no-op), k_size = 0 overwrite (zero fill).
  assign triv_go      = d_valid && !soft_reset_i && !errd_q && is_mm && !mm_work && quiet &&
                        (m_zero_q || mm_acc);
  assign zf_go        = d_valid && !soft_reset_i && !errd_q && is_mm && !mm_work && quiet &&
                        !m_zero_q && !mm_acc;
  assign d_take       = mm_go || post_go || triv_go || zf_go;

  assign acc_mm      = mm_go;
  assign mm_drop_now = mm_done_i && (mm_drop_q != '0);
  assign mm_out_d    = mm_out_q + CntW'(acc_mm) - CntW'(mm_done_i);
  assign zf_last     = zf_q && (zf_left_q == 16'd1);

  // Completion order. A MATMUL done either belongs to one issued before the owed POSTPROC
  // (pre_q > 0: passed on), or to one after it (held while the POSTPROC's pulse is owed, then
  // released one per cycle). The POSTPROC's done/error goes out once pre_q is zero.
  assign mm_fin   = mm_done_i && !mm_drop_now;
  assign post_end = post_q && (post_done_i || post_err_i);
  assign pre_pass = mm_fin && (pre_q != '0);
  assign post_now = post_end && (pre_q == '0);
  assign fin_now  = post_fin_q && (pre_q == '0);
  assign mm_pass  = mm_fin && (pre_q == '0) && !post_owed && (held_q == '0);
  assign mm_hold  = mm_fin && (pre_q == '0) && (post_owed || (held_q != '0));
  assign rel      = !post_owed && (held_q != '0);

  assign held_d = held_q + CntW'(mm_hold) - CntW'(rel);

  assign zf_valid_o = zf_q;
  assign zf_addr_o  = zf_addr_q;

  // post_q and pre_q of the next cycle without a POSTPROC issue (s_*), and with one (which
  // needs no reset): post_go, late, only selects, here and for the flags below.
  logic            s_post;
  logic [CntW-1:0] s_pre, g_pre;
  always_comb begin
    s_post = post_q;
    if (post_end)   s_post = 1'b0;
    s_pre  = pre_q;
    if (pre_pass)   s_pre = pre_q - CntW'(1);
    if (soft_reset_i) begin
      s_post = 1'b0;
      s_pre  = '0;
    end
  end
  assign g_pre = mm_out_q - CntW'(mm_fin);

  // Next state of the completion and blocking registers (registered below), from which the
  // flags above are registered.
  logic            post_n, fin_n, ferr_n, zf_n, errd_n, sdone_n;
  logic [CntW-1:0] pre_n, held_n, drop_n;
  assign post_n = post_go || s_post;
  assign pre_n  = post_go ? g_pre : s_pre;
  always_comb begin
    drop_n = mm_drop_q;
    if (soft_reset_i)     drop_n = mm_out_q - CntW'(mm_done_i);  // == mm_out_d: no issue
    else if (mm_drop_now) drop_n = mm_drop_q - CntW'(1);
    fin_n   = post_fin_q;
    ferr_n  = post_ferr_q;
    zf_n    = zf_q;
    errd_n  = errd_q;
    held_n  = held_d;
    sdone_n = triv_go || zf_last;
    if (post_end && !post_now) begin
      fin_n  = 1'b1;
      ferr_n = post_err_i;
    end else if (fin_now) begin
      fin_n  = 1'b0;
    end
    if (err_o) begin
      errd_n = 1'b1;
      held_n = '0;
    end
    if (zf_go)        zf_n = 1'b1;
    else if (zf_last) zf_n = 1'b0;
    if (soft_reset_i) begin
      zf_n    = 1'b0;
      sdone_n = 1'b0;
      fin_n   = 1'b0;
      ferr_n  = 1'b0;
      held_n  = '0;
      errd_n  = 1'b0;
    end
  end

  // The flags' next values. An issue of a POSTPROC (post_go, late) needs no POSTPROC owed,
  // no error, nothing held or dropped, no zero-fill and no reset, so then the next state
  // is known but for pre_n (= g_pre): the flags for that case are formed apart and post_go
  // only picks them (pv_ok 0, dn_reg 0, er_reg 0).
  logic pv_ok_n, dn_mm_n, dn_post_n, dn_reg_n, er_reg_n;
  logic pv_ok_s, dn_mm_s, dn_post_s, dn_reg_s, er_reg_s, g_pre_nz;
  assign pv_ok_s   = !errd_n && !s_post && !fin_n && (held_n == '0) && !zf_n && (drop_n == '0);
  assign dn_mm_s   = !errd_n && (drop_n == '0) &&
                     ((s_pre != '0) || (!s_post && !fin_n && (held_n == '0)));
  assign dn_post_s = !errd_n && s_post && (s_pre == '0);
  assign dn_reg_s  = !errd_n && ((!s_post && !fin_n && (held_n != '0)) || sdone_n ||
                                 (fin_n && (s_pre == '0) && !ferr_n));
  assign er_reg_s  = !errd_n && fin_n && (s_pre == '0) && ferr_n;
  assign g_pre_nz  = (g_pre != '0);
  assign pv_ok_n   = !post_go && pv_ok_s;
  assign dn_mm_n   = post_go ? g_pre_nz : dn_mm_s;
  assign dn_post_n = post_go ? !g_pre_nz : dn_post_s;
  assign dn_reg_n  = !post_go && dn_reg_s;
  assign er_reg_n  = !post_go && er_reg_s;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mm_out_q    <= '0;
      room_q      <= 1'b1;
      mm_drop_q   <= '0;
      post_q      <= 1'b0;
      zf_q        <= 1'b0;
      zf_addr_q   <= '0;
      zf_left_q   <= '0;
      sdone_q     <= 1'b0;
      post_fin_q  <= 1'b0;
      post_ferr_q <= 1'b0;
      pre_q       <= '0;
      held_q      <= '0;
      errd_q      <= 1'b0;
      pv_ok_q     <= 1'b1;
      dn_mm_q     <= 1'b1;
      dn_post_q   <= 1'b0;
      dn_reg_q    <= 1'b0;
      er_reg_q    <= 1'b0;
    end else begin
      mm_out_q    <= mm_out_d;
      room_q      <= room_d;
      mm_drop_q   <= drop_n;
      post_q      <= post_n;
      zf_q        <= zf_n;
      sdone_q     <= sdone_n;
      post_fin_q  <= fin_n;
      post_ferr_q <= ferr_n;
      pre_q       <= pre_n;
      held_q      <= held_n;
      errd_q      <= errd_n;
      pv_ok_q     <= pv_ok_n;
      dn_mm_q     <= dn_mm_n;
      dn_post_q   <= dn_post_n;
      dn_reg_q    <= dn_reg_n;
      er_reg_q    <= er_reg_n;
      // Loaded in every cycle without a zero-fill, so also at zf_go (which needs !zf_q): the
      // issue decision is no load enable of these 32 flops. Read only while zf_q.
      if (!zf_q) begin
        zf_addr_q <= insn[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW];
        zf_left_q <= m_size;
      end else begin
        zf_addr_q <= zf_addr_q + 16'd1;
        zf_left_q <= zf_left_q - 16'd1;
      end
    end
  end

  // The union's extension compares, registered: an issue needs fresh_q, so neither the
  // current slot nor the union changed in the previous cycle and last cycle's compares hold
  // (UnionCmp_A). The 25-bit compares are then no part of the issue's path to the union.
  logic [3:0] ua_ext_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) ua_ext_q <= '0;
    else         ua_ext_q <= {mw_hi > uw_hi_q, mw_lo < uw_lo_q, ma_hi > ua_hi_q, ma_lo < ua_lo_q};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rc_lo_q <= '0;
      rc_hi_q <= '0;
      rp_lo_q <= '0;
      rp_hi_q <= '0;
      ro_lo_q <= '0;
      ro_hi_q <= '0;
      tc_lo_q <= '0;
      tc_hi_q <= '0;
      tv_q    <= '0;
      twr_q   <= '0;
      trd_q   <= '0;
      ua_lo_q <= '0;
      ua_hi_q <= '0;
      uw_lo_q <= '0;
      uw_hi_q <= '0;
    end else begin
      // Captured in every cycle without a POSTPROC in ex_post, so also at its issue, and held
      // while it runs (they are read only then): the enable is a register, not post_go.
      if (!post_q) begin
        rc_lo_q <= pc_lo;
        rc_hi_q <= pc_hi;
        rp_lo_q <= pp_lo;
        rp_hi_q <= pp_hi;
        ro_lo_q <= po_lo;
        ro_hi_q <= po_hi;
      end
      // The table pops with every done, dropped ones included (like mm_out_q).
      // The next free entry is written in every cycle, so also at an issue (which needs a
      // free entry, !trk_full); mm_go only sets its valid bit, not the wide enables.
      if (!tv_q[twr_q]) begin
        tc_lo_q[twr_q] <= mc_lo;
        tc_hi_q[twr_q] <= mc_hi;
      end
      if (mm_go) twr_q <= twr_q + 2'd1;
      if (mm_done_i) trd_q <= trd_q + 2'd1;
      for (int unsigned i = 0; i < TrkDepth; i++) begin
        if (mm_go && (twr_q == 2'(i)))          tv_q[i] <= 1'b1;
        else if (mm_done_i && (trd_q == 2'(i))) tv_q[i] <= 1'b0;
      end
      if (mm_go && (mm_out_q == '0)) begin
        ua_lo_q <= ma_lo;
        ua_hi_q <= ma_hi;
        uw_lo_q <= mw_lo;
        uw_hi_q <= mw_hi;
      end else if (mm_go) begin
        if (ua_ext_q[0]) ua_lo_q <= ma_lo;
        if (ua_ext_q[1]) ua_hi_q <= ma_hi;
        if (ua_ext_q[2]) uw_lo_q <= mw_lo;
        if (ua_ext_q[3]) uw_hi_q <= mw_hi;
      end
    end
  end

  // Nothing is reported after an error (the command processor stops; a soft reset follows).
  // pre_pass || mm_pass is mm_done_i && dn_mm_q; post_now && post_done_i is
  // post_done_i && dn_post_q; rel, sdone_q and fin_now && !post_ferr_q are dn_reg_q (DoneErr_A).
  logic done_ref, err_ref;
  assign done_ref   = !errd_q && (pre_pass || mm_pass || rel || sdone_q ||
                                  (post_now && post_done_i) || (fin_now && !post_ferr_q));
  assign err_ref    = !errd_q && ((post_now && post_err_i) || (fin_now && post_ferr_q));
  assign done_o     = (mm_done_i && dn_mm_q) || (post_done_i && dn_post_q) || dn_reg_q;
  assign err_o      = (post_err_i && dn_post_q) || er_reg_q;
  assign err_code_o = post_err_code_i;
  assign err_addr_o = 40'(post_err_addr_i);

  // MACs = m * k * Dim, from the current slot through a registered multiplier (on ECP5 a
  // DSP with its own registers: the combinational DSP between the input buffer and the slot
  // registers was this unit's worst routed group, 48 endpoints up to 11.8 ns at 100 MHz).
  logic [35:0] mk;
  logic [1:0]  macs_v_q;
  logic        unused_mk;
  qilin_mul18 u_macs (
    .clk_i, .rst_ni, .en_i(1'b1),
    .a_i (18'(cur.insn[qilin_isa_pkg::MatmulMSizeLsb +: qilin_isa_pkg::MatmulMSizeW])),
    .b_i (18'(cur.insn[qilin_isa_pkg::MatmulKSizeLsb +: qilin_isa_pkg::MatmulKSizeW])),
    .p_o (mk)
  );
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) macs_v_q <= '0;
    else         macs_v_q <= {macs_v_q[0], mm_go};
  end
  assign macs_valid_o = macs_v_q[1];
  assign macs_o       = 32'(mk[23:0]) << $clog2(Dim);
  assign unused_mk    = ^mk[35:24];
  `QILIN_ASSERT_INIT(MacsDimPow2_A, (Dim & (Dim - 1)) == 0)
  assign busy_o       = (mm_out_q != '0) || post_owed || (held_q != '0) || zf_q || sdone_q ||
                        (slot_v_q != '0) || in_valid;

  logic unused_bits;
  assign unused_bits = ^{a_addr17[16], w_addr17[16], insn[7:4], insn[63:61],
                         insn[127:106], insn[127]};

  // The registered decode and room flag equal what they stand for.
  `QILIN_ASSERT(DecodeRegs_A, !d_valid ||
                ((is_mm_q == (op == qilin_isa_pkg::OpMatmul)) &&
                 (is_post_q == (op == qilin_isa_pkg::OpPostproc)) &&
                 (mm_work_q == ((m_size != '0) && (k_size != '0))) &&
                 (m_zero_q == (m_size == '0))), clk_i, rst_ni)
  // The slots fill and drain in order: the other slot is never full while the current one
  // is empty, and the copies of rd_q agree with it.
  `QILIN_ASSERT(SlotOrder_A, d_valid || !slot_v_q[!rd_q], clk_i, rst_ni)
  `QILIN_ASSERT(RdCopies_A, rd_rep_q == {RdCopies{rd_q}}, clk_i, rst_ni)
  `QILIN_ASSERT(Flags_A,
                (pv_ok_q == (!errd_q && !post_owed && (held_q == '0) && !zf_q &&
                             (mm_drop_q == '0))) &&
                (dn_mm_q == (!errd_q && (mm_drop_q == '0) &&
                             ((pre_q != '0) || (!post_owed && (held_q == '0))))) &&
                (dn_post_q == (!errd_q && post_q && (pre_q == '0))) &&
                (dn_reg_q == (!errd_q && (rel || sdone_q ||
                                          (post_fin_q && (pre_q == '0) && !post_ferr_q)))) &&
                (er_reg_q == (!errd_q && post_fin_q && (pre_q == '0) && post_ferr_q)),
                clk_i, rst_ni)
  `QILIN_ASSERT(UnionCmp_A, !mm_go || (ua_ext_q == {mw_hi > uw_hi_q, mw_lo < uw_lo_q,
                                                    ma_hi > ua_hi_q, ma_lo < ua_lo_q}),
                clk_i, rst_ni)
  `QILIN_ASSERT(DoneErr_A, (done_o == done_ref) && (err_o == err_ref), clk_i, rst_ni)
  `QILIN_ASSERT(Room_A, room_q == (32'(mm_out_q) + 32'(held_q) < MaxInflight), clk_i, rst_ni)
  `QILIN_ASSERT_INIT(MatmulCmdW_A, $bits(mm_cmd_o) == 2 * 16 + 8 + 16 + 16 + 3 + 2 * 9)
endmodule
