// SPDX-License-Identifier: Apache-2.0
// Accumulator memory: int32 rows of Dim lanes with a read-add-write port for the array's
// results, plus a plain read port (post-processing) and write port (DMA loads).
//
// The accumulate port never stalls: its read (stage 1) and write (stage 4) take their
// bank's ports in fixed cycles, and the other ports use a bank only when it is free.
// Stage 2 registers each bank's read data with no logic in between (block-RAM clock-to-
// output is slow on FPGAs), stage 3 adds it and registers the sum, and stage 4 writes that
// register into the RAM (the adder does not drive the block RAM's data pins, which are far
// from it), so an accumulate's row is written three cycles after it is presented (idle_o
// stays low until then). A row accumulated again one, two or three cycles later read the
// RAM before that write: stage 2 picks the newest sum instead (from stage 3's adder, the
// stage-4 register, or the sum written last cycle) and stage 3 uses it in place of the RAM
// data, so updates of one row on any cycles are exact.
//
// OutReg delays the read port's response by a cycle and takes it from the stage-2 bank
// registers (s3_raw_q), so block-RAM read data reaches no logic outside this module before
// a register (qilin_sram's OutReg, without another register per bit).
module qilin_acc_mem #(
  parameter int unsigned Dim      = 16,
  parameter int unsigned Rows     = 1024,
  parameter int unsigned NumBanks = 2,
  parameter bit          OutReg   = 1'b0,
  // Do not override.
  parameter int unsigned AddrW    = $clog2(Rows),
  parameter int unsigned BankW    = (NumBanks > 1) ? $clog2(NumBanks) : 1,
  parameter int unsigned BankRows = Rows / NumBanks,
  parameter int unsigned RowW     = $clog2(BankRows),
  parameter int unsigned Width    = 32 * Dim
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // Accumulate port (always accepted): row += data, or row = data.
  input  logic             acc_valid_i,
  input  logic [AddrW-1:0] acc_addr_i,
  input  logic [Width-1:0] acc_data_i,
  input  logic             acc_add_i,
  // Read port: data one cycle after the grant (two with OutReg), no backpressure.
  input  logic             rd_valid_i,
  output logic             rd_ready_o,
  // The accumulate port takes bank b's read port this cycle: a read of bank b is refused
  // (rd_ready_o is this bit for the read's bank). For clients that form their ready from
  // their own bank and grant, without the granted address's bank compare.
  output logic [NumBanks-1:0] rd_bank_busy_o,
  input  logic [AddrW-1:0] rd_addr_i,
  output logic             rsp_valid_o,
  output logic [Width-1:0] rsp_data_o,
  // Write port.
  input  logic             wr_valid_i,
  output logic             wr_ready_o,
  input  logic [AddrW-1:0] wr_addr_i,
  input  logic [Width-1:0] wr_data_i,
  // Nothing of the accumulate port is still in flight.
  output logic             idle_o
);
  `include "qilin_assert.svh"

  // Stage 2: the row read in stage 1 arrives from the RAM and is registered.
  logic             s2_valid_q, s2_add_q;
  logic [AddrW-1:0] s2_addr_q;
  logic [Width-1:0] s2_data_q, s2_fwd;
  logic             s2_hit3_q;      // adding, and stage 3 now holds an update of the same row
  logic             s2_hitf_q;      // fwd_data_q (stage 4) holds a sum of the same row
  logic             s2_hitg_q;      // fwd2_q holds the sum last written to the same row
  // Stage 3: the old value is added and the row written.
  logic             s3_valid_q;
  logic [AddrW-1:0] s3_addr_q;
  logic [Width-1:0] s3_data_q, s3_old, s3_sum;
  logic [Width-1:0] s3_raw_q [NumBanks];  // each bank's read data, registered as is
  logic [BankW-1:0] s3_rbank_q;           // the bank stage 1 read
  logic             s3_use_fwd_q;         // old value is s3_fwd_q, not the RAM data
  logic [Width-1:0] s3_fwd_q;             // forwarded sum, or zero when overwriting
  // Stage 4: last cycle's stage-3 sum, written to the RAM now, and the one written last
  // cycle, for forwarding into a read that could not see their writes.
  logic             s4_valid_q;
  logic [AddrW-1:0] s4_addr_q;
  logic [Width-1:0] fwd_data_q, fwd2_q;
  logic             rd_bank_hit_q;  // which bank the read-port response comes from
  logic [BankW-1:0] rd_bank_q;

  logic [BankW-1:0] acc_bank, s4_bank, rd_bank, wr_bank;
  logic [Width-1:0] rdata [NumBanks];
  logic [BankW-1:0] s2_rbank_q;     // bank that stage 1 read

  if (NumBanks > 1) begin : gen_banksel
    assign acc_bank = acc_addr_i[AddrW-1 -: BankW];
    assign s4_bank  = s4_addr_q[AddrW-1 -: BankW];
    assign rd_bank  = rd_addr_i[AddrW-1 -: BankW];
    assign wr_bank  = wr_addr_i[AddrW-1 -: BankW];
  end else begin : gen_onebank
    assign acc_bank = '0;
    assign s4_bank  = '0;
    assign rd_bank  = '0;
    assign wr_bank  = '0;
  end

  // The accumulate port owns its bank's read port in stage 1 (only when adding) and its
  // bank's write port in stage 4.
  for (genvar b = 0; b < NumBanks; b++) begin : gen_rd_busy
    assign rd_bank_busy_o[b] = acc_valid_i && acc_add_i && (acc_bank == BankW'(b));
  end
  assign rd_ready_o = !rd_bank_busy_o[rd_bank];
  assign wr_ready_o = !(s4_valid_q && (s4_bank == wr_bank));

  for (genvar b = 0; b < NumBanks; b++) begin : gen_bank
    logic             we, re;
    logic [RowW-1:0]  waddr, raddr;
    logic [Width-1:0] wdata;
    always_comb begin
      we    = 1'b0;
      waddr = wr_addr_i[RowW-1:0];
      wdata = wr_data_i;
      if (s4_valid_q && (s4_bank == BankW'(b))) begin
        we    = 1'b1;
        waddr = s4_addr_q[RowW-1:0];
        wdata = fwd_data_q;
      end else if (wr_valid_i && (wr_bank == BankW'(b))) begin
        we = 1'b1;
      end
      re    = 1'b0;
      raddr = rd_addr_i[RowW-1:0];
      if (acc_valid_i && acc_add_i && (acc_bank == BankW'(b))) begin
        re    = 1'b1;
        raddr = acc_addr_i[RowW-1:0];
      end else if (rd_valid_i && (rd_bank == BankW'(b))) begin
        re = 1'b1;
      end
    end
    qilin_sram #(.Width(Width), .Depth(BankRows)) u_sram (
      .clk_i, .we_i(we), .waddr_i(waddr), .wdata_i(wdata),
      .re_i(re), .raddr_i(raddr), .rdata_o(rdata[b])
    );
  end

  // Stage 2: the value that replaces the RAM data when it is stale (the forwarding selects
  // were decided and registered in stage 1), or zero when overwriting.
  always_comb begin
    // s2_hit3_q implies s2_add_q, so the adder's output passes one 2:1 select.
    if (s2_hit3_q)      s2_fwd = s3_sum;
    else if (!s2_add_q) s2_fwd = '0;
    else if (s2_hitf_q) s2_fwd = fwd_data_q;
    else                s2_fwd = fwd2_q;
  end

  // Stage 3: lane-wise int32 add (wrapping is impossible for legal programs: see
  // docs/core.md).
  assign s3_old = s3_use_fwd_q ? s3_fwd_q : s3_raw_q[s3_rbank_q];
  for (genvar l = 0; l < Dim; l++) begin : gen_lane
    assign s3_sum[32*l +: 32] = s3_data_q[32*l +: 32] + s3_old[32*l +: 32];
  end

  // The RAM outputs go straight into registers (no reset: only used when stage 1 read).
  for (genvar b = 0; b < NumBanks; b++) begin : gen_raw
    always_ff @(posedge clk_i) s3_raw_q[b] <= rdata[b];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s2_valid_q    <= 1'b0;
      s2_add_q      <= 1'b0;
      s2_addr_q     <= '0;
      s2_data_q     <= '0;
      s2_rbank_q    <= '0;
      s2_hit3_q     <= 1'b0;
      s2_hitf_q     <= 1'b0;
      s2_hitg_q     <= 1'b0;
      s3_valid_q    <= 1'b0;
      s3_addr_q     <= '0;
      s3_data_q     <= '0;
      s3_rbank_q    <= '0;
      s3_use_fwd_q  <= 1'b0;
      s3_fwd_q      <= '0;
      s4_valid_q    <= 1'b0;
      s4_addr_q     <= '0;
      fwd_data_q    <= '0;
      fwd2_q        <= '0;
      rd_bank_hit_q <= 1'b0;
      rd_bank_q     <= '0;
    end else begin
      s2_valid_q    <= acc_valid_i;
      s2_add_q      <= acc_add_i;
      s2_addr_q     <= acc_addr_i;
      s2_data_q     <= acc_data_i;
      s2_rbank_q    <= acc_bank;
      // Stage 2's op moves to stage 3, stage 3's sum to fwd_data_q (stage 4) and stage 4's
      // to fwd2_q with this one.
      s2_hit3_q     <= acc_add_i && s2_valid_q && (s2_addr_q == acc_addr_i);
      s2_hitf_q     <= s3_valid_q && (s3_addr_q == acc_addr_i);
      s2_hitg_q     <= s4_valid_q && (s4_addr_q == acc_addr_i);
      s3_valid_q    <= s2_valid_q;
      s3_addr_q     <= s2_addr_q;
      s3_data_q     <= s2_data_q;
      s3_rbank_q    <= s2_rbank_q;
      s3_use_fwd_q  <= !s2_add_q || s2_hit3_q || s2_hitf_q || s2_hitg_q;
      s3_fwd_q      <= s2_fwd;
      s4_valid_q    <= s3_valid_q;
      s4_addr_q     <= s3_addr_q;
      fwd_data_q    <= s3_sum;
      fwd2_q        <= fwd_data_q;
      rd_bank_hit_q <= rd_valid_i && rd_ready_o;
      rd_bank_q     <= rd_bank;
    end
  end

  if (OutReg) begin : gen_rsp_reg
    logic             hit2_q;
    logic [BankW-1:0] bank2_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        hit2_q  <= 1'b0;
        bank2_q <= '0;
      end else begin
        hit2_q  <= rd_bank_hit_q;
        bank2_q <= rd_bank_q;
      end
    end
    assign rsp_valid_o = hit2_q;
    assign rsp_data_o  = s3_raw_q[bank2_q];
  end else begin : gen_rsp_ram
    assign rsp_valid_o = rd_bank_hit_q;
    assign rsp_data_o  = rdata[rd_bank_q];
  end
  assign idle_o      = !s2_valid_q && !s3_valid_q && !s4_valid_q;

  `QILIN_ASSERT_INIT(BanksPow2_A, (NumBanks & (NumBanks - 1)) == 0)
  `QILIN_ASSERT_INIT(RowsSplit_A, BankRows * NumBanks == Rows && (1 << RowW) == BankRows)
endmodule
