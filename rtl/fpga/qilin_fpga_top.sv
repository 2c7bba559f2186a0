// SPDX-License-Identifier: Apache-2.0
// FPGA top for an ECP5-85F board of the ULX3S class (docs/fpga.md): qilin_core, block-RAM
// device memory on its AXI4 master, and a UART host bridge to the CSRs and the memory.
// With QILIN_ECP5_PLL defined (the ECP5 build) an EHXPLLL makes the core clock from the
// 25 MHz oscillator; without it (simulation, lint) clk_i is the core clock.
`include "qilin_assert.svh"

module qilin_fpga_top #(
  parameter int unsigned Dim          = 8,
  parameter int unsigned ColsPerStage = 2,
  parameter int unsigned SpRows       = 4096,   // 32 KiB at Dim 8
  parameter int unsigned AccRows      = 1024,   // 32 KiB at Dim 8
  parameter int unsigned MemBytes     = 65536,  // device memory (BRAM)
  // Core clock from the PLL (ECP5 build): a multiple of 5 MHz, 25 to 200. The bitstream only
  // works at a frequency the build meets (build/fpga/report.md); `make fpga FPGA_MHZ=...`.
  parameter int unsigned CoreMHz      = 100,
  parameter int unsigned ClksPerBit   = (CoreMHz * 1000000 + 57600) / 115200,  // 115200 baud
  // Do not override.
  parameter int unsigned MemAddrW     = $clog2(MemBytes)
) (
  input  logic       clk_i,      // 25 MHz oscillator (core clock in simulation)
  input  logic       rst_ni,     // button, active low
  input  logic       uart_rx_i,  // from the host (FTDI TXD)
  output logic       uart_tx_o,  // to the host (FTDI RXD)
  output logic [7:0] led_o
);
  // ======================================================================== clock, reset
  logic clk, locked;
`ifdef QILIN_ECP5_PLL
  // CLKOP = 25 MHz / CLKI_DIV * CLKFB_DIV = CoreMHz (phase detector at 5 MHz); the VCO runs
  // at CoreMHz * CLKOP_DIV, near 600 MHz (its range is 400 to 800). nextpnr derives the
  // clock constraint from these dividers.
  localparam int unsigned PllOpDiv = (600 + CoreMHz / 2) / CoreMHz;
  (* FREQUENCY_PIN_CLKI = "25", ICP_CURRENT = "12", LPF_RESISTOR = "8",
     MFG_ENABLE_FILTEROPAMP = "1", MFG_GMCREF_SEL = "2" *)
  EHXPLLL #(
    .PLLRST_ENA       ("DISABLED"),
    .INTFB_WAKE       ("DISABLED"),
    .STDBY_ENABLE     ("DISABLED"),
    .DPHASE_SOURCE    ("DISABLED"),
    .OUTDIVIDER_MUXA  ("DIVA"),
    .OUTDIVIDER_MUXB  ("DIVB"),
    .OUTDIVIDER_MUXC  ("DIVC"),
    .OUTDIVIDER_MUXD  ("DIVD"),
    .CLKI_DIV         (5),
    .CLKOP_ENABLE     ("ENABLED"),
    .CLKOP_DIV        (PllOpDiv),
    .CLKOP_CPHASE     ((PllOpDiv - 1) / 2),
    .CLKOP_FPHASE     (0),
    .FEEDBK_PATH      ("CLKOP"),
    .CLKFB_DIV        (CoreMHz / 5)
  ) u_pll (
    .RST       (1'b0),
    .STDBY     (1'b0),
    .CLKI      (clk_i),
    .CLKOP     (clk),
    .CLKFB     (clk),
    .CLKINTFB  (),
    .PHASESEL0 (1'b0),
    .PHASESEL1 (1'b0),
    .PHASEDIR  (1'b1),
    .PHASESTEP (1'b1),
    .PHASELOADREG (1'b1),
    .PLLWAKESYNC  (1'b0),
    .ENCLKOP   (1'b0),
    .LOCK      (locked)
  );
`else
  assign clk    = clk_i;
  assign locked = 1'b1;
`endif

  // Reset: asserted asynchronously (button or PLL unlocked), released synchronously.
  logic [2:0] rst_sync_q;
  logic       rst_n;
  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) rst_sync_q <= '0;
    else         rst_sync_q <= {rst_sync_q[1:0], locked};
  end
`ifdef QILIN_ECP5_PLL
  // The reset reaches nearly every flip-flop (about 14 000 LSR pins, 64 DSP RST pins), all
  // active high: a global buffer puts the active-high reset on the clock network (which also
  // feeds LSR) instead of the general routing (nextpnr promotes only clocks by itself).
  // Buffering rst_n instead does not help: Yosys then inverts it in a LUT behind the buffer,
  // and that inverter drives every pin through the fabric.
  logic rst_glb;
  DCCA u_rst_glb (.CLKI(!rst_sync_q[2]), .CE(1'b1), .CLKO(rst_glb));
  assign rst_n = !rst_glb;
`else
  assign rst_n = rst_sync_q[2];
`endif

  // ======================================================================== core
  logic                   axil_awvalid, axil_awready, axil_wvalid, axil_wready;
  logic                   axil_bvalid, axil_bready, axil_arvalid, axil_arready;
  logic                   axil_rvalid, axil_rready;
  logic [8:0]             axil_awaddr, axil_araddr;
  logic [31:0]            axil_wdata, axil_rdata;
  logic [1:0]             axil_bresp, axil_rresp;
  qilin_axi_pkg::axi_aw_t axi_aw;
  qilin_axi_pkg::axi_w_t  axi_w;
  qilin_axi_pkg::axi_b_t  axi_b;
  qilin_axi_pkg::axi_ar_t axi_ar;
  qilin_axi_pkg::axi_r_t  axi_r;
  logic axi_aw_valid, axi_aw_ready, axi_w_valid, axi_w_ready, axi_b_valid, axi_b_ready;
  logic axi_ar_valid, axi_ar_ready, axi_r_valid, axi_r_ready;
  logic irq;

  qilin_core #(
    .Dim          (Dim),
    .ColsPerStage (ColsPerStage),
    .SpRows       (SpRows),
    .AccRows      (AccRows),
    .MemRegs      (1'b1)      // block-RAM read registers: see qilin_core
  ) u_core (
    .clk_i            (clk),
    .rst_ni           (rst_n),
    .s_axil_awready   (axil_awready),
    .s_axil_awvalid   (axil_awvalid),
    .s_axil_awaddr    (axil_awaddr),
    .s_axil_awprot    (3'd0),
    .s_axil_wready    (axil_wready),
    .s_axil_wvalid    (axil_wvalid),
    .s_axil_wdata     (axil_wdata),
    .s_axil_wstrb     (4'hf),
    .s_axil_bready    (axil_bready),
    .s_axil_bvalid    (axil_bvalid),
    .s_axil_bresp     (axil_bresp),
    .s_axil_arready   (axil_arready),
    .s_axil_arvalid   (axil_arvalid),
    .s_axil_araddr    (axil_araddr),
    .s_axil_arprot    (3'd0),
    .s_axil_rready    (axil_rready),
    .s_axil_rvalid    (axil_rvalid),
    .s_axil_rdata     (axil_rdata),
    .s_axil_rresp     (axil_rresp),
    .m_axi_aw_o       (axi_aw),
    .m_axi_aw_valid_o (axi_aw_valid),
    .m_axi_aw_ready_i (axi_aw_ready),
    .m_axi_w_o        (axi_w),
    .m_axi_w_valid_o  (axi_w_valid),
    .m_axi_w_ready_i  (axi_w_ready),
    .m_axi_b_i        (axi_b),
    .m_axi_b_valid_i  (axi_b_valid),
    .m_axi_b_ready_o  (axi_b_ready),
    .m_axi_ar_o       (axi_ar),
    .m_axi_ar_valid_o (axi_ar_valid),
    .m_axi_ar_ready_i (axi_ar_ready),
    .m_axi_r_i        (axi_r),
    .m_axi_r_valid_i  (axi_r_valid),
    .m_axi_r_ready_o  (axi_r_ready),
    .irq_o            (irq)
  );

  // ======================================================================== memory, host
  logic                mem_valid, mem_ready, mem_we, mem_rvalid;
  logic [MemAddrW-1:0] mem_addr;
  logic [31:0]         mem_wdata, mem_rdata;

  qilin_axi_bram #(.Bytes(MemBytes)) u_mem (
    .clk_i            (clk),
    .rst_ni           (rst_n),
    .s_axi_aw_i       (axi_aw),
    .s_axi_aw_valid_i (axi_aw_valid),
    .s_axi_aw_ready_o (axi_aw_ready),
    .s_axi_w_i        (axi_w),
    .s_axi_w_valid_i  (axi_w_valid),
    .s_axi_w_ready_o  (axi_w_ready),
    .s_axi_b_o        (axi_b),
    .s_axi_b_valid_o  (axi_b_valid),
    .s_axi_b_ready_i  (axi_b_ready),
    .s_axi_ar_i       (axi_ar),
    .s_axi_ar_valid_i (axi_ar_valid),
    .s_axi_ar_ready_o (axi_ar_ready),
    .s_axi_r_o        (axi_r),
    .s_axi_r_valid_o  (axi_r_valid),
    .s_axi_r_ready_i  (axi_r_ready),
    .host_valid_i     (mem_valid),
    .host_ready_o     (mem_ready),
    .host_we_i        (mem_we),
    .host_addr_i      (mem_addr),
    .host_wdata_i     (mem_wdata),
    .host_rvalid_o    (mem_rvalid),
    .host_rdata_o     (mem_rdata)
  );

  qilin_uart_bridge #(.ClksPerBit(ClksPerBit), .MemAddrW(MemAddrW)) u_bridge (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .uart_rx_i      (uart_rx_i),
    .uart_tx_o      (uart_tx_o),
    .m_axil_awvalid (axil_awvalid),
    .m_axil_awready (axil_awready),
    .m_axil_awaddr  (axil_awaddr),
    .m_axil_wvalid  (axil_wvalid),
    .m_axil_wready  (axil_wready),
    .m_axil_wdata   (axil_wdata),
    .m_axil_bvalid  (axil_bvalid),
    .m_axil_bready  (axil_bready),
    .m_axil_bresp   (axil_bresp),
    .m_axil_arvalid (axil_arvalid),
    .m_axil_arready (axil_arready),
    .m_axil_araddr  (axil_araddr),
    .m_axil_rvalid  (axil_rvalid),
    .m_axil_rready  (axil_rready),
    .m_axil_rdata   (axil_rdata),
    .mem_valid_o    (mem_valid),
    .mem_ready_i    (mem_ready),
    .mem_we_o       (mem_we),
    .mem_addr_o     (mem_addr),
    .mem_wdata_o    (mem_wdata),
    .mem_rvalid_i   (mem_rvalid),
    .mem_rdata_i    (mem_rdata)
  );

  // ======================================================================== LEDs
  // 0: heartbeat (core clock running, ~1.5 Hz at 100 MHz), 1: interrupt (done or error),
  // 2/3: UART receive/transmit activity (line low).
  logic [25:0] beat_q;
  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) beat_q <= '0;
    else        beat_q <= beat_q + 26'd1;
  end
  assign led_o = {4'b0000, !uart_tx_o, !uart_rx_i, irq, beat_q[25]};

  logic unused_rresp;
  assign unused_rresp = ^axil_rresp;

  `QILIN_ASSERT_INIT(MemAddrW_A, MemAddrW <= 31)
  `QILIN_ASSERT_INIT(CoreMHz_A, CoreMHz % 5 == 0 && CoreMHz >= 25 && CoreMHz <= 200)
endmodule
