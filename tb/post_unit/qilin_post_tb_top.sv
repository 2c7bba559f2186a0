// SPDX-License-Identifier: Apache-2.0
// Testbench top for POSTPROC: accumulator + scratchpad + qilin_ex_post, with backdoor ports
// for the C++ test: an ACC write port, an ACC accumulate port (a competing user of the ACC
// banks), a second SP write client (backdoor fill and a competing writer) and an SP read.
module qilin_post_tb_top #(
  parameter int unsigned Dim     = 8,
  parameter int unsigned SpRows  = 1024,
  parameter int unsigned AccRows = 256
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 clear_i,
  // Command.
  input  logic                 cmd_valid_i,
  output logic                 cmd_ready_o,
  input  logic [15:0]          cmd_c_addr_i,
  input  logic [15:0]          cmd_p_addr_i,
  input  logic [16:0]          cmd_o_addr_i,
  input  logic [11:0]          cmd_in_h_i,
  input  logic [11:0]          cmd_in_w_i,
  input  logic                 cmd_out_signed_i,
  input  logic                 cmd_bias_en_i,
  input  logic [1:0]           cmd_pool_kind_i,
  input  logic [3:0]           cmd_kh_i,
  input  logic [3:0]           cmd_kw_i,
  input  logic [2:0]           cmd_sh_i,
  input  logic [2:0]           cmd_sw_i,
  input  logic [8:0]           cmd_out_zp_i,
  input  logic [7:0]           cmd_act_min_i,
  input  logic [7:0]           cmd_act_max_i,
  output logic                 done_o,
  output logic                 err_o,
  output logic [7:0]           err_code_o,
  output logic [15:0]          err_addr_o,
  output logic                 busy_o,
  // The unit's SP write, observed (valid, ready, address).
  output logic                 unit_wr_valid_o,
  output logic                 unit_wr_ready_o,
  output logic [16:0]          unit_wr_addr_o,
  // ACC backdoor write.
  input  logic                 acc_wr_valid_i,
  output logic                 acc_wr_ready_o,
  input  logic [15:0]          acc_wr_addr_i,
  input  logic [Dim*32-1:0]    acc_wr_data_i,
  // ACC accumulate port: row += 0 occupies the row's bank (read, then write).
  input  logic                 acc_touch_valid_i,
  input  logic [15:0]          acc_touch_addr_i,
  // Second SP write client: backdoor fill, or a competing writer.
  input  logic                 sp_wr_valid_i,
  output logic                 sp_wr_ready_o,
  input  logic [15:0]          sp_wr_addr_i,
  input  logic [Dim*8-1:0]     sp_wr_data_i,
  // Holds the unit's SP write port (a scratchpad busy for a long time).
  input  logic                 sp_stall_i,
  // SP backdoor read.
  input  logic                 sp_rd_valid_i,
  output logic                 sp_rd_ready_o,
  input  logic [15:0]          sp_rd_addr_i,
  output logic                 sp_rsp_valid_o,
  output logic [Dim*8-1:0]     sp_rsp_data_o
);
  localparam int unsigned SpAW  = $clog2(SpRows);
  localparam int unsigned AccAW = $clog2(AccRows);

  logic                   acc_rd_valid, acc_rd_ready, acc_rsp_valid;
  logic [15:0]            acc_rd_addr;
  logic [Dim*32-1:0]      acc_rsp_data;
  logic                   unit_wr_valid, unit_wr_ready;
  logic [16:0]            unit_wr_addr;
  logic [Dim*8-1:0]       unit_wr_data;
  logic [1:0]             wr_valid, wr_ready;
  logic [1:0][SpAW-1:0]   wr_addr;
  logic [1:0][Dim*8-1:0]  wr_data;
  logic                   unused_acc_idle;
  logic                   unused_addr_bits;
  logic [Dim*32-1:0]      zero_row;

  // The window size N, as the EX unit precomputes it for the unit (1 without pooling).
  logic [7:0] cmd_n_win;
  assign cmd_n_win = (cmd_pool_kind_i == 2'd0) ? 8'd1 : 8'(cmd_kh_i) * 8'(cmd_kw_i);

  qilin_ex_post #(.Dim(Dim), .AccAddrW(16), .SpAddrW(17)) u_post (
    .clk_i, .rst_ni, .clear_i,
    .cmd_valid_i, .cmd_ready_o, .cmd_c_addr_i, .cmd_p_addr_i, .cmd_o_addr_i, .cmd_in_h_i,
    .cmd_in_w_i, .cmd_out_signed_i, .cmd_bias_en_i, .cmd_pool_kind_i, .cmd_kh_i, .cmd_kw_i,
    .cmd_sh_i, .cmd_sw_i, .cmd_n_win_i(cmd_n_win), .cmd_out_zp_i, .cmd_act_min_i,
    .cmd_act_max_i, .done_o, .err_o, .err_code_o, .err_addr_o, .busy_o,
    .acc_rd_valid_o(acc_rd_valid), .acc_rd_ready_i(acc_rd_ready), .acc_rd_addr_o(acc_rd_addr),
    .acc_rsp_valid_i(acc_rsp_valid), .acc_rsp_data_i(acc_rsp_data),
    .sp_wr_valid_o(unit_wr_valid), .sp_wr_ready_i(unit_wr_ready), .sp_wr_addr_o(unit_wr_addr),
    .sp_wr_data_o(unit_wr_data)
  );

  logic [1:0] unused_rd_busy;  // for cores that form their own ACC readies
  assign zero_row = '0;
  qilin_acc_mem #(.Dim(Dim), .Rows(AccRows), .NumBanks(2)) u_acc (
    .clk_i, .rst_ni,
    .acc_valid_i(acc_touch_valid_i), .acc_addr_i(acc_touch_addr_i[AccAW-1:0]),
    .acc_data_i(zero_row), .acc_add_i(1'b1),
    .rd_valid_i(acc_rd_valid), .rd_ready_o(acc_rd_ready), .rd_bank_busy_o(unused_rd_busy),
    .rd_addr_i(acc_rd_addr[AccAW-1:0]),
    .rsp_valid_o(acc_rsp_valid), .rsp_data_o(acc_rsp_data),
    .wr_valid_i(acc_wr_valid_i), .wr_ready_o(acc_wr_ready_o),
    .wr_addr_i(acc_wr_addr_i[AccAW-1:0]), .wr_data_i(acc_wr_data_i),
    .idle_o(unused_acc_idle)
  );

  assign wr_valid = {sp_wr_valid_i, unit_wr_valid && !sp_stall_i};
  assign wr_addr  = {sp_wr_addr_i[SpAW-1:0], unit_wr_addr[SpAW-1:0]};
  assign wr_data  = {sp_wr_data_i, unit_wr_data};
  assign unit_wr_ready = wr_ready[0] && !sp_stall_i;
  assign sp_wr_ready_o = wr_ready[1];

  qilin_banked_mem #(.Width(Dim * 8), .Rows(SpRows), .NumBanks(4), .NumRd(1), .NumWr(2)) u_sp (
    .clk_i, .rst_ni,
    .rd_valid_i(sp_rd_valid_i), .rd_ready_o(sp_rd_ready_o), .rd_addr_i(sp_rd_addr_i[SpAW-1:0]),
    .rsp_valid_o(sp_rsp_valid_o), .rsp_data_o(sp_rsp_data_o),
    .wr_valid_i(wr_valid), .wr_ready_o(wr_ready), .wr_addr_i(wr_addr), .wr_data_i(wr_data)
  );

  assign unit_wr_valid_o = unit_wr_valid;
  assign unit_wr_ready_o = unit_wr_ready;
  assign unit_wr_addr_o  = unit_wr_addr;
  assign unused_addr_bits = ^{acc_rd_addr[15:AccAW], unit_wr_addr[16:SpAW], unused_acc_idle,
                             acc_wr_addr_i[15:AccAW], acc_touch_addr_i[15:AccAW],
                             sp_wr_addr_i[15:SpAW], sp_rd_addr_i[15:SpAW]};
endmodule
