// SPDX-License-Identifier: Apache-2.0
// HBM2 controller: one AXI4 slave in front of NumPC pseudo-channel controllers, with one
// DFI-style PHY port (docs/hbm_phy.md) per pseudo-channel, as packed arrays.
module hbm_ctrl_top #(
  parameter int unsigned NumPC    = 1,
  // Timing: the Timing struct, unless TimingSel picks a preset (1 HBM2_2000, 2 HBM2E_3200).
  // TimingSel exists for tools whose -G option cannot name a package constant.
  parameter hbm_timing_pkg::hbm_timing_t Timing = hbm_timing_pkg::HBM2_2000,
  parameter int unsigned TimingSel      = 0,
  parameter int unsigned AddrMap        = 0,   // see hbm_addr_map.sv
  parameter int unsigned QueueDepth     = 64,  // requests per PC
  parameter int unsigned RobDepth       = 256, // read beats in flight (all PCs)
  parameter int unsigned WrHigh         = 48,
  parameter int unsigned WrLow          = 8,
  parameter int unsigned StarveCap      = 1024,
  parameter int unsigned RefPostpone    = 8,
  parameter bit          PerBankRefresh = 1'b0,
  // Do not override.
  parameter int unsigned CntW = $clog2(QueueDepth + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // AXI4 slave.
  input  qilin_axi_pkg::axi_aw_t      s_axi_aw_i,
  input  logic                        s_axi_aw_valid_i,
  output logic                        s_axi_aw_ready_o,
  input  qilin_axi_pkg::axi_w_t       s_axi_w_i,
  input  logic                        s_axi_w_valid_i,
  output logic                        s_axi_w_ready_o,
  output qilin_axi_pkg::axi_b_t       s_axi_b_o,
  output logic                        s_axi_b_valid_o,
  input  logic                        s_axi_b_ready_i,
  input  qilin_axi_pkg::axi_ar_t      s_axi_ar_i,
  input  logic                        s_axi_ar_valid_i,
  output logic                        s_axi_ar_ready_o,
  output qilin_axi_pkg::axi_r_t       s_axi_r_o,
  output logic                        s_axi_r_valid_o,
  input  logic                        s_axi_r_ready_i,
  // PHY ports, one per PC.
  output logic [NumPC-1:0]            phy_row_valid_o,
  output logic [NumPC-1:0][2:0]       phy_row_cmd_o,
  output logic [NumPC-1:0][1:0]       phy_row_bg_o,
  output logic [NumPC-1:0][1:0]       phy_row_ba_o,
  output logic [NumPC-1:0][13:0]      phy_row_addr_o,
  output logic [NumPC-1:0]            phy_col_valid_o,
  output logic [NumPC-1:0][2:0]       phy_col_cmd_o,
  output logic [NumPC-1:0][1:0]       phy_col_bg_o,
  output logic [NumPC-1:0][1:0]       phy_col_ba_o,
  output logic [NumPC-1:0][4:0]       phy_col_addr_o,
  output logic [NumPC-1:0][255:0]     phy_wdata_o,
  output logic [NumPC-1:0][31:0]      phy_wmask_o,
  input  logic [NumPC-1:0]            phy_rd_valid_i,
  input  logic [NumPC-1:0][255:0]     phy_rd_data_i,
  // Status per PC, for testbenches and performance counters.
  output logic [NumPC-1:0]            stat_wr_mode_o,
  output logic [NumPC-1:0][3:0]       stat_ref_pending_o,
  output logic [NumPC-1:0][CntW-1:0]  stat_queue_count_o
);
  localparam hbm_timing_pkg::hbm_timing_t T =
      (TimingSel == 1) ? hbm_timing_pkg::HBM2_2000 :
      (TimingSel == 2) ? hbm_timing_pkg::HBM2E_3200 : Timing;
  localparam int unsigned TagW = $clog2(RobDepth);

  logic [NumPC-1:0]           req_valid, req_ready, req_we;
  logic [NumPC-1:0][1:0]      req_bg, req_ba;
  logic [NumPC-1:0][13:0]     req_row;
  logic [NumPC-1:0][4:0]      req_col;
  logic [TagW-1:0]            req_tag;
  logic [255:0]               req_wdata;
  logic [31:0]                req_wmask;
  logic [NumPC-1:0]           rsp_valid;
  logic [NumPC-1:0][TagW-1:0] rsp_tag;
  logic [NumPC-1:0][255:0]    rsp_data;

  hbm_axi_slave #(
    .NumPC   (NumPC),
    .AddrMap (AddrMap),
    .RobDepth(RobDepth)
  ) u_axi (
    .clk_i,
    .rst_ni,
    .aw_i          (s_axi_aw_i),
    .aw_valid_i    (s_axi_aw_valid_i),
    .aw_ready_o    (s_axi_aw_ready_o),
    .w_i           (s_axi_w_i),
    .w_valid_i     (s_axi_w_valid_i),
    .w_ready_o     (s_axi_w_ready_o),
    .b_o           (s_axi_b_o),
    .b_valid_o     (s_axi_b_valid_o),
    .b_ready_i     (s_axi_b_ready_i),
    .ar_i          (s_axi_ar_i),
    .ar_valid_i    (s_axi_ar_valid_i),
    .ar_ready_o    (s_axi_ar_ready_o),
    .r_o           (s_axi_r_o),
    .r_valid_o     (s_axi_r_valid_o),
    .r_ready_i     (s_axi_r_ready_i),
    .pc_req_valid_o(req_valid),
    .pc_req_ready_i(req_ready),
    .pc_req_we_o   (req_we),
    .pc_req_bg_o   (req_bg),
    .pc_req_ba_o   (req_ba),
    .pc_req_row_o  (req_row),
    .pc_req_col_o  (req_col),
    .pc_req_tag_o  (req_tag),
    .pc_req_wdata_o(req_wdata),
    .pc_req_wmask_o(req_wmask),
    .pc_rsp_valid_i(rsp_valid),
    .pc_rsp_tag_i  (rsp_tag),
    .pc_rsp_data_i (rsp_data)
  );

  for (genvar p = 0; p < NumPC; p++) begin : gen_pc
    hbm_pc_ctrl #(
      .Timing        (T),
      .QueueDepth    (QueueDepth),
      .TagW          (TagW),
      .WrHigh        (WrHigh),
      .WrLow         (WrLow),
      .StarveCap     (StarveCap),
      .RefPostpone   (RefPostpone),
      .PerBankRefresh(PerBankRefresh)
    ) u_pc (
      .clk_i,
      .rst_ni,
      .req_valid_i    (req_valid[p]),
      .req_ready_o    (req_ready[p]),
      .req_we_i       (req_we[p]),
      .req_bg_i       (req_bg[p]),
      .req_ba_i       (req_ba[p]),
      .req_row_i      (req_row[p]),
      .req_col_i      (req_col[p]),
      .req_tag_i      (req_tag),
      .req_wdata_i    (req_wdata),
      .req_wmask_i    (req_wmask),
      .rsp_valid_o    (rsp_valid[p]),
      .rsp_tag_o      (rsp_tag[p]),
      .rsp_data_o     (rsp_data[p]),
      .phy_row_valid_o(phy_row_valid_o[p]),
      .phy_row_cmd_o  (phy_row_cmd_o[p]),
      .phy_row_bg_o   (phy_row_bg_o[p]),
      .phy_row_ba_o   (phy_row_ba_o[p]),
      .phy_row_addr_o (phy_row_addr_o[p]),
      .phy_col_valid_o(phy_col_valid_o[p]),
      .phy_col_cmd_o  (phy_col_cmd_o[p]),
      .phy_col_bg_o   (phy_col_bg_o[p]),
      .phy_col_ba_o   (phy_col_ba_o[p]),
      .phy_col_addr_o (phy_col_addr_o[p]),
      .phy_wdata_o    (phy_wdata_o[p]),
      .phy_wmask_o    (phy_wmask_o[p]),
      .phy_rd_valid_i (phy_rd_valid_i[p]),
      .phy_rd_data_i  (phy_rd_data_i[p]),
      .wr_mode_o      (stat_wr_mode_o[p]),
      .ref_pending_o  (stat_ref_pending_o[p]),
      .queue_count_o  (stat_queue_count_o[p])
    );
  end

`ifndef SYNTHESIS
  initial begin
    if (NumPC < 1 || NumPC > 16) $fatal(1, "hbm_ctrl_top: NumPC must be 1..16");
    if (TimingSel > 2) $fatal(1, "hbm_ctrl_top: TimingSel must be 0..2");
  end
`endif
endmodule
