# SPDX-License-Identifier: Apache-2.0
"""PeakRDL-regblock CPU interface for the Qilin CSR block (scripts/gen_csr.sh).

The same flat AXI4-Lite ports as the stock `axi4-lite-flat` cpuif, with a front end built
for timing rather than pipelined throughput (qilin_axil_tmpl.sv): every AXI output and
every request signal into the address decoder comes from a flip-flop, so a cross-block
path ends or starts at a register (ECP5 at 100 MHz, docs/fpga.md).
"""
from peakrdl_regblock.cpuif.axi4lite import AXI4Lite_Cpuif_flattened


class QilinAxi4LiteFlat(AXI4Lite_Cpuif_flattened):
    template_path = "qilin_axil_tmpl.sv"
