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

  // The multiplier with its three registers (in the MULT18X18D's own registers on ECP5),
  // same clock enable and reset as the partial sum.
  logic [35:0] prod36;
  logic        unused_p;  // the OpW x OpW product needs ProdW of the 36 bits
  qilin_mul18 u_mul (
    .clk_i, .rst_ni, .en_i,
    .a_i (18'(a_i)),
    .b_i (18'(w_q[sel_i])),  // the bank as it was before this edge's weight write
    .p_o (prod36)
  );
  assign prod_q   = prod36[ProdW-1:0];
  assign unused_p = ^prod36[35:ProdW];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)    psum_q <= '0;
    else if (en_i)  psum_q <= psum_d;
  end

  assign psum_o = psum_q;
endmodule
