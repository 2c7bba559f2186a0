// SPDX-License-Identifier: Apache-2.0
// Testbench top for the MATMUL path: scratchpad + accumulator + qilin_ex_matmul, with
// backdoor ports for the C++ test to fill the scratchpad and read the accumulator.
module qilin_ex_tb_top #(
  parameter int unsigned Dim          = 8,
  parameter int unsigned ColsPerStage = 2,
  parameter int unsigned SpRows       = 1024,
  parameter int unsigned AccRows      = 256
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        cmd_valid_i,
  output logic                        cmd_ready_o,
  input  qilin_core_pkg::matmul_cmd_t cmd_i,
  output logic                        done_o,
  output logic                        busy_o,
  output logic                        array_busy_o,
  output logic                        acc_idle_o,
  // Scratchpad backdoor write.
  input  logic                        sp_wr_valid_i,
  output logic                        sp_wr_ready_o,
  input  logic [15:0]                 sp_wr_addr_i,
  input  logic [Dim*8-1:0]            sp_wr_data_i,
  // Accumulator backdoor read.
  input  logic                        acc_rd_valid_i,
  output logic                        acc_rd_ready_o,
  input  logic [15:0]                 acc_rd_addr_i,
  output logic                        acc_rsp_valid_o,
  output logic [Dim*32-1:0]           acc_rsp_data_o
);
  localparam int unsigned SpAW  = $clog2(SpRows);
  localparam int unsigned AccAW = $clog2(AccRows);

  logic        sp_w_valid, sp_w_ready, sp_a_valid, sp_a_ready;
  logic [15:0] sp_w_addr, sp_a_addr;
  logic [2:0]  rd_valid, rd_ready, rsp_valid;
  logic [2:0][SpAW-1:0]  rd_addr;
  logic [2:0][Dim*8-1:0] rsp_data;
  logic        acc_valid, acc_add;
  logic [15:0] acc_addr;
  logic [Dim*32-1:0] acc_data;
  logic        unused_wr_ready;
  logic [1:0]  unused_rd_busy;  // for cores that form their own ACC readies
  logic [Dim*32-1:0] unused_acc_wr_data;

  assign rd_valid = {1'b0, sp_a_valid, sp_w_valid};
  assign rd_addr  = {SpAW'(0), sp_a_addr[SpAW-1:0], sp_w_addr[SpAW-1:0]};
  assign sp_w_ready = rd_ready[0];
  assign sp_a_ready = rd_ready[1];

  qilin_banked_mem #(.Width(Dim * 8), .Rows(SpRows), .NumBanks(4), .NumRd(3), .NumWr(1)) u_sp (
    .clk_i, .rst_ni,
    .rd_valid_i(rd_valid), .rd_ready_o(rd_ready), .rd_addr_i(rd_addr),
    .rsp_valid_o(rsp_valid), .rsp_data_o(rsp_data),
    .wr_valid_i(sp_wr_valid_i), .wr_ready_o(sp_wr_ready_o),
    .wr_addr_i(sp_wr_addr_i[SpAW-1:0]), .wr_data_i(sp_wr_data_i)
  );

  qilin_ex_matmul #(.Dim(Dim), .ColsPerStage(ColsPerStage)) u_ex (
    .clk_i, .rst_ni,
    .cmd_valid_i, .cmd_ready_o, .cmd_i, .done_o, .busy_o, .array_busy_o,
    .sp_w_valid_o(sp_w_valid), .sp_w_ready_i(sp_w_ready), .sp_w_addr_o(sp_w_addr),
    .sp_w_rsp_valid_i(rsp_valid[0]), .sp_w_rsp_data_i(rsp_data[0]),
    .sp_a_valid_o(sp_a_valid), .sp_a_ready_i(sp_a_ready), .sp_a_addr_o(sp_a_addr),
    .sp_a_rsp_valid_i(rsp_valid[1]), .sp_a_rsp_data_i(rsp_data[1]),
    .acc_valid_o(acc_valid), .acc_addr_o(acc_addr), .acc_data_o(acc_data), .acc_add_o(acc_add)
  );

  assign unused_acc_wr_data = '0;
  qilin_acc_mem #(.Dim(Dim), .Rows(AccRows), .NumBanks(2)) u_acc (
    .clk_i, .rst_ni,
    .acc_valid_i(acc_valid), .acc_addr_i(acc_addr[AccAW-1:0]), .acc_data_i(acc_data),
    .acc_add_i(acc_add),
    .rd_valid_i(acc_rd_valid_i), .rd_ready_o(acc_rd_ready_o), .rd_bank_busy_o(unused_rd_busy),
    .rd_addr_i(acc_rd_addr_i[AccAW-1:0]),
    .rsp_valid_o(acc_rsp_valid_o), .rsp_data_o(acc_rsp_data_o),
    .wr_valid_i(1'b0), .wr_ready_o(unused_wr_ready), .wr_addr_i('0), .wr_data_i(unused_acc_wr_data),
    .idle_o(acc_idle_o)
  );
endmodule
