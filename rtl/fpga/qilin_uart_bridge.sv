// SPDX-License-Identifier: Apache-2.0
// Host bridge for the FPGA build: a byte protocol over the UART (docs/fpga.md) to 32-bit
// reads and writes of the core's CSRs (AXI4-Lite master) and of the device memory (the
// BRAM's host port). One request at a time; bytes outside a request are ignored.
//   'W' (0x57) a0 a1 a2 a3 d0 d1 d2 d3  ->  'K' (0x4B) OKAY, or 'E' (0x45) error response
//   'R' (0x52) a0 a1 a2 a3              ->  d0 d1 d2 d3
// Address and data are little endian. Address bit 31 set selects the CSRs (offset in the
// low 9 bits); clear selects the memory (byte address, word aligned).
module qilin_uart_bridge #(
  parameter int unsigned ClksPerBit = 217,
  parameter int unsigned MemAddrW   = 16
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                uart_rx_i,
  output logic                uart_tx_o,
  // AXI4-Lite master to the CSR block.
  output logic                m_axil_awvalid,
  input  logic                m_axil_awready,
  output logic [8:0]          m_axil_awaddr,
  output logic                m_axil_wvalid,
  input  logic                m_axil_wready,
  output logic [31:0]         m_axil_wdata,
  input  logic                m_axil_bvalid,
  output logic                m_axil_bready,
  input  logic [1:0]          m_axil_bresp,
  output logic                m_axil_arvalid,
  input  logic                m_axil_arready,
  output logic [8:0]          m_axil_araddr,
  input  logic                m_axil_rvalid,
  output logic                m_axil_rready,
  input  logic [31:0]         m_axil_rdata,
  // Memory host port.
  output logic                mem_valid_o,
  input  logic                mem_ready_i,
  output logic                mem_we_o,
  output logic [MemAddrW-1:0] mem_addr_o,
  output logic [31:0]         mem_wdata_o,
  input  logic                mem_rvalid_i,
  input  logic [31:0]         mem_rdata_i
);
  localparam logic [7:0] CmdWrite = 8'h57;  // 'W'
  localparam logic [7:0] CmdRead  = 8'h52;  // 'R'
  localparam logic [7:0] RspOkay  = 8'h4B;  // 'K'
  localparam logic [7:0] RspError = 8'h45;  // 'E'

  // Every AXI4-Lite and memory-port output comes straight from a flip-flop (the request is
  // built in the cycle the last argument byte arrives), and the answers (ready, B, R, the
  // memory's read data) go into the state machine and then a flip-flop: a path between
  // the bridge and the CSR block or the memory has logic on one side only (docs/fpga.md).
  typedef enum logic [1:0] {StCmd, StArgs, StWait, StReply} br_state_e;

  br_state_e   state_q, state_d;
  logic        we_q, we_d;
  logic [3:0]  cnt_q, cnt_d;       // argument bytes still to come, then reply bytes to send
  logic [63:0] args_q, args_d;     // received bytes, shifted in from the top
  logic [31:0] reply_q, reply_d;   // reply bytes, sent from the bottom
  // The request: address and write data, and one valid per channel (cleared on its handshake).
  logic [31:0] addr_q, addr_d, data_q, data_d;
  logic        awvalid_q, awvalid_d, wvalid_q, wvalid_d, arvalid_q, arvalid_d;
  logic        mem_valid_q, mem_valid_d;

  logic       rx_valid, tx_valid, tx_ready;
  logic [7:0] rx_data;
  logic [31:0] next_addr;

  qilin_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i, .rst_ni, .rx_i(uart_rx_i), .valid_o(rx_valid), .data_o(rx_data)
  );
  qilin_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i, .rst_ni, .valid_i(tx_valid), .ready_o(tx_ready), .data_i(reply_q[7:0]),
    .tx_o(uart_tx_o)
  );

  // A write's arguments fill all 8 bytes; a read's address ends in the top 4 (with the last
  // byte just received).
  assign next_addr = we_q ? args_q[39:8] : {rx_data, args_q[63:40]};

  assign m_axil_awvalid = awvalid_q;
  assign m_axil_awaddr  = addr_q[8:0];
  assign m_axil_wvalid  = wvalid_q;
  assign m_axil_wdata   = data_q;
  assign m_axil_arvalid = arvalid_q;
  assign m_axil_araddr  = addr_q[8:0];
  // One request at a time: whatever answers on B or R is the answer to it.
  assign m_axil_bready  = 1'b1;
  assign m_axil_rready  = 1'b1;
  assign mem_valid_o    = mem_valid_q;
  assign mem_we_o       = we_q;
  assign mem_addr_o     = addr_q[MemAddrW-1:0];
  assign mem_wdata_o    = data_q;

  always_comb begin
    state_d     = state_q;
    we_d        = we_q;
    cnt_d       = cnt_q;
    args_d      = args_q;
    reply_d     = reply_q;
    addr_d      = addr_q;
    data_d      = data_q;
    awvalid_d   = awvalid_q && !m_axil_awready;
    wvalid_d    = wvalid_q && !m_axil_wready;
    arvalid_d   = arvalid_q && !m_axil_arready;
    mem_valid_d = mem_valid_q && !mem_ready_i;
    tx_valid    = 1'b0;
    unique case (state_q)
      StCmd: begin
        if (rx_valid && (rx_data == CmdWrite || rx_data == CmdRead)) begin
          state_d = StArgs;
          we_d    = (rx_data == CmdWrite);
          cnt_d   = (rx_data == CmdWrite) ? 4'd8 : 4'd4;
        end
      end
      StArgs: begin
        if (rx_valid) begin
          args_d = {rx_data, args_q[63:8]};
          cnt_d  = cnt_q - 4'd1;
          if (cnt_q == 4'd1) begin
            // Address bit 31 selects the CSRs.
            state_d     = StWait;
            addr_d      = next_addr;
            data_d      = {rx_data, args_q[63:40]};
            awvalid_d   = next_addr[31] && we_q;
            wvalid_d    = next_addr[31] && we_q;
            arvalid_d   = next_addr[31] && !we_q;
            mem_valid_d = !next_addr[31];
          end
        end
      end
      StWait: begin
        if (m_axil_bvalid) begin
          state_d = StReply;
          reply_d = {24'd0, (m_axil_bresp == 2'b00) ? RspOkay : RspError};
          cnt_d   = 4'd1;
        end else if (m_axil_rvalid) begin
          state_d = StReply;
          reply_d = m_axil_rdata;
          cnt_d   = 4'd4;
        end else if (mem_valid_q && mem_ready_i && we_q) begin
          state_d = StReply;
          reply_d = {24'd0, RspOkay};
          cnt_d   = 4'd1;
        end else if (mem_rvalid_i) begin
          state_d = StReply;
          reply_d = mem_rdata_i;
          cnt_d   = 4'd4;
        end
      end
      StReply: begin
        tx_valid = 1'b1;
        if (tx_ready) begin
          reply_d = {8'd0, reply_q[31:8]};
          cnt_d   = cnt_q - 4'd1;
          if (cnt_q == 4'd1) state_d = StCmd;
        end
      end
      default: state_d = StCmd;
    endcase
  end

  // Memory addresses wrap at the memory's size.
  logic unused_addr;
  assign unused_addr = ^{addr_q[31:9], args_q[7:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q     <= StCmd;
      we_q        <= 1'b0;
      cnt_q       <= '0;
      args_q      <= '0;
      reply_q     <= '0;
      addr_q      <= '0;
      data_q      <= '0;
      awvalid_q   <= 1'b0;
      wvalid_q    <= 1'b0;
      arvalid_q   <= 1'b0;
      mem_valid_q <= 1'b0;
    end else begin
      state_q     <= state_d;
      we_q        <= we_d;
      cnt_q       <= cnt_d;
      args_q      <= args_d;
      reply_q     <= reply_d;
      addr_q      <= addr_d;
      data_q      <= data_d;
      awvalid_q   <= awvalid_d;
      wvalid_q    <= wvalid_d;
      arvalid_q   <= arvalid_d;
      mem_valid_q <= mem_valid_d;
    end
  end
endmodule
