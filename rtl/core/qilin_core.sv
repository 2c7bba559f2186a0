// SPDX-License-Identifier: Apache-2.0
// Qilin NPU core top (docs/core_top.md): CSR block (AXI4-Lite slave), command processor,
// LD/EX/ST units, read/write DMA, ex_matmul (systolic array), ex_post (postprocessing),
// scratchpad and accumulator memories, and a 3:1 AXI4 mux to one master port.
`include "qilin_assert.svh"

module qilin_core #(
  parameter int unsigned Dim          = 16,
  parameter int unsigned ColsPerStage = 4,
  parameter int unsigned SpRows       = 16384,
  parameter int unsigned AccRows      = 1024,
  parameter int unsigned SpBanks      = 2,
  parameter int unsigned AccBanks     = 2,
  // Block-RAM read registers (FPGA builds; docs/fpga.md): a register behind each SP and ACC
  // block RAM (their clock-to-output is most of a cycle), and the SP's granted read address
  // registered in front of its RAMs (they spread over the chip, so the route to them is
  // long). SP reads then take three cycles, ACC reads two.
  parameter bit          MemRegs      = 1'b0,
  // MATMULs in flight in the EX unit (its MaxInflight); overridable so tests can reach the limit.
  parameter int unsigned ExMaxInflight = 15,
  // Do not override.
  parameter int unsigned SpAW         = $clog2(SpRows),
  parameter int unsigned AccAW        = $clog2(AccRows)
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // AXI4-Lite CSR slave.
  output logic                     s_axil_awready,
  input  logic                     s_axil_awvalid,
  input  logic [8:0]               s_axil_awaddr,
  input  logic [2:0]               s_axil_awprot,
  output logic                     s_axil_wready,
  input  logic                     s_axil_wvalid,
  input  logic [31:0]              s_axil_wdata,
  input  logic [3:0]               s_axil_wstrb,
  input  logic                     s_axil_bready,
  output logic                     s_axil_bvalid,
  output logic [1:0]               s_axil_bresp,
  output logic                     s_axil_arready,
  input  logic                     s_axil_arvalid,
  input  logic [8:0]               s_axil_araddr,
  input  logic [2:0]               s_axil_arprot,
  input  logic                     s_axil_rready,
  output logic                     s_axil_rvalid,
  output logic [31:0]              s_axil_rdata,
  output logic [1:0]               s_axil_rresp,
  // AXI4 master (device memory).
  output qilin_axi_pkg::axi_aw_t   m_axi_aw_o,
  output logic                     m_axi_aw_valid_o,
  input  logic                     m_axi_aw_ready_i,
  output qilin_axi_pkg::axi_w_t    m_axi_w_o,
  output logic                     m_axi_w_valid_o,
  input  logic                     m_axi_w_ready_i,
  input  qilin_axi_pkg::axi_b_t    m_axi_b_i,
  input  logic                     m_axi_b_valid_i,
  output logic                     m_axi_b_ready_o,
  output qilin_axi_pkg::axi_ar_t   m_axi_ar_o,
  output logic                     m_axi_ar_valid_o,
  input  logic                     m_axi_ar_ready_i,
  input  qilin_axi_pkg::axi_r_t    m_axi_r_i,
  input  logic                     m_axi_r_valid_i,
  output logic                     m_axi_r_ready_o,
  // Interrupt: CTRL.irq_en && (STATUS.done || STATUS.error).
  output logic                     irq_o
);
  localparam int unsigned SpW     = Dim * 8;
  localparam int unsigned AccW    = Dim * 32;
  localparam int unsigned DstAW   = (SpAW > AccAW) ? SpAW : AccAW;
  // STORE source chunk address: an SP row, or 4*row + j for chunk j of an ACC row.
  localparam int unsigned SrcAW   = (SpAW > AccAW + 2) ? SpAW : AccAW + 2;
  localparam int unsigned AccBW   = (AccBanks > 1) ? $clog2(AccBanks) : 1;
  localparam int unsigned AxW     = qilin_axi_pkg::IdW + qilin_axi_pkg::AddrW + 8 + 3 + 2;
  localparam int unsigned WW      = qilin_axi_pkg::DataW + qilin_axi_pkg::StrbW + 1;
  localparam int unsigned BW      = qilin_axi_pkg::IdW + 2;
  localparam int unsigned RW      = qilin_axi_pkg::IdW + qilin_axi_pkg::DataW + 2 + 1;
  localparam int unsigned BeatB   = qilin_axi_pkg::DataW / 8;

  // ======================================================================== CSRs
  qilin_csr_pkg::qilin_csr__in_t  hwin;
  qilin_csr_pkg::qilin_csr__out_t hwout;

  qilin_csr u_csr (
    .clk            (clk_i),
    .rst            (!rst_ni),
    .s_axil_awready (s_axil_awready),
    .s_axil_awvalid (s_axil_awvalid),
    .s_axil_awaddr  (s_axil_awaddr),
    .s_axil_awprot  (s_axil_awprot),
    .s_axil_wready  (s_axil_wready),
    .s_axil_wvalid  (s_axil_wvalid),
    .s_axil_wdata   (s_axil_wdata),
    .s_axil_wstrb   (s_axil_wstrb),
    .s_axil_bready  (s_axil_bready),
    .s_axil_bvalid  (s_axil_bvalid),
    .s_axil_bresp   (s_axil_bresp),
    .s_axil_arready (s_axil_arready),
    .s_axil_arvalid (s_axil_arvalid),
    .s_axil_araddr  (s_axil_araddr),
    .s_axil_arprot  (s_axil_arprot),
    .s_axil_rready  (s_axil_rready),
    .s_axil_rvalid  (s_axil_rvalid),
    .s_axil_rdata   (s_axil_rdata),
    .s_axil_rresp   (s_axil_rresp),
    .hwif_in        (hwin),
    .hwif_out       (hwout)
  );

  logic        soft_reset, start_req, start, start_acc;
  logic        cmd_busy, cmd_done, cmd_error, units_busy;
  logic [7:0]  cmd_err_code;
  logic [39:0] cmd_err_addr;
  logic [31:0] cmd_err_pc;
  logic [39:0] cmd_base, rd_win_base, rd_win_limit, wr_win_base, wr_win_limit;
  logic [31:0] cmd_len;

  // CTRL.soft_reset is registered once more before it reaches the units: the CSR field's
  // flop drove every unit's clear logic directly (hundreds of loads). One keep-copy per
  // destination (* keep *: Yosys would merge identical flops); every unit, and the start
  // mask, sees the soft reset in the same cycle, one cycle after the CSR field.
  localparam int unsigned SrCopies = 6;  // cmd_proc, ld, st, ex, post, start mask
  logic                soft_reset_csr;
  logic [SrCopies-1:0] sr_rep;
  assign soft_reset_csr = hwout.CTRL.soft_reset.value;
  qilin_keep_copies #(.N(SrCopies)) u_sr_copies (
    .clk_i, .rst_ni, .d_i(soft_reset_csr), .q_o(sr_rep)
  );
  for (genvar i = 1; i < SrCopies; i++) begin : gen_sr_check
    `QILIN_ASSERT(SoftResetCopies_A, sr_rep[i] == sr_rep[0], clk_i, rst_ni)
  end
  assign soft_reset   = sr_rep[5];
  assign start_req    = hwout.CTRL.start.value;
  // A start is taken only when the units have drained too (DMAs and the array have no soft
  // reset); cmd_proc itself ignores a start while busy. The decision is registered: units_busy
  // is an OR over every unit and start_acc clears cmd_proc, the counters and STATUS, so the
  // start takes effect one cycle after the CTRL write (units cannot become busy while
  // cmd_proc is idle, so the one-cycle-old units_busy is still exact).
  logic start_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) start_q <= 1'b0;
    else         start_q <= start_req && !units_busy && !soft_reset_csr;
  end
  // A start is dropped if the soft reset acts in its cycle, or was in the CSR field when
  // the start was registered (the CSR field itself stays off `start`: it would fan out
  // through cmd_proc's clear). Only a start written in the cycle just before a soft reset
  // now takes effect for one cycle before the soft reset clears it.
  assign start        = start_q && !soft_reset;
  assign start_acc    = start && !cmd_busy;
  assign cmd_base     = {hwout.CMD_BASE_HI.value.value[7:0], hwout.CMD_BASE_LO.value.value};
  assign cmd_len      = hwout.CMD_LEN.value.value;
  assign rd_win_base  = {hwout.DMA_RD_BASE_HI.value.value[7:0], hwout.DMA_RD_BASE_LO.value.value};
  assign rd_win_limit = {hwout.DMA_RD_LIMIT_HI.value.value[7:0], hwout.DMA_RD_LIMIT_LO.value.value};
  assign wr_win_base  = {hwout.DMA_WR_BASE_HI.value.value[7:0], hwout.DMA_WR_BASE_LO.value.value};
  assign wr_win_limit = {hwout.DMA_WR_LIMIT_HI.value.value[7:0], hwout.DMA_WR_LIMIT_LO.value.value};

  // STATUS.done/error are set by hardware (hwset), cleared by software (write 1) and by an
  // accepted start (hwclr), all inside the generated register block.
  assign irq_o = hwout.CTRL.irq_en.value && (hwout.STATUS.done.value || hwout.STATUS.error.value);

  // Performance counters (64 bits, cleared by an accepted start).
  logic        mm_array_busy, macs_valid;
  logic [31:0] macs;
  logic [1:0]  insn_retired;
  logic        ld_stall, ex_stall, st_stall;
  logic        rd_beat, wr_beat;
  logic [63:0] pc_cycles_q, pc_array_q, pc_macs_q, pc_stall_ld_q, pc_stall_ex_q, pc_stall_st_q;
  logic [63:0] pc_rd_bytes_q, pc_wr_bytes_q, pc_insn_q;

  // The events and the clear are registered first: they come from every unit, and the
  // counters are 576 flops. Counting one cycle late changes no total (the clear is delayed
  // by the same cycle, and software reads the counters after STATUS.done).
  logic        ev_busy_q, ev_array_q, ev_macs_q, ev_ld_q, ev_ex_q, ev_st_q, ev_rd_q, ev_wr_q;
  logic [31:0] ev_macs_n_q;
  logic [1:0]  ev_insn_q;
  logic        pc_clear_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      {ev_busy_q, ev_array_q, ev_macs_q, ev_ld_q, ev_ex_q, ev_st_q, ev_rd_q, ev_wr_q} <= '0;
      ev_macs_n_q <= '0;
      ev_insn_q   <= '0;
      pc_clear_q  <= 1'b0;
    end else begin
      {ev_busy_q, ev_array_q, ev_macs_q, ev_ld_q, ev_ex_q, ev_st_q, ev_rd_q, ev_wr_q} <=
          {cmd_busy, mm_array_busy, macs_valid, ld_stall, ex_stall, st_stall, rd_beat, wr_beat};
      ev_macs_n_q <= macs;
      ev_insn_q   <= insn_retired;
      pc_clear_q  <= start_acc;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pc_cycles_q   <= '0;
      pc_array_q    <= '0;
      pc_macs_q     <= '0;
      pc_stall_ld_q <= '0;
      pc_stall_ex_q <= '0;
      pc_stall_st_q <= '0;
      pc_rd_bytes_q <= '0;
      pc_wr_bytes_q <= '0;
      pc_insn_q     <= '0;
    end else if (pc_clear_q) begin
      pc_cycles_q   <= '0;
      pc_array_q    <= '0;
      pc_macs_q     <= '0;
      pc_stall_ld_q <= '0;
      pc_stall_ex_q <= '0;
      pc_stall_st_q <= '0;
      pc_rd_bytes_q <= '0;
      pc_wr_bytes_q <= '0;
      pc_insn_q     <= '0;
    end else begin
      if (ev_busy_q)  pc_cycles_q   <= pc_cycles_q + 64'd1;
      if (ev_array_q) pc_array_q    <= pc_array_q + 64'd1;
      if (ev_macs_q)  pc_macs_q     <= pc_macs_q + 64'(ev_macs_n_q);
      if (ev_ld_q)    pc_stall_ld_q <= pc_stall_ld_q + 64'd1;
      if (ev_ex_q)    pc_stall_ex_q <= pc_stall_ex_q + 64'd1;
      if (ev_st_q)    pc_stall_st_q <= pc_stall_st_q + 64'd1;
      if (ev_rd_q)    pc_rd_bytes_q <= pc_rd_bytes_q + 64'(BeatB);
      if (ev_wr_q)    pc_wr_bytes_q <= pc_wr_bytes_q + 64'(BeatB);
      pc_insn_q <= pc_insn_q + 64'(ev_insn_q);
    end
  end

  always_comb begin
    hwin = '0;
    hwin.HW_CFG0.rows.next               = 16'(Dim);
    hwin.HW_CFG0.cols.next               = 16'(Dim);
    hwin.HW_SP_ROWS.value.next           = 32'(SpRows);
    hwin.HW_ACC_ROWS.value.next          = 32'(AccRows);
    hwin.STATUS.busy.next                = cmd_busy || units_busy;
    hwin.STATUS.done.hwset               = cmd_done;
    hwin.STATUS.done.hwclr               = start_acc;
    hwin.STATUS.error.hwset              = cmd_error;
    hwin.STATUS.error.hwclr              = start_acc;
    hwin.ERR_CODE.value.next             = 32'(cmd_err_code);
    hwin.ERR_ADDR_LO.value.next          = cmd_err_addr[31:0];
    hwin.ERR_ADDR_HI.value.next          = 32'(cmd_err_addr[39:32]);
    hwin.ERR_PC.value.next               = cmd_err_pc;
    hwin.PERF_CYCLES_LO.value.next       = pc_cycles_q[31:0];
    hwin.PERF_CYCLES_HI.value.next       = pc_cycles_q[63:32];
    hwin.PERF_ARRAY_BUSY_LO.value.next   = pc_array_q[31:0];
    hwin.PERF_ARRAY_BUSY_HI.value.next   = pc_array_q[63:32];
    hwin.PERF_MACS_LO.value.next         = pc_macs_q[31:0];
    hwin.PERF_MACS_HI.value.next         = pc_macs_q[63:32];
    hwin.PERF_STALL_LD_LO.value.next     = pc_stall_ld_q[31:0];
    hwin.PERF_STALL_LD_HI.value.next     = pc_stall_ld_q[63:32];
    hwin.PERF_STALL_EX_LO.value.next     = pc_stall_ex_q[31:0];
    hwin.PERF_STALL_EX_HI.value.next     = pc_stall_ex_q[63:32];
    hwin.PERF_STALL_ST_LO.value.next     = pc_stall_st_q[31:0];
    hwin.PERF_STALL_ST_HI.value.next     = pc_stall_st_q[63:32];
    hwin.PERF_DMA_RD_BYTES_LO.value.next = pc_rd_bytes_q[31:0];
    hwin.PERF_DMA_RD_BYTES_HI.value.next = pc_rd_bytes_q[63:32];
    hwin.PERF_DMA_WR_BYTES_LO.value.next = pc_wr_bytes_q[31:0];
    hwin.PERF_DMA_WR_BYTES_HI.value.next = pc_wr_bytes_q[63:32];
    hwin.PERF_INSN_RETIRED_LO.value.next = pc_insn_q[31:0];
    hwin.PERF_INSN_RETIRED_HI.value.next = pc_insn_q[63:32];
  end

  // ======================================================================== AXI mux
  // Master 0: instruction fetch (read), 1: read DMA, 2: write DMA.
  logic [2:0]          mx_aw_valid, mx_aw_ready, mx_w_valid, mx_w_ready, mx_b_valid, mx_b_ready;
  logic [2:0]          mx_ar_valid, mx_ar_ready, mx_r_valid, mx_r_ready;
  logic [2:0][AxW-1:0] mx_aw, mx_ar;
  logic [2:0][WW-1:0]  mx_w;
  logic [BW-1:0]       mx_b;
  logic [RW-1:0]       mx_r;

  qilin_axi_pkg::axi_ar_t fetch_ar, rd_ar;
  qilin_axi_pkg::axi_aw_t wr_aw;
  qilin_axi_pkg::axi_w_t  wr_w;
  logic fetch_ar_valid, fetch_r_ready, rd_ar_valid, rd_r_ready;
  logic wr_aw_valid, wr_w_valid, wr_b_ready;

  assign mx_aw_valid = {wr_aw_valid, 1'b0, 1'b0};
  assign mx_aw       = {AxW'(wr_aw), AxW'(0), AxW'(0)};
  assign mx_w_valid  = {wr_w_valid, 1'b0, 1'b0};
  assign mx_w        = {WW'(wr_w), WW'(0), WW'(0)};
  assign mx_b_ready  = {wr_b_ready, 1'b1, 1'b1};
  assign mx_ar_valid = {1'b0, rd_ar_valid, fetch_ar_valid};
  assign mx_ar       = {AxW'(0), AxW'(rd_ar), AxW'(fetch_ar)};
  assign mx_r_ready  = {1'b1, rd_r_ready, fetch_r_ready};

  assign rd_beat = mx_r_valid[1] && mx_r_ready[1];
  assign wr_beat = mx_w_valid[2] && mx_w_ready[2];

  qilin_axi_mux #(.NumMasters(3)) u_axi_mux (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .m_aw_valid_i (mx_aw_valid),
    .m_aw_ready_o (mx_aw_ready),
    .m_aw_i       (mx_aw),
    .m_w_valid_i  (mx_w_valid),
    .m_w_ready_o  (mx_w_ready),
    .m_w_i        (mx_w),
    .m_b_valid_o  (mx_b_valid),
    .m_b_ready_i  (mx_b_ready),
    .m_b_o        (mx_b),
    .m_ar_valid_i (mx_ar_valid),
    .m_ar_ready_o (mx_ar_ready),
    .m_ar_i       (mx_ar),
    .m_r_valid_o  (mx_r_valid),
    .m_r_ready_i  (mx_r_ready),
    .m_r_o        (mx_r),
    .s_aw_valid_o (m_axi_aw_valid_o),
    .s_aw_ready_i (m_axi_aw_ready_i),
    .s_aw_o       (m_axi_aw_o),
    .s_w_valid_o  (m_axi_w_valid_o),
    .s_w_ready_i  (m_axi_w_ready_i),
    .s_w_o        (m_axi_w_o),
    .s_b_valid_i  (m_axi_b_valid_i),
    .s_b_ready_o  (m_axi_b_ready_o),
    .s_b_i        (m_axi_b_i),
    .s_ar_valid_o (m_axi_ar_valid_o),
    .s_ar_ready_i (m_axi_ar_ready_i),
    .s_ar_o       (m_axi_ar_o),
    .s_r_valid_i  (m_axi_r_valid_i),
    .s_r_ready_o  (m_axi_r_ready_o),
    .s_r_i        (m_axi_r_i)
  );

  // The mux holds a presented AR until it is accepted and returns responses with the
  // masters' own IDs, so they go straight to the masters.
  qilin_axi_pkg::axi_r_t mx_r_s;
  qilin_axi_pkg::axi_b_t mx_b_s;
  assign mx_r_s = mx_r;
  assign mx_b_s = mx_b;

  // ======================================================================== command processor
  logic         ld_valid, ld_ready, ld_done, ld_err, ex_valid, ex_ready, ex_done, ex_err;
  logic         st_valid, st_ready, st_done, st_err;
  logic [127:0] ld_insn, ex_insn, st_insn;
  logic [31:0]  ld_pc, ex_pc, st_pc;
  logic [23:0]  ex_grid;
  logic [7:0]   ld_err_code, ex_err_code, st_err_code;
  logic [39:0]  ld_err_addr, ex_err_addr, st_err_addr;
  logic         ld_ret, ex_ret, st_ret;

  qilin_cmd_proc #(
    .Dim     (Dim),
    .SpRows  (SpRows),
    .AccRows (AccRows)
  ) u_cmd_proc (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .soft_reset_i     (sr_rep[0]),
    .start_i          (start),
    .cmd_base_i       (cmd_base),
    .cmd_len_i        (cmd_len),
    .busy_o           (cmd_busy),
    .done_o           (cmd_done),
    .error_o          (cmd_error),
    .err_code_o       (cmd_err_code),
    .err_addr_o       (cmd_err_addr),
    .err_pc_o         (cmd_err_pc),
    .ar_o             (fetch_ar),
    .ar_valid_o       (fetch_ar_valid),
    .ar_ready_i       (mx_ar_ready[0]),
    .r_i              (mx_r_s),
    .r_valid_i        (mx_r_valid[0]),
    .r_ready_o        (fetch_r_ready),
    .ld_valid_o       (ld_valid),
    .ld_ready_i       (ld_ready),
    .ld_insn_o        (ld_insn),
    .ld_pc_o          (ld_pc),
    .ld_done_i        (ld_done),
    .ld_err_i         (ld_err),
    .ld_err_code_i    (ld_err_code),
    .ld_err_addr_i    (ld_err_addr),
    .ex_valid_o       (ex_valid),
    .ex_ready_i       (ex_ready),
    .ex_insn_o        (ex_insn),
    .ex_pc_o          (ex_pc),
    .ex_grid_o        (ex_grid),
    .ex_done_i        (ex_done),
    .ex_err_i         (ex_err),
    .ex_err_code_i    (ex_err_code),
    .ex_err_addr_i    (ex_err_addr),
    .st_valid_o       (st_valid),
    .st_ready_i       (st_ready),
    .st_insn_o        (st_insn),
    .st_pc_o          (st_pc),
    .st_done_i        (st_done),
    .st_err_i         (st_err),
    .st_err_code_i    (st_err_code),
    .st_err_addr_i    (st_err_addr),
    .insn_retired_o   (insn_retired),
    .ld_retired_o     (ld_ret),
    .ex_retired_o     (ex_ret),
    .st_retired_o     (st_ret),
    .ld_token_stall_o (ld_stall),
    .ex_token_stall_o (ex_stall),
    .st_token_stall_o (st_stall)
  );

  // ======================================================================== memories
  // Scratchpad: read clients 0 matmul W, 1 matmul A, 2 STORE DMA; write 0 LOAD DMA, 1 POSTPROC.
  logic [2:0]           sp_rd_valid, sp_rd_ready, sp_rsp_valid;
  logic [2:0][SpAW-1:0] sp_rd_addr;
  logic [2:0][SpW-1:0]  sp_rsp_data;
  logic [1:0]           sp_wr_valid, sp_wr_ready;
  logic [1:0][SpAW-1:0] sp_wr_addr;
  logic [1:0][SpW-1:0]  sp_wr_data;

  qilin_banked_mem #(
    .Width    (SpW),
    .Rows     (SpRows),
    .NumBanks (SpBanks),
    .NumRd    (3),
    .NumWr    (2),
    .InReg    (MemRegs),
    .OutReg   (MemRegs)
  ) u_sp (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .rd_valid_i  (sp_rd_valid),
    .rd_ready_o  (sp_rd_ready),
    .rd_addr_i   (sp_rd_addr),
    .rsp_valid_o (sp_rsp_valid),
    .rsp_data_o  (sp_rsp_data),
    .wr_valid_i  (sp_wr_valid),
    .wr_ready_o  (sp_wr_ready),
    .wr_addr_i   (sp_wr_addr),
    .wr_data_i   (sp_wr_data)
  );

  logic             acc_valid, acc_add, acc_idle;
  logic [AccAW-1:0] acc_addr;
  logic [AccW-1:0]  acc_data;
  logic             acc_rd_valid, acc_rd_ready, acc_rsp_valid;
  logic [AccBanks-1:0] acc_rd_busy;  // the accumulate port holds bank b's read port
  logic [AccAW-1:0] acc_rd_addr;
  logic [AccW-1:0]  acc_rsp_data;
  logic             acc_wr_valid, acc_wr_ready;
  logic [AccAW-1:0] acc_wr_addr;
  logic [AccW-1:0]  acc_wr_data;

  qilin_acc_mem #(
    .Dim      (Dim),
    .Rows     (AccRows),
    .NumBanks (AccBanks),
    .OutReg   (MemRegs)
  ) u_acc (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .acc_valid_i (acc_valid),
    .acc_addr_i  (acc_addr),
    .acc_data_i  (acc_data),
    .acc_add_i   (acc_add),
    .rd_valid_i  (acc_rd_valid),
    .rd_ready_o     (acc_rd_ready),
    .rd_bank_busy_o (acc_rd_busy),
    .rd_addr_i      (acc_rd_addr),
    .rsp_valid_o (acc_rsp_valid),
    .rsp_data_o  (acc_rsp_data),
    .wr_valid_i  (acc_wr_valid),
    .wr_ready_o  (acc_wr_ready),
    .wr_addr_i   (acc_wr_addr),
    .wr_data_i   (acc_wr_data),
    .idle_o      (acc_idle)
  );

  // ======================================================================== LD: read DMA
  qilin_dma_pkg::dma_rd_cmd_t rd_cmd;
  logic             rd_cmd_valid, rd_cmd_ready, rd_done_valid, rd_done_ready, rd_err_valid;
  logic [7:0]       rd_err_code;
  logic [39:0]      rd_err_addr;
  logic             rd_busy, ld_busy;
  logic             dwr_valid, dwr_ready, dwr_acc;
  logic [DstAW-1:0] dwr_addr;
  logic [AccW-1:0]  dwr_data;

  qilin_ld_unit u_ld (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .soft_reset_i     (sr_rep[1]),
    .valid_i          (ld_valid),
    .ready_o          (ld_ready),
    .insn_i           (ld_insn),
    .done_o           (ld_done),
    .err_o            (ld_err),
    .err_code_o       (ld_err_code),
    .err_addr_o       (ld_err_addr),
    .cmd_o            (rd_cmd),
    .cmd_valid_o      (rd_cmd_valid),
    .cmd_ready_i      (rd_cmd_ready),
    .dma_done_valid_i (rd_done_valid),
    .dma_done_ready_o (rd_done_ready),
    .dma_err_valid_i  (rd_err_valid),
    .dma_err_code_i   (rd_err_code),
    .dma_err_addr_i   (rd_err_addr),
    .busy_o           (ld_busy)
  );

  qilin_dma_rd #(
    .Dim      (Dim),
    .SpAddrW  (SpAW),
    .AccAddrW (AccAW),
    .AxiId    ('0)
  ) u_dma_rd (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_i          (rd_cmd),
    .cmd_valid_i    (rd_cmd_valid),
    .cmd_ready_o    (rd_cmd_ready),
    .rd_win_base_i  (rd_win_base),
    .rd_win_limit_i (rd_win_limit),
    .ar_o           (rd_ar),
    .ar_valid_o     (rd_ar_valid),
    .ar_ready_i     (mx_ar_ready[1]),
    .r_i            (mx_r_s),
    .r_valid_i      (mx_r_valid[1]),
    .r_ready_o      (rd_r_ready),
    .wr_valid_o     (dwr_valid),
    .wr_ready_i     (dwr_ready),
    .wr_acc_o       (dwr_acc),
    .wr_addr_o      (dwr_addr),
    .wr_data_o      (dwr_data),
    .done_valid_o   (rd_done_valid),
    .done_ready_i   (rd_done_ready),
    .err_valid_o    (rd_err_valid),
    .err_code_o     (rd_err_code),
    .err_addr_o     (rd_err_addr),
    .busy_o         (rd_busy)
  );

  assign sp_wr_valid[0] = dwr_valid && !dwr_acc;
  assign sp_wr_addr[0]  = dwr_addr[SpAW-1:0];
  assign sp_wr_data[0]  = dwr_data[SpW-1:0];
  assign acc_wr_valid   = dwr_valid && dwr_acc;
  assign acc_wr_addr    = dwr_addr[AccAW-1:0];
  assign acc_wr_data    = dwr_data;
  assign dwr_ready      = dwr_acc ? acc_wr_ready : sp_wr_ready[0];

  // ======================================================================== ST: write DMA
  qilin_dma_pkg::dma_wr_cmd_t wr_cmd;
  logic        wr_cmd_valid, wr_cmd_ready, wr_done_valid, wr_done_ready, wr_err_valid;
  logic [7:0]  wr_err_code;
  logic [39:0] wr_err_addr;
  logic        wr_busy, st_busy, st_sp_rsp_ready;
  logic             dws_req_valid, dws_req_ready, dws_req_acc, dws_rsp_valid;
  logic             dws_req_sp, dws_req_accv;  // the valid split by memory, flip-flops
  logic [SrcAW-1:0] dws_req_addr;
  logic [SpW-1:0]   dws_rsp_data;

  qilin_st_unit u_st (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .soft_reset_i     (sr_rep[2]),
    .valid_i          (st_valid),
    .ready_o          (st_ready),
    .insn_i           (st_insn),
    .done_o           (st_done),
    .err_o            (st_err),
    .err_code_o       (st_err_code),
    .err_addr_o       (st_err_addr),
    .cmd_o            (wr_cmd),
    .cmd_valid_o      (wr_cmd_valid),
    .cmd_ready_i      (wr_cmd_ready),
    .dma_done_valid_i (wr_done_valid),
    .dma_done_ready_o (wr_done_ready),
    .dma_err_valid_i  (wr_err_valid),
    .dma_err_code_i   (wr_err_code),
    .dma_err_addr_i   (wr_err_addr),
    .busy_o           (st_busy)
  );

  qilin_dma_wr #(
    .Dim     (Dim),
    .SpAddrW (SrcAW),
    .AxiId   ('0)
  ) u_dma_wr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .cmd_i          (wr_cmd),
    .cmd_valid_i    (wr_cmd_valid),
    .cmd_ready_o    (wr_cmd_ready),
    .wr_win_base_i  (wr_win_base),
    .wr_win_limit_i (wr_win_limit),
    .sp_req_valid_o (dws_req_valid),
    .sp_req_ready_i (dws_req_ready),
    .sp_req_addr_o  (dws_req_addr),
    .sp_req_acc_o   (dws_req_acc),
    .sp_req_sp_o    (dws_req_sp),
    .sp_req_accv_o  (dws_req_accv),
    .sp_rsp_valid_i (dws_rsp_valid),
    .sp_rsp_ready_o (st_sp_rsp_ready),  // never low (qilin_dma_wr buffers its requests)
    .sp_rsp_data_i  (dws_rsp_data),
    .aw_o           (wr_aw),
    .aw_valid_o     (wr_aw_valid),
    .aw_ready_i     (mx_aw_ready[2]),
    .w_o            (wr_w),
    .w_valid_o      (wr_w_valid),
    .w_ready_i      (mx_w_ready[2]),
    .b_i            (mx_b_s),
    .b_valid_i      (mx_b_valid[2]),
    .b_ready_o      (wr_b_ready),
    .done_valid_o   (wr_done_valid),
    .done_ready_i   (wr_done_ready),
    .err_valid_o    (wr_err_valid),
    .err_code_o     (wr_err_code),
    .err_addr_o     (wr_err_addr),
    .busy_o         (wr_busy)
  );

  // STORE source reads. An SP chunk is SP read client 2. An ACC chunk 4*row + j reads the
  // whole ACC row through the accumulator's read port, shared with POSTPROC below, and
  // returns lanes [j*Dim/4, (j+1)*Dim/4), i.e. bytes [j*Dim, (j+1)*Dim) of the row. A DMA
  // command is all SP or all ACC and drains its responses before the next one starts, so the
  // two response sources are never valid together.
  logic             dwa_req_valid, dwa_req_ready, dwa_rsp_valid;
  logic [AccAW-1:0] dwa_req_addr;
  logic [1:0]       dwa_chunk;
  logic [SpW-1:0]   dwa_rsp_data;

  // The two request valids come split from the DMA's flip-flops (DwSplit_A), so the SP and
  // ACC arbiters start from registers. A ready is low without its valid and the valids are
  // exclusive, so the OR is the select by dws_req_acc (a 40-load flop, no longer in the
  // path back to the DMA's pop: stop 20).
  assign sp_rd_valid[2] = dws_req_sp;
  assign sp_rd_addr[2]  = dws_req_addr[SpAW-1:0];
  assign dwa_req_valid  = dws_req_accv;
  assign dwa_req_addr   = dws_req_addr[AccAW+1:2];
  assign dws_req_ready  = dwa_req_ready || sp_rd_ready[2];

  always_comb begin
    dwa_rsp_data = '0;
    for (int unsigned j = 0; j < 4; j++) begin
      if (dwa_chunk == 2'(j)) dwa_rsp_data = acc_rsp_data[j*SpW +: SpW];
    end
  end
  assign dws_rsp_valid = sp_rsp_valid[2] || dwa_rsp_valid;
  assign dws_rsp_data  = dwa_rsp_valid ? dwa_rsp_data : sp_rsp_data[2];

  // ======================================================================== EX
  qilin_core_pkg::matmul_cmd_t mm_cmd;
  logic        mm_valid, mm_ready, mm_done, mm_busy;
  logic [15:0] mm_w_addr, mm_a_addr, mm_acc_addr;
  logic        mm_acc_valid, mm_acc_add;
  logic [AccW-1:0] mm_acc_data;
  logic        zf_valid;
  logic [15:0] zf_addr;
  logic        post_valid, post_ready, post_done, post_err, post_busy;
  logic [15:0] post_c_addr, post_p_addr;
  logic [16:0] post_o_addr;
  logic [11:0] post_in_h, post_in_w;
  logic        post_out_signed, post_bias_en;
  logic [1:0]  post_pool_kind;
  logic [3:0]  post_kh, post_kw;
  logic [7:0]  post_n_win;
  logic [2:0]  post_sh, post_sw;
  logic [8:0]  post_out_zp;
  logic [7:0]  post_act_min, post_act_max, post_err_code;
  logic [AccAW-1:0] post_err_addr;
  logic             post_rd_valid, post_rd_ready, post_rsp_valid;
  logic [AccAW-1:0] post_rd_addr;
  logic        ex_busy;

  qilin_ex_unit #(.Dim(Dim), .MaxInflight(ExMaxInflight)) u_ex (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .soft_reset_i      (sr_rep[3]),
    .valid_i           (ex_valid),
    .ready_o           (ex_ready),
    .insn_i            (ex_insn),
    .grid_i            (ex_grid),
    .done_o            (ex_done),
    .err_o             (ex_err),
    .err_code_o        (ex_err_code),
    .err_addr_o        (ex_err_addr),
    .mm_valid_o        (mm_valid),
    .mm_ready_i        (mm_ready),
    .mm_cmd_o          (mm_cmd),
    .mm_done_i         (mm_done),
    .post_valid_o      (post_valid),
    .post_ready_i      (post_ready),
    .post_c_addr_o     (post_c_addr),
    .post_p_addr_o     (post_p_addr),
    .post_o_addr_o     (post_o_addr),
    .post_in_h_o       (post_in_h),
    .post_in_w_o       (post_in_w),
    .post_out_signed_o (post_out_signed),
    .post_bias_en_o    (post_bias_en),
    .post_pool_kind_o  (post_pool_kind),
    .post_kh_o         (post_kh),
    .post_n_win_o      (post_n_win),
    .post_kw_o         (post_kw),
    .post_sh_o         (post_sh),
    .post_sw_o         (post_sw),
    .post_out_zp_o     (post_out_zp),
    .post_act_min_o    (post_act_min),
    .post_act_max_o    (post_act_max),
    .post_done_i       (post_done),
    .post_err_i        (post_err),
    .post_err_code_i   (post_err_code),
    .post_err_addr_i   (16'(post_err_addr)),
    .acc_idle_i        (acc_idle),
    .zf_valid_o        (zf_valid),
    .zf_addr_o         (zf_addr),
    .macs_valid_o      (macs_valid),
    .macs_o            (macs),
    .busy_o            (ex_busy)
  );

  qilin_ex_matmul #(
    .Dim          (Dim),
    .ColsPerStage (ColsPerStage),
    .SpRdLat      (MemRegs ? 3 : 1)
  ) u_matmul (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .cmd_valid_i      (mm_valid),
    .cmd_ready_o      (mm_ready),
    .cmd_i            (mm_cmd),
    .done_o           (mm_done),
    .busy_o           (mm_busy),
    .array_busy_o     (mm_array_busy),
    .sp_w_valid_o     (sp_rd_valid[0]),
    .sp_w_ready_i     (sp_rd_ready[0]),
    .sp_w_addr_o      (mm_w_addr),
    .sp_w_rsp_valid_i (sp_rsp_valid[0]),
    .sp_w_rsp_data_i  (sp_rsp_data[0]),
    .sp_a_valid_o     (sp_rd_valid[1]),
    .sp_a_ready_i     (sp_rd_ready[1]),
    .sp_a_addr_o      (mm_a_addr),
    .sp_a_rsp_valid_i (sp_rsp_valid[1]),
    .sp_a_rsp_data_i  (sp_rsp_data[1]),
    .acc_valid_o      (mm_acc_valid),
    .acc_addr_o       (mm_acc_addr),
    .acc_data_o       (mm_acc_data),
    .acc_add_o        (mm_acc_add)
  );

  assign sp_rd_addr[0] = mm_w_addr[SpAW-1:0];
  assign sp_rd_addr[1] = mm_a_addr[SpAW-1:0];

  // The zero fill of a k_size = 0 MATMUL only runs while no MATMUL is in flight.
  assign acc_valid = mm_acc_valid || zf_valid;
  assign acc_addr  = zf_valid ? zf_addr[AccAW-1:0] : mm_acc_addr[AccAW-1:0];
  assign acc_data  = zf_valid ? '0 : mm_acc_data;
  assign acc_add   = !zf_valid && mm_acc_add;

  qilin_ex_post #(
    .Dim      (Dim),
    .AccAddrW (AccAW),
    .SpAddrW  (SpAW),
    .AccRdLat (MemRegs ? 2 : 1)
  ) u_post (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (sr_rep[4]),
    .cmd_valid_i      (post_valid),
    .cmd_ready_o      (post_ready),
    .cmd_c_addr_i     (post_c_addr[AccAW-1:0]),
    .cmd_p_addr_i     (post_p_addr[AccAW-1:0]),
    .cmd_o_addr_i     (post_o_addr[SpAW-1:0]),
    .cmd_in_h_i       (post_in_h),
    .cmd_in_w_i       (post_in_w),
    .cmd_out_signed_i (post_out_signed),
    .cmd_bias_en_i    (post_bias_en),
    .cmd_pool_kind_i  (post_pool_kind),
    .cmd_kh_i         (post_kh),
    .cmd_n_win_i      (post_n_win),
    .cmd_kw_i         (post_kw),
    .cmd_sh_i         (post_sh),
    .cmd_sw_i         (post_sw),
    .cmd_out_zp_i     (post_out_zp),
    .cmd_act_min_i    (post_act_min),
    .cmd_act_max_i    (post_act_max),
    .done_o           (post_done),
    .err_o            (post_err),
    .err_code_o       (post_err_code),
    .err_addr_o       (post_err_addr),
    .busy_o           (post_busy),
    .acc_rd_valid_o   (post_rd_valid),
    .acc_rd_ready_i   (post_rd_ready),
    .acc_rd_addr_o    (post_rd_addr),
    .acc_rsp_valid_i  (post_rsp_valid),
    .acc_rsp_data_i   (acc_rsp_data),
    .sp_wr_valid_o    (sp_wr_valid[1]),
    .sp_wr_ready_i    (sp_wr_ready[1]),
    .sp_wr_addr_o     (sp_wr_addr[1]),
    .sp_wr_data_o     (sp_wr_data[1])
  );

  // Accumulator read port: round-robin between POSTPROC (0) and the STORE DMA (1). The port
  // answers exactly one cycle after a grant, so a register naming last cycle's winner routes
  // each response; nothing is dropped or reordered. Neither client's request waits on the
  // other's ready (grants depend on the requests only).
  logic [1:0] acc_gnt;
  logic       acc_gnt_idx, acc_own_dma;

  qilin_rr_arb #(.N(2)) u_acc_rd_arb (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .req_i     ({dwa_req_valid, post_rd_valid}),
    .advance_i (post_rd_ready || dwa_req_ready),  // == acc_rd_valid && acc_rd_ready
    .gnt_o     (acc_gnt),
    .idx_o     (acc_gnt_idx)
  );

  // Each client's ready is its grant, unless the accumulate port holds its own bank's read
  // port (acc_mem's rd_bank_busy_o), not acc_mem's rd_ready_o of the granted address: the
  // grant -> address select -> bank compare chain is no longer in series with the pops
  // (dma_wr state -> ex_post / dma_wr request heads: 8 LUT levels before, stop 20).
  // AccRdy_A checks both against the original expression.
  logic [AccBW-1:0] post_bank, dwa_bank;
  if (AccBanks > 1) begin : gen_acc_banks
    assign post_bank = post_rd_addr[AccAW-1 -: AccBW];
    assign dwa_bank  = dwa_req_addr[AccAW-1 -: AccBW];
  end else begin : gen_acc_bank1
    assign post_bank = '0;
    assign dwa_bank  = '0;
  end

  assign acc_rd_valid  = post_rd_valid || dwa_req_valid;
  assign acc_rd_addr   = acc_gnt[1] ? dwa_req_addr : post_rd_addr;
  assign post_rd_ready = acc_gnt[0] && !acc_rd_busy[post_bank];
  assign dwa_req_ready = acc_gnt[1] && !acc_rd_busy[dwa_bank];

  // The grant's owner and chunk travel with the read until its response (1 or 2 cycles).
  qilin_delay #(.Width(3), .Depth(MemRegs ? 2 : 1)) u_acc_own (
    .clk_i,
    .rst_ni,
    .en_i (1'b1),
    .d_i  ({dwa_req_valid && dwa_req_ready, dws_req_addr[1:0]}),
    .q_o  ({acc_own_dma, dwa_chunk})
  );

  assign post_rsp_valid = acc_rsp_valid && !acc_own_dma;
  assign dwa_rsp_valid  = acc_rsp_valid && acc_own_dma;

  // Units still working (also on behalf of a program abandoned by a soft reset).
  assign units_busy = ld_busy || st_busy || rd_busy || wr_busy || ex_busy || mm_busy ||
                      post_busy || !acc_idle;

  logic unused_bits;
  assign unused_bits = ^{ld_pc, ex_pc, st_pc, ld_ret, ex_ret, st_ret, st_sp_rsp_ready,
                         acc_gnt_idx, mm_w_addr, mm_a_addr, mm_acc_addr, post_c_addr, post_p_addr,
                         post_o_addr, zf_addr, mx_b_valid[1:0], hwout.CMD_BASE_HI.value.value,
                         hwout.DMA_RD_BASE_HI.value.value, hwout.DMA_RD_LIMIT_HI.value.value,
                         hwout.DMA_WR_BASE_HI.value.value, hwout.DMA_WR_LIMIT_HI.value.value,
                         mx_r_valid[2], mx_aw_ready[1:0], mx_w_ready[1:0], mx_ar_ready[2]};

  `QILIN_ASSERT_INIT(SpRows_A, SpRows >= 2 && SpRows <= 65536 && (SpRows & (SpRows - 1)) == 0)
  `QILIN_ASSERT_INIT(AccRows_A, AccRows >= 2 && AccRows <= 65536 && (AccRows & (AccRows - 1)) == 0)
  `QILIN_ASSERT_INIT(AxW_A, $bits(fetch_ar) == AxW)
  `QILIN_ASSERT_INIT(WW_A, $bits(wr_w) == WW)
  `QILIN_ASSERT_INIT(RW_A, $bits(mx_r_s) == RW)
  `QILIN_ASSERT_INIT(BW_A, $bits(mx_b_s) == BW)
  // One response source at a time for the STORE DMA; an ACC response belongs to the winner.
  `QILIN_ASSERT(DwRspOne_A, !(sp_rsp_valid[2] && dwa_rsp_valid), clk_i, rst_ni)
  `QILIN_ASSERT(AccGntOne_A, !(acc_gnt[0] && acc_gnt[1]), clk_i, rst_ni)
  // The retimed request valids and readies equal the original expressions every cycle.
  `QILIN_ASSERT(DwSplit_A, (dws_req_sp == (dws_req_valid && !dws_req_acc)) &&
                (dws_req_accv == (dws_req_valid && dws_req_acc)) &&
                (dws_req_ready == (dws_req_acc ? dwa_req_ready : sp_rd_ready[2])), clk_i, rst_ni)
  `QILIN_ASSERT(AccRdy_A, (post_rd_ready == (acc_gnt[0] && acc_rd_ready)) &&
                (dwa_req_ready == (acc_gnt[1] && acc_rd_ready)) &&
                ((post_rd_ready || dwa_req_ready) == (acc_rd_valid && acc_rd_ready)),
                clk_i, rst_ni)
endmodule
