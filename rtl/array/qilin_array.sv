// SPDX-License-Identifier: Apache-2.0
// Weight-stationary INT8 systolic array: streams rows of A against a double-buffered
// K x N weight tile and returns aligned rows of int32 results.
//
// Streams (all valid/ready; valid never waits on ready):
//   w_*  one weight row per beat, row 0 first; w_last_i ends a tile of K <= NumRows rows.
//        The array zero-fills rows K..NumRows-1 itself (one per cycle, w_ready_o low).
//   a_*  one row of A per beat (element r meets weight row r); a_last_i ends the tile's
//        stream. Tile j's activations use tile j's weights, in order.
//   o_*  one int32 result row per A row, in order; o_last_o marks a tile's final row.
//
// Overlap: tile j+1's weights load into the idle bank while tile j streams, and tile
// j+1's activations may start one cycle after its first weight row, because weight row
// r is only needed when the skewed activation wavefront reaches array row r. If the
// weight stream then falls behind that wavefront, the whole pipeline freezes until the
// row arrives, so any w_valid pattern is legal. Output backpressure never freezes the
// pipeline: activations are admitted only against free output-FIFO credits.
`include "qilin_assert.svh"

module qilin_array
#(
  parameter int unsigned NumRows      = 16,
  parameter int unsigned NumCols      = 16,
  // PEs in a row that share one activation register. 1 is a classic systolic row;
  // larger values cut the fill/drain latency (NumRows + NumCols/ColsPerStage) at the
  // cost of activation fan-out.
  parameter int unsigned ColsPerStage = 4,
  // 1: the weight producer tells a cycle ahead whether w_valid_i will be high
  // (w_valid_next_i), so the advance enable is a replicated register instead of logic
  // behind w_valid_i. 0: w_valid_next_i is ignored and the enable is combinational (any
  // producer, e.g. a testbench). Same cycle behaviour either way.
  parameter bit          WValidNext   = 1'b0,
  // Do not override.
  parameter int unsigned NumGroups    = NumCols / ColsPerStage,
  parameter int unsigned RowW         = $clog2(NumRows),
  parameter int unsigned CtrlDepth    = NumRows + NumGroups + 1,
  parameter int unsigned OutDepth     = NumRows + NumGroups + 3,
  parameter int unsigned CreditW      = $clog2(OutDepth + 1)
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // Weights.
  input  logic                           w_valid_i,
  output logic                           w_ready_o,
  // WValidNext only: w_valid_i of the next cycle, given this cycle's w_ready_o (for a FIFO:
  // count after this cycle's push and pop is non-zero).
  input  logic                           w_valid_next_i,
  input  logic [NumCols-1:0][qilin_pkg::DataW-1:0]  w_data_i,
  input  logic [NumCols-1:0][qilin_pkg::ZpW-1:0]    w_zp_i,     // per column, signed
  input  logic                           w_signed_i,
  input  logic                           w_last_i,
  // Activations.
  input  logic                           a_valid_i,
  output logic                           a_ready_o,
  input  logic [NumRows-1:0][qilin_pkg::DataW-1:0]  a_data_i,
  input  logic [qilin_pkg::ZpW-1:0]                 a_zp_i,     // signed
  input  logic                           a_signed_i,
  input  logic                           a_last_i,
  // Results.
  output logic                           o_valid_o,
  input  logic                           o_ready_i,
  output logic [NumCols-1:0][qilin_pkg::AccW-1:0]   o_data_o,
  output logic                           o_last_o,
  // Something is in flight or a weight tile is part-loaded.
  output logic                           busy_o
);
  localparam int unsigned OpW = qilin_pkg::OpW;
  localparam int unsigned AccW = qilin_pkg::AccW;
  localparam int unsigned DataW = qilin_pkg::DataW;
  localparam int unsigned ZpW = qilin_pkg::ZpW;
  localparam int unsigned MaxRowsExact = qilin_pkg::MaxRowsExact;


  // ---------------------------------------------------------------------------------
  // Tile bookkeeping. wt_idx_q is the weight tile loading next, act_idx_q the
  // activation tile streaming next; tile j uses bank j[0]. Their difference is in
  // {-1, 0, 1, 2}: -1 activations wait for weights, 0 the tile's weights are loading,
  // 1 they are loaded, 2 both banks are full and weight loading waits.
  // ---------------------------------------------------------------------------------
  logic [1:0]         wt_idx_q, wt_idx_d, act_idx_q, act_idx_d, wt_ahead;
  logic [RowW-1:0]    wr_row_q, wr_row_d;       // next weight row to write
  logic               zfill_q, zfill_d;         // generating zero rows after w_last
  logic               wt_used_q, wt_used_d;     // the loading tile's activations started
  logic [RowW:0]      elapsed_q, elapsed_d;     // advances since that first activation
  logic [CreditW-1:0] credit_q, credit_d;       // rows admitted and not yet popped

  logic en;           // pipeline advance (control copy; see "Advance enable" below)
  logic en_now;       // the same, as logic of this cycle's state and w_valid_i
  logic late;         // weight row due now is missing: freeze
  logic w_can, row_avail, w_fire, w_fire_now, w_tile_end;
  logic a_can, a_fire, o_fire, push;
  logic [RowW:0] rows_by_end, rows_needed;
  // The weight writer is short of the wavefront by at least 1 / 2 rows (before this cycle's
  // row): a function of the registered state, computed from its next value and registered so
  // that en_now is two gates from flops and w_valid_i (and, with WValidNext, so that the
  // next cycle's enable can be registered, see below).
  logic          short1_q, short2_q, short1_d, short2_d;

  assign wt_ahead  = wt_idx_q - act_idx_q;
  // w_can == (wt_ahead != 2), registered from the next state so that w_fire, the weight
  // writes and a_can are a gate or two from flops (WCanRetimed_A).
  logic w_can_q, w_can_d;
  assign w_can     = w_can_q;
  assign row_avail = w_can && (zfill_q || w_valid_i);

  // Weight row r must be written before the wavefront of the tile's first activation
  // reaches array row r, i.e. by the end of advance (r - 1) after that activation.
  assign rows_by_end = {1'b0, wr_row_q} + (RowW+1)'(row_avail);
  assign rows_needed = (elapsed_q + (RowW+1)'(2) < (RowW+1)'(NumRows))
                     ? elapsed_q + (RowW+1)'(2) : (RowW+1)'(NumRows);
  // late == wt_used_q && (rows_by_end < rows_needed), with the comparison against the
  // registered state done a cycle ahead (short*_q).
  assign late        = short2_q || (short1_q && !row_avail);
  assign en_now      = !late;

  // short1 / short2 of the next state. A frozen cycle (en low) changes no state, so they
  // hold; otherwise they come from the next state as it is when en is high (*_adv, which
  // the always_comb below computes without en, so en is only the final select).
  // The late input here is a_valid_i (a FIFO's valid): the next state is computed for both
  // values of a_fire_adv from registers, and a_fire_adv only selects (gen_adv).
  // ra_g / a_can_g / credit_ok_g: row_avail, a_can and the credit test, as registers with
  // WValidNext (equal to the originals whenever en is high, the only time they are used).
  logic              wt_used_adv, a_fire_adv, w_fire_adv;
  logic [RowW:0]     elapsed_adv;
  logic [RowW-1:0]   wr_row_adv;
  logic              short1_adv, short2_adv;
  logic              ra_g, a_can_g, credit_ok_g;
  logic              wt_used_k [2];
  logic [RowW:0]     elapsed_k [2];
  logic [1:0]        short1_k, short2_k;
  assign w_fire_adv = ra_g;
  assign a_fire_adv = a_valid_i && a_can_g && credit_ok_g;
  assign wr_row_adv = !w_fire_adv ? wr_row_q
                    : (wr_row_q == RowW'(NumRows - 1)) ? '0 : wr_row_q + RowW'(1);
  for (genvar k = 0; k < 2; k++) begin : gen_adv
    logic [RowW:0] need;
    always_comb begin
      wt_used_k[k] = wt_used_q;
      elapsed_k[k] = elapsed_q;
      if (wt_used_q && (elapsed_q != (RowW+1)'(NumRows))) elapsed_k[k] = elapsed_q + 1'b1;
      if ((k == 1) && (wt_ahead == 2'd0) && !wt_used_q) begin
        wt_used_k[k] = 1'b1;
        elapsed_k[k] = (RowW+1)'(1);
      end
      if (w_fire_adv && (wr_row_q == RowW'(NumRows - 1))) wt_used_k[k] = 1'b0;
      need        = (elapsed_k[k] + (RowW+1)'(2) < (RowW+1)'(NumRows))
                  ? elapsed_k[k] + (RowW+1)'(2) : (RowW+1)'(NumRows);
      short1_k[k] = wt_used_k[k] && ({1'b0, wr_row_adv} < need);
      short2_k[k] = wt_used_k[k] && ({1'b0, wr_row_adv} + (RowW+1)'(1) < need);
    end
  end
  assign wt_used_adv = wt_used_k[a_fire_adv];
  assign elapsed_adv = elapsed_k[a_fire_adv];
  assign short1_adv  = short1_k[a_fire_adv];
  assign short2_adv  = short2_k[a_fire_adv];
  assign short1_d = en ? short1_adv : short1_q;
  assign short2_d = en ? short2_adv : short2_q;

  assign w_fire_now = en && row_avail;   // w_fire is this, or (WValidNext) a register of it
  assign w_ready_o  = en && w_can && !zfill_q;
  assign w_tile_end = w_fire && (wr_row_q == RowW'(NumRows - 1));

  // A tile whose weights are still loading may start once one row is in and the next
  // arrives no later than this cycle.
  always_comb begin
    unique case (wt_ahead)
      2'd1, 2'd2: a_can = 1'b1;
      2'd0:       a_can = wt_used_q || ((wr_row_q != '0) && (rows_by_end >= (RowW+1)'(2)));
      default:    a_can = 1'b0;
    endcase
  end
  assign a_ready_o = en && a_can_g && credit_ok_g;
  assign a_fire    = a_valid_i && a_ready_o;

  always_comb begin
    wt_idx_d  = wt_idx_q;
    wr_row_d  = wr_row_q;
    zfill_d   = zfill_q;
    wt_used_d = wt_used_q;
    elapsed_d = elapsed_q;
    act_idx_d = act_idx_q;

    if (w_fire) begin
      if (w_tile_end) begin
        wr_row_d = '0;
        zfill_d  = 1'b0;
        wt_idx_d = wt_idx_q + 2'd1;
      end else begin
        wr_row_d = wr_row_q + RowW'(1);
        if (w_last_i && !zfill_q) zfill_d = 1'b1;
      end
    end

    if (en && wt_used_q && (elapsed_q != (RowW+1)'(NumRows))) elapsed_d = elapsed_q + 1'b1;
    if (a_fire && (wt_ahead == 2'd0) && !wt_used_q) begin
      wt_used_d = 1'b1;
      elapsed_d = (RowW+1)'(1);
    end
    if (w_tile_end) wt_used_d = 1'b0;

    if (a_fire && a_last_i) act_idx_d = act_idx_q + 2'd1;
  end

  assign w_can_d = ((wt_idx_d - act_idx_d) != 2'd2);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_can_q   <= 1'b1;
      wt_idx_q  <= '0;
      act_idx_q <= '0;
      wr_row_q  <= '0;
      zfill_q   <= 1'b0;
      wt_used_q <= 1'b0;
      elapsed_q <= '0;
      credit_q  <= '0;
      short1_q  <= 1'b0;
      short2_q  <= 1'b0;
    end else begin
      w_can_q   <= w_can_d;
      wt_idx_q  <= wt_idx_d;
      act_idx_q <= act_idx_d;
      wr_row_q  <= wr_row_d;
      zfill_q   <= zfill_d;
      wt_used_q <= wt_used_d;
      elapsed_q <= elapsed_d;
      credit_q  <= credit_d;
      short1_q  <= short1_d;
      short2_q  <= short2_d;
    end
  end

  assign credit_d = credit_q + CreditW'(a_fire) - CreditW'(o_fire);

  // ---------------------------------------------------------------------------------
  // Advance enable. It clocks every register of the array, so with WValidNext it is next
  // cycle's en_now computed from the next state and registered, in copies (one per PE
  // group of a row, per row skew, per weight-line stage, per deskew group, one for the
  // control) so that none drives more than a few hundred flops. (* keep *) stops Yosys from
  // merging the identical copies back into one.
  // ---------------------------------------------------------------------------------
  localparam int unsigned EnPe    = 1;                           // first PE copy
  localparam int unsigned EnSkew  = EnPe + NumRows * NumGroups;  // first skew copy
  localparam int unsigned EnWl    = EnSkew + NumRows;            // first weight-line copy
  localparam int unsigned EnDsk   = EnWl + NumGroups;            // first deskew copy
  localparam int unsigned EnLa    = EnDsk + NumGroups;           // the look-ahead's copy
  localparam int unsigned EnCopies = EnLa + 1;

  logic en_pe   [NumRows][NumGroups];  // PE group g of row r, and its activation register
  logic en_skew [NumRows];             // row r's input skew
  logic en_wl   [NumGroups];           // weight line stage g, group g's weight writes
  logic en_dsk  [NumGroups];           // output deskew of group g's columns
  logic [EnCopies-1:0] en_rep;

  if (WValidNext) begin : gen_en_reg
    // en_now of the next cycle: short*_d are next cycle's short*_q, and row_avail needs
    // next cycle's w_can, zfill and w_valid_i (the reference form, for the assertion).
    logic [1:0] wt_ahead_d;
    logic       row_avail_d, en_d, en_d_ref;
    assign wt_ahead_d  = wt_idx_d - act_idx_d;
    assign row_avail_d = (wt_ahead_d != 2'd2) && (zfill_d || w_valid_next_i);
    assign en_d_ref    = !(short2_d || (short1_d && !row_avail_d));

    // The same, built so that the late inputs are a few gates from the registers: a_valid_i
    // (FIFO count), a_last_i and w_last_i (FIFO heads, LUT RAM) and w_valid_next_i.
    // Everything else comes from registers, evaluated for each value k of a_valid_i; the
    // inputs only select:
    //   en_d = sure || (cond && w_can_d(a_last_i) && (zfill_d(w_last_i) || w_valid_next_i))
    // w_fire is registered the same way (w_fire_d = en_d && row_avail_d), and row_avail
    // below is w_fire_q: the cases only use it when en is high, where the two agree.
    // The shortfall after an advance that neither starts nor ends the tile's wavefront is
    // registered a cycle ahead as well (look_q, like short*_q), and so is credit_q's limit:
    //   look_q[j] = wt_used_q && (wr_row_q + j + 1 <= min(elapsed_q + 3, NumRows)),
    // so short1 / short2 after that advance are look_q[ra] / look_q[ra + 1].
    // look_q[3] / look_q[4]: look_q[1] / look_q[2] unless wr_row_q is the tile's last row
    // (short1 / short2 after an advance with a weight row, which then ends the tile, is 0).
    logic [4:0] look_q, look_d, look_adv;
    logic [4:0] look_k [2];
    logic       credit_ok_q, credit_ok_d;
    for (genvar k = 0; k < 2; k++) begin : gen_look
      logic [RowW+1:0] need2;
      always_comb begin
        need2 = ({1'b0, elapsed_k[k]} + (RowW+2)'(3) < (RowW+2)'(NumRows))
              ? {1'b0, elapsed_k[k]} + (RowW+2)'(3) : (RowW+2)'(NumRows);
        for (int j = 0; j < 3; j++) begin
          look_k[k][j] = wt_used_k[k] && ((RowW+2)'(wr_row_adv) + (RowW+2)'(j + 1) <= need2);
        end
        look_k[k][4:3] = (wr_row_adv == RowW'(NumRows - 1)) ? 2'b00 : look_k[k][2:1];
      end
    end
    assign look_adv    = look_k[a_fire_adv];
    assign look_d      = en ? look_adv : look_q;
    // credit_d < OutDepth for each of credit_q - 1, credit_q, credit_q + 1 from the register;
    // a_fire and o_fire only select.
    logic ok_dec, ok_same, ok_inc;
    assign ok_dec      = (credit_q - CreditW'(1) < CreditW'(OutDepth));
    assign ok_same     = (credit_q < CreditW'(OutDepth));
    assign ok_inc      = (credit_q + CreditW'(1) < CreditW'(OutDepth));
    assign credit_ok_d = (a_fire == o_fire) ? ok_same : a_fire ? ok_inc : ok_dec;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        look_q      <= '0;
        credit_ok_q <= 1'b1;
      end else begin
        look_q      <= look_d;
        credit_ok_q <= credit_ok_d;
      end
    end

    // Decodes of wt_ahead and wr_row_q that the cases use, registered from the next state
    // (FlagsRetimed_A) so the cases are a couple of gates from flops.
    logic [3:0] ahead_oh_q, ahead_oh_d;   // one-hot wt_ahead
    logic       last_q, last_d;           // wr_row_q == NumRows - 1
    logic       wr_ge2_q, wr_ge2_d, wr_eq1_q, wr_eq1_d;
    logic [1:0] start1_q, start1_d, start2_q, start2_d;  // short1 / short2 after an advance
                                                         // that starts the wavefront, per ra
    function automatic logic [6:0] wr_flags(input logic [RowW-1:0] wr);
      logic [6:0] fl;
      fl[0] = (wr == RowW'(NumRows - 1));
      fl[1] = ({1'b0, wr} >= (RowW+1)'(2));
      fl[2] = (wr == RowW'(1));
      for (int f = 0; f < 2; f++) begin
        fl[3 + f] = ((RowW+1)'(wr) + (RowW+1)'(f) < (RowW+1)'(NumRows < 3 ? NumRows : 3));
        fl[5 + f] = ((RowW+1)'(wr) + (RowW+1)'(f + 1) < (RowW+1)'(NumRows < 3 ? NumRows : 3));
      end
      wr_flags = fl;
    endfunction
    assign ahead_oh_d = 4'b0001 << wt_ahead_d;
    assign {start2_d, start1_d, wr_eq1_d, wr_ge2_d, last_d} = wr_flags(wr_row_d);
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ahead_oh_q <= 4'b0001;
        {start2_q, start1_q, wr_eq1_q, wr_ge2_q, last_q} <= wr_flags('0);
      end else begin
        ahead_oh_q <= ahead_oh_d;
        {start2_q, start1_q, wr_eq1_q, wr_ge2_q, last_q} <=
          {start2_d, start1_d, wr_eq1_d, wr_ge2_d, last_d};
      end
    end
    `QILIN_ASSERT(FlagsRetimed_A, ahead_oh_q == (4'b0001 << wt_ahead) &&
                  {start2_q, start1_q, wr_eq1_q, wr_ge2_q, last_q} == wr_flags(wr_row_q),
                  clk_i, rst_ni)

    // Per value r of the weight row's fire (ra = w_fire_q), the terms the cases need, as one
    // decode of the registered state, registered from the next state (LaRetimed_A) so that the
    // cases below are a LUT or two from flops (te_r: ra = r ends the weight tile):
    //   acan[r]  a_can
    //   mst[r]   an A row would start the tile's wavefront (if the credit allows): may_start
    //            and a_can, not te_r
    //   a2_1     wt_ahead == 2 after a weight-tile end (r = 1); for r = 0 it is ahead_oh[2]
    //   a3c[r]   wt_ahead == 2 after the tile's last A row fires, given the credit
    localparam int unsigned LaW = 7;
    function automatic logic [LaW-1:0] la_flags(input logic [3:0] ah, input logic used,
                                                input logic [2:0] wrf);
      logic [1:0] acan, mst, a3c;
      logic       te;
      for (int r = 0; r < 2; r++) begin
        te     = (r == 1) && wrf[0];
        acan[r] = ah[1] || ah[2] || (ah[0] && (used || wrf[1] || (wrf[2] && (r == 1))));
        mst[r]  = !te && ah[0] && !used && (wrf[1] || (wrf[2] && (r == 1)));
        a3c[r]  = acan[r] ? (te ? ah[2] : ah[3]) : (te ? ah[1] : ah[2]);
      end
      la_flags = {a3c, (wrf[0] ? ah[1] : ah[2]), mst, acan};
    endfunction
    logic [LaW-1:0] la_q, la_d;
    logic [1:0]     acan_q, mst_q, lk1_q, lk2_q, a3c_q;
    logic           a2_1_q;
    assign la_d = la_flags(ahead_oh_d, wt_used_d, {wr_eq1_d, wr_ge2_d, last_d});
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) la_q <= la_flags(4'b0001, 1'b0, 3'b000);
      else         la_q <= la_d;
    end
    assign {a3c_q, a2_1_q, mst_q, acan_q} = la_q;
    // short1 / short2 after a plain advance, per ra (ra = 1 at the tile's last row: 0).
    assign lk1_q = {look_q[3], look_q[0]};
    assign lk2_q = {look_q[4], look_q[1]};
    `QILIN_ASSERT(LaRetimed_A, la_q == la_flags(ahead_oh_q, wt_used_q,
                  {wr_eq1_q, wr_ge2_q, last_q}), clk_i, rst_ni)
    `QILIN_ASSERT(LookLast_A, look_q[4:3] == (last_q ? 2'b00 : look_q[2:1]), clk_i, rst_ni)

    // w_fire_q in two flops: one for the array's loads, one (ra_la) for the look-ahead, and
    // a copy of en (en_la) of its own, so the cases start from lightly loaded flops.
    logic [1:0] w_fire_rep;
    logic       w_fire_q, w_fire_d, ra_la, en_la;
    assign w_fire_q = w_fire_rep[0];
    assign ra_la    = w_fire_rep[1];
    assign en_la    = en_rep[EnLa];

    // a_can from the registered decodes (with en high, w_fire_q is row_avail).
    assign ra_g        = w_fire_q;
    assign a_can_g     = w_fire_q ? acan_q[1] : acan_q[0];
    assign credit_ok_g = credit_ok_q;
    `QILIN_ASSERT(ACanRetimed_A, !en || (a_can_g == a_can && ra_g == row_avail), clk_i, rst_ni)

    // The cases, for each value of a_valid_i (suffix 0 / 1): next short1 / short2 (frozen:
    // they hold), next w_can for a_last_i low (wc0) / high (wc1), next zfill for w_last_i
    // low / high (zf0 / zf1). en and ra only select among flops.
    logic s1_0, s2_0, s1_1, s2_1, wc0, wc1, zf0, zf1;
    logic [1:0] s1_1r, s2_1r, wc1r;
    for (genvar r = 0; r < 2; r++) begin : gen_case
      logic st;
      assign st       = credit_ok_q && mst_q[r];   // the A row starts the wavefront
      assign s1_1r[r] = st ? start1_q[r] : lk1_q[r];
      assign s2_1r[r] = st ? start2_q[r] : lk2_q[r];
      assign wc1r[r]  = !((credit_ok_q && a3c_q[r]) || (!credit_ok_q && (r == 1 ? a2_1_q
                                                                              : ahead_oh_q[2])));
    end
    assign s1_0 = !en_la ? short1_q : ra_la ? lk1_q[1] : lk1_q[0];
    assign s2_0 = !en_la ? short2_q : ra_la ? lk2_q[1] : lk2_q[0];
    assign s1_1 = !en_la ? short1_q : ra_la ? s1_1r[1] : s1_1r[0];
    assign s2_1 = !en_la ? short2_q : ra_la ? s2_1r[1] : s2_1r[0];
    assign wc0  = !((en_la && ra_la) ? a2_1_q : ahead_oh_q[2]);
    assign wc1  = !en_la ? !ahead_oh_q[2] : ra_la ? wc1r[1] : wc1r[0];
    assign zf0  = (en_la && ra_la) ? (!last_q && zfill_q) : zfill_q;
    assign zf1  = (en_la && ra_la) ? !last_q : zfill_q;

    logic s1_n, s2_n, wcan_n, wrow_n;
    assign s1_n     = a_valid_i ? s1_1 : s1_0;
    assign s2_n     = a_valid_i ? s2_1 : s2_0;
    assign wcan_n   = (a_valid_i && a_last_i) ? wc1 : wc0;
    assign wrow_n   = (w_last_i ? zf1 : zf0) || w_valid_next_i;   // next row_avail, but w_can
    assign en_d     = !s2_n && (!s1_n || (wcan_n && wrow_n));
    assign w_fire_d = !s2_n && wcan_n && wrow_n;
    // Reset 0: the weight input is idle in reset (WValidNext_A).
    qilin_keep_copies #(.N(2), .ResetVal(1'b0)) u_w_fire_copies (
      .clk_i, .rst_ni, .d_i(w_fire_d), .q_o(w_fire_rep)
    );
    assign w_fire = w_fire_q;
    `QILIN_ASSERT(WFireCopies_A, ra_la == w_fire_q, clk_i, rst_ni)
    `QILIN_ASSERT(WFireRegistered_A, w_fire_q == w_fire_now, clk_i, rst_ni)
    `QILIN_ASSERT(EnNext_A, en_d == en_d_ref, clk_i, rst_ni)
    `QILIN_ASSERT(CreditOk_A, credit_ok_q == (credit_q < CreditW'(OutDepth)), clk_i, rst_ni)
    for (genvar j = 0; j < 3; j++) begin : gen_look_check
      `QILIN_ASSERT(LookRetimed_A, look_q[j] == (wt_used_q && ((RowW+2)'(wr_row_q) + (RowW+2)'(j + 1)
                    <= (({1'b0, elapsed_q} + (RowW+2)'(3) < (RowW+2)'(NumRows))
                        ? {1'b0, elapsed_q} + (RowW+2)'(3) : (RowW+2)'(NumRows)))), clk_i, rst_ni)
    end

    // Reset to 1: short*_q reset to 0, so the first cycle advances.
    qilin_keep_copies #(.N(EnCopies), .ResetVal(1'b1)) u_en_copies (
      .clk_i, .rst_ni, .d_i(en_d), .q_o(en_rep)
    );
    for (genvar i = 0; i < EnCopies; i++) begin : gen_en_check
      `QILIN_ASSERT(EnRegistered_A, en_rep[i] == en_now, clk_i, rst_ni)
    end

    // The producer's look-ahead is right, so the registered enable is en_now every cycle.
    `QILIN_ASSERT(WValidNext_A, w_valid_i == $past(w_valid_next_i), clk_i, rst_ni)
  end else begin : gen_en_comb
    assign en_rep = {EnCopies{en_now}};
    assign w_fire = w_fire_now;
    assign ra_g        = row_avail;
    assign a_can_g     = a_can;
    assign credit_ok_g = (credit_q < CreditW'(OutDepth));
    logic unused_w_valid_next;
    assign unused_w_valid_next = w_valid_next_i;
  end

  assign en = en_rep[0];
  for (genvar r = 0; r < NumRows; r++) begin : gen_en_row
    assign en_skew[r] = en_rep[EnSkew + r];
    for (genvar g = 0; g < NumGroups; g++) begin : gen_en_grp
      assign en_pe[r][g] = en_rep[EnPe + r * NumGroups + g];
    end
  end
  for (genvar g = 0; g < NumGroups; g++) begin : gen_en_col
    assign en_wl[g]  = en_rep[EnWl + g];
    assign en_dsk[g] = en_rep[EnDsk + g];
  end

  // ---------------------------------------------------------------------------------
  // Operands minus zero points, at the edge so each PE multiplies only.
  // ---------------------------------------------------------------------------------

  logic [NumRows-1:0][OpW-1:0] a_op;
  logic [NumCols-1:0][OpW-1:0] w_op;
  for (genvar r = 0; r < NumRows; r++) begin : gen_a_op
    // Extend the raw byte by its signedness, then subtract the sign-extended zero point.
    assign a_op[r] = {{(OpW-DataW){a_signed_i & a_data_i[r][DataW-1]}}, a_data_i[r]}
                   - {{(OpW-ZpW){a_zp_i[ZpW-1]}}, a_zp_i};
  end
  for (genvar c = 0; c < NumCols; c++) begin : gen_w_op
    assign w_op[c] = zfill_q ? '0
                   : {{(OpW-DataW){w_signed_i & w_data_i[c][DataW-1]}}, w_data_i[c]}
                   - {{(OpW-ZpW){w_zp_i[c][ZpW-1]}}, w_zp_i[c]};
  end

  // ---------------------------------------------------------------------------------
  // Control line: {valid, last, bank} of each admitted row, one stage per advance.
  // Stage s is the row whose wavefront is on anti-diagonal s (array row + group); the
  // last two stages follow the final anti-diagonal through the PEs' multiplier registers.
  // ---------------------------------------------------------------------------------
  // Packed vectors rather than an array of structs: Yosys cannot select members of
  // unpacked struct arrays.
  logic ctrl_valid [CtrlDepth+1];
  logic ctrl_last  [CtrlDepth+1];
  logic ctrl_bank  [CtrlDepth+1];
  assign ctrl_valid[0] = a_fire;
  assign ctrl_last[0]  = a_last_i;
  assign ctrl_bank[0]  = act_idx_q[0];
  for (genvar s = 1; s <= CtrlDepth; s++) begin : gen_ctrl
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        ctrl_valid[s] <= 1'b0;
        ctrl_last[s]  <= 1'b0;
        ctrl_bank[s]  <= 1'b0;
      end else if (en) begin
        ctrl_valid[s] <= ctrl_valid[s-1];
        ctrl_last[s]  <= ctrl_last[s-1];
        ctrl_bank[s]  <= ctrl_bank[s-1];
      end
    end
  end

  // ---------------------------------------------------------------------------------
  // Weight write line: group g writes g advances after the row was accepted, matching
  // the activation's horizontal skew, so a bank is never overwritten under a tile that
  // still reads it.
  // ---------------------------------------------------------------------------------
  logic                        wl_valid [NumGroups];
  logic                        wl_bank  [NumGroups];
  logic [RowW-1:0]             wl_row  [NumGroups];
  logic [NumCols-1:0][OpW-1:0] wl_data [NumGroups];
  assign wl_valid[0] = w_fire;
  assign wl_row[0]   = wr_row_q;
  assign wl_bank[0]  = wt_idx_q[0];
  assign wl_data[0]  = w_op;
  for (genvar g = 1; g < NumGroups; g++) begin : gen_wline
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wl_valid[g] <= 1'b0;
        wl_row[g]   <= '0;
        wl_bank[g]  <= 1'b0;
        wl_data[g]  <= '0;
      end else if (en_wl[g]) begin
        wl_valid[g] <= wl_valid[g-1];
        wl_row[g]   <= wl_row[g-1];
        wl_bank[g]  <= wl_bank[g-1];
        wl_data[g]  <= wl_data[g-1];
      end
    end
  end

  // ---------------------------------------------------------------------------------
  // Input skew (row r waits r advances), the PE grid, and output deskew.
  // ---------------------------------------------------------------------------------
  logic [OpW-1:0]  a_grp   [NumRows][NumGroups];   // activation seen by group g of row r
  logic [AccW-1:0] psum    [NumRows+1][NumCols];   // psum[r] enters PE row r
  logic [NumCols-1:0][AccW-1:0] o_aligned;

  for (genvar r = 0; r < NumRows; r++) begin : gen_row
    qilin_delay #(.Width(OpW), .Depth(r)) u_skew (
      .clk_i, .rst_ni, .en_i(en_skew[r]), .d_i(a_op[r]), .q_o(a_grp[r][0])
    );
    for (genvar g = 1; g < NumGroups; g++) begin : gen_hreg
      qilin_delay #(.Width(OpW), .Depth(1)) u_hreg (
        .clk_i, .rst_ni, .en_i(en_pe[r][g]), .d_i(a_grp[r][g-1]), .q_o(a_grp[r][g])
      );
    end
    for (genvar c = 0; c < NumCols; c++) begin : gen_col
      localparam int unsigned G = c / ColsPerStage;
      qilin_pe u_pe (
        .clk_i,
        .rst_ni,
        .en_i     (en_pe[r][G]),
        .a_i      (a_grp[r][G]),
        .sel_i    (ctrl_bank[r + G]),
        .psum_i   (psum[r][c]),
        .psum_o   (psum[r+1][c]),
        .w_we_i   (wl_valid[G] && en_wl[G] && (wl_row[G] == RowW'(r))),
        .w_bank_i (wl_bank[G]),
        .w_i      (wl_data[G][c])
      );
    end
  end

  for (genvar c = 0; c < NumCols; c++) begin : gen_deskew
    assign psum[0][c] = '0;
    qilin_delay #(.Width(AccW), .Depth(NumGroups - 1 - c / ColsPerStage)) u_deskew (
      .clk_i, .rst_ni, .en_i(en_dsk[c / ColsPerStage]), .d_i(psum[NumRows][c]), .q_o(o_aligned[c])
    );
  end

  // ---------------------------------------------------------------------------------
  // Output FIFO. Credits guarantee room for every admitted row, so push never stalls.
  // ---------------------------------------------------------------------------------
  logic                          fifo_in_ready;
  logic [NumCols*AccW:0]         fifo_out;
  logic [$clog2(OutDepth+1)-1:0] unused_fifo_count;

  assign push = en && ctrl_valid[CtrlDepth];
  qilin_fifo #(.Width(NumCols * AccW + 1), .Depth(OutDepth)) u_out_fifo (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (push),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({ctrl_last[CtrlDepth], o_aligned}),
    .out_valid_o (o_valid_o),
    .out_ready_i (o_ready_i),
    .out_data_o  (fifo_out),
    .count_o     (unused_fifo_count)
  );
  assign {o_last_o, o_data_o} = fifo_out;
  assign o_fire = o_valid_o && o_ready_i;

  assign busy_o = (credit_q != '0) || (wr_row_q != '0) || zfill_q;

  // ---------------------------------------------------------------------------------
  // Assertions and elaboration checks.
  // ---------------------------------------------------------------------------------
  `QILIN_ASSERT_INIT(NumRowsMin_A, NumRows >= 2)
  `QILIN_ASSERT_INIT(ColsPerStageDivides_A, NumCols % ColsPerStage == 0)
  `QILIN_ASSERT_INIT(AccExact_A, NumRows <= MaxRowsExact)
  // Credits reserve a FIFO slot for every admitted row.
  `QILIN_ASSERT(OutFifoNoOverflow_A, !push || fifo_in_ready, clk_i, rst_ni)
  // The registered shortfall agrees with the direct comparison.
  `QILIN_ASSERT(LateRetimed_A, late == (wt_used_q && (rows_by_end < rows_needed)), clk_i, rst_ni)
  `QILIN_ASSERT(AdvanceState_A, !en || (wr_row_adv == wr_row_d && elapsed_adv == elapsed_d &&
                                        wt_used_adv == wt_used_d), clk_i, rst_ni)
  `QILIN_ASSERT(FrozenHolds_A, en || (wr_row_d == wr_row_q && elapsed_d == elapsed_q &&
                                      wt_used_d == wt_used_q), clk_i, rst_ni)
  `QILIN_ASSERT(WCanRetimed_A, w_can_q == (wt_ahead != 2'd2), clk_i, rst_ni)
  `QILIN_ASSERT(ActAfterWeights_A, !(a_fire && wt_ahead == 2'd3), clk_i, rst_ni)
  `QILIN_ASSERT(WeightTileFits_A,
                !(w_fire && !zfill_q && !w_last_i && wr_row_q == RowW'(NumRows - 1)),
                clk_i, rst_ni)

endmodule
