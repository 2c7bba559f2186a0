// SPDX-License-Identifier: Apache-2.0
// Weight-stationary processing element: two weight banks, one MAC, partial sum flows down.
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
  logic signed [ProdW-1:0] prod;
  logic        [AccW-1:0]  psum_d, psum_q;

  assign prod   = a_i * w_q[sel_i];
  assign psum_d = psum_i + {{(AccW - ProdW){prod[ProdW-1]}}, prod};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_q[0] <= '0;
      w_q[1] <= '0;
    end else if (w_we_i) begin
      w_q[w_bank_i] <= w_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      psum_q <= '0;
    end else if (en_i) begin
      psum_q <= psum_d;
    end
  end

  assign psum_o = psum_q;
endmodule
