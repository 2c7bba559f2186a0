// SPDX-License-Identifier: Apache-2.0
// Banked memory with several read and write clients. Banks are selected by the high
// address bits, so separate regions (weights, activations, double buffers) never collide.
// Each bank serves one read and one write per cycle, round-robin among its requesters.
//
// Contract: a read request is granted when rd_ready_o is high (valid/ready); its data
// arrives on rsp_* exactly RdLat cycles later, with no backpressure, so a client requests
// only when it can take the data. RdLat is 1, plus 1 with InReg (the granted read's enable
// and row are registered in front of the RAM, so the arbitration is not in series with the
// route to the block RAM's address pins; the granted write is registered with it, so reads
// and writes keep their order) and 1 with OutReg (a register behind the RAM, see
// qilin_sram). A read and a write of the same row in the same cycle
// must not happen (the RAM's answer is then undefined on FPGAs; NoRwCollision_A checks it).
module qilin_banked_mem #(
  parameter int unsigned Width    = 128,
  parameter int unsigned Rows     = 1024,
  parameter int unsigned NumBanks = 2,
  parameter int unsigned NumRd    = 2,
  parameter int unsigned NumWr    = 2,
  parameter bit          InReg    = 1'b0,
  parameter bit          OutReg   = 1'b0,
  // Do not override.
  parameter int unsigned RdLat    = 1 + int'(InReg) + int'(OutReg),
  parameter int unsigned AddrW    = $clog2(Rows),
  parameter int unsigned BankW    = (NumBanks > 1) ? $clog2(NumBanks) : 1,
  parameter int unsigned BankRows = Rows / NumBanks,
  parameter int unsigned RowW     = $clog2(BankRows),
  parameter int unsigned RdIdxW   = (NumRd > 1) ? $clog2(NumRd) : 1,
  parameter int unsigned WrIdxW   = (NumWr > 1) ? $clog2(NumWr) : 1
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic [NumRd-1:0]            rd_valid_i,
  output logic [NumRd-1:0]            rd_ready_o,
  input  logic [NumRd-1:0][AddrW-1:0] rd_addr_i,
  output logic [NumRd-1:0]            rsp_valid_o,
  output logic [NumRd-1:0][Width-1:0] rsp_data_o,
  input  logic [NumWr-1:0]            wr_valid_i,
  output logic [NumWr-1:0]            wr_ready_o,
  input  logic [NumWr-1:0][AddrW-1:0] wr_addr_i,
  input  logic [NumWr-1:0][Width-1:0] wr_data_i
);
  `include "qilin_assert.svh"

  logic [NumRd-1:0]  rd_req  [NumBanks];
  logic [NumRd-1:0]  rd_gnt  [NumBanks];
  logic [RdIdxW-1:0] rd_idx  [NumBanks];
  logic [NumWr-1:0]  wr_req  [NumBanks];
  logic [NumWr-1:0]  wr_gnt  [NumBanks];
  logic [WrIdxW-1:0] wr_idx  [NumBanks];
  logic [Width-1:0]  rdata   [NumBanks];
  logic              rsp_pend  [NumBanks];  // the bank's read data is valid now
  logic [RdIdxW-1:0] rsp_owner [NumBanks];  // for this read client

  logic [BankW-1:0] rd_bank [NumRd];
  logic [BankW-1:0] wr_bank [NumWr];
  for (genvar i = 0; i < NumRd; i++) begin : gen_rd_bank
    if (NumBanks > 1) begin : gen_hi
      assign rd_bank[i] = rd_addr_i[i][AddrW-1 -: BankW];
    end else begin : gen_one
      assign rd_bank[i] = '0;
    end
  end
  for (genvar i = 0; i < NumWr; i++) begin : gen_wr_bank
    if (NumBanks > 1) begin : gen_hi
      assign wr_bank[i] = wr_addr_i[i][AddrW-1 -: BankW];
    end else begin : gen_one
      assign wr_bank[i] = '0;
    end
  end

  for (genvar b = 0; b < NumBanks; b++) begin : gen_bank
    always_comb begin
      for (int unsigned i = 0; i < NumRd; i++)
        rd_req[b][i] = rd_valid_i[i] && (rd_bank[i] == BankW'(b));
      for (int unsigned i = 0; i < NumWr; i++)
        wr_req[b][i] = wr_valid_i[i] && (wr_bank[i] == BankW'(b));
    end

    qilin_rr_arb #(.N(NumRd)) u_rd_arb (
      .clk_i, .rst_ni, .req_i(rd_req[b]), .advance_i(1'b1), .gnt_o(rd_gnt[b]), .idx_o(rd_idx[b])
    );
    qilin_rr_arb #(.N(NumWr)) u_wr_arb (
      .clk_i, .rst_ni, .req_i(wr_req[b]), .advance_i(1'b1), .gnt_o(wr_gnt[b]), .idx_o(wr_idx[b])
    );

    // The read and the write the RAM performs this cycle: the granted ones, or last cycle's
    // with InReg. Both move by the same cycle, so the RAM sees the same sequence of reads and
    // writes one cycle later and no client can tell (RdLat counts the read's register); a
    // write's row, data and enable then reach the block RAM's pins from flip-flops.
    logic            ram_re, ram_we;
    logic [RowW-1:0] ram_raddr, ram_waddr;
    logic [Width-1:0] ram_wdata;
    if (InReg) begin : gen_inreg
      logic             re_q, we_q;
      logic [RowW-1:0]  raddr_q, waddr_q;
      logic [Width-1:0] wdata_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) {re_q, we_q} <= '0;
        else         {re_q, we_q} <= {|rd_req[b], |wr_req[b]};
      end
      always_ff @(posedge clk_i) begin
        raddr_q <= rd_addr_i[rd_idx[b]][RowW-1:0];
        waddr_q <= wr_addr_i[wr_idx[b]][RowW-1:0];
        wdata_q <= wr_data_i[wr_idx[b]];
      end
      assign {ram_re, ram_raddr} = {re_q, raddr_q};
      assign {ram_we, ram_waddr, ram_wdata} = {we_q, waddr_q, wdata_q};
    end else begin : gen_noinreg
      assign ram_re    = |rd_req[b];
      assign ram_raddr = rd_addr_i[rd_idx[b]][RowW-1:0];
      assign ram_we    = |wr_req[b];
      assign ram_waddr = wr_addr_i[wr_idx[b]][RowW-1:0];
      assign ram_wdata = wr_data_i[wr_idx[b]];
    end

    qilin_sram #(.Width(Width), .Depth(BankRows), .OutReg(OutReg)) u_sram (
      .clk_i,
      .we_i    (ram_we),
      .waddr_i (ram_waddr),
      .wdata_i (ram_wdata),
      .re_i    (ram_re),
      .raddr_i (ram_raddr),
      .rdata_o (rdata[b])
    );

    logic collide;
    assign collide = ram_we && ram_re && (ram_waddr == ram_raddr);
    `QILIN_ASSERT(NoRwCollision_A, !collide, clk_i, rst_ni)

    // The grant's owner travels with the read for RdLat cycles. (Through a packed wire:
    // Yosys mis-elaborates unpacked-array elements in a port's concatenation.)
    logic [RdIdxW:0] own_dly;
    qilin_delay #(.Width(1 + RdIdxW), .Depth(RdLat)) u_owner (
      .clk_i,
      .rst_ni,
      .en_i (1'b1),
      .d_i  ({|rd_req[b], rd_idx[b]}),
      .q_o  (own_dly)
    );
    assign rsp_pend[b]  = own_dly[RdIdxW];
    assign rsp_owner[b] = own_dly[RdIdxW-1:0];
  end

  // Readies per client, not through the arbiters' grant chains: a client is ready when it
  // is valid and no rival that wins over it (a pairwise priority register, qilin_rr_pri)
  // requests its bank, from the clients' valids and bank bits and those registers. (SP
  // reads: grants -> OR over banks -> ex_matmul / dma_wr pops were 6 LUT levels, stop 20;
  // SP writes: dma_rd's ACC flag -> grants -> OR -> ex_post's and dma_rd's queue pops were
  // 7, 11.38 ns routed, stop 21.) RdReady_A and WrReady_A check them against the grants.
  logic [NumBanks-1:0][NumRd-1:0] rd_blk;  // a winning rival requests the bank
  logic [NumBanks-1:0][NumWr-1:0] wr_blk;
  logic [NumRd-1:0]               rd_ready_gnt;
  logic [NumWr-1:0]               wr_ready_gnt;

  for (genvar b = 0; b < NumBanks; b++) begin : gen_pri
    qilin_rr_pri #(.N(NumRd)) u_rd_pri (
      .clk_i, .rst_ni, .req_i(rd_req[b]), .win_idx_i(rd_idx[b]), .blk_o(rd_blk[b])
    );
    qilin_rr_pri #(.N(NumWr)) u_wr_pri (
      .clk_i, .rst_ni, .req_i(wr_req[b]), .win_idx_i(wr_idx[b]), .blk_o(wr_blk[b])
    );
  end

  // A client's address selects one bank, so at most one bank answers it per cycle.
  always_comb begin
    rd_ready_gnt = '0;
    wr_ready_gnt = '0;
    rsp_valid_o  = '0;
    rsp_data_o   = '0;
    for (int unsigned i = 0; i < NumRd; i++)
      rd_ready_o[i] = rd_valid_i[i] && !rd_blk[rd_bank[i]][i];
    for (int unsigned i = 0; i < NumWr; i++)
      wr_ready_o[i] = wr_valid_i[i] && !wr_blk[wr_bank[i]][i];
    for (int unsigned b = 0; b < NumBanks; b++) begin
      rd_ready_gnt |= rd_gnt[b];
      wr_ready_gnt |= wr_gnt[b];
      for (int unsigned i = 0; i < NumRd; i++) begin
        if (rsp_pend[b] && (rsp_owner[b] == RdIdxW'(i))) begin
          rsp_valid_o[i] = 1'b1;
          rsp_data_o[i]  = rdata[b];
        end
      end
    end
  end

  `QILIN_ASSERT(RdReady_A, rd_ready_o == rd_ready_gnt, clk_i, rst_ni)
  `QILIN_ASSERT(WrReady_A, wr_ready_o == wr_ready_gnt, clk_i, rst_ni)
  `QILIN_ASSERT_INIT(RdLat_A, RdLat == 1 + int'(InReg) + int'(OutReg))
  `QILIN_ASSERT_INIT(BanksPow2_A, (NumBanks & (NumBanks - 1)) == 0)
  `QILIN_ASSERT_INIT(RowsSplit_A, BankRows * NumBanks == Rows && (1 << RowW) == BankRows)
endmodule
