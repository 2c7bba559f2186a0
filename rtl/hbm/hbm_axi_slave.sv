// SPDX-License-Identifier: Apache-2.0
// AXI4 slave for the HBM controller: splits INCR bursts into 32 B requests, routes them to
// the pseudo-channel controllers, and returns read data in AXI order.
//
// - Reads: every beat gets a reorder-buffer (ROB) slot when it is dispatched; the PC
//   controllers write the data into its slot in whatever order they finish, and the R
//   channel drains the ROB strictly in dispatch order. Read data therefore leaves in AR
//   order for all IDs (a stronger guarantee than AXI's per-ID order).
// - Writes: bursts are handled in AW order. The B response is queued once the last beat of
//   the burst has been accepted into its PC controller's queue (point of completion): a
//   read issued after the B arrives is queued behind the write, and the PC controller
//   never reorders same-address requests, so it returns the new data.
// - Only INCR bursts are supported (FIXED and WRAP are treated as INCR). Narrow beats
//   (AxSIZE < 5) are supported: each beat reads or writes its 32 B line, byte lanes as in
//   AXI. Responses are always OKAY.
module hbm_axi_slave #(
  parameter int unsigned NumPC    = 1,
  parameter int unsigned AddrMap  = 0,
  parameter int unsigned RobDepth = 128,
  parameter int unsigned AxDepth  = 4,
  parameter int unsigned WDepth   = 8,
  parameter int unsigned BDepth   = 8,
  // Do not override.
  parameter int unsigned TagW     = $clog2(RobDepth),
  parameter int unsigned PcW      = (NumPC > 1) ? $clog2(NumPC) : 1
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // AXI4 slave.
  input  qilin_axi_pkg::axi_aw_t      aw_i,
  input  logic                        aw_valid_i,
  output logic                        aw_ready_o,
  input  qilin_axi_pkg::axi_w_t       w_i,
  input  logic                        w_valid_i,
  output logic                        w_ready_o,
  output qilin_axi_pkg::axi_b_t       b_o,
  output logic                        b_valid_o,
  input  logic                        b_ready_i,
  input  qilin_axi_pkg::axi_ar_t      ar_i,
  input  logic                        ar_valid_i,
  output logic                        ar_ready_o,
  output qilin_axi_pkg::axi_r_t       r_o,
  output logic                        r_valid_o,
  input  logic                        r_ready_i,
  // Requests to the PC controllers. Write data is shared by all PCs.
  output logic [NumPC-1:0]            pc_req_valid_o,
  input  logic [NumPC-1:0]            pc_req_ready_i,
  output logic [NumPC-1:0]            pc_req_we_o,
  output logic [NumPC-1:0][1:0]       pc_req_bg_o,
  output logic [NumPC-1:0][1:0]       pc_req_ba_o,
  output logic [NumPC-1:0][13:0]      pc_req_row_o,
  output logic [NumPC-1:0][4:0]       pc_req_col_o,
  output logic [TagW-1:0]             pc_req_tag_o,
  output logic [255:0]                pc_req_wdata_o,
  output logic [31:0]                 pc_req_wmask_o,
  // Read data from the PC controllers.
  input  logic [NumPC-1:0]            pc_rsp_valid_i,
  input  logic [NumPC-1:0][TagW-1:0]  pc_rsp_tag_i,
  input  logic [NumPC-1:0][255:0]     pc_rsp_data_i
);
  localparam int unsigned AddrW = qilin_axi_pkg::AddrW;
  localparam int unsigned IdW   = qilin_axi_pkg::IdW;
  // Payload widths (the fields of the qilin_axi_pkg structs).
  localparam int unsigned AxW  = IdW + AddrW + 8 + 3 + 2;
  localparam int unsigned WW   = qilin_axi_pkg::DataW + qilin_axi_pkg::StrbW + 1;
  localparam int unsigned BW   = IdW + 2;
  localparam int unsigned RobCntW = $clog2(RobDepth + 1);

  // ---------------------------------------------------------------------------------------
  // Input FIFOs
  // ---------------------------------------------------------------------------------------
  qilin_axi_pkg::axi_ax_t ar_head, aw_head;
  qilin_axi_pkg::axi_w_t  w_head;
  logic    ar_head_valid, aw_head_valid, w_head_valid;
  logic    ar_pop, aw_pop, w_pop;
  logic    b_push, b_push_ready;
  qilin_axi_pkg::axi_b_t b_push_data;
  // FIFO fill levels are not needed here.
  logic [$clog2(AxDepth+1)-1:0] ar_cnt_unused, aw_cnt_unused;
  logic [$clog2(WDepth+1)-1:0]  w_cnt_unused;
  logic [$clog2(BDepth+1)-1:0]  b_cnt_unused;

  qilin_fifo #(.Width(AxW), .Depth(AxDepth)) u_ar_fifo (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(ar_valid_i), .in_ready_o(ar_ready_o), .in_data_i(ar_i),
    .out_valid_o(ar_head_valid), .out_ready_i(ar_pop), .out_data_o(ar_head), .count_o(ar_cnt_unused)
  );
  qilin_fifo #(.Width(AxW), .Depth(AxDepth)) u_aw_fifo (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(aw_valid_i), .in_ready_o(aw_ready_o), .in_data_i(aw_i),
    .out_valid_o(aw_head_valid), .out_ready_i(aw_pop), .out_data_o(aw_head), .count_o(aw_cnt_unused)
  );
  qilin_fifo #(.Width(WW), .Depth(WDepth)) u_w_fifo (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(w_valid_i), .in_ready_o(w_ready_o), .in_data_i(w_i),
    .out_valid_o(w_head_valid), .out_ready_i(w_pop), .out_data_o(w_head), .count_o(w_cnt_unused)
  );
  qilin_fifo #(.Width(BW), .Depth(BDepth)) u_b_fifo (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(b_push), .in_ready_o(b_push_ready), .in_data_i(b_push_data),
    .out_valid_o(b_valid_o), .out_ready_i(b_ready_i), .out_data_o(b_o), .count_o(b_cnt_unused)
  );

  // ---------------------------------------------------------------------------------------
  // Burst splitters: the head of the AR / AW FIFO plus a beat counter.
  // ---------------------------------------------------------------------------------------
  logic [7:0]       rd_beat_q, rd_beat_d, wr_beat_q, wr_beat_d;
  logic [AddrW-1:0] rd_addr, wr_addr;
  logic             rd_last, wr_last;
  logic [PcW-1:0]   rd_pc, wr_pc;
  logic [1:0]       rd_bg, rd_ba, wr_bg, wr_ba;
  logic [13:0]      rd_row, wr_row;
  logic [4:0]       rd_col, wr_col;
  logic             rd_want, wr_want, rd_go, wr_go;

  // Beat n of a burst: the size-aligned start address plus n * 2**size.
  function automatic logic [AddrW-1:0] beat_addr(input logic [AddrW-1:0] addr,
                                                 input logic [2:0] size, input logic [7:0] n);
    beat_addr = (addr & ~((AddrW'(1) << size) - AddrW'(1))) + (AddrW'(n) << size);
  endfunction

  assign rd_addr = beat_addr(ar_head.addr, ar_head.size, rd_beat_q);
  assign wr_addr = beat_addr(aw_head.addr, aw_head.size, wr_beat_q);
  assign rd_last = (rd_beat_q == ar_head.len);
  assign wr_last = (wr_beat_q == aw_head.len);

  hbm_addr_map #(.NumPC(NumPC), .AddrMap(AddrMap), .AddrW(AddrW)) u_rd_map (
    .addr_i(rd_addr), .pc_o(rd_pc), .bg_o(rd_bg), .ba_o(rd_ba), .row_o(rd_row), .col_o(rd_col)
  );
  hbm_addr_map #(.NumPC(NumPC), .AddrMap(AddrMap), .AddrW(AddrW)) u_wr_map (
    .addr_i(wr_addr), .pc_o(wr_pc), .bg_o(wr_bg), .ba_o(wr_ba), .row_o(wr_row), .col_o(wr_col)
  );

  // ---------------------------------------------------------------------------------------
  // Reorder buffer
  // ---------------------------------------------------------------------------------------
  logic [TagW-1:0]          rob_head_q, rob_head_d, rob_tail_q, rob_tail_d;
  logic [RobCntW-1:0]       rob_cnt_q, rob_cnt_d;
  logic [RobDepth-1:0]      rob_full_q, rob_full_d;     // data has arrived
  logic [RobDepth-1:0][IdW-1:0] rob_id_q, rob_id_d;
  logic [RobDepth-1:0]      rob_last_q, rob_last_d;
  logic [255:0]             rob_data_q [RobDepth];
  logic                     r_fire;

  // A read beat may be dispatched when a ROB slot is free.
  assign rd_want = ar_head_valid && (rob_cnt_q != RobCntW'(RobDepth));
  // A write beat needs its data, and the last beat needs room for the B response.
  assign wr_want = aw_head_valid && w_head_valid && (!wr_last || b_push_ready);

  // ---------------------------------------------------------------------------------------
  // Per-PC arbitration between the two splitters. A request shown to a PC that is not ready
  // stays the same until it is taken (lock), as the valid/ready contract requires.
  // ---------------------------------------------------------------------------------------
  logic             prio_wr_q, prio_wr_d;
  logic [NumPC-1:0] lock_q, lock_d, lock_wr_q, lock_wr_d;
  logic [NumPC-1:0] grant_wr;

  always_comb begin
    logic to_rd, to_wr;
    rd_go          = 1'b0;
    wr_go          = 1'b0;
    prio_wr_d      = prio_wr_q;
    pc_req_valid_o = '0;
    pc_req_we_o    = '0;
    pc_req_bg_o    = '0;
    pc_req_ba_o    = '0;
    pc_req_row_o   = '0;
    pc_req_col_o   = '0;
    grant_wr       = '0;
    lock_d         = '0;
    lock_wr_d      = '0;
    for (int p = 0; p < int'(NumPC); p++) begin
      to_rd = rd_want && (rd_pc == PcW'(p));
      to_wr = wr_want && (wr_pc == PcW'(p));
      if (lock_q[p])          grant_wr[p] = lock_wr_q[p];
      else if (to_rd && to_wr) grant_wr[p] = prio_wr_q;
      else                     grant_wr[p] = to_wr;
      pc_req_valid_o[p] = grant_wr[p] ? to_wr : to_rd;
      pc_req_we_o[p]    = grant_wr[p];
      pc_req_bg_o[p]    = grant_wr[p] ? wr_bg : rd_bg;
      pc_req_ba_o[p]    = grant_wr[p] ? wr_ba : rd_ba;
      pc_req_row_o[p]   = grant_wr[p] ? wr_row : rd_row;
      pc_req_col_o[p]   = grant_wr[p] ? wr_col : rd_col;
      lock_d[p]         = pc_req_valid_o[p] && !pc_req_ready_i[p];
      lock_wr_d[p]      = grant_wr[p];
      if (pc_req_valid_o[p] && pc_req_ready_i[p]) begin
        if (grant_wr[p]) wr_go = 1'b1;
        else             rd_go = 1'b1;
        if (to_rd && to_wr) prio_wr_d = !grant_wr[p];
      end
    end
  end

  assign pc_req_tag_o   = rob_tail_q;
  assign pc_req_wdata_o = w_head.data;
  assign pc_req_wmask_o = w_head.strb;

  // Splitter progress.
  assign ar_pop = rd_go && rd_last;
  assign aw_pop = wr_go && wr_last;
  assign w_pop  = wr_go;
  assign b_push = wr_go && wr_last;
  assign b_push_data = {aw_head.id, qilin_axi_pkg::RespOkay};
  assign rd_beat_d = rd_go ? (rd_last ? 8'd0 : rd_beat_q + 8'd1) : rd_beat_q;
  assign wr_beat_d = wr_go ? (wr_last ? 8'd0 : wr_beat_q + 8'd1) : wr_beat_q;

  // ROB bookkeeping.
  assign r_fire    = r_valid_o && r_ready_i;
  assign r_valid_o = (rob_cnt_q != '0) && rob_full_q[rob_head_q];
  assign r_o       = {rob_id_q[rob_head_q], rob_data_q[rob_head_q], qilin_axi_pkg::RespOkay,
                      rob_last_q[rob_head_q]};

  always_comb begin
    rob_head_d = rob_head_q;
    rob_tail_d = rob_tail_q;
    rob_cnt_d  = rob_cnt_q;
    rob_full_d = rob_full_q;
    rob_id_d   = rob_id_q;
    rob_last_d = rob_last_q;
    if (rd_go) begin
      rob_id_d[rob_tail_q]   = ar_head.id;
      rob_last_d[rob_tail_q] = rd_last;
      rob_tail_d             = (rob_tail_q == TagW'(RobDepth - 1)) ? '0 : rob_tail_q + TagW'(1);
    end
    for (int p = 0; p < int'(NumPC); p++) begin
      if (pc_rsp_valid_i[p]) rob_full_d[pc_rsp_tag_i[p]] = 1'b1;
    end
    if (r_fire) begin
      rob_full_d[rob_head_q] = 1'b0;
      rob_head_d             = (rob_head_q == TagW'(RobDepth - 1)) ? '0 : rob_head_q + TagW'(1);
    end
    rob_cnt_d = rob_cnt_q + RobCntW'(rd_go) - RobCntW'(r_fire);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_beat_q  <= '0;
      wr_beat_q  <= '0;
      prio_wr_q  <= 1'b0;
      lock_q     <= '0;
      lock_wr_q  <= '0;
      rob_head_q <= '0;
      rob_tail_q <= '0;
      rob_cnt_q  <= '0;
      rob_full_q <= '0;
      rob_id_q   <= '0;
      rob_last_q <= '0;
    end else begin
      rd_beat_q  <= rd_beat_d;
      wr_beat_q  <= wr_beat_d;
      prio_wr_q  <= prio_wr_d;
      lock_q     <= lock_d;
      lock_wr_q  <= lock_wr_d;
      rob_head_q <= rob_head_d;
      rob_tail_q <= rob_tail_d;
      rob_cnt_q  <= rob_cnt_d;
      rob_full_q <= rob_full_d;
      rob_id_q   <= rob_id_d;
      rob_last_q <= rob_last_d;
    end
  end

  // ROB data: no reset; a slot is read only after its data arrived (rob_full_q).
  always_ff @(posedge clk_i) begin
    for (int p = 0; p < int'(NumPC); p++) begin
      if (pc_rsp_valid_i[p]) rob_data_q[pc_rsp_tag_i[p]] <= pc_rsp_data_i[p];
    end
  end

`ifndef SYNTHESIS
  // Protocol checks on what the master sent.
  always_ff @(posedge clk_i) begin
    if (ar_pop && (ar_head.burst != qilin_axi_pkg::BurstIncr))
      $warning("hbm_axi_slave: non-INCR read burst");
    if (aw_pop && (aw_head.burst != qilin_axi_pkg::BurstIncr))
      $warning("hbm_axi_slave: non-INCR write burst");
    if (w_pop && (w_head.last != wr_last)) $error("hbm_axi_slave: WLAST does not match AWLEN");
  end
  initial begin
    if (RobDepth < 2 || (RobDepth & (RobDepth - 1)) != 0)
      $fatal(1, "hbm_axi_slave: RobDepth must be a power of two >= 2");
    if (NumPC < 1 || NumPC > 16) $fatal(1, "hbm_axi_slave: NumPC must be 1..16");
  end
`endif
endmodule
