// SPDX-License-Identifier: Apache-2.0
// Assertion macros: active under Verilator --assert and simulators, empty for synthesis.
`ifndef QILIN_ASSERT_SVH
`define QILIN_ASSERT_SVH

`ifdef SYNTHESIS
  `define QILIN_ASSERT(__name, __prop, __clk, __rst_n)
  `define QILIN_ASSERT_INIT(__name, __cond)
`else
  // Concurrent assertion sampled at the clock, disabled during reset.
  `define QILIN_ASSERT(__name, __prop, __clk, __rst_n) \
    __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
      else $error("%m: %s failed", `"__name`");
  // Elaboration-time parameter check.
  `define QILIN_ASSERT_INIT(__name, __cond) \
    initial begin : __name \
      if (!(__cond)) $fatal(1, "%m: %s failed", `"__name`"); \
    end
`endif

`endif
