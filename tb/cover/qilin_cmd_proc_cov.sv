// SPDX-License-Identifier: Apache-2.0
// Functional cover points bound into qilin_cmd_proc (coverage builds only): every opcode and
// every option as instructions pass the legality check, token stalls per queue, and every
// hardware error code; each instruction queue, pending-unit FIFO and the fetch buffer full
// and drained empty; each token FIFO (counter) full and drained empty. Reads the check stage
// (chk_fire, chk_insn_q), the FIFO handshakes, the token counters and the ports.
`include "qilin_cov.svh"

module qilin_cmd_proc_cov
  import qilin_isa_pkg::*;
#(
  parameter int unsigned TokW       = 5,
  parameter int unsigned TokenDepth = 16,
  parameter int unsigned N          = 7
) (
  input logic              clk_i,
  input logic              rst_ni,
  input logic              chk_fire,     // a legal instruction leaves the check stage
  input logic              chk_valid_q,  // an instruction is in the check stage
  input logic [InsnW-1:0]  chk_insn_q,
  input logic [7:0]        err_code_o,
  input logic              ld_token_stall_o,
  input logic              ex_token_stall_o,
  input logic              st_token_stall_o,
  // in_ready_o / out_valid_o of gen_q[0..2].u_insn_q, gen_q[0..2].u_pend, u_beat_buf
  input logic [N-1:0]      fifo_rdy,
  input logic [N-1:0]      fifo_vld,
  input logic [TokW-1:0]   tok0_q,  // token FIFOs: 0 LD->EX, 1 EX->LD, 2 EX->ST, 3 ST->EX
  input logic [TokW-1:0]   tok1_q,
  input logic [TokW-1:0]   tok2_q,
  input logic [TokW-1:0]   tok3_q
);
  logic [N-1:0] fifo_vld_q;
  logic [3:0]   tok_nz, tok_nz_q;
  assign tok_nz = {tok3_q != '0, tok2_q != '0, tok1_q != '0, tok0_q != '0};
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fifo_vld_q <= '0;
      tok_nz_q   <= '0;
    end else begin
      fifo_vld_q <= fifo_vld;
      tok_nz_q   <= tok_nz;
    end
  end
  logic [3:0] op;
  logic       f;
  assign op = chk_insn_q[InsnOpcodeLsb +: 4];
  assign f  = chk_fire;

  // Opcodes (and an illegal one).
  `QILIN_CP(cp_op_load, f && op == OpLoad)
  `QILIN_CP(cp_op_store, f && op == OpStore)
  `QILIN_CP(cp_op_matmul, f && op == OpMatmul)
  `QILIN_CP(cp_op_postproc, f && op == OpPostproc)
  `QILIN_CP(cp_op_sync, f && op == OpSync)
  `QILIN_CP(cp_op_end, f && op == OpEnd)
  // An unknown opcode never fires (it is an error): cover it in the check stage.
  `QILIN_CP(cp_op_illegal, chk_valid_q && !(op inside {OpLoad, OpStore, OpMatmul, OpPostproc,
                                                         OpSync, OpEnd}))
  // Dependency flags.
  `QILIN_CP(cp_flag_pop_prev, f && chk_insn_q[InsnPopPrevLsb])
  `QILIN_CP(cp_flag_pop_next, f && chk_insn_q[InsnPopNextLsb])
  `QILIN_CP(cp_flag_push_prev, f && chk_insn_q[InsnPushPrevLsb])
  `QILIN_CP(cp_flag_push_next, f && chk_insn_q[InsnPushNextLsb])
  // LOAD: destination and padding.
  `QILIN_CP(cp_load_dst_sp, f && op == OpLoad && chk_insn_q[LoadDstLsb] == MemSp)
  `QILIN_CP(cp_load_dst_acc, f && op == OpLoad && chk_insn_q[LoadDstLsb] == MemAcc)
  `QILIN_CP(cp_load_pad_top, f && op == OpLoad && chk_insn_q[LoadPadTopLsb +: 3] != 3'd0)
  `QILIN_CP(cp_load_pad_bottom, f && op == OpLoad && chk_insn_q[LoadPadBottomLsb +: 3] != 3'd0)
  `QILIN_CP(cp_load_pad_left, f && op == OpLoad && chk_insn_q[LoadPadLeftLsb +: 3] != 3'd0)
  `QILIN_CP(cp_load_pad_right, f && op == OpLoad && chk_insn_q[LoadPadRightLsb +: 3] != 3'd0)
  // STORE: source.
  `QILIN_CP(cp_store_src_sp, f && op == OpStore && chk_insn_q[StoreSrcLsb] == MemSp)
  `QILIN_CP(cp_store_src_acc, f && op == OpStore && chk_insn_q[StoreSrcLsb] == MemAcc)
  // MATMUL: accumulate and signedness.
  `QILIN_CP(cp_mm_overwrite, f && op == OpMatmul && !chk_insn_q[MatmulAccumulateLsb])
  `QILIN_CP(cp_mm_accumulate, f && op == OpMatmul && chk_insn_q[MatmulAccumulateLsb])
  `QILIN_CP(cp_mm_a_unsigned, f && op == OpMatmul && !chk_insn_q[MatmulASignedLsb])
  `QILIN_CP(cp_mm_a_signed, f && op == OpMatmul && chk_insn_q[MatmulASignedLsb])
  `QILIN_CP(cp_mm_w_unsigned, f && op == OpMatmul && !chk_insn_q[MatmulWSignedLsb])
  `QILIN_CP(cp_mm_w_signed, f && op == OpMatmul && chk_insn_q[MatmulWSignedLsb])
  // POSTPROC: pool kinds, output signedness, bias.
  `QILIN_CP(cp_pp_pool_none, f && op == OpPostproc && chk_insn_q[PostprocPoolKindLsb +: 2] == PoolNone)
  `QILIN_CP(cp_pp_pool_max, f && op == OpPostproc && chk_insn_q[PostprocPoolKindLsb +: 2] == PoolMax)
  `QILIN_CP(cp_pp_pool_avg, f && op == OpPostproc && chk_insn_q[PostprocPoolKindLsb +: 2] == PoolAvg)
  `QILIN_CP(cp_pp_out_unsigned, f && op == OpPostproc && !chk_insn_q[PostprocOutSignedLsb])
  `QILIN_CP(cp_pp_out_signed, f && op == OpPostproc && chk_insn_q[PostprocOutSignedLsb])
  `QILIN_CP(cp_pp_bias_off, f && op == OpPostproc && !chk_insn_q[PostprocBiasEnLsb])
  `QILIN_CP(cp_pp_bias_on, f && op == OpPostproc && chk_insn_q[PostprocBiasEnLsb])
  // SYNC: every target queue.
  `QILIN_CP(cp_sync_ld, f && op == OpSync && chk_insn_q[SyncQueueLsb +: 2] == QueueLd)
  `QILIN_CP(cp_sync_ex, f && op == OpSync && chk_insn_q[SyncQueueLsb +: 2] == QueueEx)
  `QILIN_CP(cp_sync_st, f && op == OpSync && chk_insn_q[SyncQueueLsb +: 2] == QueueSt)
  `QILIN_CP(cp_sync_all, f && op == OpSync && chk_insn_q[SyncQueueLsb +: 2] == QueueAll)
  // Token stalls.
  `QILIN_CP(cp_token_stall_ld, ld_token_stall_o)
  `QILIN_CP(cp_token_stall_ex, ex_token_stall_o)
  `QILIN_CP(cp_token_stall_st, st_token_stall_o)
  // Every hardware error code (ERR_CODE latched).
  `QILIN_CP(cp_err_illegal_insn, err_code_o == ErrIllegalInsn)
  `QILIN_CP(cp_err_no_end, err_code_o == ErrNoEnd)
  `QILIN_CP(cp_err_dma_window, err_code_o == ErrDmaWindow)
  `QILIN_CP(cp_err_sp_range, err_code_o == ErrSpRange)
  `QILIN_CP(cp_err_acc_range, err_code_o == ErrAccRange)
  `QILIN_CP(cp_err_param_range, err_code_o == ErrParamRange)
  `QILIN_CP(cp_err_bus_error, err_code_o == ErrBusError)
  `QILIN_CP(cp_err_align, err_code_o == ErrAlign)
  // Instruction queues, pending-unit FIFOs, fetch buffer.
  `QILIN_FIFO_CP(insn_q_ld, 0)
  `QILIN_FIFO_CP(insn_q_ex, 1)
  `QILIN_FIFO_CP(insn_q_st, 2)
  `QILIN_FIFO_CP(pend_ld, 3)
  `QILIN_FIFO_CP(pend_ex, 4)
  `QILIN_FIFO_CP(pend_st, 5)
  `QILIN_FIFO_CP(fetch_buf, 6)
  // Token FIFOs: full, and emptied after holding a token.
  `QILIN_CP(cp_tok_ld_ex_full, tok0_q == TokW'(TokenDepth))
  `QILIN_CP(cp_tok_ex_ld_full, tok1_q == TokW'(TokenDepth))
  `QILIN_CP(cp_tok_ex_st_full, tok2_q == TokW'(TokenDepth))
  `QILIN_CP(cp_tok_st_ex_full, tok3_q == TokW'(TokenDepth))
  `QILIN_CP(cp_tok_ld_ex_empty, tok_nz_q[0] && !tok_nz[0])
  `QILIN_CP(cp_tok_ex_ld_empty, tok_nz_q[1] && !tok_nz[1])
  `QILIN_CP(cp_tok_ex_st_empty, tok_nz_q[2] && !tok_nz[2])
  `QILIN_CP(cp_tok_st_ex_empty, tok_nz_q[3] && !tok_nz[3])
endmodule

bind qilin_cmd_proc qilin_cmd_proc_cov #(.TokW(TokW), .TokenDepth(TokenDepth)) u_cov (
  .clk_i, .rst_ni, .chk_fire, .chk_valid_q, .chk_insn_q, .err_code_o, .ld_token_stall_o,
  .ex_token_stall_o,
  .st_token_stall_o,
  .fifo_rdy({u_beat_buf.in_ready_o, gen_q[2].u_pend.in_ready_o, gen_q[1].u_pend.in_ready_o,
             gen_q[0].u_pend.in_ready_o, gen_q[2].u_insn_q.in_ready_o,
             gen_q[1].u_insn_q.in_ready_o, gen_q[0].u_insn_q.in_ready_o}),
  .fifo_vld({u_beat_buf.out_valid_o, gen_q[2].u_pend.out_valid_o, gen_q[1].u_pend.out_valid_o,
             gen_q[0].u_pend.out_valid_o, gen_q[2].u_insn_q.out_valid_o,
             gen_q[1].u_insn_q.out_valid_o, gen_q[0].u_insn_q.out_valid_o}),
  .tok0_q, .tok1_q, .tok2_q, .tok3_q);
