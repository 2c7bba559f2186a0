// SPDX-License-Identifier: Apache-2.0
// One requantisation lane: int32 accumulator -> output byte, bit-exact with
// golden::requantize, as a free-running pipeline of qilin_post_pkg::RequantStages registers.
//
// Arithmetic (docs/quantization.md §3-4, docs/postproc.md):
//   x  = sat32(acc + bias)
//   xs = shift > 0 ? sat32(x << shift) : x
//   y  = SRDHM(xs, mult)             = sat32((xs * mult + 2^30) >>> 31)
//   r  = shift <= 0 ? RDBPOT(y, -shift) : y
//   q  = clamp(r + out_zp, act_min, act_max), low byte
//
// Stage k's register holds the beat that was presented k cycles earlier. The lane has no
// valid bit and no reset: the parent tracks validity. Its late operands arrive aligned:
// s8_*_i belong to the beat in stage 8 and s9_*_i to the beat in stage 9, whose output
// byte q_o is combinational (the parent registers it).
module qilin_requant_lane (
  input  logic                                clk_i,
  // Stage 0: the beat being accepted.
  input  logic [31:0]                         acc_i,
  input  logic [31:0]                         bias_i,
  input  logic                                bias_en_i,
  input  logic [31:0]                         mult_i,    // signed Q31 multiplier
  input  logic [qilin_post_pkg::ShiftW-1:0]   shift_i,   // signed, -31..30
  // Late per-beat operands, aligned by the parent (see the header).
  input  logic [7:0]                          s8_out_zp_i,   // low byte of out_zp
  input  logic [qilin_post_pkg::RelW-1:0]     s8_hi_rel_i,   // act_max - out_zp, signed
  input  logic [qilin_post_pkg::RelW-1:0]     s8_lo_rel_i,   // act_min - out_zp, signed
  input  logic [7:0]                          s9_act_min_i,  // low byte of act_min
  input  logic [7:0]                          s9_act_max_i,  // low byte of act_max
  // Output byte of the beat in the last stage (two's complement for int8).
  output logic [7:0]                          q_o
);
  localparam int unsigned ShiftW = qilin_post_pkg::ShiftW;
  localparam int unsigned RelW = qilin_post_pkg::RelW;
  // r is compared in FitW bits: any 9-bit act and out_zp give |act - out_zp| <= 511.
  localparam int unsigned FitW = RelW;

  localparam logic [31:0] Int32Max = 32'h7fff_ffff;
  localparam logic [31:0] Int32Min = 32'h8000_0000;

  // -------------------------------------------------------------------------------------
  // Stage 1: saturating bias add; decode the shift into a left and a right amount.
  // -------------------------------------------------------------------------------------
  logic [31:0] bias_eff;
  logic [32:0] sum1;
  logic [31:0] x1_d, x1_q, mult1_q, lim1_d, lim1_q;
  logic [4:0]  lsh1_d, lsh1_q, rsh1_d, rsh1_q;
  logic [ShiftW-1:0] shift_neg;

  assign bias_eff  = bias_en_i ? bias_i : 32'h0;
  assign sum1      = {acc_i[31], acc_i} + {bias_eff[31], bias_eff};
  assign shift_neg = ~shift_i + ShiftW'(1);

  always_comb begin
    x1_d = sum1[31:0];
    if (sum1[32] != sum1[31]) x1_d = sum1[32] ? Int32Min : Int32Max;
    // shift >= 0: left by shift (0 is a no-op); shift < 0: right by -shift.
    lsh1_d = shift_i[ShiftW-1] ? 5'd0 : shift_i[4:0];
    rsh1_d = shift_i[ShiftW-1] ? shift_neg[4:0] : 5'd0;
  end
  // Stage 2's overflow limit 2^(31-l) - 1 (bits [30-l : 0]), decoded here from the shift
  // alone so that stage 2 is the data-dependent part only.
  assign lim1_d = 32'h7fff_ffff >> lsh1_d;

  always_ff @(posedge clk_i) begin
    x1_q    <= x1_d;
    mult1_q <= mult_i;
    lsh1_q  <= lsh1_d;
    lim1_q  <= lim1_d;
    rsh1_q  <= rsh1_d;
  end

  // -------------------------------------------------------------------------------------
  // Stage 2: saturating left shift. x << l fits in int32 iff the top l+1 bits of x all
  // equal its sign bit, that is iff x ^ sign (x for x >= 0, ~x = -x-1 for x < 0, both in
  // [0, 2^31)) has no bit set in [31 : 31-l], i.e. is at most 2^(31-l) - 1: one unsigned
  // compare, which maps to a carry chain rather than a LUT tree behind the shifter.
  // -------------------------------------------------------------------------------------
  logic [31:0] xs2_d, xs2_q, mult2_q;
  logic [4:0]  rsh2_q;
  logic        lsh_ovf;

  assign lsh_ovf   = ((x1_q ^ {32{x1_q[31]}}) > lim1_q);
  always_comb begin
    xs2_d = x1_q << lsh1_q;
    if (lsh_ovf) xs2_d = x1_q[31] ? Int32Min : Int32Max;
  end

  always_ff @(posedge clk_i) begin
    xs2_q   <= xs2_d;
    mult2_q <= mult1_q;
    rsh2_q  <= rsh1_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 3: the 32x32 signed product as four 17x17 signed partial products (one 18x18
  // DSP multiplier each). With a = aH*2^16 + aL (aH signed, aL unsigned), likewise b:
  //   a*b = hh*2^32 + (hl + lh)*2^16 + ll
  // Every partial product fits in 32 bits: hh in [-2^30 + 2^15, 2^30], hl and lh in
  // (-2^31, 2^31), ll in [0, 2^32).
  // -------------------------------------------------------------------------------------
  logic signed [16:0] a_hi, a_lo, b_hi, b_lo;
  logic signed [33:0] pp_hh, pp_hl, pp_lh, pp_ll;
  logic        [31:0] hh3_q, hl3_q, lh3_q, ll3_q;
  logic        [4:0]  rsh3_q;

  assign a_hi  = {xs2_q[31], xs2_q[31:16]};
  assign a_lo  = {1'b0, xs2_q[15:0]};
  assign b_hi  = {mult2_q[31], mult2_q[31:16]};
  assign b_lo  = {1'b0, mult2_q[15:0]};
  assign pp_hh = a_hi * b_hi;
  assign pp_hl = a_hi * b_lo;
  assign pp_lh = a_lo * b_hi;
  assign pp_ll = a_lo * b_lo;

  always_ff @(posedge clk_i) begin
    hh3_q  <= pp_hh[31:0];
    hl3_q  <= pp_hl[31:0];
    lh3_q  <= pp_lh[31:0];
    ll3_q  <= pp_ll[31:0];
    rsh3_q <= rsh2_q;
  end

  logic unused_pp;
  assign unused_pp = ^{pp_hh[33:32], pp_hl[33:32], pp_lh[33:32], pp_ll[33:32]};

  // -------------------------------------------------------------------------------------
  // Stage 4: middle sum and the rounding constant. p + 2^30 = hh*2^32 + mid*2^16 + low.
  // -------------------------------------------------------------------------------------
  logic [32:0] mid4_d, mid4_q, low4_d, low4_q;
  logic [31:0] hh4_q;
  logic [4:0]  rsh4_q;

  assign mid4_d = {hl3_q[31], hl3_q} + {lh3_q[31], lh3_q};  // signed
  assign low4_d = {1'b0, ll3_q} + 33'h0_4000_0000;           // unsigned

  always_ff @(posedge clk_i) begin
    mid4_q <= mid4_d;
    low4_q <= low4_d;
    hh4_q  <= hh3_q;
    rsh4_q <= rsh3_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 5: split mid at bit 16, so p + 2^30 = hi*2^32 + lo with lo in [0, 2^34).
  // -------------------------------------------------------------------------------------
  logic [32:0] hi5_d, hi5_q;
  logic [33:0] lo5_d, lo5_q;
  logic [4:0]  rsh5_q;

  assign hi5_d = {hh4_q[31], hh4_q} + {{16{mid4_q[32]}}, mid4_q[32:16]};  // signed
  assign lo5_d = {1'b0, low4_q} + {2'b00, mid4_q[15:0], 16'h0000};        // unsigned

  always_ff @(posedge clk_i) begin
    hi5_q  <= hi5_d;
    lo5_q  <= lo5_d;
    rsh5_q <= rsh4_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 6: y = floor((p + 2^30) / 2^31) = 2*hi + lo[33:31], in [-2^31 + 1, 2^31]; only
  // INT32_MIN * INT32_MIN reaches 2^31, which saturates to INT32_MAX.
  // -------------------------------------------------------------------------------------
  logic [33:0] y6_sum;
  logic [31:0] y6_d, y6_q;
  logic [4:0]  rsh6_q;

  assign y6_sum = {hi5_q, 1'b0} + {31'h0, lo5_q[33:31]};
  always_comb begin
    y6_d = y6_sum[31:0];
    if (y6_sum[33:31] != {3{y6_sum[33]}}) y6_d = y6_sum[33] ? Int32Min : Int32Max;
  end

  always_ff @(posedge clk_i) begin
    y6_q   <= y6_d;
    rsh6_q <= rsh5_q;
  end

  logic unused_lo;
  assign unused_lo = ^lo5_q[30:0];

  // -------------------------------------------------------------------------------------
  // Stage 7: rounding offset of RDBPOT(y, e): 2^(e-1) for y >= 0, 2^(e-1) - 1 for y < 0,
  // 0 for e = 0 (ties away from zero once shifted arithmetically).
  // -------------------------------------------------------------------------------------
  logic [32:0] half, below_half, rnd7, s7_d, s7_q;
  logic [4:0]  rsh7_q;

  assign half       = (33'd1 << rsh6_q) >> 1;                       // 2^(e-1), or 0
  assign below_half = (~(33'h1_ffff_ffff << rsh6_q)) >> 1;          // 2^(e-1) - 1, or 0
  assign rnd7       = y6_q[31] ? below_half : half;
  assign s7_d       = {y6_q[31], y6_q} + rnd7;                      // signed, no overflow

  always_ff @(posedge clk_i) begin
    s7_q   <= s7_d;
    rsh7_q <= rsh6_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 8: arithmetic right shift; the result fits int32.
  // -------------------------------------------------------------------------------------
  logic signed [32:0] s7_signed, r8_d;
  logic        [32:0] r8_q;

  assign s7_signed = s7_q;
  assign r8_d      = s7_signed >>> rsh7_q;

  always_ff @(posedge clk_i) begin
    r8_q <= r8_d;
  end

  // -------------------------------------------------------------------------------------
  // Stage 9: clamp decisions and the in-range byte. The parent supplies the bounds relative
  // to the zero point (act - out_zp, 10-bit signed), so each compare runs on r directly:
  //   above: r + out_zp > act_max  <=>  r > act_max - out_zp
  //   below: r + out_zp < act_min  <=>  r < act_min - out_zp
  // A value outside the FitW-bit range is beyond every such bound (|act - out_zp| <= 511).
  // An in-range result is inside the output type, so its byte is (r + out_zp) mod 256.
  // -------------------------------------------------------------------------------------
  logic                  fits;
  logic signed [FitW-1:0] r_fit, hi_rel, lo_rel;
  logic                  above9_d, above9_q, below9_d, below9_q;
  logic [7:0]            byte9_d, byte9_q;

  assign fits   = (r8_q[32:FitW-1] == {(34-FitW){r8_q[32]}});
  assign r_fit  = r8_q[FitW-1:0];
  assign hi_rel = s8_hi_rel_i;
  assign lo_rel = s8_lo_rel_i;
  always_comb begin
    above9_d = fits ? (r_fit > hi_rel) : !r8_q[32];
    below9_d = fits ? (r_fit < lo_rel) : r8_q[32];
  end
  assign byte9_d = r8_q[7:0] + s8_out_zp_i;

  always_ff @(posedge clk_i) begin
    above9_q <= above9_d;
    below9_q <= below9_d;
    byte9_q  <= byte9_d;
  end

  // -------------------------------------------------------------------------------------
  // Output select (combinational; the parent writes it into its output FIFO). With
  // act_min <= act_max this is clamp(r + out_zp, act_min, act_max); otherwise act_max wins
  // above it and act_min everywhere else.
  // -------------------------------------------------------------------------------------
  always_comb begin
    q_o = byte9_q;
    if (below9_q) q_o = s9_act_min_i;
    if (above9_q) q_o = s9_act_max_i;
  end

  logic unused_in;
  assign unused_in = ^shift_neg[ShiftW-1:5];

endmodule
