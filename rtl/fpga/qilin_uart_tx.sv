// SPDX-License-Identifier: Apache-2.0
// UART transmitter, 8N1: takes a byte (valid/ready) and shifts out start bit, eight data
// bits LSB first and a stop bit, each ClksPerBit cycles long.
module qilin_uart_tx #(
  parameter int unsigned ClksPerBit = 217,  // clock frequency / baud rate, at least 2
  // Do not override.
  parameter int unsigned CntW       = $clog2(ClksPerBit)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o
);
  `include "qilin_assert.svh"
  logic [9:0]      shift_q, shift_d;  // stop, data, start (sent LSB first)
  logic [3:0]      left_q, left_d;    // bits still to send
  logic [CntW-1:0] cnt_q, cnt_d;
  logic            tx_q;              // the pin from a flip-flop, loaded from next state

  assign ready_o = (left_q == 4'd0);

  always_comb begin
    shift_d = shift_q;
    left_d  = left_q;
    cnt_d   = cnt_q;
    if (left_q == 4'd0) begin
      if (valid_i) begin
        shift_d = {1'b1, data_i, 1'b0};
        left_d  = 4'd10;
        cnt_d   = CntW'(ClksPerBit - 1);
      end
    end else if (cnt_q == '0) begin
      shift_d = {1'b1, shift_q[9:1]};
      left_d  = left_q - 4'd1;
      cnt_d   = CntW'(ClksPerBit - 1);
    end else begin
      cnt_d = cnt_q - CntW'(1);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      shift_q <= 10'h3ff;
      left_q  <= '0;
      cnt_q   <= '0;
      tx_q    <= 1'b1;
    end else begin
      shift_q <= shift_d;
      left_q  <= left_d;
      cnt_q   <= cnt_d;
      tx_q    <= (left_d == 4'd0) ? 1'b1 : shift_d[0];
    end
  end

  // Same value in the same cycle as decoding left_q and shift_q would give.
  assign tx_o = tx_q;
  `QILIN_ASSERT(TxFromState_A, tx_q == ((left_q == 4'd0) ? 1'b1 : shift_q[0]), clk_i, rst_ni)
endmodule
