// SPDX-License-Identifier: Apache-2.0
// Lint harness for the generated qilin_isa_pkg: a tiny decoder that slices fields and checks
// reserved bits the way the command processor will, so that `verilator --lint-only -Wall` and
// Yosys see the package constants used as a real design would use them.
module qilin_isa_pkg_user (
  input  logic [qilin_isa_pkg::InsnW-1:0]     insn_i,
  output logic                                legal_o,
  output logic [qilin_isa_pkg::DramAddrW-1:0] dram_addr_o,
  output logic [qilin_isa_pkg::ZpW-1:0]       a_zp_o
);

  logic [qilin_isa_pkg::OpcodeW-1:0] opcode;
  assign opcode = insn_i[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW];

  // Legal here means: a known opcode with every reserved bit zero (the full decoder also
  // checks field values).
  always_comb begin
    legal_o = 1'b0;
    unique case (opcode)
      qilin_isa_pkg::OpLoad:     legal_o = (insn_i & qilin_isa_pkg::LoadReservedMask) == '0;
      qilin_isa_pkg::OpStore:    legal_o = (insn_i & qilin_isa_pkg::StoreReservedMask) == '0;
      qilin_isa_pkg::OpMatmul:   legal_o = (insn_i & qilin_isa_pkg::MatmulReservedMask) == '0;
      qilin_isa_pkg::OpPostproc: legal_o = (insn_i & qilin_isa_pkg::PostprocReservedMask) == '0;
      qilin_isa_pkg::OpSync:     legal_o = (insn_i & qilin_isa_pkg::SyncReservedMask) == '0;
      qilin_isa_pkg::OpEnd:      legal_o = (insn_i & qilin_isa_pkg::EndReservedMask) == '0;
      default:                   legal_o = 1'b0;
    endcase
  end

  // A field that straddles the two 64-bit words and a signed one.
  assign dram_addr_o = insn_i[qilin_isa_pkg::LoadDramAddrLsb +: qilin_isa_pkg::LoadDramAddrW];
  assign a_zp_o      = insn_i[qilin_isa_pkg::MatmulAZpLsb +: qilin_isa_pkg::MatmulAZpW];

endmodule
