// SPDX-License-Identifier: Apache-2.0
// Simulation model of the ECP5 MULT18X18D, for the verilated benches of the QILIN_ECP5_DSP
// variants only (tb/fpga, tb/post; the FPGA build uses the real primitive). It models what
// qilin_pe and qilin_requant_lane instantiate: inputs A and B and the output P each
// registered on CLK0 / CE0 / RST0 (asynchronous reset, RESETMODE "ASYNC") or not registered
// ("NONE"), signed or unsigned operands, C unused. Any other setting stops the simulation,
// so the model never silently differs from the part.
// One port per bit, as in the primitive, so the RTL's instance is the same in both flows.
module MULT18X18D #(
  parameter string REG_INPUTA_CLK = "NONE",
  parameter string REG_INPUTA_CE  = "CE0",
  parameter string REG_INPUTA_RST = "RST0",
  parameter string REG_INPUTB_CLK = "NONE",
  parameter string REG_INPUTB_CE  = "CE0",
  parameter string REG_INPUTB_RST = "RST0",
  parameter string REG_OUTPUT_CLK = "NONE",
  parameter string REG_OUTPUT_CE  = "CE0",
  parameter string REG_OUTPUT_RST = "RST0",
  parameter string GSR            = "ENABLED",
  parameter string RESETMODE      = "SYNC"
) (
  input  logic
    A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, B0, B1,
    B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17, C0, C1, C2, C3,
    C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17, SIGNEDA, SIGNEDB,
    SOURCEA, SOURCEB, CLK0, CLK1, CLK2, CLK3, CE0, CE1, CE2, CE3, RST0, RST1, RST2, RST3,
  output logic
    P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17, P18,
    P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35
);
  logic [17:0] a, b, a_q, b_q, a_m, b_m;
  logic [35:0] p, p_q, p_m;

  assign a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
  assign b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};

  always_ff @(posedge CLK0 or posedge RST0) begin
    if (RST0) begin
      a_q <= '0;
      b_q <= '0;
      p_q <= '0;
    end else if (CE0) begin
      a_q <= a;
      b_q <= b;
      p_q <= p;
    end
  end

  assign a_m = (REG_INPUTA_CLK == "CLK0") ? a_q : a;
  assign b_m = (REG_INPUTB_CLK == "CLK0") ? b_q : b;
  assign p   = 36'($signed({SIGNEDA & a_m[17], a_m}) * $signed({SIGNEDB & b_m[17], b_m}));
  assign p_m = (REG_OUTPUT_CLK == "CLK0") ? p_q : p;
  assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20,
          P19, P18, P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2,
          P1, P0} = p_m;

  initial begin
    if (!((REG_INPUTA_CLK == "NONE" || REG_INPUTA_CLK == "CLK0") &&
          (REG_INPUTB_CLK == "NONE" || REG_INPUTB_CLK == "CLK0") &&
          (REG_OUTPUT_CLK == "NONE" || REG_OUTPUT_CLK == "CLK0") &&
          REG_INPUTA_CE == "CE0" && REG_INPUTB_CE == "CE0" && REG_OUTPUT_CE == "CE0" &&
          REG_INPUTA_RST == "RST0" && REG_INPUTB_RST == "RST0" && REG_OUTPUT_RST == "RST0" &&
          RESETMODE == "ASYNC"))
      $fatal(1, "MULT18X18D model: unsupported parameter setting");
  end

  logic unused;
  assign unused = ^{C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15,
                    C16, C17, SOURCEA, SOURCEB, CLK1, CLK2, CLK3, CE1, CE2, CE3, RST1, RST2,
                    RST3, GSR == "ENABLED"};
endmodule
