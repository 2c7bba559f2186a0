// SPDX-License-Identifier: Apache-2.0
// AXI4 N:1 multiplexer: several masters share one slave port. Requests are arbitrated
// round-robin per channel; the master index is carried in the top ID bits, so responses
// route back by ID and each master keeps AXI ordering for its own IDs.
//
// Masters must use IDs below 2^(IdW - IdxW); their top ID bits are replaced, and cleared
// again on the responses. A request shown to the slave is held until it is accepted.
module qilin_axi_mux #(
  parameter int unsigned NumMasters = 3,
  parameter int unsigned WDepth     = 8,  // AW bursts whose W beats may be pending (+1 in
                                          // the order queue's head register)
  // Do not override.
  parameter int unsigned IdxW       = (NumMasters > 1) ? $clog2(NumMasters) : 1,
  parameter int unsigned IdW        = qilin_axi_pkg::IdW,
  parameter int unsigned AxW        = qilin_axi_pkg::IdW + qilin_axi_pkg::AddrW + 8 + 3 + 2,
  parameter int unsigned WW         = qilin_axi_pkg::DataW + qilin_axi_pkg::StrbW + 1,
  parameter int unsigned BW         = qilin_axi_pkg::IdW + 2,
  parameter int unsigned RW         = qilin_axi_pkg::IdW + qilin_axi_pkg::DataW + 2 + 1
) (
  input  logic                                 clk_i,
  input  logic                                 rst_ni,
  // Masters (flattened channel payloads, qilin_axi_pkg layouts).
  input  logic [NumMasters-1:0]                m_aw_valid_i,
  output logic [NumMasters-1:0]                m_aw_ready_o,
  input  logic [NumMasters-1:0][AxW-1:0]       m_aw_i,
  input  logic [NumMasters-1:0]                m_w_valid_i,
  output logic [NumMasters-1:0]                m_w_ready_o,
  input  logic [NumMasters-1:0][WW-1:0]        m_w_i,
  output logic [NumMasters-1:0]                m_b_valid_o,
  input  logic [NumMasters-1:0]                m_b_ready_i,
  output logic [BW-1:0]                        m_b_o,
  input  logic [NumMasters-1:0]                m_ar_valid_i,
  output logic [NumMasters-1:0]                m_ar_ready_o,
  input  logic [NumMasters-1:0][AxW-1:0]       m_ar_i,
  output logic [NumMasters-1:0]                m_r_valid_o,
  input  logic [NumMasters-1:0]                m_r_ready_i,
  output logic [RW-1:0]                        m_r_o,
  // Slave.
  output logic                                 s_aw_valid_o,
  input  logic                                 s_aw_ready_i,
  output qilin_axi_pkg::axi_aw_t               s_aw_o,
  output logic                                 s_w_valid_o,
  input  logic                                 s_w_ready_i,
  output qilin_axi_pkg::axi_w_t                s_w_o,
  input  logic                                 s_b_valid_i,
  output logic                                 s_b_ready_o,
  input  qilin_axi_pkg::axi_b_t                s_b_i,
  output logic                                 s_ar_valid_o,
  input  logic                                 s_ar_ready_i,
  output qilin_axi_pkg::axi_ar_t               s_ar_o,
  input  logic                                 s_r_valid_i,
  output logic                                 s_r_ready_o,
  input  qilin_axi_pkg::axi_r_t                s_r_i
);
  `include "qilin_assert.svh"

  // ---------------------------------------------------------------------------------
  // AR: round-robin, tag the ID with the master index.
  // ---------------------------------------------------------------------------------
  logic [NumMasters-1:0] ar_gnt, aw_gnt;
  logic [IdxW-1:0]       ar_idx, aw_idx;
  logic [AxW-1:0]        ar_sel, aw_sel;

  // Once a request is shown to the slave it stays until accepted (AXI): while it waits,
  // the grant is locked to its master.
  logic [NumMasters-1:0] ar_arb_gnt, aw_arb_gnt;
  logic [IdxW-1:0]       ar_arb_idx, aw_arb_idx, ar_lock_idx_q, aw_lock_idx_q;
  logic                  ar_lock_q, aw_lock_q;

  qilin_rr_arb #(.N(NumMasters)) u_ar_arb (
    .clk_i, .rst_ni, .req_i(m_ar_valid_i), .advance_i(s_ar_ready_i && !ar_lock_q),
    .gnt_o(ar_arb_gnt), .idx_o(ar_arb_idx)
  );
  assign ar_idx = ar_lock_q ? ar_lock_idx_q : ar_arb_idx;
  always_comb begin
    ar_gnt = ar_arb_gnt;
    if (ar_lock_q) begin
      ar_gnt = '0;
      ar_gnt[ar_lock_idx_q] = 1'b1;
    end
  end
  assign ar_sel       = m_ar_i[ar_idx];
  assign s_ar_valid_o = ar_lock_q || (|m_ar_valid_i);
  assign s_ar_o       = {ar_idx, ar_sel[AxW-IdxW-1:0]};
  assign m_ar_ready_o = ar_gnt & {NumMasters{s_ar_ready_i}};

  // ---------------------------------------------------------------------------------
  // AW: round-robin; W beats follow in AW order, so the winner is queued for W.
  // ---------------------------------------------------------------------------------
  logic            word_in_ready, word_valid;
  logic [IdxW-1:0] word_idx;
  logic [$clog2(WDepth+1)-1:0] unused_word_cnt;

  qilin_rr_arb #(.N(NumMasters)) u_aw_arb (
    .clk_i, .rst_ni, .req_i(m_aw_valid_i),
    .advance_i(s_aw_ready_i && word_in_ready && !aw_lock_q),
    .gnt_o(aw_arb_gnt), .idx_o(aw_arb_idx)
  );
  assign aw_idx = aw_lock_q ? aw_lock_idx_q : aw_arb_idx;
  always_comb begin
    aw_gnt = aw_arb_gnt;
    if (aw_lock_q) begin
      aw_gnt = '0;
      aw_gnt[aw_lock_idx_q] = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_lock_q     <= 1'b0;
      ar_lock_idx_q <= '0;
      aw_lock_q     <= 1'b0;
      aw_lock_idx_q <= '0;
    end else begin
      ar_lock_q     <= s_ar_valid_o && !s_ar_ready_i;
      ar_lock_idx_q <= ar_idx;
      aw_lock_q     <= s_aw_valid_o && !(s_aw_ready_i && word_in_ready);
      aw_lock_idx_q <= aw_idx;
    end
  end
  assign aw_sel       = m_aw_i[aw_idx];
  assign s_aw_valid_o = (aw_lock_q || (|m_aw_valid_i)) && word_in_ready;
  assign s_aw_o       = {aw_idx, aw_sel[AxW-IdxW-1:0]};
  assign m_aw_ready_o = aw_gnt & {NumMasters{s_aw_ready_i && word_in_ready}};

  // The order queue's head sits in a register (word_*), so the W select starts from
  // flip-flops rather than the queue's LUT-RAM read. A burst's entry moves up whenever the
  // head is empty or its last beat leaves in the same cycle.
  logic            wq_valid, word_pop, word_take;
  logic [IdxW-1:0] wq_idx;

  qilin_fifo #(.Width(IdxW), .Depth(WDepth)) u_w_order (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i  (s_aw_valid_o && s_aw_ready_i),
    .in_ready_o  (word_in_ready),
    .in_data_i   (aw_idx),
    .out_valid_o (wq_valid),
    .out_ready_i (word_take),
    .out_data_o  (wq_idx),
    .count_o     (unused_word_cnt)
  );

  assign word_pop  = word_valid && s_w_valid_o && s_w_ready_i && s_w_o.last;
  assign word_take = wq_valid && (!word_valid || word_pop);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      word_valid <= 1'b0;
      word_idx   <= '0;
    end else if (word_take) begin
      word_valid <= 1'b1;
      word_idx   <= wq_idx;
    end else if (word_pop) begin
      word_valid <= 1'b0;
    end
  end

  assign s_w_valid_o = word_valid && m_w_valid_i[word_idx];
  assign s_w_o       = m_w_i[word_idx];
  always_comb begin
    m_w_ready_o = '0;
    m_w_ready_o[word_idx] = word_valid && s_w_ready_i;
  end

  // ---------------------------------------------------------------------------------
  // R and B: route by the ID's master bits.
  // ---------------------------------------------------------------------------------
  logic [IdxW-1:0] r_idx, b_idx;
  assign r_idx = s_r_i.id[IdW-1 -: IdxW];
  assign b_idx = s_b_i.id[IdW-1 -: IdxW];
  // Responses go back with the master-index bits cleared (masters use IDs below 2^(IdW-IdxW)).
  assign m_r_o = {{IdxW{1'b0}}, s_r_i[RW-IdxW-1:0]};
  assign m_b_o = {{IdxW{1'b0}}, s_b_i[BW-IdxW-1:0]};
  always_comb begin
    m_r_valid_o = '0;
    m_b_valid_o = '0;
    m_r_valid_o[r_idx] = s_r_valid_i;
    m_b_valid_o[b_idx] = s_b_valid_i;
  end
  assign s_r_ready_o = m_r_ready_i[r_idx];
  assign s_b_ready_o = m_b_ready_i[b_idx];

  // The masters' own top ID bits are replaced by the master index.
  logic unused_id_bits;
  assign unused_id_bits = ^{ar_sel[AxW-1 -: IdxW], aw_sel[AxW-1 -: IdxW]};

  `QILIN_ASSERT_INIT(AxWidth_A, AxW == $bits(qilin_axi_pkg::axi_ax_t))
  `QILIN_ASSERT_INIT(RWidth_A, RW == $bits(qilin_axi_pkg::axi_r_t))
  `QILIN_ASSERT_INIT(WWidth_A, WW == $bits(qilin_axi_pkg::axi_w_t))
  `QILIN_ASSERT_INIT(BWidth_A, BW == $bits(qilin_axi_pkg::axi_b_t))
  `QILIN_ASSERT(RouteR_A, !s_r_valid_i || (32'(r_idx) < NumMasters), clk_i, rst_ni)
  `QILIN_ASSERT(RouteB_A, !s_b_valid_i || (32'(b_idx) < NumMasters), clk_i, rst_ni)
endmodule
