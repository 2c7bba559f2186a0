// SPDX-License-Identifier: Apache-2.0
// AXI4 channel payloads as packed structs (valid/ready travel as separate ports).
package qilin_axi_pkg;

  localparam int unsigned IdW   = 6;    // AXI ID width
  localparam int unsigned AddrW = 34;   // byte address width (16 GiB)
  localparam int unsigned DataW = 256;  // data bus width
  localparam int unsigned StrbW = DataW / 8;

  // AxBURST INCR (FIXED is 2'b00, WRAP 2'b10); only INCR is supported by the Qilin slaves.
  localparam logic [1:0] BurstIncr = 2'b01;
  // xRESP OKAY (SLVERR is 2'b10).
  localparam logic [1:0] RespOkay  = 2'b00;

  // Address write / address read channel (same payload).
  typedef struct packed {
    logic [IdW-1:0]   id;
    logic [AddrW-1:0] addr;
    logic [7:0]       len;    // beats - 1
    logic [2:0]       size;   // bytes per beat = 2**size
    logic [1:0]       burst;
  } axi_ax_t;

  typedef axi_ax_t axi_aw_t;
  typedef axi_ax_t axi_ar_t;

  typedef struct packed {
    logic [DataW-1:0] data;
    logic [StrbW-1:0] strb;
    logic             last;
  } axi_w_t;

  typedef struct packed {
    logic [IdW-1:0] id;
    logic [1:0]     resp;
  } axi_b_t;

  typedef struct packed {
    logic [IdW-1:0]   id;
    logic [DataW-1:0] data;
    logic [1:0]       resp;
    logic             last;
  } axi_r_t;

endpackage
