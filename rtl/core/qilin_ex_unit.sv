// SPDX-License-Identifier: Apache-2.0
// EX unit: decodes MATMUL and POSTPROC instructions from the command processor's EX queue,
// issues them to qilin_ex_matmul / qilin_ex_post, and returns one done pulse per instruction
// in instruction order.
//
// Ordering (docs/core_top.md):
// - MATMULs are pipelined: one is issued whenever ex_matmul takes it, several may be in
//   flight; their done pulses come back in order.
// - A POSTPROC is issued only when no MATMUL is in flight and the ACC accumulate pipeline is
//   idle (acc_idle_i); anything after a POSTPROC waits for its done (or error).
// - Instructions that do not use the array (m_size = 0; k_size = 0) wait until nothing is in
//   flight. k_size = 0 without accumulate writes m_size zero rows into the ACC through the
//   accumulate port (zf_*), as the ISS does; with accumulate it changes nothing.
// Soft reset: the POSTPROC is cleared (ex_post clear_i, driven by the core); MATMULs in flight
// cannot be cancelled, so their done pulses are counted and dropped.
`include "qilin_assert.svh"

module qilin_ex_unit #(
  parameter int unsigned Dim         = 16,
  parameter int unsigned MaxInflight = 15
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic                          soft_reset_i,
  // From the command processor.
  input  logic                          valid_i,
  output logic                          ready_o,
  input  logic [127:0]                  insn_i,
  output logic                          done_o,
  output logic                          err_o,
  output logic [7:0]                    err_code_o,
  output logic [39:0]                   err_addr_o,
  // ex_matmul.
  output logic                          mm_valid_o,
  input  logic                          mm_ready_i,
  output qilin_core_pkg::matmul_cmd_t   mm_cmd_o,
  input  logic                          mm_done_i,
  // ex_post.
  output logic                          post_valid_o,
  input  logic                          post_ready_i,
  output logic [15:0]                   post_c_addr_o,
  output logic [15:0]                   post_p_addr_o,
  output logic [16:0]                   post_o_addr_o,
  output logic [11:0]                   post_in_h_o,
  output logic [11:0]                   post_in_w_o,
  output logic                          post_out_signed_o,
  output logic                          post_bias_en_o,
  output logic [1:0]                    post_pool_kind_o,
  output logic [3:0]                    post_kh_o,
  output logic [3:0]                    post_kw_o,
  output logic [2:0]                    post_sh_o,
  output logic [2:0]                    post_sw_o,
  output logic [8:0]                    post_out_zp_o,
  output logic [7:0]                    post_act_min_o,
  output logic [7:0]                    post_act_max_o,
  input  logic                          post_done_i,
  input  logic                          post_err_i,
  input  logic [7:0]                    post_err_code_i,
  input  logic [15:0]                   post_err_addr_i,
  // ACC accumulate pipeline idle, and the zero-fill writes (data 0, overwrite).
  input  logic                          acc_idle_i,
  output logic                          zf_valid_o,
  output logic [15:0]                   zf_addr_o,
  // Performance: MACs of a MATMUL, valid in the cycle it is accepted.
  output logic                          macs_valid_o,
  output logic [31:0]                   macs_o,
  output logic                          busy_o
);
  localparam int unsigned CntW = $clog2(MaxInflight + 1);

  // ---- decode ----
  logic [3:0]  op;
  logic        is_mm, is_post;
  logic [15:0] m_size;
  logic [7:0]  k_size;
  logic        mm_acc;
  assign op      = insn_i[qilin_isa_pkg::InsnOpcodeLsb +: qilin_isa_pkg::InsnOpcodeW];
  assign is_mm   = op == qilin_isa_pkg::OpMatmul;
  assign is_post = op == qilin_isa_pkg::OpPostproc;
  assign m_size  = insn_i[qilin_isa_pkg::MatmulMSizeLsb +: qilin_isa_pkg::MatmulMSizeW];
  assign k_size  = insn_i[qilin_isa_pkg::MatmulKSizeLsb +: qilin_isa_pkg::MatmulKSizeW];
  assign mm_acc  = insn_i[qilin_isa_pkg::MatmulAccumulateLsb];

  logic [16:0] a_addr17, w_addr17;
  assign a_addr17 = insn_i[qilin_isa_pkg::MatmulAAddrLsb +: qilin_isa_pkg::MatmulAAddrW];
  assign w_addr17 = insn_i[qilin_isa_pkg::MatmulWAddrLsb +: qilin_isa_pkg::MatmulWAddrW];

  always_comb begin
    mm_cmd_o            = '0;
    mm_cmd_o.w_addr     = w_addr17[15:0];  // the SP is at most 2^16 rows here
    mm_cmd_o.k_size     = k_size;
    mm_cmd_o.a_addr     = a_addr17[15:0];
    mm_cmd_o.m_size     = m_size;
    mm_cmd_o.c_addr     = insn_i[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW];
    mm_cmd_o.accumulate = mm_acc;
    mm_cmd_o.a_signed   = insn_i[qilin_isa_pkg::MatmulASignedLsb];
    mm_cmd_o.w_signed   = insn_i[qilin_isa_pkg::MatmulWSignedLsb];
    mm_cmd_o.a_zp       = insn_i[qilin_isa_pkg::MatmulAZpLsb +: qilin_isa_pkg::MatmulAZpW];
    mm_cmd_o.w_zp       = insn_i[qilin_isa_pkg::MatmulWZpLsb +: qilin_isa_pkg::MatmulWZpW];
  end

  assign post_out_signed_o = insn_i[qilin_isa_pkg::PostprocOutSignedLsb];
  assign post_bias_en_o    = insn_i[qilin_isa_pkg::PostprocBiasEnLsb];
  assign post_pool_kind_o  = insn_i[qilin_isa_pkg::PostprocPoolKindLsb +: qilin_isa_pkg::PostprocPoolKindW];
  assign post_c_addr_o     = insn_i[qilin_isa_pkg::PostprocCAddrLsb +: qilin_isa_pkg::PostprocCAddrW];
  assign post_p_addr_o     = insn_i[qilin_isa_pkg::PostprocPAddrLsb +: qilin_isa_pkg::PostprocPAddrW];
  assign post_o_addr_o     = insn_i[qilin_isa_pkg::PostprocOAddrLsb +: qilin_isa_pkg::PostprocOAddrW];
  assign post_in_h_o       = insn_i[qilin_isa_pkg::PostprocInHLsb +: qilin_isa_pkg::PostprocInHW];
  assign post_in_w_o       = insn_i[qilin_isa_pkg::PostprocInWLsb +: qilin_isa_pkg::PostprocInWW];
  assign post_out_zp_o     = insn_i[qilin_isa_pkg::PostprocOutZpLsb +: qilin_isa_pkg::PostprocOutZpW];
  assign post_act_min_o    = insn_i[qilin_isa_pkg::PostprocActMinLsb +: qilin_isa_pkg::PostprocActMinW];
  assign post_act_max_o    = insn_i[qilin_isa_pkg::PostprocActMaxLsb +: qilin_isa_pkg::PostprocActMaxW];
  assign post_kh_o         = insn_i[qilin_isa_pkg::PostprocPoolKhLsb +: qilin_isa_pkg::PostprocPoolKhW];
  assign post_kw_o         = insn_i[qilin_isa_pkg::PostprocPoolKwLsb +: qilin_isa_pkg::PostprocPoolKwW];
  assign post_sh_o         = insn_i[qilin_isa_pkg::PostprocPoolShLsb +: qilin_isa_pkg::PostprocPoolShW];
  assign post_sw_o         = insn_i[qilin_isa_pkg::PostprocPoolSwLsb +: qilin_isa_pkg::PostprocPoolSwW];

  // ---- state ----
  logic [CntW-1:0] mm_out_q, mm_drop_q, mm_out_d;  // MATMULs in ex_matmul (incl. dropped)
  logic            post_q;                          // a POSTPROC is in ex_post
  logic            zf_q;                            // zero-fill in progress
  logic [15:0]     zf_addr_q, zf_left_q;
  logic            sdone_q;                         // a done pulse owed next cycle

  logic quiet, mm_work, mm_go, post_go, triv_go, zf_go, acc_mm, mm_drop_now, zf_last;
  assign quiet   = (mm_out_q == '0) && !post_q && !zf_q;
  assign mm_work = (m_size != '0) && (k_size != '0);

  assign mm_valid_o   = valid_i && !soft_reset_i && is_mm && mm_work && !post_q && !zf_q &&
                        (mm_out_q != CntW'(MaxInflight));
  assign mm_go        = mm_valid_o && mm_ready_i;
  assign post_valid_o = valid_i && !soft_reset_i && is_post && quiet && acc_idle_i;
  assign post_go      = post_valid_o && post_ready_i;
  // m_size = 0 (no-op), k_size = 0 with accumulate (no-op), k_size = 0 overwrite (zero fill).
  assign triv_go      = valid_i && !soft_reset_i && is_mm && !mm_work && quiet &&
                        ((m_size == '0) || mm_acc);
  assign zf_go        = valid_i && !soft_reset_i && is_mm && !mm_work && quiet &&
                        (m_size != '0) && !mm_acc;
  assign ready_o      = mm_go || post_go || triv_go || zf_go;

  assign acc_mm      = mm_go;
  assign mm_drop_now = mm_done_i && (mm_drop_q != '0);
  assign mm_out_d    = mm_out_q + CntW'(acc_mm) - CntW'(mm_done_i);
  assign zf_last     = zf_q && (zf_left_q == 16'd1);

  assign zf_valid_o = zf_q;
  assign zf_addr_o  = zf_addr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mm_out_q  <= '0;
      mm_drop_q <= '0;
      post_q    <= 1'b0;
      zf_q      <= 1'b0;
      zf_addr_q <= '0;
      zf_left_q <= '0;
      sdone_q   <= 1'b0;
    end else begin
      mm_out_q <= mm_out_d;
      if (soft_reset_i)     mm_drop_q <= mm_out_d;
      else if (mm_drop_now) mm_drop_q <= mm_drop_q - CntW'(1);
      if (soft_reset_i) begin
        post_q  <= 1'b0;
        zf_q    <= 1'b0;
        sdone_q <= 1'b0;
      end else begin
        if (post_go)                         post_q <= 1'b1;
        else if (post_done_i || post_err_i)  post_q <= 1'b0;
        sdone_q <= triv_go || zf_last;
        if (zf_go) begin
          zf_q      <= 1'b1;
          zf_addr_q <= insn_i[qilin_isa_pkg::MatmulCAddrLsb +: qilin_isa_pkg::MatmulCAddrW];
          zf_left_q <= m_size;
        end else if (zf_q) begin
          zf_addr_q <= zf_addr_q + 16'd1;
          zf_left_q <= zf_left_q - 16'd1;
          if (zf_last) zf_q <= 1'b0;
        end
      end
    end
  end

  assign done_o     = (mm_done_i && !mm_drop_now) || (post_done_i && post_q) || sdone_q;
  assign err_o      = post_err_i && post_q;
  assign err_code_o = post_err_code_i;
  assign err_addr_o = 40'(post_err_addr_i);

  assign macs_valid_o = mm_go;
  assign macs_o       = 32'(m_size) * 32'(k_size) * 32'(Dim);
  assign busy_o       = (mm_out_q != '0) || post_q || zf_q || sdone_q;

  logic unused_bits;
  assign unused_bits = ^{a_addr17[16], w_addr17[16], insn_i[7:4], insn_i[63:61],
                         insn_i[127:106], insn_i[127]};

  `QILIN_ASSERT_INIT(MatmulCmdW_A, $bits(mm_cmd_o) == 2 * 16 + 8 + 16 + 16 + 3 + 2 * 9)
endmodule
