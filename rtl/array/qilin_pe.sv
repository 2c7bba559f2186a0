// SPDX-License-Identifier: Apache-2.0
// Weight-stationary processing element: two weight banks, one MAC, partial sum flows down.
// The multiplier has registers on both sides (the activation and the selected weight in
// front, the product behind), because an FPGA DSP multiplier is slow and far from the
// fabric. An activation's product so enters the partial sum two advances after the
// activation arrived; every PE does the same, so the column stays aligned and the array
// only gains two stages of latency.
module qilin_pe
(
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  en_i,      // array-wide advance (low only while frozen)
  // Activation (already minus its zero point) and the weight bank its tile uses.
  input  logic signed [qilin_pkg::OpW-1:0] a_i,
  input  logic                  sel_i,
  // Partial sum from the PE above, and ours to the PE below.
  input  logic        [qilin_pkg::AccW-1:0] psum_i,
  output logic        [qilin_pkg::AccW-1:0] psum_o,
  // Weight write (already minus its zero point) into one bank; gated by the array.
  input  logic                  w_we_i,
  input  logic                  w_bank_i,
  input  logic signed [qilin_pkg::OpW-1:0] w_i
);
  localparam int unsigned ProdW = qilin_pkg::ProdW;
  localparam int unsigned OpW = qilin_pkg::OpW;
  localparam int unsigned AccW = qilin_pkg::AccW;

  logic signed [OpW-1:0]   w_q [2];
  logic signed [ProdW-1:0] prod_q;
  logic        [AccW-1:0]  psum_d, psum_q;

  assign psum_d = psum_i + {{(AccW - ProdW){prod_q[ProdW-1]}}, prod_q};

  // Both weight banks, in the fabric in every flow.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q[0] <= '0;
      w_q[1] <= '0;
    end else if (w_we_i) begin
      w_q[w_bank_i] <= w_i;
    end
  end

`ifdef QILIN_ECP5_DSP
  // ECP5 build (scripts/fpga_ecp5.sh): the two register stages around the multiplier are the
  // MULT18X18D's own input and output registers, same clock enable and asynchronous reset,
  // so no fabric-to-DSP route is on a register-to-register path. Yosys maps a `*` to a
  // combinational MULT18X18D only. Every other flow uses the generic code; the FPGA
  // smoke test (tb/fpga) simulates this one, with a model of the primitive (tb/fpga/sim).
  logic [17:0] dsp_a, dsp_b;
  logic [35:0] dsp_p;
  assign dsp_a  = 18'(a_i);
  assign dsp_b  = 18'(w_q[sel_i]);
  assign prod_q = dsp_p[ProdW-1:0];
  logic unused_p;  // the OpW x OpW product needs ProdW of the 36 bits
  assign unused_p = ^dsp_p[35:ProdW];
  MULT18X18D #(
    .REG_INPUTA_CLK("CLK0"), .REG_INPUTA_CE("CE0"), .REG_INPUTA_RST("RST0"),
    .REG_INPUTB_CLK("CLK0"), .REG_INPUTB_CE("CE0"), .REG_INPUTB_RST("RST0"),
    .REG_OUTPUT_CLK("CLK0"), .REG_OUTPUT_CE("CE0"), .REG_OUTPUT_RST("RST0"),
    .GSR("DISABLED"), .RESETMODE("ASYNC")
  ) u_mul (
    .A0(dsp_a[0]), .A1(dsp_a[1]), .A2(dsp_a[2]), .A3(dsp_a[3]), .A4(dsp_a[4]), .A5(dsp_a[5]),
    .A6(dsp_a[6]), .A7(dsp_a[7]), .A8(dsp_a[8]), .A9(dsp_a[9]), .A10(dsp_a[10]), .A11(dsp_a[11]),
    .A12(dsp_a[12]), .A13(dsp_a[13]), .A14(dsp_a[14]), .A15(dsp_a[15]), .A16(dsp_a[16]), .A17(dsp_a[17]),
    .B0(dsp_b[0]), .B1(dsp_b[1]), .B2(dsp_b[2]), .B3(dsp_b[3]), .B4(dsp_b[4]), .B5(dsp_b[5]),
    .B6(dsp_b[6]), .B7(dsp_b[7]), .B8(dsp_b[8]), .B9(dsp_b[9]), .B10(dsp_b[10]), .B11(dsp_b[11]),
    .B12(dsp_b[12]), .B13(dsp_b[13]), .B14(dsp_b[14]), .B15(dsp_b[15]), .B16(dsp_b[16]), .B17(dsp_b[17]),
    .C0(1'b0), .C1(1'b0), .C2(1'b0), .C3(1'b0), .C4(1'b0), .C5(1'b0),
    .C6(1'b0), .C7(1'b0), .C8(1'b0), .C9(1'b0), .C10(1'b0), .C11(1'b0),
    .C12(1'b0), .C13(1'b0), .C14(1'b0), .C15(1'b0), .C16(1'b0), .C17(1'b0),
    .P0(dsp_p[0]), .P1(dsp_p[1]), .P2(dsp_p[2]), .P3(dsp_p[3]), .P4(dsp_p[4]), .P5(dsp_p[5]),
    .P6(dsp_p[6]), .P7(dsp_p[7]), .P8(dsp_p[8]), .P9(dsp_p[9]), .P10(dsp_p[10]), .P11(dsp_p[11]),
    .P12(dsp_p[12]), .P13(dsp_p[13]), .P14(dsp_p[14]), .P15(dsp_p[15]), .P16(dsp_p[16]), .P17(dsp_p[17]),
    .P18(dsp_p[18]), .P19(dsp_p[19]), .P20(dsp_p[20]), .P21(dsp_p[21]), .P22(dsp_p[22]), .P23(dsp_p[23]),
    .P24(dsp_p[24]), .P25(dsp_p[25]), .P26(dsp_p[26]), .P27(dsp_p[27]), .P28(dsp_p[28]), .P29(dsp_p[29]),
    .P30(dsp_p[30]), .P31(dsp_p[31]), .P32(dsp_p[32]), .P33(dsp_p[33]), .P34(dsp_p[34]), .P35(dsp_p[35]),
    .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
    .CLK0(clk_i), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),
    .CE0(en_i), .CE1(1'b0), .CE2(1'b0), .CE3(1'b0),
    .RST0(!rst_ni), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0)
  );
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)    psum_q <= '0;
    else if (en_i)  psum_q <= psum_d;
  end
`else
  logic signed [OpW-1:0]   a_q, w_sel_q;
  logic signed [ProdW-1:0] prod;

  assign prod = a_q * w_sel_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_q     <= '0;
      w_sel_q <= '0;
      prod_q  <= '0;
      psum_q  <= '0;
    end else if (en_i) begin
      // The bank as it was before this edge's weight write, as the product used to see it.
      a_q     <= a_i;
      w_sel_q <= w_q[sel_i];
      prod_q  <= prod;
      psum_q  <= psum_d;
    end
  end
`endif

  assign psum_o = psum_q;
endmodule
