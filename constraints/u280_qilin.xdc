# Qilin on an HBM-equipped UltraScale+ part (Alveo U280 class, xcu280-fsvh2892-2L-e):
# timing intent for qilin_core (Dim 32) as used by scripts/synth_xilinx.sh and docs/fpga.md.
# Yosys does not read XDC; this file is for the Vivado flow that would follow.

# Core clock: 300 MHz target (3.333 ns). On the U280 it comes from an MMCM fed by a
# 100 MHz board reference; the port name is the core's.
create_clock -period 3.333 -name core_clk [get_ports clk_i]

# HBM reference clocks (not used by the Yosys estimate): the U280's two HBM stacks take a
# 100 MHz reference each from the board (SYSCLK0/SYSCLK1 on the user guide's clock table),
# and the HBM AXI ports' APB/AXI clocks come from an MMCM (e.g. 450 MHz for AXI, 100 MHz
# APB). In a full design they are:
#   create_clock -period 10.000 -name hbm_ref_clk_0 [get_ports hbm_ref_clk_0_p]
#   create_clock -period 10.000 -name hbm_ref_clk_1 [get_ports hbm_ref_clk_1_p]
#   set_clock_groups -asynchronous -group core_clk -group {hbm_ref_clk_0 hbm_ref_clk_1}

# The active-low reset is asynchronous to everything.
set_false_path -from [get_ports rst_ni]
