// SPDX-License-Identifier: Apache-2.0
// DMA engine commands, error codes and bus constants (docs/dma.md).
package qilin_dma_pkg;

  localparam int unsigned DramAddrW = 40;  // device-memory byte address in a command
  localparam int unsigned StrideW   = 32;  // bytes between DRAM rows
  localparam int unsigned SizeW     = 16;  // y_size / x_size
  localparam int unsigned PadW      = 8;   // padding, in vectors
  localparam int unsigned RowW      = 24;  // SP/ACC row-address field (low bits used)
  localparam int unsigned ErrW      = 8;   // error code width (ISA ErrCodeW)

  // Error codes; WINDOW and AXI match the ISA's DMA_WINDOW and BUS_ERROR.
  localparam logic [ErrW-1:0] ErrNone     = 8'd0;
  localparam logic [ErrW-1:0] ErrWindow   = 8'd3;  // access outside [win_base, win_limit)
  localparam logic [ErrW-1:0] ErrAxi      = 8'd7;  // SLVERR/DECERR response
  localparam logic [ErrW-1:0] ErrBadAlign = 8'd8;  // dram_addr/stride not vector-aligned

  // LOAD: DRAM -> scratchpad (Dim-byte vectors) or accumulator (4*Dim-byte vectors).
  typedef struct packed {
    logic [DramAddrW-1:0] dram_addr;
    logic [StrideW-1:0]   dram_stride;
    logic [SizeW-1:0]     y_size;
    logic [SizeW-1:0]     x_size;
    logic                 dst_acc;
    logic [RowW-1:0]      dst_addr;
    logic [PadW-1:0]      y_pad_top;
    logic [PadW-1:0]      y_pad_bottom;
    logic [PadW-1:0]      x_pad_left;
    logic [PadW-1:0]      x_pad_right;
    logic [7:0]           pad_value;
  } dma_rd_cmd_t;

  // STORE: scratchpad (Dim-byte vectors) or accumulator (4*Dim-byte vectors) -> DRAM.
  // An ACC row is read as 4 Dim-byte chunks at source addresses 4*row + j (docs/dma.md).
  typedef struct packed {
    logic [DramAddrW-1:0] dram_addr;
    logic [StrideW-1:0]   dram_stride;
    logic [SizeW-1:0]     y_size;
    logic [SizeW-1:0]     x_size;
    logic                 src_acc;
    logic [RowW-1:0]      src_addr;
  } dma_wr_cmd_t;

endpackage
