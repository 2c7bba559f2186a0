// SPDX-License-Identifier: Apache-2.0
// Qilin chip top: the NPU core (qilin_core) with its AXI4 master port connected straight to
// the HBM2 controller (hbm_ctrl_top). The controller's per-pseudo-channel DFI-style PHY ports
// (docs/hbm_phy.md) are this module's ports, so an HBM PHY (or, in simulation, the C++ device
// model qilin::hbm::Device) attaches here. The CSR slave (AXI4-Lite) and the interrupt are
// the core's. See docs/top.md.
module qilin_top #(
  parameter int unsigned Dim          = 16,
  parameter int unsigned ColsPerStage = 4,
  parameter int unsigned SpRows       = 16384,
  parameter int unsigned AccRows      = 1024,
  parameter int unsigned NumPC        = 2,
  // HBM timing preset: 0 = hbm_ctrl_top's default (HBM2_2000), 1 HBM2_2000, 2 HBM2E_3200.
  parameter int unsigned TimingSel    = 0,
  // Do not override.
  parameter int unsigned CntW         = $clog2(64 + 1)
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  // AXI4-Lite CSR slave (qilin_csr.rdl).
  output logic                        s_axil_awready,
  input  logic                        s_axil_awvalid,
  input  logic [8:0]                  s_axil_awaddr,
  input  logic [2:0]                  s_axil_awprot,
  output logic                        s_axil_wready,
  input  logic                        s_axil_wvalid,
  input  logic [31:0]                 s_axil_wdata,
  input  logic [3:0]                  s_axil_wstrb,
  input  logic                        s_axil_bready,
  output logic                        s_axil_bvalid,
  output logic [1:0]                  s_axil_bresp,
  output logic                        s_axil_arready,
  input  logic                        s_axil_arvalid,
  input  logic [8:0]                  s_axil_araddr,
  input  logic [2:0]                  s_axil_arprot,
  input  logic                        s_axil_rready,
  output logic                        s_axil_rvalid,
  output logic [31:0]                 s_axil_rdata,
  output logic [1:0]                  s_axil_rresp,
  // Interrupt: CTRL.irq_en && (STATUS.done || STATUS.error).
  output logic                        irq_o,
  // HBM PHY ports, one per pseudo-channel (docs/hbm_phy.md).
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
  // HBM controller status per PC (testbenches, debug).
  output logic [NumPC-1:0]            stat_wr_mode_o,
  output logic [NumPC-1:0][3:0]       stat_ref_pending_o,
  output logic [NumPC-1:0][CntW-1:0]  stat_queue_count_o
);
  // Core AXI4 master <-> controller AXI4 slave.
  qilin_axi_pkg::axi_aw_t aw;
  qilin_axi_pkg::axi_w_t  w;
  qilin_axi_pkg::axi_b_t  b;
  qilin_axi_pkg::axi_ar_t ar;
  qilin_axi_pkg::axi_r_t  r;
  logic aw_valid, aw_ready, w_valid, w_ready, b_valid, b_ready;
  logic ar_valid, ar_ready, r_valid, r_ready;

  qilin_core #(
    .Dim         (Dim),
    .ColsPerStage(ColsPerStage),
    .SpRows      (SpRows),
    .AccRows     (AccRows)
  ) u_core (
    .clk_i,
    .rst_ni,
    .s_axil_awready,
    .s_axil_awvalid,
    .s_axil_awaddr,
    .s_axil_awprot,
    .s_axil_wready,
    .s_axil_wvalid,
    .s_axil_wdata,
    .s_axil_wstrb,
    .s_axil_bready,
    .s_axil_bvalid,
    .s_axil_bresp,
    .s_axil_arready,
    .s_axil_arvalid,
    .s_axil_araddr,
    .s_axil_arprot,
    .s_axil_rready,
    .s_axil_rvalid,
    .s_axil_rdata,
    .s_axil_rresp,
    .m_axi_aw_o      (aw),
    .m_axi_aw_valid_o(aw_valid),
    .m_axi_aw_ready_i(aw_ready),
    .m_axi_w_o       (w),
    .m_axi_w_valid_o (w_valid),
    .m_axi_w_ready_i (w_ready),
    .m_axi_b_i       (b),
    .m_axi_b_valid_i (b_valid),
    .m_axi_b_ready_o (b_ready),
    .m_axi_ar_o      (ar),
    .m_axi_ar_valid_o(ar_valid),
    .m_axi_ar_ready_i(ar_ready),
    .m_axi_r_i       (r),
    .m_axi_r_valid_i (r_valid),
    .m_axi_r_ready_o (r_ready),
    .irq_o
  );

  hbm_ctrl_top #(
    .NumPC    (NumPC),
    .TimingSel(TimingSel)
  ) u_hbm (
    .clk_i,
    .rst_ni,
    .s_axi_aw_i      (aw),
    .s_axi_aw_valid_i(aw_valid),
    .s_axi_aw_ready_o(aw_ready),
    .s_axi_w_i       (w),
    .s_axi_w_valid_i (w_valid),
    .s_axi_w_ready_o (w_ready),
    .s_axi_b_o       (b),
    .s_axi_b_valid_o (b_valid),
    .s_axi_b_ready_i (b_ready),
    .s_axi_ar_i      (ar),
    .s_axi_ar_valid_i(ar_valid),
    .s_axi_ar_ready_o(ar_ready),
    .s_axi_r_o       (r),
    .s_axi_r_valid_o (r_valid),
    .s_axi_r_ready_i (r_ready),
    .phy_row_valid_o,
    .phy_row_cmd_o,
    .phy_row_bg_o,
    .phy_row_ba_o,
    .phy_row_addr_o,
    .phy_col_valid_o,
    .phy_col_cmd_o,
    .phy_col_bg_o,
    .phy_col_ba_o,
    .phy_col_addr_o,
    .phy_wdata_o,
    .phy_wmask_o,
    .phy_rd_valid_i,
    .phy_rd_data_i,
    .stat_wr_mode_o,
    .stat_ref_pending_o,
    .stat_queue_count_o
  );
endmodule
