// SPDX-License-Identifier: Apache-2.0
// Per-lane requantiser: Lanes int32 accumulators per beat -> Lanes output bytes, bit-exact
// with golden::requantize (TFLite MultiplyByQuantizedMultiplier, docs/quantization.md).
//
// Streams (valid/ready; valid never depends on ready, data holds while valid && !ready):
//   in_*   one beat: per lane acc, bias, multiplier and shift; per beat bias_en, out_zp,
//          act_min, act_max (9-bit signed, the same encoding as every Qilin zero point) and
//          a last flag that is carried through unchanged.
//   out_*  one beat of Lanes raw bytes per input beat, in order, with its last flag.
//
// The datapath (qilin_requant_lane) is a free-running pipeline that never stalls. An
// input beat is admitted only while the output FIFO has a free slot reserved for it
// (credits), so backpressure on out_* loses nothing, and in_ready_o depends only on state.
// Latency from acceptance to out_valid_o is qilin_post_pkg::RequantLatency cycles when the
// FIFO is empty; with out_ready_i high the block takes and returns one beat per cycle.
`include "qilin_assert.svh"

module qilin_requant #(
  parameter int unsigned Lanes = 16,
  // Output FIFO entries, i.e. credits: beats admitted and not yet popped. RequantLatency + 1
  // sustains one beat per cycle; a parent that counts its own credits over a longer loop
  // (qilin_ex_post) sets its own count, and must keep Depth >= RequantLatency + 1.
  parameter int unsigned Depth   = qilin_post_pkg::RequantLatency + 1,
  // Do not override.
  parameter int unsigned CreditW = $clog2(Depth + 1)
) (
  input  logic                                          clk_i,
  input  logic                                          rst_ni,
  // Input beat.
  input  logic                                          in_valid_i,
  output logic                                          in_ready_o,
  input  logic [Lanes-1:0][qilin_pkg::AccW-1:0]         in_acc_i,
  input  logic [Lanes-1:0][31:0]                        in_bias_i,
  input  logic [Lanes-1:0][31:0]                        in_mult_i,   // signed Q31
  input  logic [Lanes-1:0][qilin_post_pkg::ShiftW-1:0]  in_shift_i,  // signed, -31..30
  input  logic                                          in_bias_en_i,
  input  logic [qilin_pkg::ZpW-1:0]                     in_out_zp_i,   // signed
  input  logic [qilin_pkg::ZpW-1:0]                     in_act_min_i,  // signed
  input  logic [qilin_pkg::ZpW-1:0]                     in_act_max_i,  // signed
  input  logic                                          in_last_i,
  // Output beat.
  output logic                                          out_valid_o,
  input  logic                                          out_ready_i,
  output logic [Lanes-1:0][7:0]                         out_data_o,
  output logic                                          out_last_o,
  // A beat is in the pipeline or the FIFO.
  output logic                                          busy_o
);
  localparam int unsigned ZpW = qilin_pkg::ZpW;
  localparam int unsigned ShiftW = qilin_post_pkg::ShiftW;
  localparam int unsigned RelW = qilin_post_pkg::RelW;
  localparam int unsigned Stages = qilin_post_pkg::RequantStages;
  localparam int unsigned ZpStage = qilin_post_pkg::RequantZpStage;

  // -------------------------------------------------------------------------------------
  // Admission against FIFO credits: every beat in the pipeline owns a FIFO slot.
  // -------------------------------------------------------------------------------------
  logic [CreditW-1:0] credit_q, credit_d;
  logic               in_fire, out_fire, push, fifo_in_ready;

  assign in_ready_o = (credit_q < CreditW'(Depth));
  assign in_fire    = in_valid_i && in_ready_o;
  assign credit_d   = credit_q + CreditW'(in_fire) - CreditW'(out_fire);
  // busy_o is a flop (== credit_q != 0, BusyReg_A): qilin_ex_post's command ready uses it.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      credit_q <= '0;
      busy_o   <= 1'b0;
    end else begin
      credit_q <= credit_d;
      busy_o   <= (credit_d != '0);
    end
  end

  // -------------------------------------------------------------------------------------
  // Beat control {valid, last} beside the lane stages, and the per-beat scalars delayed to
  // the stage that consumes them. The clamp bounds are turned into offsets from out_zp
  // once per beat here, so that each lane compares its scaled value against them directly.
  // -------------------------------------------------------------------------------------
  logic [1:0]            ctrl_sl;   // {valid, last} of the beat in the last stage
  logic [RelW-1:0]       hi_rel, lo_rel;
  logic [2*RelW+7:0]     rel_sz;
  logic [15:0]           act_sl;

  assign hi_rel = {in_act_max_i[ZpW-1], in_act_max_i} - {in_out_zp_i[ZpW-1], in_out_zp_i};
  assign lo_rel = {in_act_min_i[ZpW-1], in_act_min_i} - {in_out_zp_i[ZpW-1], in_out_zp_i};

  qilin_delay #(.Width(2), .Depth(Stages)) u_ctrl (
    .clk_i, .rst_ni, .en_i(1'b1), .d_i({in_fire, in_last_i}), .q_o(ctrl_sl)
  );
  qilin_delay #(.Width(2 * RelW + 8), .Depth(ZpStage)) u_rel (
    .clk_i, .rst_ni, .en_i(1'b1), .d_i({hi_rel, lo_rel, in_out_zp_i[7:0]}), .q_o(rel_sz)
  );
  qilin_delay #(.Width(16), .Depth(Stages)) u_act (
    .clk_i, .rst_ni, .en_i(1'b1), .d_i({in_act_min_i[7:0], in_act_max_i[7:0]}), .q_o(act_sl)
  );

  logic unused_in;
  assign unused_in = ^{in_act_min_i[ZpW-1:8], in_act_max_i[ZpW-1:8]};

  // -------------------------------------------------------------------------------------
  // Lanes.
  // -------------------------------------------------------------------------------------
  logic [Lanes-1:0][7:0] q;

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    qilin_requant_lane u_lane (
      .clk_i,
      .acc_i        (in_acc_i[l]),
      .bias_i       (in_bias_i[l]),
      .bias_en_i    (in_bias_en_i),
      .mult_i       (in_mult_i[l]),
      .shift_i      (in_shift_i[l]),
      .s10_out_zp_i  (rel_sz[7:0]),
      .s10_hi_rel_i  (rel_sz[2*RelW+7:RelW+8]),
      .s10_lo_rel_i  (rel_sz[RelW+7:8]),
      .s11_act_min_i (act_sl[15:8]),
      .s11_act_max_i (act_sl[7:0]),
      .q_o          (q[l])
    );

    // -32 and 31 fit the port but are outside golden's QuantMultiplier range.
    `QILIN_ASSERT(ShiftLegal_A, !in_valid_i ||
                  ((in_shift_i[l] != ShiftW'(32)) && (in_shift_i[l] != ShiftW'(31))),
                  clk_i, rst_ni)
  end

  // -------------------------------------------------------------------------------------
  // Output FIFO: the clamp result is written straight in (it is the last pipeline stage).
  // -------------------------------------------------------------------------------------
  logic [Lanes*8:0]    fifo_out;
  logic [CreditW-1:0]  unused_fifo_count;

  assign push = ctrl_sl[1];
  qilin_fifo #(.Width(Lanes * 8 + 1), .Depth(Depth)) u_out_fifo (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (push),
    .in_ready_o  (fifo_in_ready),
    .in_data_i   ({ctrl_sl[0], q}),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .out_data_o  (fifo_out),
    .count_o     (unused_fifo_count)
  );
  assign {out_last_o, out_data_o} = fifo_out;
  assign out_fire = out_valid_o && out_ready_i;

  // -------------------------------------------------------------------------------------
  // Assertions.
  // -------------------------------------------------------------------------------------
  `QILIN_ASSERT_INIT(LanesMin_A, Lanes >= 1)
  `QILIN_ASSERT_INIT(DepthMin_A, Depth >= qilin_post_pkg::RequantLatency + 1)
  `QILIN_ASSERT_INIT(RelWidth_A, RelW == ZpW + 1)
  // The lane's ports are named for its stages (s10_*, s11_*).
  `QILIN_ASSERT_INIT(LaneStages_A, Stages == 11)
  `QILIN_ASSERT_INIT(AccIs32_A, qilin_pkg::AccW == 32)
  // Credits reserve a slot for every admitted beat.
  `QILIN_ASSERT(OutFifoNoOverflow_A, !push || fifo_in_ready, clk_i, rst_ni)
  `QILIN_ASSERT(BusyReg_A, busy_o == (credit_q != '0), clk_i, rst_ni)
  `QILIN_ASSERT(ActRangeOrdered_A,
                !in_valid_i || ($signed(in_act_min_i) <= $signed(in_act_max_i)), clk_i, rst_ni)

endmodule
