// SPDX-License-Identifier: Apache-2.0
// MATMUL execution: streams weight rows and A rows from the scratchpad into the systolic
// array and accumulates its result rows into the accumulator. Commands are pipelined:
// the next command's weights load while the current one streams, so back-to-back
// MATMULs keep the array busy (see docs/array.md).
module qilin_ex_matmul #(
  parameter int unsigned Dim          = 16,
  parameter int unsigned ColsPerStage = 4,
  parameter int unsigned CmdDepth     = 4,
  parameter int unsigned SpRdLat      = 1,   // scratchpad read latency (qilin_banked_mem)
  // Do not override.
  parameter int unsigned SpAddrW      = qilin_core_pkg::SpAddrW,
  parameter int unsigned AccAddrW     = qilin_core_pkg::AccAddrW
) (
  input  logic                            clk_i,
  input  logic                            rst_ni,
  input  logic                            cmd_valid_i,
  output logic                            cmd_ready_o,
  input  qilin_core_pkg::matmul_cmd_t     cmd_i,
  output logic                            done_o,       // one pulse per finished command
  output logic                            busy_o,
  output logic                            array_busy_o, // a row entered the array this cycle
  // Scratchpad read clients: weights and A rows (data SpRdLat cycles after the grant).
  output logic                            sp_w_valid_o,
  input  logic                            sp_w_ready_i,
  output logic [SpAddrW-1:0]              sp_w_addr_o,
  input  logic                            sp_w_rsp_valid_i,
  input  logic [Dim*8-1:0]                sp_w_rsp_data_i,
  output logic                            sp_a_valid_o,
  input  logic                            sp_a_ready_i,
  output logic [SpAddrW-1:0]              sp_a_addr_o,
  input  logic                            sp_a_rsp_valid_i,
  input  logic [Dim*8-1:0]                sp_a_rsp_data_i,
  // Accumulator read-add-write port (never stalls).
  output logic                            acc_valid_o,
  output logic [AccAddrW-1:0]             acc_addr_o,
  output logic [Dim*32-1:0]               acc_data_o,
  output logic                            acc_add_o
);
  `include "qilin_assert.svh"

  // Room for the rows queued and in flight, so that one row per cycle streams (LUT RAM: 16
  // rows cost no more than 4).
  localparam int unsigned BufDepth = 4 + SpRdLat;
  localparam int unsigned CntW     = $clog2(BufDepth + 1);
  localparam int unsigned CmdW     = qilin_core_pkg::MatmulCmdW;
  // One buffered row: data, zero point, signedness, last-of-tile.
  localparam int unsigned RowW     = Dim * 8 + 9 + 1 + 1;

  qilin_core_pkg::matmul_cmd_t wq_cmd, aq_cmd, oq_cmd;
  logic wq_valid, aq_valid, oq_valid, wq_in_ready, aq_in_ready, oq_in_ready;
  logic wq_pop, aq_pop, oq_pop;
  localparam int unsigned CmdCntW = $clog2(CmdDepth + 1);
  logic [CmdCntW-1:0] wq_cnt, aq_cnt, unused_oq_cnt;
  logic            cmd_push;
  // The row streams' entries carry the command's "one row" flag (k_size == 1 / m_size == 1),
  // decided at the push, so the first row's last-row flag is the LUT-RAM read, not a compare.
  logic [CmdW:0]   wq_data, aq_data;
  logic            wq_k1, aq_m1;

  assign cmd_ready_o = wq_in_ready && aq_in_ready && oq_in_ready;
  assign cmd_push    = cmd_valid_i && cmd_ready_o;
  assign wq_cmd      = wq_data[CmdW:1];
  assign wq_k1       = wq_data[0];
  assign aq_cmd      = aq_data[CmdW:1];
  assign aq_m1       = aq_data[0];

  // Each stream walks the command queue at its own pace.
  qilin_fifo #(.Width(CmdW + 1), .Depth(CmdDepth)) u_wq (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(cmd_push), .in_ready_o(wq_in_ready), .in_data_i({cmd_i, cmd_i.k_size == 8'd1}),
    .out_valid_o(wq_valid), .out_ready_i(wq_pop), .out_data_o(wq_data), .count_o(wq_cnt)
  );
  qilin_fifo #(.Width(CmdW + 1), .Depth(CmdDepth)) u_aq (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(cmd_push), .in_ready_o(aq_in_ready), .in_data_i({cmd_i, cmd_i.m_size == 16'd1}),
    .out_valid_o(aq_valid), .out_ready_i(aq_pop), .out_data_o(aq_data), .count_o(aq_cnt)
  );
  qilin_fifo #(.Width(CmdW), .Depth(CmdDepth)) u_oq (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(cmd_push), .in_ready_o(oq_in_ready), .in_data_i(cmd_i),
    .out_valid_o(oq_valid), .out_ready_i(oq_pop), .out_data_o(oq_cmd), .count_o(unused_oq_cnt)
  );

  // -----------------------------------------------------------------------------------
  // Row readers: a generator walks each command's rows into a two-entry request queue
  // (qilin_skid) whose head drives the scratchpad port from flip-flops, so the address adder
  // behind the command FIFO's LUT-RAM read is not in series with the SP arbitration and the
  // block RAM's address pins. A row is generated only when its buffer is sure to have room
  // for the response: rows queued, in flight (granted, the data SpRdLat cycles later) and
  // buffered never exceed BufDepth. The row's metadata waits for its data in a pipeline
  // (stage SpRdLat-1 pushes into the buffer).
  // -----------------------------------------------------------------------------------
  localparam int unsigned ReqW = SpAddrW + 11;  // {address, zp, signed, last}
  logic [7:0]       w_row_q;
  logic [15:0]      a_row_q;
  logic             w_meta_valid_q [SpRdLat];
  logic             a_meta_valid_q [SpRdLat];
  logic [10:0]      w_meta_q [SpRdLat];   // {zp, signed, last} of a row in flight
  logic [10:0]      a_meta_q [SpRdLat];
  logic [CntW-1:0]  w_buf_cnt, a_buf_cnt, w_fly, a_fly;
  logic [1:0]       w_qd, a_qd;           // rows in the request queue
  logic             w_gen, a_gen, w_last_row, a_last_row, w_push, a_push;
  logic             w_gnt, a_gnt, w_rq_ready, a_rq_ready;
  logic [ReqW-1:0]  w_rq_head, a_rq_head;

  always_comb begin
    w_fly = '0;
    a_fly = '0;
    for (int unsigned i = 0; i < SpRdLat; i++) begin
      w_fly += CntW'(w_meta_valid_q[i]);
      a_fly += CntW'(a_meta_valid_q[i]);
    end
  end

  // The generators' decisions from flip-flops (routed critical path: the count adders and a
  // 16-bit compare on the FIFO's LUT-RAM read, then the FIFO pointers and the skid's enables;
  // 10 LUT levels to u_wq's pointers before, 3 after):
  // - the FIFO's valid (QValid_A), from its next count;
  // - the credit "rows queued + in flight + buffered < BufDepth" (Credit_A): the sum moves
  //   only by a generated row (+1) and a row leaving the buffer (-1);
  // - the last-row flag and the row's address (RowWalkW_A, RowWalkA_A): the first row takes
  //   them from the head entry (its one-row flag and base address), later rows from
  //   registers counting the rows left and the address, instead of cmd.size == row + 1 and
  //   cmd.addr + row.
  logic              w_qv_q, a_qv_q, w_room_q, a_room_q, w_pop, a_pop;
  logic [CntW:0]     w_tot_q, a_tot_q, w_tot_n, a_tot_n;
  logic              w_first_q, a_first_q, w_last_q, a_last_q;
  logic [7:0]        w_rem_q;
  logic [15:0]       a_rem_q;
  logic [SpAddrW-1:0] w_addr_q, a_addr_q, w_addr, a_addr;

  assign w_last_row = w_first_q ? wq_k1 : w_last_q;
  assign a_last_row = a_first_q ? aq_m1 : a_last_q;
  assign w_addr     = w_first_q ? wq_cmd.w_addr : w_addr_q;
  assign a_addr     = a_first_q ? aq_cmd.a_addr : a_addr_q;
  assign w_gen  = w_qv_q && w_rq_ready && w_room_q;
  assign a_gen  = a_qv_q && a_rq_ready && a_room_q;
  assign w_tot_n = w_tot_q + (CntW+1)'(w_gen) - (CntW+1)'(w_pop);
  assign a_tot_n = a_tot_q + (CntW+1)'(a_gen) - (CntW+1)'(a_pop);
  assign wq_pop = w_gen && w_last_row;
  assign aq_pop = a_gen && a_last_row;
  assign w_gnt  = sp_w_valid_o && sp_w_ready_i;
  assign a_gnt  = sp_a_valid_o && sp_a_ready_i;
  assign w_push = w_meta_valid_q[SpRdLat-1];
  assign a_push = a_meta_valid_q[SpRdLat-1];

  qilin_skid #(.Width(ReqW)) u_wrq (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i (w_gen),
    .in_ready_o (w_rq_ready),
    .in_data_i  ({w_addr, wq_cmd.w_zp, wq_cmd.w_signed, w_last_row}),
    .out_valid_o(sp_w_valid_o),
    .out_ready_i(sp_w_ready_i),
    .out_data_o (w_rq_head),
    .count_o    (w_qd)
  );
  qilin_skid #(.Width(ReqW)) u_arq (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i (a_gen),
    .in_ready_o (a_rq_ready),
    .in_data_i  ({a_addr, aq_cmd.a_zp, aq_cmd.a_signed, a_last_row}),
    .out_valid_o(sp_a_valid_o),
    .out_ready_i(sp_a_ready_i),
    .out_data_o (a_rq_head),
    .count_o    (a_qd)
  );
  assign sp_w_addr_o = w_rq_head[ReqW-1 -: SpAddrW];
  assign sp_a_addr_o = a_rq_head[ReqW-1 -: SpAddrW];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_row_q <= '0;
      a_row_q <= '0;
      w_qv_q    <= 1'b0;
      a_qv_q    <= 1'b0;
      w_tot_q   <= '0;
      a_tot_q   <= '0;
      w_room_q  <= 1'b1;
      a_room_q  <= 1'b1;
      w_first_q <= 1'b1;
      a_first_q <= 1'b1;
      w_last_q  <= 1'b0;
      a_last_q  <= 1'b0;
      w_rem_q   <= '0;
      a_rem_q   <= '0;
      w_addr_q  <= '0;
      a_addr_q  <= '0;
      for (int unsigned i = 0; i < SpRdLat; i++) begin
        w_meta_valid_q[i] <= 1'b0;
        a_meta_valid_q[i] <= 1'b0;
        w_meta_q[i]       <= '0;
        a_meta_q[i]       <= '0;
      end
    end else begin
      w_meta_valid_q[0] <= w_gnt;
      a_meta_valid_q[0] <= a_gnt;
      w_meta_q[0]       <= w_rq_head[10:0];
      a_meta_q[0]       <= a_rq_head[10:0];
      for (int unsigned i = 1; i < SpRdLat; i++) begin
        w_meta_valid_q[i] <= w_meta_valid_q[i-1];
        a_meta_valid_q[i] <= a_meta_valid_q[i-1];
        w_meta_q[i]       <= w_meta_q[i-1];
        a_meta_q[i]       <= a_meta_q[i-1];
      end
      if (w_gen) w_row_q <= w_last_row ? '0 : w_row_q + 8'd1;
      if (a_gen) a_row_q <= a_last_row ? '0 : a_row_q + 16'd1;
      w_qv_q   <= cmd_push || (wq_cnt > CmdCntW'(1)) || (wq_cnt == CmdCntW'(1) && !wq_pop);
      a_qv_q   <= cmd_push || (aq_cnt > CmdCntW'(1)) || (aq_cnt == CmdCntW'(1) && !aq_pop);
      w_tot_q  <= w_tot_n;
      a_tot_q  <= a_tot_n;
      w_room_q <= (w_tot_n < (CntW+1)'(BufDepth));
      a_room_q <= (a_tot_n < (CntW+1)'(BufDepth));
      if (w_gen) begin
        w_first_q <= w_last_row;
        w_last_q  <= w_first_q ? (wq_cmd.k_size == 8'd2) : (w_rem_q == 8'd1);
        w_rem_q   <= w_first_q ? wq_cmd.k_size - 8'd2 : w_rem_q - 8'd1;
        w_addr_q  <= w_addr + SpAddrW'(1);
      end
      if (a_gen) begin
        a_first_q <= a_last_row;
        a_last_q  <= a_first_q ? (aq_cmd.m_size == 16'd2) : (a_rem_q == 16'd1);
        a_rem_q   <= a_first_q ? aq_cmd.m_size - 16'd2 : a_rem_q - 16'd1;
        a_addr_q  <= a_addr + SpAddrW'(1);
      end
    end
  end
  // The retimed decisions equal the original expressions every cycle (w_row_q/a_row_q are
  // kept for these checks only).
  `QILIN_ASSERT(QValid_A, w_qv_q == wq_valid && a_qv_q == aq_valid, clk_i, rst_ni)
  `QILIN_ASSERT(Credit_A,
                32'(w_tot_q) == 32'(w_buf_cnt) + 32'(w_fly) + 32'(w_qd) &&
                32'(a_tot_q) == 32'(a_buf_cnt) + 32'(a_fly) + 32'(a_qd) &&
                w_room_q == (32'(w_buf_cnt) + 32'(w_fly) + 32'(w_qd) < BufDepth) &&
                a_room_q == (32'(a_buf_cnt) + 32'(a_fly) + 32'(a_qd) < BufDepth), clk_i, rst_ni)
  `QILIN_ASSERT(RowWalkW_A, !wq_valid ||
                (w_first_q == (w_row_q == '0) &&
                 w_last_row == ({8'd0, w_row_q} + 16'd1 == {8'd0, wq_cmd.k_size}) &&
                 w_addr == wq_cmd.w_addr + SpAddrW'(w_row_q)), clk_i, rst_ni)
  `QILIN_ASSERT(RowWalkA_A, !aq_valid ||
                (a_first_q == (a_row_q == '0) &&
                 a_last_row == (a_row_q + 16'd1 == aq_cmd.m_size) &&
                 a_addr == aq_cmd.a_addr + SpAddrW'(a_row_q)), clk_i, rst_ni)

  logic             wb_valid, wb_ready, wb_valid_next, ab_valid, ab_ready;
  logic [RowW-1:0]  wb_row, ab_row;
  logic             unused_wb_in_ready, unused_ab_in_ready;

  // Heads in flip-flops (HeadReg): the array's row-0 multiplier operands and the last-row
  // bits in its enable look-ahead would otherwise come through the LUT-RAM read mux
  // (10.2 and 10.8 ns routed into the DSP inputs and the enable copies, stop 20).
  qilin_fifo #(.Width(RowW), .Depth(BufDepth), .HeadReg(1'b1)) u_wbuf (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(w_push), .in_ready_o(unused_wb_in_ready),
    .in_data_i({sp_w_rsp_data_i, w_meta_q[SpRdLat-1]}),
    .out_valid_o(wb_valid), .out_ready_i(wb_ready), .out_data_o(wb_row), .count_o(w_buf_cnt)
  );
  qilin_fifo #(.Width(RowW), .Depth(BufDepth), .HeadReg(1'b1)) u_abuf (
    .clk_i, .rst_ni, .flush_i(1'b0),
    .in_valid_i(a_push), .in_ready_o(unused_ab_in_ready),
    .in_data_i({sp_a_rsp_data_i, a_meta_q[SpRdLat-1]}),
    .out_valid_o(ab_valid), .out_ready_i(ab_ready), .out_data_o(ab_row), .count_o(a_buf_cnt)
  );

  // "Buffer holds >= 1 / >= 2 rows" as flops from the next count (BufFlags_A), so the array's
  // valids and the look-ahead below are a gate from flops, not a decode of the counts.
  logic w_ge1_q, w_ge2_q, a_ge1_q;
  logic [CntW:0] w_cnt_n, a_cnt_n;
  assign w_pop   = w_ge1_q && wb_ready;
  assign a_pop   = a_ge1_q && ab_ready;
  assign w_cnt_n = (CntW+1)'(w_buf_cnt) + (CntW+1)'(w_push) - (CntW+1)'(w_pop);
  assign a_cnt_n = (CntW+1)'(a_buf_cnt) + (CntW+1)'(a_push) - (CntW+1)'(a_pop);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_ge1_q <= 1'b0;
      w_ge2_q <= 1'b0;
      a_ge1_q <= 1'b0;
    end else begin
      w_ge1_q <= (w_cnt_n != '0);
      w_ge2_q <= (w_cnt_n > (CntW+1)'(1));
      a_ge1_q <= (a_cnt_n != '0);
    end
  end
  `QILIN_ASSERT(BufFlags_A, w_ge1_q == wb_valid && w_ge2_q == (w_buf_cnt > CntW'(1)) &&
                a_ge1_q == ab_valid, clk_i, rst_ni)

  // The weight buffer's head is valid next cycle unless it holds at most the row popped now
  // and nothing arrives (the push is never refused, NoBufferOverflow_A). The array
  // registers its advance enable from this look-ahead (WValidNext).
  assign wb_valid_next = w_push || w_ge2_q || (w_ge1_q && !wb_ready);

  // -----------------------------------------------------------------------------------
  // The array, and its results into the accumulator.
  // -----------------------------------------------------------------------------------
  logic                          o_valid, o_last;
  logic [Dim-1:0][31:0]          o_data;
  logic [Dim-1:0][8:0]           w_zp_cols;
  logic [15:0]                   o_row_q;
  logic                          unused_array_busy;

  for (genvar c = 0; c < Dim; c++) begin : gen_wzp
    assign w_zp_cols[c] = wb_row[10:2];
  end

  qilin_array #(
    .NumRows(Dim), .NumCols(Dim), .ColsPerStage(ColsPerStage), .WValidNext(1'b1)
  ) u_array (
    .clk_i,
    .rst_ni,
    .w_valid_i      (w_ge1_q),   // == wb_valid
    .w_ready_o      (wb_ready),
    .w_valid_next_i (wb_valid_next),
    .w_data_i   (wb_row[RowW-1:11]),
    .w_zp_i     (w_zp_cols),
    .w_signed_i (wb_row[1]),
    .w_last_i   (wb_row[0]),
    .a_valid_i  (a_ge1_q),       // == ab_valid
    .a_ready_o  (ab_ready),
    .a_data_i   (ab_row[RowW-1:11]),
    .a_zp_i     (ab_row[10:2]),
    .a_signed_i (ab_row[1]),
    .a_last_i   (ab_row[0]),
    .o_valid_o  (o_valid),
    .o_ready_i  (1'b1),
    .o_data_o   (o_data),
    .o_last_o   (o_last),
    .busy_o     (unused_array_busy)
  );

  // The accumulate port from registers: the address adder behind the output command FIFO's
  // LUT-RAM read and the array's output are not in series with the accumulator's bank
  // selects and block-RAM address pins (+1 cycle before each row's accumulate).
  logic                  acc_v_q, acc_add_q;
  logic [AccAddrW-1:0]   acc_addr_q;
  logic [Dim*32-1:0]     acc_data_q;
  assign acc_valid_o = acc_v_q;
  assign acc_addr_o  = acc_addr_q;
  assign acc_data_o  = acc_data_q;
  assign acc_add_o   = acc_add_q;
  assign oq_pop      = o_valid && o_last;

  // done_o follows the last row into the accumulator by three cycles: the port register,
  // then qilin_acc_mem writes a row three cycles after it is presented, so a read that
  // starts the cycle after done_o still sees the command's results.
  logic done_q, done2_q, done3_q;
  assign done_o = done3_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      o_row_q    <= '0;
      done_q     <= 1'b0;
      done2_q    <= 1'b0;
      done3_q    <= 1'b0;
      acc_v_q    <= 1'b0;
      acc_add_q  <= 1'b0;
      acc_addr_q <= '0;
    end else begin
      done_q     <= oq_pop;
      done2_q    <= done_q;
      done3_q    <= done2_q;
      acc_v_q    <= o_valid;
      acc_add_q  <= oq_cmd.accumulate;
      acc_addr_q <= oq_cmd.c_addr + AccAddrW'(o_row_q);
      if (o_valid) o_row_q <= o_last ? '0 : o_row_q + 16'd1;
    end
  end
  // Payload: no reset, only read with acc_v_q.
  always_ff @(posedge clk_i) acc_data_q <= o_data;

  assign busy_o       = wq_valid || aq_valid || oq_valid || done_q || done2_q || done3_q;
  assign array_busy_o = a_pop;

  `QILIN_ASSERT_INIT(CmdWidth_A, CmdW == $bits(qilin_core_pkg::matmul_cmd_t))

  // Each stream uses only some command fields.
  logic unused_cmd_bits;
  assign unused_cmd_bits = ^{wq_cmd, aq_cmd, oq_cmd};

  // The scratchpad answers exactly SpRdLat cycles after each grant.
  `QILIN_ASSERT(SpLatencyW_A, sp_w_rsp_valid_i == w_push, clk_i, rst_ni)
  `QILIN_ASSERT(SpLatencyA_A, sp_a_rsp_valid_i == a_push, clk_i, rst_ni)
  // The array's tile boundaries must agree with the command's row count.
  `QILIN_ASSERT(ResultsMatchCommand_A, !o_valid || (oq_valid && (o_last == (o_row_q + 16'd1 == oq_cmd.m_size))),
                clk_i, rst_ni)
  `QILIN_ASSERT(NoBufferOverflow_A, !(w_push && !unused_wb_in_ready) &&
                !(a_push && !unused_ab_in_ready), clk_i, rst_ni)
  `QILIN_ASSERT_INIT(SpRdLat_A, SpRdLat >= 1 && SpRdLat <= 3)
endmodule
