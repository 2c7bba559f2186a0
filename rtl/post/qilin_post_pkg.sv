// SPDX-License-Identifier: Apache-2.0
// Constants shared by the post-processing blocks (requantiser, pooling).
package qilin_post_pkg;

  // Per-lane requantisation shift, two's complement. Legal range -31..30 (golden
  // QuantMultiplier); > 0 shifts left before the high-mul, <= 0 divides after it.
  localparam int unsigned ShiftW = 6;

  // A clamp bound relative to the output zero point, act - out_zp, two's complement:
  // both are 9-bit signed (qilin_pkg::ZpW), so the difference lies in [-511, 511].
  // qilin_pkg::ZpW + 1, written out: Yosys cannot read one package from another
  // (qilin_requant checks the relation at elaboration).
  localparam int unsigned RelW = 10;

  // qilin_requant_lane: register stages from an accepted beat to the clamp input.
  localparam int unsigned RequantStages = 11;
  // out_zp and the relative clamp bounds are used by the last register stage, so they
  // sit beside the beat that has passed RequantZpStage registers; the act_min/act_max
  // bytes join after RequantStages, at the output select.
  localparam int unsigned RequantZpStage = RequantStages - 1;
  // qilin_requant: cycles from an input beat's acceptance to out_valid_o with no
  // stall (the clamp result is written into the output FIFO, whose head is visible).
  localparam int unsigned RequantLatency = RequantStages + 1;

endpackage
