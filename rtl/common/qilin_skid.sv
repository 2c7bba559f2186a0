// SPDX-License-Identifier: Apache-2.0
// Two-entry FIFO in registers whose outputs (out_valid_o, out_data_o and in_ready_o) all come
// straight from flip-flops: a request generator pushes into it, and its head drives a port
// whose ready is decided late (an arbiter), so neither side's logic is in series with the
// other's. The second entry catches a push made while the head waits; with the head taken
// every cycle, one entry passes per cycle.
module qilin_skid #(
  parameter int unsigned Width = 8
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             flush_i,   // empties it (the data registers keep their values)
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o,
  output logic [1:0]       count_o    // entries held (0..2)
);
  `include "qilin_assert.svh"

  logic             hd_v_q, tl_v_q, hd_load, push;
  logic [Width-1:0] hd_q, tl_q;

  assign in_ready_o  = !tl_v_q;
  assign push        = in_valid_i && !tl_v_q;
  assign hd_load     = out_ready_i || !hd_v_q;
  assign out_valid_o = hd_v_q;
  assign out_data_o  = hd_q;
  assign count_o     = {tl_v_q, hd_v_q && !tl_v_q};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      hd_v_q <= 1'b0;
      tl_v_q <= 1'b0;
    end else if (flush_i) begin
      hd_v_q <= 1'b0;
      tl_v_q <= 1'b0;
    end else if (hd_load) begin
      hd_v_q <= tl_v_q || push;
      tl_v_q <= 1'b0;  // push is low while tl_v_q
    end else if (push) begin
      tl_v_q <= 1'b1;
    end
  end

  // Payloads: no reset, only read where the valid bits say they were written. The tail
  // follows the input while it is free (a flip-flop enable, not the push and the head's
  // ready); it is read only once tl_v_q says a push stopped there.
  always_ff @(posedge clk_i) begin
    if (hd_load) hd_q <= tl_v_q ? tl_q : in_data_i;
    if (!tl_v_q) tl_q <= in_data_i;
  end

  // The second entry holds data only behind a valid head.
  `QILIN_ASSERT(TailBehindHead_A, !tl_v_q || hd_v_q, clk_i, rst_ni)
endmodule
