// SPDX-License-Identifier: Apache-2.0
// Byte address to (pseudo-channel, bank group, bank, row, column) for one 32 B burst.
//
// Bits are listed from the LSB; the 5 byte-in-burst bits come first in every map, and
// PcBits = log2(NumPC) (0 for one PC). Address bits above the mapped ones are ignored.
//   AddrMap 0 (default) RoBaCoBgPc: pc, bg(2), col(5), ba(2), row(14)
//       sequential streams interleave over PCs, then bank groups (tCCD_S back-to-back).
//   AddrMap 1 RoBaBgCoPc: pc, col(5), bg(2), ba(2), row(14)
//       1 KiB of a row per PC before moving on (ARCHITECTURE.md's literal order).
//   AddrMap 2 RoCoBaBgPc: pc, bg(2), ba(2), col(5), row(14)
//       consecutive bursts spread over all 16 banks.
//   AddrMap 3 PcRoBaBgCo: col(5), bg(2), ba(2), row(14), pc
//       each PC owns one contiguous 256 MiB region.
module hbm_addr_map #(
  parameter int unsigned NumPC   = 1,
  parameter int unsigned AddrMap = 0,
  parameter int unsigned AddrW   = 34,
  // Do not override.
  parameter int unsigned PcW     = (NumPC > 1) ? $clog2(NumPC) : 1
) (
  input  logic [AddrW-1:0] addr_i,
  output logic [PcW-1:0]   pc_o,
  output logic [1:0]       bg_o,
  output logic [1:0]       ba_o,
  output logic [13:0]      row_o,
  output logic [4:0]       col_o
);
  localparam int unsigned PcBits = (NumPC > 1) ? $clog2(NumPC) : 0;
  localparam int unsigned LineW  = AddrW - 5;

  logic [LineW-1:0] line, rest;
  logic [PcW-1:0]   pc_lo, pc_hi;

  always_comb begin
    line  = addr_i[AddrW-1:5];
    rest  = line >> PcBits;                       // the line without low PC bits
    pc_lo = (NumPC > 1) ? PcW'(line) : '0;
    pc_hi = (NumPC > 1) ? PcW'(line >> 23) : '0;  // PC above the 23 bank/row/col bits
    pc_o  = pc_lo;
    bg_o  = rest[1:0];
    col_o = rest[6:2];
    ba_o  = rest[8:7];
    row_o = rest[22:9];
    case (AddrMap)
      1: begin
        col_o = rest[4:0];
        bg_o  = rest[6:5];
        ba_o  = rest[8:7];
        row_o = rest[22:9];
      end
      2: begin
        bg_o  = rest[1:0];
        ba_o  = rest[3:2];
        col_o = rest[8:4];
        row_o = rest[22:9];
      end
      3: begin
        pc_o  = pc_hi;
        col_o = line[4:0];
        bg_o  = line[6:5];
        ba_o  = line[8:7];
        row_o = line[22:9];
      end
      default: ;
    endcase
  end

`ifndef SYNTHESIS
  initial begin
    if (AddrMap > 3) $fatal(1, "hbm_addr_map: AddrMap must be 0..3");
    if (AddrW < 28 + PcBits) $fatal(1, "hbm_addr_map: AddrW too small for NumPC");
  end
`endif
endmodule
