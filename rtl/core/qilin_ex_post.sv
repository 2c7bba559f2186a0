// SPDX-License-Identifier: Apache-2.0
// POSTPROC execution: reads per-lane parameters and a grid of accumulator rows, requantises
// them (qilin_requant), optionally max- or average-pools them, and writes the output bytes to
// the scratchpad. One command at a time; see docs/ex_post.md.
module qilin_ex_post #(
  parameter int unsigned Dim      = 16,
  parameter int unsigned AccAddrW = 16,
  parameter int unsigned SpAddrW  = 17,
  parameter int unsigned AccRdLat = 1    // accumulator read latency (qilin_acc_mem)
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // Soft reset: abandons the command (or the error state) and returns to idle.
  input  logic                         clear_i,
  // Command (decoded POSTPROC fields).
  input  logic                         cmd_valid_i,
  output logic                         cmd_ready_o,
  input  logic [AccAddrW-1:0]          cmd_c_addr_i,
  input  logic [AccAddrW-1:0]          cmd_p_addr_i,
  input  logic [SpAddrW-1:0]           cmd_o_addr_i,
  input  logic [11:0]                  cmd_in_h_i,
  input  logic [11:0]                  cmd_in_w_i,
  input  logic                         cmd_out_signed_i,
  input  logic                         cmd_bias_en_i,
  input  logic [1:0]                   cmd_pool_kind_i,  // 0 none, 1 max, 2 avg
  input  logic [3:0]                   cmd_kh_i,
  input  logic [3:0]                   cmd_kw_i,
  input  logic [2:0]                   cmd_sh_i,
  input  logic [2:0]                   cmd_sw_i,
  input  logic [7:0]                   cmd_n_win_i,      // N = kh * kw (1 without pooling)
  input  logic [8:0]                   cmd_out_zp_i,     // signed
  input  logic [7:0]                   cmd_act_min_i,    // byte in the output type
  input  logic [7:0]                   cmd_act_max_i,    // byte in the output type
  // Completion and errors (pulses). No done_o follows an error.
  output logic                         done_o,
  output logic                         err_o,
  output logic [7:0]                   err_code_o,       // valid with err_o
  output logic [AccAddrW-1:0]          err_addr_o,       // valid with err_o: p_addr + 2
  output logic                         busy_o,
  // Accumulator read port: data AccRdLat cycles after the grant, no backpressure.
  output logic                         acc_rd_valid_o,
  input  logic                         acc_rd_ready_i,
  output logic [AccAddrW-1:0]          acc_rd_addr_o,
  input  logic                         acc_rsp_valid_i,
  input  logic [Dim*32-1:0]            acc_rsp_data_i,
  // Scratchpad write client.
  output logic                         sp_wr_valid_o,
  input  logic                         sp_wr_ready_i,
  output logic [SpAddrW-1:0]           sp_wr_addr_o,
  output logic [Dim*8-1:0]             sp_wr_data_o
);
  `include "qilin_assert.svh"

  localparam int unsigned ShiftW  = qilin_post_pkg::ShiftW;
  localparam int unsigned ZpW     = qilin_pkg::ZpW;
  // Data rows that may be between their push into the ACC request queue and the
  // requantiser's output pop, which is also the requantiser's credit depth (so every
  // response is admitted at once). With no stall a row holds its credit for
  // RequantLatency + 2 + AccRdLat cycles of outst_q (queue head, ACC read, response
  // register, the requantiser), so one more credit sustains one row per cycle.
  localparam int unsigned RqDepth = qilin_post_pkg::RequantLatency + 3 + AccRdLat;
  localparam int unsigned OutW    = $clog2(RqDepth + 1);
  localparam int unsigned SumW    = 17;  // |window sum| <= 225 * 255 < 2^16, signed
  localparam logic [1:0]  PoolAvg = qilin_isa_pkg::PoolAvg;
  localparam logic [1:0]  PoolNone = qilin_isa_pkg::PoolNone;

  typedef enum logic [2:0] {StIdle, StParam, StWait, StStream, StErr} state_e;
  state_e state_q, state_d;

  logic rq_in_ready, rq_out_valid, rq_out_ready, rq_out_last, rq_busy, rq_pop;
  logic ofifo_in_ready;
  // Output FIFO depth: a window's result holds a credit from the pop of its last beat until
  // its SP write, 7 cycles for AVG with no stall (beat register, A1, A2, A2b, A3, A3b,
  // FIFO), so 8 credits sustain one window per cycle.
  localparam int unsigned ODepth = 8;
  localparam int unsigned OCntW  = $clog2(ODepth + 1);
  logic [OCntW-1:0] ocred_q;  // windows popped (last beat) and not yet written to SP

  // -------------------------------------------------------------------------------------
  // Command registers.
  // -------------------------------------------------------------------------------------
  logic                cmd_fire;
  logic [AccAddrW-1:0] p_addr_q, c_addr_q;
  logic [SpAddrW-1:0]  o_addr_q;
  logic [11:0]         in_h_q, in_w_q;
  logic                out_signed_q, bias_en_q, avg_q, empty_q;
  logic [3:0]          kh_q, kw_q, kh_in, kw_in;
  logic [2:0]          sh_q, sw_q, sh_in, sw_in;
  logic [ZpW-1:0]      out_zp_q, act_min_q, act_max_q;
  logic [AccAddrW-1:0] step_line_q;  // sh * in_w: ACC rows from one window line to the next
  logic signed [13:0]  x_lim_q;      // in_w - sw - kw: another window fits right of ox*sw
  logic signed [13:0]  y_lim_q;      // in_h - sh - kh: another window line fits below oy*sh
  logic [6:0]          half_q;       // floor(N / 2), N = kh * kw
  logic [7:0]          n_win;

  // Idle, registered from the next state, in copies: ld_q[i] == (state_q == StIdle). The
  // command-side registers load in every idle cycle, so also at acceptance, on an enable
  // that is one flop: neither the EX unit's issue decision behind cmd_valid_i nor the
  // ready (state decode and the requantiser's busy flag) drives their ~150 enables (the
  // ready's cone and fan-out on them was 19 ns in the whole-chip ranking). Copy 0 forms
  // the ready; the others the load enables, split by group so no flop drives them all.
  localparam int unsigned IdleCopies = 4;
  logic [IdleCopies-1:0] idle_q;
  assign cmd_ready_o = idle_q[0] && !rq_busy;
  assign cmd_fire    = cmd_valid_i && cmd_ready_o;

  // Without pooling the grid is walked as 1x1 windows with stride 1.
  assign kh_in = (cmd_pool_kind_i == PoolNone) ? 4'd1 : cmd_kh_i;
  assign kw_in = (cmd_pool_kind_i == PoolNone) ? 4'd1 : cmd_kw_i;
  assign sh_in = (cmd_pool_kind_i == PoolNone) ? 3'd1 : cmd_sh_i;
  assign sw_in = (cmd_pool_kind_i == PoolNone) ? 3'd1 : cmd_sw_i;
  // N = kh * kw comes with the command (the EX unit computes it when it decodes the
  // instruction into a slot): its shift-and-add chains behind the slot mux were 10 levels
  // into half_q and div_n_q (11.4 ns routed, stop 18). Here only NWin_A reads it, so it is
  // the plain product (an independent reference for the EX unit's shifts and adds; it
  // drives no logic, so synthesis removes it).
  assign n_win = 8'(kh_in) * 8'(kw_in);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p_addr_q     <= '0;
      c_addr_q     <= '0;
      o_addr_q     <= '0;
      in_h_q       <= '0;
      in_w_q       <= '0;
      out_signed_q <= 1'b0;
      bias_en_q    <= 1'b0;
      avg_q        <= 1'b0;
      empty_q      <= 1'b0;
      kh_q         <= '0;
      kw_q         <= '0;
      sh_q         <= '0;
      sw_q         <= '0;
      out_zp_q     <= '0;
      act_min_q    <= '0;
      act_max_q    <= '0;
      half_q       <= '0;
    end else if (idle_q[1]) begin
      // Loaded in every idle cycle, so also at acceptance (above). Nothing reads these
      // registers while the unit is idle (CmdRegs_A): a requantiser still draining after a
      // clear took its per-beat values at admission, and its beats are dropped.
      p_addr_q     <= cmd_p_addr_i;
      c_addr_q     <= cmd_c_addr_i;
      o_addr_q     <= cmd_o_addr_i;
      in_h_q       <= cmd_in_h_i;
      in_w_q       <= cmd_in_w_i;
      out_signed_q <= cmd_out_signed_i;
      bias_en_q    <= cmd_bias_en_i;
      avg_q        <= (cmd_pool_kind_i == PoolAvg);
      empty_q      <= (cmd_in_h_i == 12'd0) || (cmd_in_w_i == 12'd0);
      kh_q         <= kh_in;
      kw_q         <= kw_in;
      sh_q         <= sh_in;
      sw_q         <= sw_in;
      out_zp_q     <= cmd_out_zp_i;
      act_min_q    <= {cmd_out_signed_i && cmd_act_min_i[7], cmd_act_min_i};
      act_max_q    <= {cmd_out_signed_i && cmd_act_max_i[7], cmd_act_max_i};
      half_q       <= cmd_n_win_i[7:1];
    end
  end

  // Derived from the command registers, every cycle, in two stages of one adder each
  // (two in series were 11.1 ns routed, stop 20): valid from the third cycle after
  // acceptance, long before the grid reader starts (the last cycle of the parameter phase,
  // its sixth or later, loads the walk from them and from xls_q/yls_q one stage later).
  logic [13:0]        step_lo_q, step_hi_q;  // in_w * sh[1:0], in_w * sh[2]
  logic signed [13:0] x_part_q, y_part_q;    // in_w - sw, in_h - sh
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      step_lo_q   <= '0;
      step_hi_q   <= '0;
      x_part_q    <= '0;
      y_part_q    <= '0;
      step_line_q <= '0;
      x_lim_q     <= '0;
      y_lim_q     <= '0;
    end else begin
      step_lo_q   <= 14'(in_w_q) * 14'(sh_q[1:0]);
      step_hi_q   <= sh_q[2] ? 14'(in_w_q) : '0;
      x_part_q    <= $signed(14'(in_w_q) - 14'(sw_q));
      y_part_q    <= $signed(14'(in_h_q) - 14'(sh_q));
      step_line_q <= AccAddrW'(16'(step_lo_q) + (16'(step_hi_q) << 2));
      x_lim_q     <= x_part_q - 14'(kw_q);
      y_lim_q     <= y_part_q - 14'(kh_q);
    end
  end

  // -------------------------------------------------------------------------------------
  // Reciprocal for average pooling: R = ceil(2^32 / N) = floor((2^32 - 1) / N) + 1, by a
  // restoring divider that retires one quotient bit per cycle (32 cycles from acceptance).
  // -------------------------------------------------------------------------------------
  logic [5:0]  div_cnt_q;
  logic [7:0]  div_rem_q, div_n_q;
  logic [31:0] div_quo_q;
  logic [7:0]  div_trial;   // remainder < N <= 225 after a subtraction
  logic        div_ge, div_busy;
  logic [32:0] recip_q;   // R, registered: read only in the stream, after the divider

  assign div_busy  = (div_cnt_q != 6'd0);
  assign div_trial = 8'({div_rem_q, 1'b1} - {1'b0, div_n_q});  // dividend bits are all ones
  assign div_ge    = ({div_rem_q, 1'b1} >= {1'b0, div_n_q});

  // Only the step counter sees clear_i; the datapath registers step on their own (a step
  // after a clear is harmless: nothing reads them until the next command has divided).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      div_cnt_q <= '0;
    end else if (clear_i) begin
      div_cnt_q <= '0;
    end else if (idle_q[2]) begin
      // Every idle cycle, so also at acceptance; nothing reads div_busy while idle.
      div_cnt_q <= (cmd_pool_kind_i == PoolAvg) ? 6'd32 : 6'd0;
    end else if (div_busy) begin
      div_cnt_q <= div_cnt_q - 6'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      div_rem_q <= '0;
      div_n_q   <= '0;
      div_quo_q <= '0;
      recip_q   <= '0;
    end else if (idle_q[2]) begin
      // As the command registers: while idle (the divider is then idle too).
      div_rem_q <= '0;
      div_n_q   <= cmd_n_win_i;
      div_quo_q <= '0;
    end else if (div_busy) begin
      div_rem_q <= div_ge ? div_trial : {div_rem_q[6:0], 1'b1};
      div_quo_q <= {div_quo_q[30:0], div_ge};
    end else begin
      recip_q   <= {1'b0, div_quo_q} + 33'd1;  // valid the cycle after the last step
    end
  end

  // -------------------------------------------------------------------------------------
  // ACC reads. A generator produces the row addresses (parameter rows, then the grid) into
  // a two-entry request queue whose head drives the ACC read port from registers, so the
  // port's valid and address never depend on this unit's logic in the same cycle and its
  // ready (the core's arbiter and the bank conflict) only loads the queue head. The
  // generator pushes while the queue's second entry is free (a register), so with no ACC
  // stall the head is granted and reloaded every cycle. Responses are registered once
  // (rsp_q) before anything looks at them: the DP16KD read data reaches a register
  // through the acc_mem bank mux only. See docs/ex_post.md (ACC reads).
  // -------------------------------------------------------------------------------------

  // Phase 1: parameter rows p_addr (bias, if enabled), p_addr + 1 (multiplier) and
  // p_addr + 2 (shift), requested in that order; the shift row arrives last and is checked.
  logic [1:0]            prm_idx_q;   // next parameter row to request; 3 = all requested
  logic [AccAddrW-1:0]   prm_addr_q;  // p_addr + prm_idx_q
  logic                  gen_prm, gen_data, gen_push, prm_push, data_push;
  logic                  tl_v_q;      // the request queue's second entry is full

  // Phase 2 reader state (below).
  logic [AccAddrW-1:0]   line_q, pix_q, wrow_q, addr_q;
  logic [3:0]            dx_q, dy_q;
  logic [11:0]           col_q, row_q;     // ox*sw and oy*sh
  logic                  rdr_done_q;
  logic                  dx_last, dy_last, x_more, win_last;
  logic [OutW-1:0]       outst_q, outst_d;  // data rows pushed and not yet popped from the requantiser

  // A data row is pushed only if its response is sure to find a requantiser credit: at most
  // RqDepth rows are between the push and the requantiser's output pop. Everything here
  // is a register or a compare of registers.
  // The state compares and the credit test are flops (PushTerms_A), so data_push, the
  // enable of the whole walk below, is one gate from registers (9 levels into the walk
  // registers' enables before, 11.4 ns routed, stop 20).
  logic st_param_q, st_stream_q, rq_credit_q;
  assign gen_prm   = st_param_q && (prm_idx_q != 2'd3);
  assign gen_data  = st_stream_q && !rdr_done_q && rq_credit_q;
  assign gen_push  = (gen_prm || gen_data) && !tl_v_q;
  assign prm_push  = gen_prm && !tl_v_q;
  assign data_push = gen_data && !tl_v_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      prm_idx_q  <= '0;
      prm_addr_q <= '0;
    end else if (idle_q[3]) begin
      // Every idle cycle, so also at acceptance (prm_push needs StParam).
      prm_idx_q  <= cmd_bias_en_i ? 2'd0 : 2'd1;
      prm_addr_q <= cmd_p_addr_i + AccAddrW'(!cmd_bias_en_i);
    end else if (prm_push) begin
      prm_idx_q  <= prm_idx_q + 2'd1;
      prm_addr_q <= prm_addr_q + AccAddrW'(1);
    end
  end

  // Request queue (qilin_skid): its head drives the port from registers; its second entry
  // catches a push made while the head waits for its grant. Entry: {parameter row, its
  // index, last row of its window, address}.
  localparam int unsigned ReqW = AccAddrW + 4;
  logic            hd_v, rd_gnt, rq_room;
  logic [ReqW-1:0] req_new, hd_q;
  logic            hd_prm, hd_last;
  logic [1:0]      hd_idx;
  logic [AccAddrW-1:0] hd_addr;
  logic [1:0]      unused_rq_cnt;

  assign req_new = st_param_q ? {1'b1, prm_idx_q, 1'b0, prm_addr_q}
                               : {1'b0, 2'd0, win_last, addr_q};
  assign {hd_prm, hd_idx, hd_last, hd_addr} = hd_q;
  assign rd_gnt  = hd_v && acc_rd_ready_i;
  assign tl_v_q  = !rq_room;   // a register in qilin_skid

  qilin_skid #(.Width(ReqW)) u_rq (
    .clk_i, .rst_ni,
    .flush_i     (clear_i),
    .in_valid_i  (gen_push),
    .in_ready_o  (rq_room),
    .in_data_i   (req_new),
    .out_valid_o (hd_v),
    .out_ready_i (acc_rd_ready_i),
    .out_data_o  (hd_q),
    .count_o     (unused_rq_cnt)
  );

  assign acc_rd_valid_o = hd_v;
  assign acc_rd_addr_o  = hd_addr;

  // The response of last cycle's grant arrives (pend_*), and is registered (r_*, rsp_q).
  // The parameter kinds are decoded one-hot here so that the 256-bit parameter registers
  // load on an enable that comes straight from a flop.
  logic              pend_data_q, pend_last_q, pend_bias_q, pend_mult_q, pend_shift_q;
  logic              r_data_q, r_last_q, r_bias_q, r_mult_q, r_shift_q;
  logic [Dim*32-1:0] rsp_q;

  // The granted row's kind {data, bias, mult, shift, last}, and the same AccRdLat - 1
  // cycles later (gk_rsp), when its response is one cycle away.
  logic [4:0] gk, gk_rsp;
  assign gk = {rd_gnt && !hd_prm, rd_gnt && hd_prm && (hd_idx == 2'd0),
               rd_gnt && hd_prm && (hd_idx == 2'd1), rd_gnt && hd_prm && (hd_idx == 2'd2),
               hd_last};
  if (AccRdLat > 1) begin : gen_gk_delay
    logic [4:0] gk_q [AccRdLat-1];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned i = 0; i < AccRdLat - 1; i++) gk_q[i] <= '0;
      end else if (clear_i) begin
        for (int unsigned i = 0; i < AccRdLat - 1; i++) gk_q[i] <= '0;
      end else begin
        gk_q[0] <= gk;
        for (int unsigned i = 1; i < AccRdLat - 1; i++) gk_q[i] <= gk_q[i-1];
      end
    end
    assign gk_rsp = gk_q[AccRdLat-2];
  end else begin : gen_gk_now
    assign gk_rsp = gk;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {pend_data_q, pend_bias_q, pend_mult_q, pend_shift_q, pend_last_q} <= '0;
      {r_data_q, r_bias_q, r_mult_q, r_shift_q, r_last_q}               <= '0;
      outst_q                                                          <= '0;
      rq_credit_q                                                      <= 1'b1;
      outst_z_q                                                        <= 1'b1;
    end else if (clear_i) begin
      {pend_data_q, pend_bias_q, pend_mult_q, pend_shift_q} <= '0;
      {r_data_q, r_bias_q, r_mult_q, r_shift_q}             <= '0;
      outst_q                                               <= '0;
      rq_credit_q                                           <= 1'b1;
      outst_z_q                                             <= 1'b1;
    end else begin
      {pend_data_q, pend_bias_q, pend_mult_q, pend_shift_q, pend_last_q} <= gk_rsp;
      r_data_q     <= pend_data_q;
      r_bias_q     <= pend_bias_q;
      r_mult_q     <= pend_mult_q;
      r_shift_q    <= pend_shift_q;
      r_last_q     <= pend_last_q;
      outst_q      <= outst_d;
      rq_credit_q  <= rq_credit_d;
      outst_z_q    <= outst_z_d;
    end
  end
  // The count's neighbours and their credit tests come from the register; the late push
  // (the walk) and pop (the requantiser's output) only select (an adder and a compare
  // behind them were 12.09 ns routed, stop 22). PushTerms_A checks the credit.
  logic            outst_pop, rq_credit_d, outst_z_q, outst_z_d;
  logic [OutW-1:0] outst_inc, outst_dec;
  assign outst_pop  = rq_pop && st_stream_q;
  assign outst_inc  = outst_q + OutW'(1);
  assign outst_dec  = outst_q - OutW'(1);
  always_comb begin
    if (data_push == outst_pop) begin
      outst_d     = outst_q;
      rq_credit_d = (outst_q < OutW'(RqDepth));
      outst_z_d   = (outst_q == '0);
    end else if (data_push) begin
      outst_d     = outst_inc;
      rq_credit_d = (outst_inc < OutW'(RqDepth));
      outst_z_d   = 1'b0;  // at most RqDepth: no wrap
    end else begin
      outst_d     = outst_dec;
      rq_credit_d = (outst_dec < OutW'(RqDepth));
      outst_z_d   = (outst_q == OutW'(1));
    end
  end

  // ACC read data: straight into a register (no reset, no enable). Beside it, per lane,
  // whether bits 31:5 are all zeros / all ones (the shift check's 27-bit reductions, done
  // before the register: behind it they and the lane OR were 7 levels, 10.83 ns routed,
  // stop 21).
  logic [Dim-1:0] rsp_hz_q, rsp_ho_q;
  always_ff @(posedge clk_i) begin
    rsp_q <= acc_rsp_data_i;
    for (int unsigned l = 0; l < Dim; l++) begin
      rsp_hz_q[l] <= (acc_rsp_data_i[32*l + 5 +: 27] == '0);
      rsp_ho_q[l] <= (acc_rsp_data_i[32*l + 5 +: 27] == '1);
    end
  end

  // Parameter registers, and the shift check one cycle after the shift row is registered
  // (a 32-bit range compare per lane and their OR, then the state machine's decision).
  logic [Dim*32-1:0]          bias_q, mult_q;
  logic [Dim-1:0][ShiftW-1:0] shift_q, shift_rsp;
  logic [Dim-1:0]             lane_bad;
  logic                       shift_arrives, shift_bad;  // registered: the check's result

  for (genvar l = 0; l < Dim; l++) begin : gen_shift
    logic [4:0] s;  // the low bits; the high ones are reduced before rsp_q
    assign s            = rsp_q[32*l +: 5];
    // -31 <= v <= 30 for the lane's value v by bit reductions, not two 32-bit compares
    // (carry chains: 19 levels through the lane OR, 11.1 ns routed, stop 18): v[31:5] all
    // zeros with v[4:0] != 31, or all ones with v[4:0] != 0 (ShiftRange_A).
    assign lane_bad[l]  = !((rsp_hz_q[l] && (s != 5'h1f)) || (rsp_ho_q[l] && (s != 5'h00)));
    assign shift_rsp[l] = rsp_q[32*l +: ShiftW];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      shift_arrives <= 1'b0;
      shift_bad     <= 1'b0;
    end else begin
      shift_arrives <= r_shift_q && !clear_i;
      shift_bad     <= |lane_bad;
    end
  end

  // Without bias the bias registers are zeroed in the parameter phase (from its second
  // cycle, long before the first data row), so the requantiser adds them unconditionally:
  // a per-command bias enable would fan out to every lane's adder input (docs/ex_post.md).
  logic bias_zero_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) bias_zero_q <= 1'b0;
    else         bias_zero_q <= st_param_q && !bias_en_q;
  end

  always_ff @(posedge clk_i) begin
    if (r_bias_q)         bias_q <= rsp_q;
    else if (bias_zero_q) bias_q <= '0;
    if (r_mult_q)  mult_q  <= rsp_q;
    if (r_shift_q) shift_q <= shift_rsp;
  end

  // -------------------------------------------------------------------------------------
  // Phase 2 reader: ACC rows in window order. For output pixel (oy, ox) and window offset
  // (dy, dx) the row is c_addr + (oy*sh + dy)*in_w + ox*sw + dx, kept incrementally:
  // line = c_addr + oy*sh*in_w, pix = line + ox*sw, wrow = pix + dy*in_w, addr = wrow + dx.
  // It advances on a push into the request queue. It starts from the command registers
  // during the parameter phase (at least six cycles, and no data row is pushed then), so
  // that no enable here comes through the EX unit's handshake.
  // -------------------------------------------------------------------------------------
  logic rdr_init;
  assign rdr_init = st_param_q;

  // The walk's four decisions are registers kept equal to their compares (WalkFlags_A), so
  // the walk registers' enables are a register-only select behind data_push, with no carry
  // chain in series: each flag's next value compares the position with a bound prepared
  // from the command (dx_q + 2 == kw_q is dx_q == kw_q - 2 in four bits; col_q + sw_q <=
  // x_lim_q is col_q <= x_lim_q - sw_q, as col_q + sw_q < in_w never wraps).
  logic       dxl_q, dyl_q, xm_q, ym_q;
  logic [3:0] kwm2_q, khm2_q;
  logic       kw1_q, kh1_q;
  logic signed [13:0] xls_q, yls_q;
  // xls_q - col_q and yls_q - row_q, stepped with col_q and row_q (WalkRem_A): the next
  // x_more / y_more is their sign bit, not a 14-bit compare in series with the flag's mux
  // (10.9 ns routed into the walk registers, stop 18).
  logic signed [13:0] xrem_q, yrem_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      kwm2_q <= '0;
      khm2_q <= '0;
      kw1_q  <= 1'b0;
      kh1_q  <= 1'b0;
      xls_q  <= '0;
      yls_q  <= '0;
    end else begin
      kwm2_q <= kw_q - 4'd2;
      khm2_q <= kh_q - 4'd2;
      kw1_q  <= (kw_q == 4'd1);
      kh1_q  <= (kh_q == 4'd1);
      xls_q  <= x_lim_q - 14'(sw_q);
      yls_q  <= y_lim_q - 14'(sh_q);
    end
  end
  assign dx_last  = dxl_q;
  assign dy_last  = dyl_q;
  assign win_last = dx_last && dy_last;
  assign x_more   = xm_q;  // ox*sw + sw + kw <= in_w; ym_q: oy*sh + sh + kh <= in_h

  // The walk registers move in four groups, by the decision that moves them. Each group's
  // enable is data_push and at most one flop, a step flag kept equal to its decisions
  // (WalkSteps_A), so every enable is two LUT levels from flops. Before, the nine flops
  // behind the nested decisions mapped to six levels (11.0 ns routed, stop 25).
  // The last push, with every decision exhausted, moves the groups as a row step would:
  // the reader is done then, and nothing reads them before the next rdr_init.
  logic dxl_d, dyl_d, xm_d, ym_d;         // the decision flags after this push
  logic stp_col_q, stp_row_q, stp_end_q;  // dx_last && dy_last; && !x_more; && !y_more
  always_comb begin
    dxl_d = kw1_q;
    dyl_d = kh1_q;
    xm_d  = xm_q;
    ym_d  = ym_q;
    if (rdr_init) begin
      xm_d = !x_lim_q[13];
      ym_d = !y_lim_q[13];
    end else if (!dx_last) begin
      dxl_d = (dx_q == kwm2_q);
      dyl_d = dyl_q;
    end else if (!dy_last) begin
      dyl_d = (dy_q == khm2_q);
    end else if (x_more) begin
      xm_d = !xrem_q[13];  // col_q <= xls_q
    end else begin
      xm_d = !x_lim_q[13];
      ym_d = !yrem_q[13];  // row_q <= yls_q
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {dxl_q, dyl_q, xm_q, ym_q}        <= '0;
      {stp_col_q, stp_row_q, stp_end_q} <= '0;
      rdr_done_q                        <= 1'b0;
    end else if (rdr_init || data_push) begin
      // The last cycle of the parameter phase (its sixth or later) sets them: the bounds
      // are ready from its third.
      dxl_q      <= dxl_d;
      dyl_q      <= dyl_d;
      xm_q       <= xm_d;
      ym_q       <= ym_d;
      stp_col_q  <= dxl_d && dyl_d;
      stp_row_q  <= dxl_d && dyl_d && !xm_d;
      stp_end_q  <= dxl_d && dyl_d && !xm_d && !ym_d;
      rdr_done_q <= !rdr_init && stp_end_q;
    end
  end

  logic [AccAddrW-1:0] wrow_nxt, pix_nxt, line_nxt;
  assign wrow_nxt = wrow_q + AccAddrW'(in_w_q);
  assign pix_nxt  = pix_q + AccAddrW'(sw_q);
  assign line_nxt = line_q + step_line_q;

  // Every push: the next row of the window.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dx_q   <= '0;
      addr_q <= '0;
    end else if (rdr_init) begin
      dx_q   <= '0;
      addr_q <= c_addr_q;
    end else if (data_push) begin
      dx_q   <= dx_last ? 4'd0 : dx_q + 4'd1;
      addr_q <= !dx_last ? addr_q + AccAddrW'(1) :
                !dy_last ? wrow_nxt : x_more ? pix_nxt : line_nxt;
    end
  end

  // The end of a window line: the next line of the window.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dy_q   <= '0;
      wrow_q <= '0;
    end else if (rdr_init) begin
      dy_q   <= '0;
      wrow_q <= c_addr_q;
    end else if (data_push && dx_last) begin
      dy_q   <= dy_last ? 4'd0 : dy_q + 4'd1;
      wrow_q <= !dy_last ? wrow_nxt : x_more ? pix_nxt : line_nxt;
    end
  end

  // The end of a window: the next output pixel of the row.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      col_q  <= '0;
      xrem_q <= '0;
      pix_q  <= '0;
    end else if (rdr_init) begin
      col_q  <= '0;
      xrem_q <= xls_q;
      pix_q  <= c_addr_q;
    end else if (data_push && stp_col_q) begin
      col_q  <= x_more ? col_q + 12'(sw_q) : 12'd0;
      xrem_q <= x_more ? xrem_q - 14'(sw_q) : xls_q;
      pix_q  <= x_more ? pix_nxt : line_nxt;
    end
  end

  // The end of an output row: the next row.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      row_q  <= '0;
      yrem_q <= '0;
      line_q <= '0;
    end else if (rdr_init) begin
      row_q  <= '0;
      yrem_q <= yls_q;
      line_q <= c_addr_q;
    end else if (data_push && stp_row_q) begin
      row_q  <= row_q + 12'(sh_q);
      yrem_q <= yrem_q - 14'(sh_q);
      line_q <= line_nxt;
    end
  end

  // -------------------------------------------------------------------------------------
  // Requantiser.
  // -------------------------------------------------------------------------------------
  logic [Dim-1:0][7:0]   rq_out_data;

  qilin_requant #(.Lanes(Dim), .Depth(RqDepth)) u_requant (
    .clk_i,
    .rst_ni,
    .in_valid_i   (r_data_q),
    .in_ready_o   (rq_in_ready),
    .in_acc_i     (rsp_q),
    .in_bias_i    (bias_q),
    .in_mult_i    (mult_q),
    .in_shift_i   (shift_q),
    .in_bias_en_i (1'b1),       // bias_q is zero without bias (above)
    .in_out_zp_i  (out_zp_q),
    .in_act_min_i (act_min_q),
    .in_act_max_i (act_max_q),
    .in_last_i    (r_last_q),
    .out_valid_o  (rq_out_valid),
    .out_ready_i  (rq_out_ready),
    .out_data_o   (rq_out_data),
    .out_last_o   (rq_out_last),
    .busy_o       (rq_busy)
  );

  // Outside a command (after clear_i) the requantiser is drained and its beats dropped. In
  // the stream a beat is popped only while the output FIFO has a credit for a result, which
  // a window's last beat needs (the head's last flag is not looked at, for timing: with no
  // SP stall there is always a credit, see ODepth).
  assign rq_out_ready = (state_q != StStream) || (ocred_q < OCntW'(ODepth));
  assign rq_pop       = rq_out_valid && rq_out_ready;

  // -------------------------------------------------------------------------------------
  // Window reduction, per lane, in a pipeline that never stalls (a popped beat always
  // finds room: a window's last beat is popped only with a credit for its result in the
  // output FIFO):
  //   B   the popped beat, registered (bt_*_q);
  //   A1  red_q: MAX in the output type, or the sum for AVG (the first beat of a window
  //       loads it). Without pooling every beat is a 1x1 window, so the byte passes
  //       through. For MAX and no pooling a window's last result is pushed from here;
  //   A2  AVG: T = |S| + floor(N/2);
  //   A2b AVG: T again, in a register of its own in front of the multipliers;
  //   A3  AVG: the two partial products T * R[32:16] and T * R[15:0];
  //   A3b AVG: the two products again, in registers of their own behind the multipliers
  //       (the MULT18X18Ds sit in fixed DSP columns: a register on each side lets the
  //       placer put one near them and one near the logic);
  //   and the AVG push: their sum >> 32 with the sign of S.
  // -------------------------------------------------------------------------------------

  logic                     win_pop, ofifo_push, ofifo_pop;
  logic                     bt_v_q, bt_last_q;
  logic [Dim-1:0][7:0]      bt_data_q;
  logic [Dim-1:0][SumW-1:0] red_q, red_d;
  logic [Dim-1:0][7:0]      res_byte, red_byte, avg_byte;
  logic                     first_q;
  logic                     a1_v_q;     // red_q holds a window's result
  logic [5:2]               avg_v_q;    // an AVG result in stage A2, A2b, A3, A3b

  assign win_pop = rq_pop && rq_out_last && st_stream_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bt_v_q    <= 1'b0;
      bt_last_q <= 1'b0;
      bt_data_q <= '0;
    end else begin
      bt_v_q    <= rq_pop && st_stream_q && !clear_i;
      bt_last_q <= rq_out_last;
      bt_data_q <= rq_out_data;
    end
  end

  for (genvar l = 0; l < Dim; l++) begin : gen_lane
    logic [SumW-1:0] v, sum, mx, tot;
    logic [15:0]     t_d;
    logic [15:0]     t_q;          // A2: T = |S| + floor(N/2) < 2^16
    logic            neg_q2, neg_q2b, neg_q3, neg_q3b;
    logic [23:0]     ph2_q;        // A3b
    logic [15:0]     pl2_q;        // A3b
    logic [35:0]     ph_p, pl_p;   // A3: T * R[32:16] and T * R[15:0] (A2b: T and R)
    logic [23:0]     ph_q;         // A3: T * R[32:16], low 24 bits
    logic [15:0]     pl_q;         // A3: (T * R[15:0]) >> 16
    logic [23:0]     prod_hi;      // (T * R) >> 16, low 24 bits
    logic [7:0]      q;
    logic            unused_lo, unused_hi;
    // This lane's copy of R, next to its multipliers (one shared register fanned out to
    // every lane's MULT18X18Ds was the critical path: long routes on both sides of the
    // DSPs). R is stable from the end of the divider to the end of the command, long before
    // A3 reads it. keep: Yosys would otherwise merge the identical copies.
    logic [32:0]     recip_l_q;
    (* keep *) always_ff @(posedge clk_i) recip_l_q <= recip_q;
    // The requantised byte in the output type, sign- or zero-extended.
    assign v    = {{(SumW - 8){out_signed_q && bt_data_q[l][7]}}, bt_data_q[l]};
    assign sum  = red_q[l] + v;
    // MAX: both sides are bytes in the output type, so 9-bit signed compares suffice.
    assign mx   = ($signed(v[8:0]) > $signed(red_q[l][8:0])) ? v : red_q[l];
    assign tot  = first_q ? v : (avg_q ? sum : mx);
    assign red_d[l]    = tot;
    assign red_byte[l] = red_q[l][7:0];
    // round(S / N), ties away from zero: (|S| + floor(N/2)) * R >> 32 with the sign of S.
    // A2 (S in red_q): |S| + floor(N/2) = S + half, or half - S for S < 0.
    assign t_d  = red_q[l][SumW-1] ? 16'(SumW'(half_q) - red_q[l])
                                   : 16'(red_q[l] + SumW'(half_q));
    // A3: T * R = T * R[32:16] * 2^16 + T * R[15:0]. The A2b registers (T, and R again)
    // and the A3 product registers are qilin_mul18's (on ECP5 the DSPs' own registers).
    qilin_mul18 u_mul_hi (
      .clk_i, .rst_ni, .en_i(1'b1), .a_i({2'b00, t_q}), .b_i({1'b0, recip_l_q[32:16]}),
      .p_o(ph_p)
    );
    qilin_mul18 u_mul_lo (
      .clk_i, .rst_ni, .en_i(1'b1), .a_i({2'b00, t_q}), .b_i({2'b00, recip_l_q[15:0]}),
      .p_o(pl_p)
    );
    assign ph_q = ph_p[23:0];
    assign pl_q = pl_p[31:16];
    assign unused_lo = ^{ph_p[35:24], pl_p[35:32], pl_p[15:0]};
    // Push: (T * R) >> 16 = ph + pl[31:16] exactly (pl's low 16 bits stand alone), and
    // q = (T * R) >> 32 is its bits 23:16.
    assign prod_hi = ph2_q + 24'(pl2_q);
    assign q       = prod_hi[23:16];
    assign unused_hi = ^prod_hi[15:0];
    assign avg_byte[l] = neg_q3b ? (8'd0 - q) : q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        t_q     <= '0;
        neg_q2  <= 1'b0;
        neg_q2b <= 1'b0;
        neg_q3  <= 1'b0;
        ph2_q   <= '0;
        pl2_q   <= '0;
        neg_q3b <= 1'b0;
      end else begin
        t_q     <= t_d;
        neg_q2  <= red_q[l][SumW-1];
        neg_q2b <= neg_q2;
        neg_q3  <= neg_q2b;
        ph2_q   <= ph_q;
        pl2_q   <= pl_q;
        neg_q3b <= neg_q3;
      end
    end
  end

  assign ofifo_push = avg_q ? avg_v_q[5] : a1_v_q;
  assign res_byte   = avg_q ? avg_byte : red_byte;

  // red_q loads on bt_v_q alone (not gated by clear_i or idle, which reach only first_q): a
  // beat reduced in the cycle of a clear is discarded with the window. first_q is set in
  // every idle cycle (no beat is reduced then, CmdRegs_A), so also at acceptance.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      first_q <= 1'b1;
    end else if (clear_i || idle_q[3]) begin
      first_q <= 1'b1;
    end else if (bt_v_q) begin
      first_q <= bt_last_q;
    end
  end

  always_ff @(posedge clk_i) begin
    if (bt_v_q) red_q <= red_d;
  end

  // ocred_z_q == (ocred_q == 0) (ZeroFlags_A), for stream_done: the late SP write pop only
  // selects among compares of the register.
  logic ocred_z_q, ocred_z_d;
  assign ocred_z_d = (win_pop == ofifo_pop) ? (ocred_q == '0) :
                     win_pop ? 1'b0 : (ocred_q == OCntW'(1));
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a1_v_q    <= 1'b0;
      avg_v_q   <= '0;
      ocred_q   <= '0;
      ocred_z_q <= 1'b1;
    end else if (clear_i) begin
      a1_v_q    <= 1'b0;
      avg_v_q   <= '0;
      ocred_q   <= '0;
      ocred_z_q <= 1'b1;
    end else begin
      a1_v_q    <= bt_v_q && bt_last_q;
      avg_v_q   <= {avg_v_q[4:2], a1_v_q && avg_q};
      ocred_q   <= ocred_q + OCntW'(win_pop) - OCntW'(ofifo_pop);
      ocred_z_q <= ocred_z_d;
    end
  end

  // -------------------------------------------------------------------------------------
  // Output FIFO to the scratchpad: output pixels are written to o_addr, o_addr + 1, ...
  // -------------------------------------------------------------------------------------
  logic                  ofifo_valid;
  logic [Dim*8-1:0]      ofifo_data;
  logic [OCntW-1:0]      ofifo_cnt;
  logic [SpAddrW-1:0]    wr_addr_q;  // o_addr + rows written; set in the parameter phase

  qilin_fifo #(.Width(Dim * 8), .Depth(ODepth)) u_ofifo (
    .clk_i,
    .rst_ni,
    .flush_i     (clear_i),
    .in_valid_i  (ofifo_push),
    .in_ready_o  (ofifo_in_ready),
    .in_data_i   (res_byte),
    .out_valid_o (ofifo_valid),
    .out_ready_i (sp_wr_ready_i),
    .out_data_o  (ofifo_data),
    .count_o     (ofifo_cnt)
  );

  // The SP write valid is a flop equal to the FIFO's "not empty" (OfifoValid_A), not a decode
  // of its count: it steers the core's SP bank arbitration, whose grant loads the LOAD
  // DMA's address counter and FIFO (11.7 ns routed, stop 18).
  logic ofifo_nv_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)      ofifo_nv_q <= 1'b0;
    else if (clear_i) ofifo_nv_q <= 1'b0;
    // Entries after this cycle: count + push - pop (a push always finds room).
    else              ofifo_nv_q <= ofifo_push || (ofifo_cnt > OCntW'(ofifo_pop));
  end
  assign ofifo_pop     = ofifo_nv_q && sp_wr_ready_i;
  assign sp_wr_valid_o = ofifo_nv_q;
  assign sp_wr_addr_o  = wr_addr_q;  // a register: it feeds the SP bank arbitration
  assign sp_wr_data_o  = ofifo_data;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)         wr_addr_q <= '0;
    else if (rdr_init)   wr_addr_q <= o_addr_q;
    else if (ofifo_pop)  wr_addr_q <= wr_addr_q + SpAddrW'(1);
  end

  // -------------------------------------------------------------------------------------
  // Control.
  // -------------------------------------------------------------------------------------
  logic stream_done, done_d, err_d;

  // Nothing left in the requantiser, the reduction pipeline or the output FIFO (a window's
  // last beat is counted from its pop to its SP write). Flops only: it feeds the next state
  // and the idle copies (8 LUT levels with the counters' compares, 10.7 ns routed, stop 25).
  assign stream_done = st_stream_q && rdr_done_q && outst_z_q && ocred_z_q;

  always_comb begin
    state_d = state_q;
    done_d  = 1'b0;
    err_d   = 1'b0;
    unique case (state_q)
      StIdle:   if (cmd_fire) state_d = StParam;
      StParam: begin
        if (shift_arrives) begin
          if (shift_bad) begin
            err_d   = 1'b1;
            state_d = StErr;
          end else if (empty_q) begin
            done_d  = 1'b1;
            state_d = StIdle;
          end else if (div_busy) begin
            state_d = StWait;
          end else begin
            state_d = StStream;
          end
        end
      end
      StWait:   if (!div_busy) state_d = StStream;
      StStream: begin
        if (stream_done) begin
          done_d  = 1'b1;
          state_d = StIdle;
        end
      end
      StErr:    state_d = StErr;
      default:  state_d = StIdle;
    endcase
    if (clear_i) begin
      state_d = StIdle;
      done_d  = 1'b0;
      err_d   = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      st_param_q  <= 1'b0;
      st_stream_q <= 1'b0;
      done_o      <= 1'b0;
      err_o       <= 1'b0;
      err_addr_o  <= '0;
    end else begin
      state_q     <= state_d;
      st_param_q  <= (state_d == StParam);
      st_stream_q <= (state_d == StStream);
      done_o      <= done_d;
      err_o       <= err_d;
      if (err_d) err_addr_o <= p_addr_q + AccAddrW'(2);
    end
  end

  qilin_keep_copies #(.N(IdleCopies), .ResetVal(1'b1)) u_idle_copies (
    .clk_i, .rst_ni, .d_i(state_d == StIdle), .q_o(idle_q)
  );

  assign err_code_o = qilin_isa_pkg::ErrParamRange;
  assign busy_o     = (state_q != StIdle) || rq_busy;

  // -------------------------------------------------------------------------------------
  // Assertions.
  // -------------------------------------------------------------------------------------
  `QILIN_ASSERT_INIT(DimMin_A, Dim >= 1)
  // The accumulator rows come from a Dim-row array, whose sums are exact in 32 bits.
  `QILIN_ASSERT_INIT(AccExact_A, Dim <= qilin_pkg::MaxRowsExact)
  // Every ACC response finds a requantiser credit, and responses come AccRdLat cycles after
  // grants (a clear drops the reads in flight, whose responses still arrive).
  // The staged bounds are settled when the parameter phase ends (it loads the walk).
  `QILIN_ASSERT(WalkBounds_A, !(st_param_q && shift_arrives) ||
                ((step_line_q == AccAddrW'(16'(in_w_q) * 16'(sh_q))) &&
                 (x_lim_q == $signed(14'(in_w_q) - 14'(sw_q) - 14'(kw_q))) &&
                 (y_lim_q == $signed(14'(in_h_q) - 14'(sh_q) - 14'(kh_q))) &&
                 (xls_q == x_lim_q - 14'(sw_q)) && (yls_q == y_lim_q - 14'(sh_q))),
                clk_i, rst_ni)
  `QILIN_ASSERT(PushTerms_A, (st_param_q == (state_q == StParam)) &&
                (st_stream_q == (state_q == StStream)) &&
                (rq_credit_q == (outst_q < OutW'(RqDepth))), clk_i, rst_ni)
  `QILIN_ASSERT(RqCredit_A, !r_data_q || rq_in_ready, clk_i, rst_ni)
  `QILIN_ASSERT(WalkFlags_A, (state_q != StStream) || rdr_done_q ||
                ((dxl_q == (dx_q + 4'd1 == kw_q)) && (dyl_q == (dy_q + 4'd1 == kh_q)) &&
                 (xm_q == ($signed({2'b00, col_q}) <= x_lim_q)) &&
                 (ym_q == ($signed({2'b00, row_q}) <= y_lim_q))), clk_i, rst_ni)
  `QILIN_ASSERT(WalkSteps_A, (state_q != StStream) || rdr_done_q ||
                ((stp_col_q == (dxl_q && dyl_q)) && (stp_row_q == (stp_col_q && !xm_q)) &&
                 (stp_end_q == (stp_row_q && !ym_q))), clk_i, rst_ni)
  `QILIN_ASSERT(ZeroFlags_A, (outst_z_q == (outst_q == '0)) && (ocred_z_q == (ocred_q == '0)),
                clk_i, rst_ni)
  `QILIN_ASSERT(WalkRem_A, (state_q != StStream) || rdr_done_q ||
                ((xrem_q == xls_q - $signed({2'b00, col_q})) &&
                 (yrem_q == yls_q - $signed({2'b00, row_q}))), clk_i, rst_ni)
  logic [AccRdLat-1:0] clear_hist_q;  // clear_i in each of the last AccRdLat cycles
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) clear_hist_q <= '0;
    else         clear_hist_q <= (clear_hist_q << 1) | AccRdLat'(clear_i);
  end
  `QILIN_ASSERT(AccLatency_A, clear_i || (clear_hist_q != '0) ||
                (acc_rsp_valid_i == (pend_data_q || pend_bias_q || pend_mult_q || pend_shift_q)),
                clk_i, rst_ni)
  `QILIN_ASSERT_INIT(AccRdLat_A, AccRdLat == 1 || AccRdLat == 2)
  // The command, divider and parameter-reader registers load while idle: nothing that reads
  // them is in flight then (a divider still stepping after an empty AVG grid is restarted by
  // the next acceptance, as before), so loading them outside acceptance changes no result.
  `QILIN_ASSERT(Idle_A, idle_q == {IdleCopies{state_q == StIdle}}, clk_i, rst_ni)
  `QILIN_ASSERT(CmdRegs_A, (state_q != StIdle) || (!bt_v_q && !a1_v_q && (avg_v_q == '0) &&
                (ocred_q == '0) && (outst_q == '0)), clk_i, rst_ni)
  `QILIN_ASSERT(OutFifoRoom_A, !ofifo_push || ofifo_in_ready, clk_i, rst_ni)
  for (genvar l = 0; l < Dim; l++) begin : gen_shift_chk
    `QILIN_ASSERT(ShiftRange_A, lane_bad[l] == (($signed(rsp_q[32*l +: 32]) < -32'sd31) ||
                                                ($signed(rsp_q[32*l +: 32]) > 32'sd30)),
                  clk_i, rst_ni)
  end
  `QILIN_ASSERT(NWin_A, !cmd_fire || (cmd_n_win_i == n_win), clk_i, rst_ni)
  `QILIN_ASSERT(OfifoValid_A, ofifo_nv_q == ofifo_valid, clk_i, rst_ni)
  // Commands are legal (the decoder checks them): pooling windows inside the grid, non-zero
  // window and stride, pool_kind 3 never reaches the unit.
  `QILIN_ASSERT(CmdLegal_A, !cmd_fire || ((cmd_pool_kind_i != 2'd3) &&
                ((cmd_pool_kind_i == PoolNone) ||
                 ((cmd_kh_i != 4'd0) && (cmd_kw_i != 4'd0) && (cmd_sh_i != 3'd0) &&
                  (cmd_sw_i != 3'd0) && (12'(cmd_kh_i) <= cmd_in_h_i) &&
                  (12'(cmd_kw_i) <= cmd_in_w_i)))), clk_i, rst_ni)

endmodule
