// SPDX-License-Identifier: Apache-2.0
// On-chip device memory for the FPGA build: an AXI4 slave (qilin_axi_pkg, 256-bit beats,
// INCR bursts of full beats) on block RAM, plus a 32-bit host port for the UART bridge.
//
// One read burst and one write burst are read or written at a time, each at one beat per
// cycle. A burst starting at or beyond Bytes answers SLVERR on every beat (writes are
// dropped); bursts that run over the end wrap. The host port takes the read port only while
// no read burst is active and the write port only while no write burst is active (host
// first); its addresses wrap at Bytes. Host reads answer on host_rvalid_o six cycles after
// the accept.
//
// Timing (ECP5 at 100 MHz, docs/fpga.md): a host request is taken into a register first
// (host_ready_o = that register is empty), a host read registers the whole RAM row and
// then its word, and the RAMs' write port (enables, address, data) and read address are
// driven from registers. A write lands one cycle after its W beat or host request is taken
// (B is sent no earlier than that cycle, so a read issued after B sees it).
// A read beat goes through the read address register (M), the RAMs' read registers (D) and
// a fabric register behind each RAM (O, qilin_sram's OutReg: a DP16KD's clock-to-output
// leaves no time for the route to the core) into a four-entry queue whose head is R. The
// RAMs read only when the queue is sure to have room for the beat (a count of flip-flops),
// so R's ready reaches the queue's read side alone, not the RAMs: a read burst's first beat
// is on R three cycles after it leaves M, and beats follow one per cycle.
module qilin_axi_bram #(
  parameter int unsigned Bytes = 65536,  // power of two, at least 64
  // Do not override.
  parameter int unsigned BeatB = qilin_axi_pkg::DataW / 8,
  parameter int unsigned Rows  = Bytes / BeatB,
  parameter int unsigned RowW  = $clog2(Rows),
  parameter int unsigned ByteW = $clog2(Bytes)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // AXI4 slave.
  input  qilin_axi_pkg::axi_aw_t s_axi_aw_i,
  input  logic                   s_axi_aw_valid_i,
  output logic                   s_axi_aw_ready_o,
  input  qilin_axi_pkg::axi_w_t  s_axi_w_i,
  input  logic                   s_axi_w_valid_i,
  output logic                   s_axi_w_ready_o,
  output qilin_axi_pkg::axi_b_t  s_axi_b_o,
  output logic                   s_axi_b_valid_o,
  input  logic                   s_axi_b_ready_i,
  input  qilin_axi_pkg::axi_ar_t s_axi_ar_i,
  input  logic                   s_axi_ar_valid_i,
  output logic                   s_axi_ar_ready_o,
  output qilin_axi_pkg::axi_r_t  s_axi_r_o,
  output logic                   s_axi_r_valid_o,
  input  logic                   s_axi_r_ready_i,
  // Host port: one 32-bit word per request (byte address, low two bits ignored).
  input  logic                   host_valid_i,
  output logic                   host_ready_o,
  input  logic                   host_we_i,
  input  logic [ByteW-1:0]       host_addr_i,
  input  logic [31:0]            host_wdata_i,
  output logic                   host_rvalid_o,
  output logic [31:0]            host_rdata_o
);
  `include "qilin_assert.svh"

  localparam int unsigned AddrW = qilin_axi_pkg::AddrW;
  localparam int unsigned IdW   = qilin_axi_pkg::IdW;
  localparam int unsigned OffW  = $clog2(BeatB);
  localparam int unsigned WordW = OffW - 2;  // 32-bit words per beat, log2

  // Write side: the burst being written, then its response.
  logic            w_active_q, w_err_q, b_valid_q;
  logic [RowW-1:0] w_row_q;
  logic [IdW-1:0]  w_id_q;
  // Read side: the burst being read (beats still to read).
  logic            r_active_q, r_err_q;
  logic [RowW-1:0] r_row_q;
  logic [7:0]      r_left_q;
  logic [IdW-1:0]  r_id_q;
  // A read beat in M (the read address register), D (the RAMs' read registers) and O (the
  // registers behind the RAMs): valid, last beat of its burst, SLVERR, ID, host read.
  logic            m_valid_q, m_last_q, m_err_q, m_host_q;
  logic            d_valid_q, o_valid_q;
  logic            o_last, o_err, o_host;
  logic [IdW-1:0]  m_id_q, o_id;
  // Host request register, and the host read in O, in host_row_q, then in host_rdata_q.
  logic             host_req_q, host_we_q;
  logic [ByteW-1:0] host_addr_q;
  logic [31:0]      host_wdata_q;
  logic             host_rvalid_q;
  logic [WordW-1:0] host_word_q;
  logic [31:0]      host_rdata_q;
  logic             host_row_v_q;
  logic [qilin_axi_pkg::DataW-1:0] host_row_q;

  logic host_wr, host_rd, aw_take, ar_take, w_take, r_issue;
  logic aw_err, ar_err;

  assign host_ready_o     = !host_req_q;
  assign host_wr          = host_req_q && host_we_q && !w_active_q;
  assign host_rd          = host_req_q && !host_we_q && !r_active_q && !m_valid_q;

  assign s_axi_aw_ready_o = !w_active_q && !b_valid_q && !(host_req_q && host_we_q);
  assign s_axi_w_ready_o  = w_active_q;
  assign s_axi_ar_ready_o = !r_active_q && !(host_req_q && !host_we_q);
  assign aw_take          = s_axi_aw_valid_i && s_axi_aw_ready_o;
  assign w_take           = s_axi_w_valid_i && s_axi_w_ready_o;
  assign ar_take          = s_axi_ar_valid_i && s_axi_ar_ready_o;
  assign r_issue          = r_active_q && (!m_valid_q || re);
  assign aw_err           = |s_axi_aw_i.addr[AddrW-1:ByteW];
  assign ar_err           = |s_axi_ar_i.addr[AddrW-1:ByteW];

  // Byte lanes: one narrow RAM each, so AXI write strobes and host words are plain enables.
  logic [qilin_axi_pkg::DataW-1:0] rdata;
  logic [RowW-1:0]                 waddr, waddr_q, raddr_q;
  logic [qilin_axi_pkg::DataW-1:0] wdata, wdata_q;
  logic [BeatB-1:0]                we, we_q;
  logic                            re;
  // The read enable (M valid and room in the R queue for a beat read now) as flip-flops
  // from next state, one copy per group of LanesPerRe RAMs and one for the control here
  // (ReCopies_A): the 32 RAMs sit across the block-RAM rows, and one LUT driving all their
  // enables was 10-11 ns routed (stop 21).
  localparam int unsigned LanesPerRe = 8;
  localparam int unsigned ReCopies   = 1 + (BeatB + LanesPerRe - 1) / LanesPerRe;
  logic [ReCopies-1:0]             re_rep;
  assign re = re_rep[0];

  always_comb begin
    we    = '0;
    waddr = w_row_q;
    wdata = s_axi_w_i.data;
    if (host_wr) begin
      waddr = host_addr_q[ByteW-1:OffW];
      wdata = {(BeatB / 4){host_wdata_q}};
      for (int unsigned b = 0; b < BeatB; b++)
        we[b] = (b / 4) == 32'(host_addr_q[OffW-1:2]);
    end else if (w_take && !w_err_q) begin
      we = s_axi_w_i.strb;
    end
  end

  // The write port's registers (no reset on the address and data).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) we_q <= '0;
    else         we_q <= we;
  end
  always_ff @(posedge clk_i) begin
    waddr_q <= waddr;
    wdata_q <= wdata;
    if (o_valid_q && o_host) host_row_q <= rdata;
    if (host_rd) raddr_q <= host_addr_q[ByteW-1:OffW];
    else if (r_issue) raddr_q <= r_row_q;
  end

  for (genvar b = 0; b < BeatB; b++) begin : gen_lane
    qilin_sram #(.Width(8), .Depth(Rows), .OutReg(1'b1)) u_sram (
      .clk_i,
      .we_i    (we_q[b]),
      .waddr_i (waddr_q),
      .wdata_i (wdata_q[8*b +: 8]),
      .re_i    (re_rep[1 + b / LanesPerRe]),
      .raddr_i (raddr_q),
      .rdata_o (rdata[8*b +: 8])
    );
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_active_q    <= 1'b0;
      w_err_q       <= 1'b0;
      w_row_q       <= '0;
      w_id_q        <= '0;
      b_valid_q     <= 1'b0;
      r_active_q    <= 1'b0;
      r_err_q       <= 1'b0;
      m_valid_q     <= 1'b0;
      m_last_q      <= 1'b0;
      m_err_q       <= 1'b0;
      m_host_q      <= 1'b0;
      m_id_q        <= '0;
      d_valid_q     <= 1'b0;
      o_valid_q     <= 1'b0;
      r_row_q       <= '0;
      r_left_q      <= '0;
      r_id_q        <= '0;
      host_req_q    <= 1'b0;
      host_we_q     <= 1'b0;
      host_addr_q   <= '0;
      host_wdata_q  <= '0;
      host_rvalid_q <= 1'b0;
      host_word_q   <= '0;
      host_rdata_q  <= '0;
      host_row_v_q  <= 1'b0;
    end else begin
      // Write bursts.
      if (aw_take) begin
        w_active_q <= 1'b1;
        w_err_q    <= aw_err;
        w_row_q    <= s_axi_aw_i.addr[ByteW-1:OffW];
        w_id_q     <= s_axi_aw_i.id;
      end else if (w_take) begin
        w_row_q <= w_row_q + RowW'(1);
        if (s_axi_w_i.last) begin
          w_active_q <= 1'b0;
          b_valid_q  <= 1'b1;
        end
      end
      if (s_axi_b_valid_o && s_axi_b_ready_i) b_valid_q <= 1'b0;
      // Read bursts.
      if (ar_take) begin
        r_active_q <= 1'b1;
        r_err_q    <= ar_err;
        r_row_q    <= s_axi_ar_i.addr[ByteW-1:OffW];
        r_left_q   <= s_axi_ar_i.len;
        r_id_q     <= s_axi_ar_i.id;
      end else if (r_issue) begin
        r_row_q  <= r_row_q + RowW'(1);
        r_left_q <= r_left_q - 8'd1;
        if (r_left_q == 8'd0) r_active_q <= 1'b0;
      end
      // M: host reads (only while no AXI burst is being read) and AXI beats.
      if (host_rd || r_issue) begin
        m_valid_q <= 1'b1;
        m_last_q  <= r_left_q == 8'd0;
        m_err_q   <= r_err_q;
        m_host_q  <= host_rd;
        m_id_q    <= r_id_q;
      end else if (re) begin
        m_valid_q <= 1'b0;
      end
      // D and O move every cycle: nothing waits there (the queue has room, see re_n).
      d_valid_q <= re;
      o_valid_q <= d_valid_q;
      // Host requests.
      if (host_valid_i && !host_req_q) begin
        host_req_q   <= 1'b1;
        host_we_q    <= host_we_i;
        host_addr_q  <= host_addr_i;
        host_wdata_q <= host_wdata_i;
      end else if (host_wr || host_rd) begin
        host_req_q <= 1'b0;
      end
      if (host_rd) host_word_q <= host_addr_q[OffW-1:2];
      host_row_v_q  <= o_valid_q && o_host;
      host_rvalid_q <= host_row_v_q;
      if (host_row_v_q) host_rdata_q <= host_row_q[32*host_word_q +: 32];
    end
  end

  assign s_axi_b_valid_o = b_valid_q;
  assign s_axi_b_o.id    = w_id_q;
  assign s_axi_b_o.resp  = w_err_q ? 2'b10 : qilin_axi_pkg::RespOkay;
  // The beat's tags travel beside it through D and O (read only with the valid bits).
  qilin_delay #(.Width(3 + IdW), .Depth(2)) u_tags (
    .clk_i,
    .rst_ni,
    .en_i (1'b1),
    .d_i  ({m_last_q, m_err_q, m_host_q, m_id_q}),
    .q_o  ({o_last, o_err, o_host, o_id})
  );

  // R queue. A beat read now enters it two cycles later; counting the beats in D and O and
  // not this cycle's pop keeps R's ready out of the RAMs' enables, and four entries still
  // let a beat per cycle through (one on R, one in each of D and O, one read now).
  localparam int unsigned RqDepth = 4;
  localparam int unsigned RqW     = IdW + 2 + 1 + qilin_axi_pkg::DataW;
  logic [$clog2(RqDepth+1)-1:0] rq_count;
  logic                         rq_in_ready;
  logic [RqW-1:0]               rq_out;

  qilin_fifo #(.Width(RqW), .Depth(RqDepth)) u_rq (
    .clk_i,
    .rst_ni,
    .flush_i     (1'b0),
    .in_valid_i  (o_valid_q && !o_host),
    .in_ready_o  (rq_in_ready),
    .in_data_i   ({o_id, o_err ? 2'b10 : qilin_axi_pkg::RespOkay, o_last, rdata}),
    .out_valid_o (s_axi_r_valid_o),
    .out_ready_i (s_axi_r_ready_i),
    .out_data_o  (rq_out),
    .count_o     (rq_count)
  );
  assign {s_axi_r_o.id, s_axi_r_o.resp, s_axi_r_o.last, s_axi_r_o.data} = rq_out;

  // Next cycle's read enable: M's next valid and the queue's room after this cycle's push
  // (O), pop (R) and read (D). R's ready only selects between the two room results.
  localparam int unsigned HeldW = $clog2(RqDepth + 1) + 2;
  logic             m_valid_n, re_n;
  logic [HeldW-1:0] held_n;  // queue + D + O after this cycle, before R's pop
  assign m_valid_n = (host_rd || r_issue) || (m_valid_q && !re);
  assign held_n    = HeldW'(rq_count) + HeldW'(o_valid_q && !o_host) + HeldW'(re) +
                     HeldW'(d_valid_q);
  assign re_n      = m_valid_n && ((s_axi_r_valid_o && s_axi_r_ready_i)
                                   ? (held_n < HeldW'(RqDepth + 1)) : (held_n < HeldW'(RqDepth)));
  qilin_keep_copies #(.N(ReCopies)) u_re_copies (
    .clk_i, .rst_ni, .d_i(re_n), .q_o(re_rep)
  );
`ifndef SYNTHESIS
  // Every copy is M's valid and the room for a beat read now (queue, D and O).
  logic rq_room;
  assign rq_room = (32'(rq_count) + 32'(d_valid_q) + 32'(o_valid_q)) < RqDepth;
  `QILIN_ASSERT(ReCopies_A, re_rep == {ReCopies{m_valid_q && rq_room}}, clk_i, rst_ni)
`endif
  assign host_rvalid_o   = host_rvalid_q;
  assign host_rdata_o    = host_rdata_q;

  // Beats are full width and aligned (the core's DMAs and fetch unit send nothing else);
  // W's last flag ends a write burst.
  logic unused;
  assign unused = ^{s_axi_aw_i.addr[OffW-1:0], s_axi_aw_i.len, s_axi_aw_i.size,
                    s_axi_aw_i.burst, s_axi_ar_i.addr[OffW-1:0], s_axi_ar_i.size,
                    s_axi_ar_i.burst, host_addr_q[1:0]};

  `QILIN_ASSERT(RqRoom_A, !(o_valid_q && !o_host) || rq_in_ready, clk_i, rst_ni)
  `QILIN_ASSERT_INIT(BytesPow2_A, (Bytes & (Bytes - 1)) == 0 && Bytes >= 64)
endmodule
