// SPDX-License-Identifier: Apache-2.0
// qilin_axi_bram with its AXI structs as flat ports, for tb/fpga/test_axi_bram.cpp.
module axi_bram_tb_top #(
  parameter int unsigned Bytes = 4096
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   aw_valid_i,
  output logic                   aw_ready_o,
  input  logic [5:0]             aw_id_i,
  input  logic [33:0]            aw_addr_i,
  input  logic [7:0]             aw_len_i,
  input  logic                   w_valid_i,
  output logic                   w_ready_o,
  input  logic [255:0]           w_data_i,
  input  logic [31:0]            w_strb_i,
  input  logic                   w_last_i,
  output logic                   b_valid_o,
  input  logic                   b_ready_i,
  output logic [5:0]             b_id_o,
  output logic [1:0]             b_resp_o,
  input  logic                   ar_valid_i,
  output logic                   ar_ready_o,
  input  logic [5:0]             ar_id_i,
  input  logic [33:0]            ar_addr_i,
  input  logic [7:0]             ar_len_i,
  output logic                   r_valid_o,
  input  logic                   r_ready_i,
  output logic [5:0]             r_id_o,
  output logic [255:0]           r_data_o,
  output logic [1:0]             r_resp_o,
  output logic                   r_last_o,
  input  logic                   host_valid_i,
  output logic                   host_ready_o,
  input  logic                   host_we_i,
  input  logic [$clog2(Bytes)-1:0] host_addr_i,
  input  logic [31:0]            host_wdata_i,
  output logic                   host_rvalid_o,
  output logic [31:0]            host_rdata_o
);
  qilin_axi_pkg::axi_aw_t aw;
  qilin_axi_pkg::axi_ar_t ar;
  qilin_axi_pkg::axi_w_t  w;
  qilin_axi_pkg::axi_b_t  b;
  qilin_axi_pkg::axi_r_t  r;
  // Full 32-byte INCR beats, as the core sends them.
  assign aw = '{id: aw_id_i, addr: aw_addr_i, len: aw_len_i, size: 3'd5, burst: 2'b01};
  assign ar = '{id: ar_id_i, addr: ar_addr_i, len: ar_len_i, size: 3'd5, burst: 2'b01};
  assign w  = '{data: w_data_i, strb: w_strb_i, last: w_last_i};
  assign b_id_o   = b.id;
  assign b_resp_o = b.resp;
  assign r_id_o   = r.id;
  assign r_data_o = r.data;
  assign r_resp_o = r.resp;
  assign r_last_o = r.last;

  qilin_axi_bram #(.Bytes(Bytes)) u_mem (
    .clk_i, .rst_ni,
    .s_axi_aw_i(aw), .s_axi_aw_valid_i(aw_valid_i), .s_axi_aw_ready_o(aw_ready_o),
    .s_axi_w_i(w), .s_axi_w_valid_i(w_valid_i), .s_axi_w_ready_o(w_ready_o),
    .s_axi_b_o(b), .s_axi_b_valid_o(b_valid_o), .s_axi_b_ready_i(b_ready_i),
    .s_axi_ar_i(ar), .s_axi_ar_valid_i(ar_valid_i), .s_axi_ar_ready_o(ar_ready_o),
    .s_axi_r_o(r), .s_axi_r_valid_o(r_valid_o), .s_axi_r_ready_i(r_ready_i),
    .host_valid_i, .host_ready_o, .host_we_i, .host_addr_i, .host_wdata_i,
    .host_rvalid_o, .host_rdata_o
  );
endmodule
