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
// s10_*_i belong to the beat in stage 10 and s11_*_i to the beat in stage 11, whose output
// byte q_o is combinational (the parent registers it).
//
// Timing (100 MHz on ECP5, docs/postproc.md): every stage is at most one carry chain or
// about three LUT levels from registers; the saturating left shift, the DSP operands and the
// arithmetic right shift each have a stage of their own, and shift-derived masks are
// decoded a stage ahead of their use.
module qilin_requant_lane (
  input  logic                                clk_i,
  // Stage 0: the beat being accepted.
  input  logic [31:0]                         acc_i,
  input  logic [31:0]                         bias_i,
  input  logic                                bias_en_i,
  input  logic [31:0]                         mult_i,    // signed Q31 multiplier
  input  logic [qilin_post_pkg::ShiftW-1:0]   shift_i,   // signed, -31..30
  // Late per-beat operands, aligned by the parent (see the header).
  input  logic [7:0]                          s10_out_zp_i,  // low byte of out_zp
  input  logic [qilin_post_pkg::RelW-1:0]     s10_hi_rel_i,  // act_max - out_zp, signed
  input  logic [qilin_post_pkg::RelW-1:0]     s10_lo_rel_i,  // act_min - out_zp, signed
  input  logic [7:0]                          s11_act_min_i, // low byte of act_min
  input  logic [7:0]                          s11_act_max_i, // low byte of act_max
  // Output byte of the beat in the last stage (two's complement for int8).
  output logic [7:0]                          q_o
);
  localparam int unsigned ShiftW = qilin_post_pkg::ShiftW;
  localparam int unsigned RelW = qilin_post_pkg::RelW;

  localparam logic [31:0] Int32Max = 32'h7fff_ffff;
  localparam logic [31:0] Int32Min = 32'h8000_0000;

  // Shift-decoded masks as constant tables indexed by the 5-bit amount, so that each mask
  // bit is a small LUT function of the amount rather than a shifter or a carry chain.
  //   OvmTbl[l]: bits [30 : 31-l] (where a set bit of x ^ sign makes x << l overflow);
  //   RmTbl[e]:  2^(e-1) - 1, 0 for e = 0 (RDBPOT's rounding mask).
  function automatic logic [32*31-1:0] ovm_tbl();
    for (int unsigned l = 0; l < 32; l++) ovm_tbl[31*l +: 31] = ~(31'h7fff_ffff >> l);
  endfunction
  function automatic logic [32*30-1:0] rm_tbl();
    rm_tbl[29:0] = '0;
    for (int unsigned e = 1; e < 32; e++) rm_tbl[30*e +: 30] = 30'((31'd1 << (e - 1)) - 31'd1);
  endfunction
  localparam logic [32*31-1:0] OvmTbl = ovm_tbl();
  localparam logic [32*30-1:0] RmTbl = rm_tbl();

  // -------------------------------------------------------------------------------------
  // Stage 1: saturating bias add; decode the shift into a left and a right amount, and the
  // left shift's overflow mask.
  // -------------------------------------------------------------------------------------
  logic [31:0] bias_eff;
  logic [32:0] sum1;
  logic [31:0] x1_q, mult1_q;
  logic [30:0] z1_d, z1_q, ovm1_d, ovm1_q;
  logic [4:0]  lsh1_d, lsh1_q, rsh1_d, rsh1_q;
  logic        aovf1_q, neg1_q, rnz1_q;
  logic [ShiftW-1:0] shift_neg;

  assign bias_eff  = bias_en_i ? bias_i : 32'h0;
  assign sum1      = {acc_i[31], acc_i} + {bias_eff[31], bias_eff};
  assign shift_neg = ~shift_i + ShiftW'(1);

  // The sum is registered unsaturated (x1 = sum1[31:0]) with its overflow flag aovf1 and its
  // true sign neg1 = sum1[32]: an overflowing sum saturates to INT32_MIN / INT32_MAX, and any
  // left shift of that saturates the same way, so stage 3's select covers both (no select
  // behind the carry chain here).
  always_comb begin
    // shift >= 0: left by shift (0 is a no-op); shift < 0: right by -shift.
    lsh1_d = shift_i[ShiftW-1] ? 5'd0 : shift_i[4:0];
    rsh1_d = shift_i[ShiftW-1] ? shift_neg[4:0] : 5'd0;
    // z = x ^ sign, bits [30:0] (x for x >= 0, ~x = -x-1 for x < 0, both in [0, 2^31));
    // only read when the sum did not overflow.
    for (int unsigned i = 0; i < 31; i++) z1_d[i] = (sum1[i] != sum1[31]);
  end
  // x << l overflows iff z has a bit set in [30 : 31-l]: the mask of those bits (none for
  // a right shift), a function of the shift's six bits per mask bit.
  assign ovm1_d = shift_i[ShiftW-1] ? 31'h0 : OvmTbl[31*shift_i[4:0] +: 31];

  always_ff @(posedge clk_i) begin
    x1_q    <= sum1[31:0];
    aovf1_q <= (sum1[32] != sum1[31]);
    neg1_q  <= sum1[32];
    rnz1_q  <= shift_i[ShiftW-1];  // e != 0
    z1_q    <= z1_d;
    ovm1_q  <= ovm1_d;
    mult1_q <= mult_i;
    lsh1_q  <= lsh1_d;
    rsh1_q  <= rsh1_d;
  end

  // -------------------------------------------------------------------------------------
  // Stage 2: the left shift's coarse part (by 4*l[4:2]) and the saturating select. x << l
  // fits in int32 iff the top l+1 bits of x all equal its sign bit, i.e. iff z has no bit
  // set under the mask; an overflowing bias add saturates whatever l is. A saturated value
  // is registered with a fine shift of 0, so stage 3 is only the fine shift.
  // -------------------------------------------------------------------------------------
  logic [31:0] sh2_q, mult2_q;
  logic [1:0]  lsh2_q;
  logic        rnz2_q;
  logic [4:0]  rsh2_q;

  always_ff @(posedge clk_i) begin
    if (aovf1_q || (|(z1_q & ovm1_q))) begin
      sh2_q  <= neg1_q ? Int32Min : Int32Max;
      lsh2_q <= 2'd0;
    end else begin
      sh2_q  <= x1_q << {lsh1_q[4:2], 2'b00};
      lsh2_q <= lsh1_q[1:0];
    end
    mult2_q <= mult1_q;
    rsh2_q  <= rsh1_q;
    rnz2_q  <= rnz1_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 3: the fine part (by l[1:0]), one 4:1 select in front of the multipliers'
  // operand registers (inside the DSPs on ECP5: the route into the DSP column is most of
  // this path).
  // -------------------------------------------------------------------------------------
  logic [31:0] xs3_d;
  logic [4:0]  rsh3_q;
  logic        rnz3_q;
  assign xs3_d = sh2_q << lsh2_q;

  always_ff @(posedge clk_i) begin
    rsh3_q  <= rsh2_q;
    rnz3_q  <= rnz2_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 4: the 32x32 signed product as four 17x17 signed partial products (one 18x18
  // DSP multiplier each). With a = aH*2^16 + aL (aH signed, aL unsigned), likewise b:
  //   a*b = hh*2^32 + (hl + lh)*2^16 + ll
  // Every partial product fits in 32 bits: hh in [-2^30 + 2^15, 2^30], hl and lh in
  // (-2^31, 2^31), ll in [0, 2^32).
  // -------------------------------------------------------------------------------------
  logic        [31:0] hh4_q, hl4_q, lh4_q, ll4_q;
  logic        [4:0]  rsh4_q;
  logic               rnz4_q;

  always_ff @(posedge clk_i) begin
    rsh4_q <= rsh3_q;
    rnz4_q <= rnz3_q;
  end

  // Stage 3's operand registers and stage 4's product registers are qilin_mul18's (on ECP5
  // the MULT18X18Ds' own registers: register -> DSP -> register through the fabric was the
  // routed critical group, 143 endpoints at 14.2 ns; docs/fpga.md). Operands are 18-bit
  // signed: the high halves sign extended, the low halves zero extended.
  logic [17:0]      a_hi, a_lo, b_hi, b_lo;
  logic [3:0][17:0] mul_a, mul_b;
  logic [3:0][35:0] mul_p;
  assign a_hi  = {{2{xs3_d[31]}}, xs3_d[31:16]};
  assign a_lo  = {2'b00, xs3_d[15:0]};
  assign b_hi  = {{2{mult2_q[31]}}, mult2_q[31:16]};
  assign b_lo  = {2'b00, mult2_q[15:0]};
  assign mul_a = {a_lo, a_lo, a_hi, a_hi};  // products 3..0: ll, lh, hl, hh
  assign mul_b = {b_lo, b_hi, b_lo, b_hi};
  for (genvar k = 0; k < 4; k++) begin : gen_mul
    qilin_mul18 u_mul (
      .clk_i, .rst_ni(1'b1), .en_i(1'b1), .a_i(mul_a[k]), .b_i(mul_b[k]), .p_o(mul_p[k])
    );
  end
  assign hh4_q = mul_p[0][31:0];
  assign hl4_q = mul_p[1][31:0];
  assign lh4_q = mul_p[2][31:0];
  assign ll4_q = mul_p[3][31:0];
  logic unused_pp;  // the 32-bit partial products need 32 of the 36 bits
  assign unused_pp = ^{mul_p[0][35:32], mul_p[1][35:32], mul_p[2][35:32], mul_p[3][35:32]};

  // -------------------------------------------------------------------------------------
  // Stage 5: middle sum and the rounding constant. p + 2^30 = hh*2^32 + mid*2^16 + low.
  // -------------------------------------------------------------------------------------
  logic [32:0] mid5_d, mid5_q, low5_d, low5_q;
  logic [31:0] hh5_q;
  logic [4:0]  rsh5_q;
  logic        rnz5_q;

  assign mid5_d = {hl4_q[31], hl4_q} + {lh4_q[31], lh4_q};  // signed
  assign low5_d = {1'b0, ll4_q} + 33'h0_4000_0000;           // unsigned

  always_ff @(posedge clk_i) begin
    mid5_q <= mid5_d;
    low5_q <= low5_d;
    hh5_q  <= hh4_q;
    rsh5_q <= rsh4_q;
    rnz5_q <= rnz4_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 6: split mid at bit 16, so p + 2^30 = hi*2^32 + lo with lo in [0, 2^34).
  // -------------------------------------------------------------------------------------
  logic [32:0] hi6_d, hi6_q;
  logic [33:0] lo6_d, lo6_q;
  logic [4:0]  rsh6_q;
  logic        rnz6_q;

  assign hi6_d = {hh5_q[31], hh5_q} + {{16{mid5_q[32]}}, mid5_q[32:16]};  // signed
  assign lo6_d = {1'b0, low5_q} + {2'b00, mid5_q[15:0], 16'h0000};        // unsigned

  always_ff @(posedge clk_i) begin
    hi6_q  <= hi6_d;
    lo6_q  <= lo6_d;
    rsh6_q <= rsh5_q;
    rnz6_q <= rnz5_q;
  end

  // -------------------------------------------------------------------------------------
  // Stage 7: y = floor((p + 2^30) / 2^31) = 2*hi + lo[33:31], in [-2^31 + 1, 2^31]; only
  // INT32_MIN * INT32_MIN reaches 2^31, which saturates to INT32_MAX. Beside it, stage 8's
  // rounding mask 2^(e-1) - 1 (0 for e = 0), decoded from the right shift e alone.
  // -------------------------------------------------------------------------------------
  logic [33:0] y7_sum;
  logic [31:0] y7_d, y7_q;
  logic [29:0] rm7_d, rm7_q;
  logic        nz7_q;
  logic [4:0]  rsh7_q;

  assign y7_sum = {hi6_q, 1'b0} + {31'h0, lo6_q[33:31]};
  always_comb begin
    y7_d = y7_sum[31:0];
    if (y7_sum[33:31] != {3{y7_sum[33]}}) y7_d = y7_sum[33] ? Int32Min : Int32Max;
  end
  assign rm7_d = RmTbl[30*rsh6_q +: 30];

  always_ff @(posedge clk_i) begin
    y7_q   <= y7_d;
    rm7_q  <= rm7_d;
    nz7_q  <= rnz6_q;
    rsh7_q <= rsh6_q;
  end

  logic unused_lo;
  assign unused_lo = ^lo6_q[30:0];

  // -------------------------------------------------------------------------------------
  // Stage 8: rounding offset of RDBPOT(y, e): 2^(e-1) for y >= 0, 2^(e-1) - 1 for y < 0,
  // 0 for e = 0 (ties away from zero once shifted arithmetically). That is the mask plus a
  // carry-in of (e != 0 && y >= 0): one carry chain, the carry-in entering at its bit 0
  // ((2y + 1 + 2m + c) >> 1 = y + m + c).
  // -------------------------------------------------------------------------------------
  logic        cin8;
  logic [33:0] s8_sum;
  logic [32:0] s8_q;
  logic [4:0]  rsh8_q;

  assign cin8   = nz7_q && !y7_q[31];
  assign s8_sum = {y7_q[31], y7_q, 1'b1} + {3'b0, rm7_q, cin8};  // signed, no overflow

  always_ff @(posedge clk_i) begin
    s8_q   <= s8_sum[33:1];
    rsh8_q <= rsh7_q;
  end

  logic unused_s8;
  assign unused_s8 = s8_sum[0];

  // -------------------------------------------------------------------------------------
  // Stages 9 and 10: arithmetic right shift by e = 8*e[4:3] + e[2:0], the coarse part first;
  // the result fits int32.
  // -------------------------------------------------------------------------------------
  logic signed [32:0] s8_signed, c9_d, c9_signed, r10_d;
  logic        [32:0] c9_q, r10_q;
  logic        [2:0]  rsh9_q;

  assign s8_signed = s8_q;
  assign c9_d      = s8_signed >>> {rsh8_q[4:3], 3'b000};
  assign c9_signed = c9_q;
  assign r10_d     = c9_signed >>> rsh9_q;

  always_ff @(posedge clk_i) begin
    c9_q   <= c9_d;
    rsh9_q <= rsh8_q[2:0];
    r10_q  <= r10_d;
  end

  // -------------------------------------------------------------------------------------
  // Stage 11: clamp decisions and the in-range byte. The parent supplies the bounds relative
  // to the zero point (act - out_zp, 10-bit signed), so each compare runs on r directly:
  //   above: r + out_zp > act_max  <=>  r > act_max - out_zp
  //   below: r + out_zp < act_min  <=>  r < act_min - out_zp
  // A value outside the RelW-bit range is beyond every such bound (|act - out_zp| <= 511).
  // An in-range result is inside the output type, so its byte is (r + out_zp) mod 256.
  // -------------------------------------------------------------------------------------
  // Each compare is one 33-bit signed compare (a carry chain) of r against the sign-extended
  // bound (it was a RelW-bit compare behind a range check: six LUT levels).
  logic signed [32:0]    r_s, hi_rel, lo_rel;
  logic                  above11_d, above11_q, below11_d, below11_q;
  logic [7:0]            byte11_d, byte11_q;

  assign r_s       = r10_q;
  assign hi_rel    = {{(33 - RelW){s10_hi_rel_i[RelW-1]}}, s10_hi_rel_i};
  assign lo_rel    = {{(33 - RelW){s10_lo_rel_i[RelW-1]}}, s10_lo_rel_i};
  assign above11_d = (r_s > hi_rel);
  assign below11_d = (r_s < lo_rel);
  assign byte11_d = r10_q[7:0] + s10_out_zp_i;

  always_ff @(posedge clk_i) begin
    above11_q <= above11_d;
    below11_q <= below11_d;
    byte11_q  <= byte11_d;
  end

  // -------------------------------------------------------------------------------------
  // Output select (combinational; the parent writes it into its output FIFO). With
  // act_min <= act_max this is clamp(r + out_zp, act_min, act_max); otherwise act_max wins
  // above it and act_min everywhere else.
  // -------------------------------------------------------------------------------------
  always_comb begin
    q_o = byte11_q;
    if (below11_q) q_o = s11_act_min_i;
    if (above11_q) q_o = s11_act_max_i;
  end

  logic unused_in;
  assign unused_in = ^shift_neg[ShiftW-1:5];

endmodule
