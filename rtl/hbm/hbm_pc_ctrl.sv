// SPDX-License-Identifier: Apache-2.0
// HBM2 pseudo-channel controller: request queue, per-bank state, FR-FCFS scheduling with a
// starvation cap, write batching, refresh, and the DFI-style row/column command port.
//
// Policy summary (details in docs/hbm_controller.md):
// - The request queue is a collapsing queue: entry 0 is the oldest. A request leaves the
//   queue when its column command issues.
// - Column commands: the oldest schedulable row hit (FR-FCFS). Row commands: the oldest
//   schedulable request that needs an ACT (bank closed) or a PRE (bank open on another
//   row, and no schedulable request hits the open row: open-page policy).
// - A column command carries auto-precharge (RDA/WRA) when no other queued request hits
//   its row and some queued request needs another row of the same bank.
// - Write batching: reads are served until the write count reaches WrHigh (or no read is
//   schedulable); writes are then drained down to WrLow, and at least WrLow of them (or all)
//   go out per batch.
// - Same-address hazards (RAW, WAR, WAW) keep queue order: a request waits for every older
//   queued request to the same 32 B burst when either of the two is a write.
// - Starvation cap: once the oldest request is StarveCap cycles old, the read/write mode
//   follows it and no other request may hold its bank open on another row; being the
//   oldest, it then wins its PRE, ACT and column command.
// - All-bank refresh every tREFI, postponed while requests are queued, forced when
//   RefPostpone are pending (per-bank refresh, round-robin every tREFI/16, is a option).
module hbm_pc_ctrl #(
  parameter hbm_timing_pkg::hbm_timing_t Timing = hbm_timing_pkg::HBM2_2000,
  parameter int unsigned QueueDepth     = 64,
  parameter int unsigned TagW           = 8,
  parameter int unsigned WrHigh         = 48,
  parameter int unsigned WrLow          = 8,
  parameter int unsigned StarveCap      = 1024,
  parameter int unsigned RefPostpone    = 8,
  parameter bit          PerBankRefresh = 1'b0,
  parameter int unsigned RdTagDepth     = 32,
  // Do not override.
  parameter int unsigned IdxW = $clog2(QueueDepth),
  parameter int unsigned CntW = $clog2(QueueDepth + 1)
) (
  input  logic            clk_i,
  input  logic            rst_ni,
  // Request: one 32 B burst, address already decoded.
  input  logic            req_valid_i,
  output logic            req_ready_o,
  input  logic            req_we_i,
  input  logic [1:0]      req_bg_i,
  input  logic [1:0]      req_ba_i,
  input  logic [13:0]     req_row_i,
  input  logic [4:0]      req_col_i,
  input  logic [TagW-1:0] req_tag_i,
  input  logic [255:0]    req_wdata_i,
  input  logic [31:0]     req_wmask_i,
  // Read data, in the order the RDs were issued. No backpressure.
  output logic            rsp_valid_o,
  output logic [TagW-1:0] rsp_tag_o,
  output logic [255:0]    rsp_data_o,
  // PHY port (docs/hbm_phy.md).
  output logic            phy_row_valid_o,
  output logic [2:0]      phy_row_cmd_o,
  output logic [1:0]      phy_row_bg_o,
  output logic [1:0]      phy_row_ba_o,
  output logic [13:0]     phy_row_addr_o,
  output logic            phy_col_valid_o,
  output logic [2:0]      phy_col_cmd_o,
  output logic [1:0]      phy_col_bg_o,
  output logic [1:0]      phy_col_ba_o,
  output logic [4:0]      phy_col_addr_o,
  output logic [255:0]    phy_wdata_o,
  output logic [31:0]     phy_wmask_o,
  input  logic            phy_rd_valid_i,
  input  logic [255:0]    phy_rd_data_i,
  // Status, for testbenches and performance counters.
  output logic            wr_mode_o,
  output logic [3:0]      ref_pending_o,
  output logic [CntW-1:0] queue_count_o
);
  localparam int unsigned NumBanks = 16;
  localparam int unsigned AgeW     = $clog2(StarveCap + 1);
  localparam int unsigned WbufW    = 256 + 32;

  // PHY command encodings.
  localparam logic [2:0] RowAct   = 3'd1;
  localparam logic [2:0] RowPre   = 3'd2;
  localparam logic [2:0] RowPreA  = 3'd3;
  localparam logic [2:0] RowRef   = 3'd4;
  localparam logic [2:0] RowRefPb = 3'd5;
  localparam logic [2:0] ColRd    = 3'd1;
  localparam logic [2:0] ColWr    = 3'd2;
  localparam logic [2:0] ColRdA   = 3'd3;
  localparam logic [2:0] ColWrA   = 3'd4;

  // Derived command-to-command distances (cycles).
  localparam logic [15:0] TCcdS  = (Timing.tCCD_S > Timing.tBURST) ? Timing.tCCD_S : Timing.tBURST;
  localparam logic [15:0] TCcdL  = (Timing.tCCD_L > Timing.tBURST) ? Timing.tCCD_L : Timing.tBURST;
  localparam logic [15:0] TWrPre = Timing.CWL + Timing.tBURST + Timing.tWR;
  localparam logic [15:0] TWtrS  = Timing.CWL + Timing.tBURST + Timing.tWTR_S;
  localparam logic [15:0] TWtrL  = Timing.CWL + Timing.tBURST + Timing.tWTR_L;
  localparam logic [15:0] TRtw   = (Timing.CL + Timing.tBURST + 16'd1 > Timing.CWL) ?
                                   Timing.CL + Timing.tBURST + 16'd1 - Timing.CWL : 16'd0;
  localparam logic [15:0] TRefi  = PerBankRefresh ? Timing.tREFI / 16'd16 : Timing.tREFI;

  // Counter value for "the next command of this kind is allowed T cycles after now":
  // next cycle's counter is max(cur - 1, T - 1), where cur is already decremented.
  function automatic logic [15:0] tmax(input logic [15:0] cur, input logic [15:0] t);
    tmax = cur;
    if ((t != 16'd0) && (t - 16'd1 > cur)) tmax = t - 16'd1;
  endfunction

  function automatic logic [15:0] dec(input logic [15:0] v);
    dec = (v != 16'd0) ? v - 16'd1 : 16'd0;
  endfunction

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------
  // Request queue (collapsing: valid entries are 0 .. cnt_q-1, oldest first).
  logic [CntW-1:0]                cnt_q, cnt_d;
  logic [QueueDepth-1:0]          e_we_q, e_we_d;
  logic [QueueDepth-1:0][3:0]     e_bank_q, e_bank_d;  // {bg, ba}
  logic [QueueDepth-1:0][13:0]    e_row_q, e_row_d;
  logic [QueueDepth-1:0][4:0]     e_col_q, e_col_d;
  logic [QueueDepth-1:0][TagW-1:0] e_tag_q, e_tag_d;
  logic [QueueDepth-1:0][IdxW-1:0] e_slot_q, e_slot_d;  // write-data slot
  logic [QueueDepth-1:0][CntW-1:0] e_dep_q, e_dep_d;    // older same-address hazards
  logic [QueueDepth-1:0]          e_hasdep_q, e_hasdep_d;  // a younger request waits on it
  logic [QueueDepth-1:0][AgeW-1:0] e_age_q, e_age_d;
  logic [QueueDepth-1:0]          slot_used_q, slot_used_d;
  logic [WbufW-1:0]               wbuf_q [QueueDepth];
  logic [CntW-1:0]                wr_cnt_q, wr_cnt_d;
  // Scheduler mode: serve reads, or drain a batch of writes.
  typedef enum logic [0:0] {ModeRead = 1'b0, ModeWrite = 1'b1} sched_mode_e;
  sched_mode_e                    mode_q, mode_d;
  logic [CntW-1:0]                wr_batch_q, wr_batch_d;  // writes issued in this batch

  // Banks.
  logic [NumBanks-1:0]            bank_open_q, bank_open_d;
  logic [NumBanks-1:0][13:0]      bank_row_q, bank_row_d;
  logic [NumBanks-1:0][15:0]      act_cnt_q, act_cnt_d;  // until ACT allowed
  logic [NumBanks-1:0][15:0]      pre_cnt_q, pre_cnt_d;  // until PRE allowed
  logic [NumBanks-1:0][15:0]      rcd_cnt_q, rcd_cnt_d;  // until RD/WR allowed

  // Channel-wide timers.
  logic [15:0]                    rrd_s_q, rrd_s_d;
  logic [3:0][15:0]               rrd_l_q, rrd_l_d;
  logic [3:0][15:0]               faw_q, faw_d;
  logic [1:0]                     faw_ptr_q, faw_ptr_d;
  logic [15:0]                    ccd_s_q, ccd_s_d;
  logic [3:0][15:0]               ccd_l_q, ccd_l_d;
  logic [15:0]                    wtr_s_q, wtr_s_d;
  logic [3:0][15:0]               wtr_l_q, wtr_l_d;
  logic [15:0]                    rtw_q, rtw_d;

  // Refresh.
  logic [15:0]                    refi_q, refi_d;
  logic [3:0]                     ref_pend_q, ref_pend_d;
  logic [3:0]                     ref_bank_q, ref_bank_d;  // per-bank mode: next bank

  // PHY command registers.
  logic                           row_valid_q, row_valid_d;
  logic [2:0]                     row_cmd_q, row_cmd_d;
  logic [3:0]                     row_bank_q, row_bank_d;
  logic [13:0]                    row_addr_q, row_addr_d;
  logic                           col_valid_q, col_valid_d;
  logic [2:0]                     col_cmd_q, col_cmd_d;
  logic [3:0]                     col_bank_q, col_bank_d;
  logic [4:0]                     col_addr_q, col_addr_d;
  logic [WbufW-1:0]               col_wbuf_q, col_wbuf_d;

  // Read return.
  logic                           rsp_valid_q;
  logic [TagW-1:0]                rsp_tag_q;
  logic [255:0]                   rsp_data_q;

  // ---------------------------------------------------------------------------------------
  // Scheduling
  // ---------------------------------------------------------------------------------------
  logic [QueueDepth-1:0] e_valid, e_hit, e_cand;
  logic [NumBanks-1:0]   cand_hit_bank;
  logic                  starve, rd_avail;
  logic [QueueDepth-1:0] starve_blk;
  logic                  col_fire, col_ap;
  logic [IdxW-1:0]       col_sel;
  logic                  row_fire, row_is_act;
  logic [IdxW-1:0]       row_sel;
  logic                  ref_force, ref_want, ref_pre_fire, ref_fire;
  logic                  all_pre_ok, all_act_ok, any_open;
  logic [NumBanks-1:0]   act_block, col_block;
  logic                  enq;
  logic [IdxW-1:0]       alloc_slot;
  logic                  tag_push, tag_pop, tag_full_n;
  logic [TagW-1:0]       tag_head;
  logic                  tag_valid;
  logic [$clog2(RdTagDepth+1)-1:0] tag_count;
  logic [WbufW-1:0]      sel_wbuf;

  assign enq         = req_valid_i && req_ready_o;
  assign req_ready_o = (cnt_q != CntW'(QueueDepth));

  always_comb begin
    logic [3:0]  b;
    logic [1:0]  g;
    logic        ok;
    logic        other_hit, miss;

    b  = '0;
    g  = '0;
    ok = 1'b0;
    // ---- per-entry view ----
    e_valid       = '0;
    e_hit         = '0;
    e_cand        = '0;
    rd_avail      = 1'b0;
    cand_hit_bank = '0;
    for (int i = 0; i < int'(QueueDepth); i++) begin
      e_valid[i] = (CntW'(i) < cnt_q);
      b          = e_bank_q[i];
      e_hit[i]   = e_valid[i] && bank_open_q[b] && (bank_row_q[b] == e_row_q[i]);
      e_cand[i]  = e_valid[i] && (e_dep_q[i] == '0) && ((e_we_q[i] == (mode_q == ModeWrite)) ||
                                                    e_hasdep_q[i]);
      if (e_valid[i] && !e_we_q[i] && (e_dep_q[i] == '0)) rd_avail = 1'b1;
    end
    // Starvation: the oldest request (entry 0) gets its bank. Other requests to that bank
    // that need another row may not issue column commands, so its PRE cannot be held off
    // by a stream of row hits; everything else keeps running.
    starve = e_valid[0] && (e_age_q[0] >= AgeW'(StarveCap));
    starve_blk = '0;
    if (starve) begin
      e_cand[0] = 1'b1;
      for (int i = 1; i < int'(QueueDepth); i++) begin
        starve_blk[i] = (e_bank_q[i] == e_bank_q[0]) && (e_row_q[i] != e_row_q[0]);
      end
    end
    for (int i = 0; i < int'(QueueDepth); i++) begin
      if (e_cand[i] && e_hit[i] && !starve_blk[i]) cand_hit_bank[e_bank_q[i]] = 1'b1;
    end

    // ---- read/write mode (write batching) ----
    mode_d = mode_q;
    unique case (mode_q)
      ModeRead: begin
        if ((wr_cnt_q >= CntW'(WrHigh)) || (!rd_avail && (wr_cnt_q != '0))) mode_d = ModeWrite;
      end
      ModeWrite: begin
        // Leave at the low watermark once at least WrLow writes went out in this batch (so
        // a trickle of reads cannot turn the bus around for every write), or when empty.
        if ((wr_cnt_q == '0) ||
            ((wr_cnt_q <= CntW'(WrLow)) && rd_avail && (wr_batch_q >= CntW'(WrLow)))) begin
          mode_d = ModeRead;
        end
      end
      default: mode_d = ModeRead;
    endcase
    // A starving request pulls the mode to its own kind, so the batch continues after it.
    if (starve) mode_d = e_we_q[0] ? ModeWrite : ModeRead;

    // ---- refresh ----
    any_open   = (bank_open_q != '0);
    all_pre_ok = 1'b1;
    all_act_ok = 1'b1;
    for (int k = 0; k < int'(NumBanks); k++) begin
      if (pre_cnt_q[k] != 16'd0) all_pre_ok = 1'b0;
      if (act_cnt_q[k] != 16'd0) all_act_ok = 1'b0;
    end
    ref_force = (ref_pend_q >= 4'(RefPostpone));
    act_block = '0;
    col_block = '0;
    if (PerBankRefresh) begin
      ref_want = (ref_pend_q != 4'd0);
      if (ref_want) act_block[ref_bank_q] = 1'b1;
      if (ref_force) col_block[ref_bank_q] = 1'b1;
    end else begin
      ref_want = ref_force || ((ref_pend_q != 4'd0) && (cnt_q == '0));
      if (ref_want) act_block = '1;
      if (ref_force) col_block = '1;
    end

    // ---- column command: oldest schedulable row hit ----
    col_fire = 1'b0;
    col_sel  = '0;
    for (int i = int'(QueueDepth) - 1; i >= 0; i--) begin
      b  = e_bank_q[i];
      g  = b[3:2];
      ok = e_cand[i] && e_hit[i] && !col_block[b] && !starve_blk[i] && (rcd_cnt_q[b] == 16'd0) &&
           (ccd_s_q == 16'd0) && (ccd_l_q[g] == 16'd0) &&
           (e_we_q[i] ? (rtw_q == 16'd0) : ((wtr_s_q == 16'd0) && (wtr_l_q[g] == 16'd0)));
      if (ok) begin
        col_fire = 1'b1;
        col_sel  = IdxW'(i);
      end
    end
    // Auto-precharge when the row has no other taker and another row of the bank is wanted
    // (or the bank is next for per-bank refresh).
    other_hit = 1'b0;
    miss      = 1'b0;
    for (int i = 0; i < int'(QueueDepth); i++) begin
      if (e_valid[i] && (IdxW'(i) != col_sel) && (e_bank_q[i] == e_bank_q[col_sel])) begin
        if (e_hit[i]) other_hit = 1'b1;
        else          miss      = 1'b1;
      end
    end
    if (PerBankRefresh && (ref_pend_q != 4'd0) && (e_bank_q[col_sel] == ref_bank_q)) miss = 1'b1;
    col_ap = col_fire && !other_hit && miss;

    // ---- row command: refresh first, then the oldest schedulable ACT or PRE ----
    ref_pre_fire = 1'b0;
    ref_fire     = 1'b0;
    if (PerBankRefresh) begin
      if (ref_want) begin
        if (bank_open_q[ref_bank_q]) begin
          ref_pre_fire = (pre_cnt_q[ref_bank_q] == 16'd0) &&
                         (ref_force || !cand_hit_bank[ref_bank_q]) &&
                         !(col_fire && (e_bank_q[col_sel] == ref_bank_q));
        end else begin
          ref_fire = (act_cnt_q[ref_bank_q] == 16'd0);
        end
      end
    end else begin
      if (ref_want) begin
        // Under force no column command issues, so PREA cannot race one.
        if (any_open) ref_pre_fire = all_pre_ok && !col_fire;
        else          ref_fire     = all_act_ok;
      end
    end

    row_fire   = 1'b0;
    row_is_act = 1'b0;
    row_sel    = '0;
    if (!ref_pre_fire && !ref_fire) begin
      for (int i = int'(QueueDepth) - 1; i >= 0; i--) begin
        b = e_bank_q[i];
        g = b[3:2];
        if (e_cand[i] && !bank_open_q[b] && !act_block[b] && (act_cnt_q[b] == 16'd0) &&
            (rrd_s_q == 16'd0) && (rrd_l_q[g] == 16'd0) && (faw_q[faw_ptr_q] == 16'd0)) begin
          row_fire   = 1'b1;
          row_is_act = 1'b1;
          row_sel    = IdxW'(i);
        end else if (e_cand[i] && bank_open_q[b] && !e_hit[i] && !cand_hit_bank[b] &&
                     (pre_cnt_q[b] == 16'd0) && !(col_fire && (e_bank_q[col_sel] == b))) begin
          row_fire   = 1'b1;
          row_is_act = 1'b0;
          row_sel    = IdxW'(i);
        end
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Next state
  // ---------------------------------------------------------------------------------------
  always_comb begin
    logic [3:0]      b;
    logic [1:0]      g;
    logic [CntW-1:0] base;
    logic [CntW-1:0] ndep;
    int unsigned     src;

    b           = '0;
    g           = '0;
    ndep        = '0;
    src         = 0;
    slot_used_d = slot_used_q;
    wr_cnt_d    = wr_cnt_q;
    e_we_d      = e_we_q;
    e_bank_d    = e_bank_q;
    e_row_d     = e_row_q;
    e_col_d     = e_col_q;
    e_tag_d     = e_tag_q;
    e_slot_d    = e_slot_q;
    e_hasdep_d  = e_hasdep_q;
    e_age_d     = e_age_q;
    e_dep_d     = e_dep_q;
    // Write-data slot for a new write: the lowest free one.
    alloc_slot = '0;
    for (int i = int'(QueueDepth) - 1; i >= 0; i--) begin
      if (!slot_used_q[i]) alloc_slot = IdxW'(i);
    end
    sel_wbuf = wbuf_q[e_slot_q[col_sel]];

    // ---- timers: count down ----
    for (int k = 0; k < int'(NumBanks); k++) begin
      act_cnt_d[k] = dec(act_cnt_q[k]);
      pre_cnt_d[k] = dec(pre_cnt_q[k]);
      rcd_cnt_d[k] = dec(rcd_cnt_q[k]);
    end
    bank_open_d = bank_open_q;
    bank_row_d  = bank_row_q;
    rrd_s_d     = dec(rrd_s_q);
    ccd_s_d     = dec(ccd_s_q);
    wtr_s_d     = dec(wtr_s_q);
    rtw_d       = dec(rtw_q);
    for (int k = 0; k < 4; k++) begin
      rrd_l_d[k] = dec(rrd_l_q[k]);
      faw_d[k]   = dec(faw_q[k]);
      ccd_l_d[k] = dec(ccd_l_q[k]);
      wtr_l_d[k] = dec(wtr_l_q[k]);
    end
    faw_ptr_d  = faw_ptr_q;

    // ---- refresh bookkeeping ----
    refi_d     = dec(refi_q);
    ref_pend_d = ref_pend_q;
    ref_bank_d = ref_bank_q;
    if (refi_q == 16'd0) begin
      refi_d = TRefi - 16'd1;
      if (ref_pend_q != 4'hf) ref_pend_d = ref_pend_q + 4'd1;
    end
    if (ref_fire) begin
      ref_pend_d = ref_pend_d - 4'd1;
      if (PerBankRefresh) ref_bank_d = ref_bank_q + 4'd1;
    end

    // ---- PHY command registers ----
    row_valid_d = 1'b0;
    row_cmd_d   = '0;
    row_bank_d  = '0;
    row_addr_d  = '0;
    col_valid_d = 1'b0;
    col_cmd_d   = '0;
    col_bank_d  = '0;
    col_addr_d  = '0;
    col_wbuf_d  = '0;

    // Row command (applied before the column command of the same cycle).
    if (ref_pre_fire) begin
      row_valid_d = 1'b1;
      if (PerBankRefresh) begin
        row_cmd_d   = RowPre;
        row_bank_d  = ref_bank_q;
        bank_open_d[ref_bank_q] = 1'b0;
        act_cnt_d[ref_bank_q]   = tmax(act_cnt_d[ref_bank_q], Timing.tRP);
      end else begin
        row_cmd_d   = RowPreA;
        bank_open_d = '0;
        for (int k = 0; k < int'(NumBanks); k++) act_cnt_d[k] = tmax(act_cnt_d[k], Timing.tRP);
      end
    end else if (ref_fire) begin
      row_valid_d = 1'b1;
      if (PerBankRefresh) begin
        row_cmd_d  = RowRefPb;
        row_bank_d = ref_bank_q;
        act_cnt_d[ref_bank_q] = tmax(act_cnt_d[ref_bank_q], Timing.tRFCSB);
      end else begin
        row_cmd_d = RowRef;
        for (int k = 0; k < int'(NumBanks); k++) act_cnt_d[k] = tmax(act_cnt_d[k], Timing.tRFC);
      end
    end else if (row_fire) begin
      b           = e_bank_q[row_sel];
      g           = b[3:2];
      row_valid_d = 1'b1;
      row_bank_d  = b;
      if (row_is_act) begin
        row_cmd_d      = RowAct;
        row_addr_d     = e_row_q[row_sel];
        bank_open_d[b] = 1'b1;
        bank_row_d[b]  = e_row_q[row_sel];
        act_cnt_d[b]   = tmax(act_cnt_d[b], Timing.tRC);
        pre_cnt_d[b]   = tmax(pre_cnt_d[b], Timing.tRAS);
        rcd_cnt_d[b]   = tmax(rcd_cnt_d[b], Timing.tRCD);
        rrd_s_d        = tmax(rrd_s_d, Timing.tRRD_S);
        rrd_l_d[g]     = tmax(rrd_l_d[g], Timing.tRRD_L);
        faw_d[faw_ptr_q] = tmax(faw_d[faw_ptr_q], Timing.tFAW);
        faw_ptr_d      = faw_ptr_q + 2'd1;
      end else begin
        row_cmd_d      = RowPre;
        bank_open_d[b] = 1'b0;
        act_cnt_d[b]   = tmax(act_cnt_d[b], Timing.tRP);
      end
    end

    // Column command.
    if (col_fire) begin
      b           = e_bank_q[col_sel];
      g           = b[3:2];
      col_valid_d = 1'b1;
      col_bank_d  = b;
      col_addr_d  = e_col_q[col_sel];
      ccd_s_d     = tmax(ccd_s_d, TCcdS);
      ccd_l_d[g]  = tmax(ccd_l_d[g], TCcdL);
      if (e_we_q[col_sel]) begin
        col_cmd_d  = col_ap ? ColWrA : ColWr;
        col_wbuf_d = sel_wbuf;
        wtr_s_d    = tmax(wtr_s_d, TWtrS);
        wtr_l_d[g] = tmax(wtr_l_d[g], TWtrL);
        pre_cnt_d[b] = tmax(pre_cnt_d[b], TWrPre);
        if (col_ap) begin
          bank_open_d[b] = 1'b0;
          act_cnt_d[b]   = tmax(act_cnt_d[b],
                                ((pre_cnt_q[b] > TWrPre) ? pre_cnt_q[b] : TWrPre) + Timing.tRP);
        end
      end else begin
        col_cmd_d    = col_ap ? ColRdA : ColRd;
        rtw_d        = tmax(rtw_d, TRtw);
        pre_cnt_d[b] = tmax(pre_cnt_d[b], Timing.tRTP);
        if (col_ap) begin
          bank_open_d[b] = 1'b0;
          act_cnt_d[b]   = tmax(act_cnt_d[b],
                                ((pre_cnt_q[b] > Timing.tRTP) ? pre_cnt_q[b] : Timing.tRTP) +
                                Timing.tRP);
        end
      end
    end

    // Writes issued since write mode was entered (saturating).
    wr_batch_d = wr_batch_q;
    if (mode_q != ModeWrite) wr_batch_d = '0;
    else if (col_fire && e_we_q[col_sel] && (wr_batch_q != '1)) wr_batch_d = wr_batch_q + CntW'(1);

    // ---- queue: remove the column command's entry, age, resolve hazards, append ----
    if (col_fire && e_we_q[col_sel]) begin
      slot_used_d[e_slot_q[col_sel]] = 1'b0;
      wr_cnt_d = wr_cnt_d - CntW'(1);
    end
    for (int i = 0; i < int'(QueueDepth); i++) begin
      src = (col_fire && (i >= int'(col_sel))) ? i + 1 : i;
      if (src < QueueDepth) begin
        e_we_d[i]     = e_we_q[src];
        e_bank_d[i]   = e_bank_q[src];
        e_row_d[i]    = e_row_q[src];
        e_col_d[i]    = e_col_q[src];
        e_tag_d[i]    = e_tag_q[src];
        e_slot_d[i]   = e_slot_q[src];
        e_hasdep_d[i] = e_hasdep_q[src];
        e_age_d[i]    = (e_age_q[src] == '1) ? e_age_q[src] : e_age_q[src] + AgeW'(1);
        ndep          = e_dep_q[src];
        if (col_fire && (e_bank_q[src] == e_bank_q[col_sel]) &&
            (e_row_q[src] == e_row_q[col_sel]) &&
            (e_col_q[src] == e_col_q[col_sel]) && (e_we_q[src] || e_we_q[col_sel]) &&
            (ndep != '0)) begin
          ndep = ndep - CntW'(1);
        end
        e_dep_d[i] = ndep;
      end else begin
        e_we_d[i]     = 1'b0;
        e_bank_d[i]   = '0;
        e_row_d[i]    = '0;
        e_col_d[i]    = '0;
        e_tag_d[i]    = '0;
        e_slot_d[i]   = '0;
        e_hasdep_d[i] = 1'b0;
        e_age_d[i]    = '0;
        e_dep_d[i]    = '0;
      end
    end
    base  = col_fire ? cnt_q - CntW'(1) : cnt_q;
    cnt_d = base;
    if (enq) begin
      // Count the older same-address requests the new one must wait for.
      ndep = '0;
      for (int i = 0; i < int'(QueueDepth); i++) begin
        if ((CntW'(i) < base) && (e_bank_d[i] == {req_bg_i, req_ba_i}) &&
            (e_row_d[i] == req_row_i) && (e_col_d[i] == req_col_i) && (e_we_d[i] || req_we_i)) begin
          ndep          = ndep + CntW'(1);
          e_hasdep_d[i] = 1'b1;
        end
      end
      e_we_d[base[IdxW-1:0]]     = req_we_i;
      e_bank_d[base[IdxW-1:0]]   = {req_bg_i, req_ba_i};
      e_row_d[base[IdxW-1:0]]    = req_row_i;
      e_col_d[base[IdxW-1:0]]    = req_col_i;
      e_tag_d[base[IdxW-1:0]]    = req_tag_i;
      e_slot_d[base[IdxW-1:0]]   = alloc_slot;
      e_hasdep_d[base[IdxW-1:0]] = 1'b0;
      e_age_d[base[IdxW-1:0]]    = '0;
      e_dep_d[base[IdxW-1:0]]    = ndep;
      cnt_d = base + CntW'(1);
      if (req_we_i) begin
        slot_used_d[alloc_slot] = 1'b1;
        wr_cnt_d = wr_cnt_d + CntW'(1);
      end
    end
  end

  // ---------------------------------------------------------------------------------------
  // Read tags: pushed at RD issue, popped when the data returns (same order).
  // ---------------------------------------------------------------------------------------
  assign tag_push = col_fire && !e_we_q[col_sel];
  assign tag_pop  = phy_rd_valid_i;

  qilin_fifo #(
    .Width(TagW),
    .Depth(RdTagDepth)
  ) u_rd_tags (
    .clk_i,
    .rst_ni,
    .flush_i    (1'b0),
    .in_valid_i (tag_push),
    .in_ready_o (tag_full_n),
    .in_data_i  (e_tag_q[col_sel]),
    .out_valid_o(tag_valid),
    .out_ready_i(tag_pop),
    .out_data_o (tag_head),
    .count_o    (tag_count)
  );

  // ---------------------------------------------------------------------------------------
  // Registers
  // ---------------------------------------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q       <= '0;
      e_we_q      <= '0;
      e_bank_q    <= '0;
      e_row_q     <= '0;
      e_col_q     <= '0;
      e_tag_q     <= '0;
      e_slot_q    <= '0;
      e_dep_q     <= '0;
      e_hasdep_q  <= '0;
      e_age_q     <= '0;
      slot_used_q <= '0;
      wr_cnt_q    <= '0;
      mode_q      <= ModeRead;
      wr_batch_q  <= '0;
      bank_open_q <= '0;
      bank_row_q  <= '0;
      act_cnt_q   <= '0;
      pre_cnt_q   <= '0;
      rcd_cnt_q   <= '0;
      rrd_s_q     <= '0;
      rrd_l_q     <= '0;
      faw_q       <= '0;
      faw_ptr_q   <= '0;
      ccd_s_q     <= '0;
      ccd_l_q     <= '0;
      wtr_s_q     <= '0;
      wtr_l_q     <= '0;
      rtw_q       <= '0;
      refi_q      <= TRefi - 16'd1;
      ref_pend_q  <= '0;
      ref_bank_q  <= '0;
      row_valid_q <= 1'b0;
      row_cmd_q   <= '0;
      row_bank_q  <= '0;
      row_addr_q  <= '0;
      col_valid_q <= 1'b0;
      col_cmd_q   <= '0;
      col_bank_q  <= '0;
      col_addr_q  <= '0;
      col_wbuf_q  <= '0;
      rsp_valid_q <= 1'b0;
      rsp_tag_q   <= '0;
      rsp_data_q  <= '0;
    end else begin
      cnt_q       <= cnt_d;
      e_we_q      <= e_we_d;
      e_bank_q    <= e_bank_d;
      e_row_q     <= e_row_d;
      e_col_q     <= e_col_d;
      e_tag_q     <= e_tag_d;
      e_slot_q    <= e_slot_d;
      e_dep_q     <= e_dep_d;
      e_hasdep_q  <= e_hasdep_d;
      e_age_q     <= e_age_d;
      slot_used_q <= slot_used_d;
      wr_cnt_q    <= wr_cnt_d;
      mode_q      <= mode_d;
      wr_batch_q  <= wr_batch_d;
      bank_open_q <= bank_open_d;
      bank_row_q  <= bank_row_d;
      act_cnt_q   <= act_cnt_d;
      pre_cnt_q   <= pre_cnt_d;
      rcd_cnt_q   <= rcd_cnt_d;
      rrd_s_q     <= rrd_s_d;
      rrd_l_q     <= rrd_l_d;
      faw_q       <= faw_d;
      faw_ptr_q   <= faw_ptr_d;
      ccd_s_q     <= ccd_s_d;
      ccd_l_q     <= ccd_l_d;
      wtr_s_q     <= wtr_s_d;
      wtr_l_q     <= wtr_l_d;
      rtw_q       <= rtw_d;
      refi_q      <= refi_d;
      ref_pend_q  <= ref_pend_d;
      ref_bank_q  <= ref_bank_d;
      row_valid_q <= row_valid_d;
      row_cmd_q   <= row_cmd_d;
      row_bank_q  <= row_bank_d;
      row_addr_q  <= row_addr_d;
      col_valid_q <= col_valid_d;
      col_cmd_q   <= col_cmd_d;
      col_bank_q  <= col_bank_d;
      col_addr_q  <= col_addr_d;
      col_wbuf_q  <= col_wbuf_d;
      rsp_valid_q <= phy_rd_valid_i;
      rsp_tag_q   <= phy_rd_valid_i ? tag_head : rsp_tag_q;
      rsp_data_q  <= phy_rd_valid_i ? phy_rd_data_i : rsp_data_q;
    end
  end

  // Write-data slots: no reset, read only where slot_used says they were written.
  always_ff @(posedge clk_i) begin
    if (enq && req_we_i) wbuf_q[alloc_slot] <= {req_wdata_i, req_wmask_i};
  end

  assign rsp_valid_o     = rsp_valid_q;
  assign rsp_tag_o       = rsp_tag_q;
  assign rsp_data_o      = rsp_data_q;
  assign phy_row_valid_o = row_valid_q;
  assign phy_row_cmd_o   = row_cmd_q;
  assign phy_row_bg_o    = row_bank_q[3:2];
  assign phy_row_ba_o    = row_bank_q[1:0];
  assign phy_row_addr_o  = row_addr_q;
  assign phy_col_valid_o = col_valid_q;
  assign phy_col_cmd_o   = col_cmd_q;
  assign phy_col_bg_o    = col_bank_q[3:2];
  assign phy_col_ba_o    = col_bank_q[1:0];
  assign phy_col_addr_o  = col_addr_q;
  assign phy_wdata_o     = col_wbuf_q[WbufW-1:32];
  assign phy_wmask_o     = col_wbuf_q[31:0];
  assign wr_mode_o       = (mode_q == ModeWrite);
  assign ref_pending_o   = ref_pend_q;
  assign queue_count_o   = cnt_q;

`ifndef SYNTHESIS
  initial begin
    if (QueueDepth < 2 || (QueueDepth & (QueueDepth - 1)) != 0)
      $fatal(1, "hbm_pc_ctrl: QueueDepth must be a power of two >= 2");
    if (WrLow >= WrHigh || WrHigh > QueueDepth)
      $fatal(1, "hbm_pc_ctrl: need WrLow < WrHigh <= QueueDepth");
    if (RefPostpone < 1 || RefPostpone > 8) $fatal(1, "hbm_pc_ctrl: RefPostpone must be 1..8");
  end
  // The read-tag FIFO is sized for every read in flight (CL + tBURST cycles / tCCD_S).
  always_ff @(posedge clk_i) begin
    if (tag_push && !tag_full_n) $error("hbm_pc_ctrl: read tag FIFO overflow");
    if (tag_pop && !tag_valid) $error("hbm_pc_ctrl: read data without an outstanding RD");
  end
`endif
endmodule
