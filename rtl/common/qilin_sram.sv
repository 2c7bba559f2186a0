// SPDX-License-Identifier: Apache-2.0
// Simple dual-port SRAM: one write and one registered read per cycle (maps to block RAM).
// OutReg adds a second register behind the read (read data two cycles after the request):
// the place of the DP16KD's output register, since an ECP5 block RAM's clock-to-output
// without it (5.8 ns at speed grade 6) leaves too little of a 10 ns cycle for the logic
// behind it. Yosys does not absorb that register into the block RAM, so it is a fabric
// register next to it.
// A read of the address written in the same cycle is undefined in hardware (the simulation
// model returns the old data); no client depends on it.
module qilin_sram #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 1024,
  parameter bit          OutReg = 1'b0,
  // Do not override.
  parameter int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);
  // no_rw_check: no client uses data read from a row in the cycle it is written (token
  // order, asserted in qilin_banked_mem; the accumulator forwards its own sums instead), so
  // Yosys need not build the collision bypass (a register per bit and a mux behind every
  // block-RAM output).
  (* no_rw_check *)
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end
  // No reset: block RAM output registers are initialised by their first read.
  always_ff @(posedge clk_i) begin
    if (re_i) rdata_q <= mem_q[raddr_i];
  end
  if (OutReg) begin : gen_outreg
    // Free-running (as the DP16KD's with its clock enable tied high): read data is only
    // looked at two cycles after a read.
    logic [Width-1:0] rdata2_q;
    always_ff @(posedge clk_i) rdata2_q <= rdata_q;
    assign rdata_o = rdata2_q;
  end else begin : gen_noreg
    assign rdata_o = rdata_q;
  end
endmodule
