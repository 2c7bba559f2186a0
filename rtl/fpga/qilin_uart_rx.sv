// SPDX-License-Identifier: Apache-2.0
// UART receiver, 8N1: a two-flop synchroniser, the start bit checked at its middle, then
// eight data bits (LSB first) sampled every ClksPerBit cycles; a byte whose stop bit is low
// is dropped.
`include "qilin_assert.svh"

module qilin_uart_rx #(
  parameter int unsigned ClksPerBit = 217,  // clock frequency / baud rate, at least 4
  // Do not override.
  parameter int unsigned CntW       = $clog2(ClksPerBit)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic       valid_o,  // one-cycle pulse with a received byte
  output logic [7:0] data_o
);
  typedef enum logic [1:0] {StIdle, StStart, StData, StStop} rx_state_e;

  rx_state_e       state_q, state_d;
  logic [1:0]      sync_q;
  logic [CntW-1:0] cnt_q, cnt_d;
  // cnt_q == 0 as a flop (CntZero_A): the timer's end enables the byte's registers, and the
  // 10-bit compare sat in front of those enables (10.3 ns in the 7db77c9 route). The next
  // count is zero when it is not reloaded (reloads are at least 2) and is now 0 or 1.
  logic            cz_q, cz_d, reload;
  logic [2:0]      bit_q, bit_d;
  logic [7:0]      shift_q, shift_d;
  logic            valid_d, valid_q;
  logic            rx;

  assign rx = sync_q[1];
  assign reload = ((state_q == StIdle) && !rx) ||
                  (((state_q == StStart) || (state_q == StData)) && cz_q);
  assign cz_d   = !reload && (cnt_q[CntW-1:1] == '0);

  always_comb begin
    state_d = state_q;
    cnt_d   = cz_q ? '0 : cnt_q - CntW'(1);
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (!rx) begin
          state_d = StStart;
          cnt_d   = CntW'(ClksPerBit / 2);
        end
      end
      StStart: begin
        if (cz_q) begin
          state_d = rx ? StIdle : StData;  // a glitch is not a start bit
          cnt_d   = CntW'(ClksPerBit - 1);
          bit_d   = 3'd0;
        end
      end
      StData: begin
        if (cz_q) begin
          shift_d = {rx, shift_q[7:1]};
          cnt_d   = CntW'(ClksPerBit - 1);
          bit_d   = bit_q + 3'd1;
          if (bit_q == 3'd7) state_d = StStop;
        end
      end
      StStop: begin
        if (cz_q) begin
          state_d = StIdle;
          valid_d = rx;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      sync_q  <= 2'b11;
      cnt_q   <= '0;
      cz_q    <= 1'b1;
      bit_q   <= '0;
      shift_q <= '0;
      valid_q <= 1'b0;
    end else begin
      state_q <= state_d;
      sync_q  <= {sync_q[0], rx_i};
      cnt_q   <= cnt_d;
      cz_q    <= cz_d;
      bit_q   <= bit_d;
      shift_q <= shift_d;
      valid_q <= valid_d;
    end
  end

  assign valid_o = valid_q;
  assign data_o  = shift_q;

  `QILIN_ASSERT(CntZero_A, cz_q == (cnt_q == '0), clk_i, rst_ni)
  `QILIN_ASSERT_INIT(ClksPerBit_A, ClksPerBit >= 4)
endmodule
