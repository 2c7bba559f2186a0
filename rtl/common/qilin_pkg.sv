// SPDX-License-Identifier: Apache-2.0
// Project-wide constants and widths for the Qilin NPU.
package qilin_pkg;

  // Operands are 8-bit; int8 or uint8 is chosen per stream by a signedness flag.
  localparam int unsigned DataW = 8;
  // Zero points are 9-bit signed so one field holds both the int8 range [-128, 127]
  // and the uint8 range [0, 255].
  localparam int unsigned ZpW = 9;
  // Operand minus zero point: raw in [-128, 255] minus zp in [-256, 255] lies in
  // [-383, 511], so 10 signed bits hold it for any input, legal or not.
  localparam int unsigned OpW = DataW + 2;
  // Product of two OpW operands.
  localparam int unsigned ProdW = 2 * OpW;
  // Accumulator: a column sums NumRows products, so it needs ProdW + clog2(NumRows)
  // bits; 32 bits are exact for any array up to 4096 rows (checked in qilin_array).
  localparam int unsigned AccW = 32;
  localparam int unsigned MaxRowsExact = 1 << (AccW - ProdW);

endpackage
