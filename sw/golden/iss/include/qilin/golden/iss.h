// Instruction-level simulator (ISS) of the Qilin NPU: runs an instruction stream from a device
// memory image the way the command processor, the three queues and their token FIFOs do, and
// leaves the memory image the RTL must match byte for byte. The encoding is docs/isa.md.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "qilin/golden/mem_image.h"
#include "qilin/isa.h"

namespace qilin::golden {

struct IssConfig {
  int dim = 16;              // array size DIM: lanes per row, columns per MATMUL, max k_size
  uint32_t sp_rows = 16384;  // scratchpad rows of DIM bytes (16384 x 16 B = 256 KiB)
  uint32_t acc_rows = 1024;  // accumulator rows of DIM int32 (1024 x 64 B = 64 KiB)
  // The hardware's guaranteed minimum depths. Deeper queues or FIFOs can only remove stalls,
  // so a program that completes here completes on any conforming hardware.
  uint32_t insn_queue_depth = QILIN_MIN_INSN_QUEUE_DEPTH;
  uint32_t token_depth = QILIN_MIN_TOKEN_DEPTH;
  // Report RACE (two queues touch a location, one writing, with no token chain between them)
  // and UNINIT_READ (an SP/ACC row read before anything wrote it). Such programs may give a
  // different result on the RTL, whose timing differs, so they are errors here.
  bool check_hazards = true;
};

// Per-queue indices into IssResult::retired.
enum IssQueue : int {
  kQueueLd = QILIN_QUEUE_LD,
  kQueueEx = QILIN_QUEUE_EX,
  kQueueSt = QILIN_QUEUE_ST
};

struct IssResult {
  unsigned code = QILIN_ERR_NONE;     // QILIN_ERR_*: what ERR_CODE would read (or an ISS-only code)
  uint64_t err_addr = 0;              // ERR_ADDR
  uint32_t err_pc = 0;                // ERR_PC: instruction index from the stream base
  std::string message;                // human-readable detail of the error
  std::array<uint64_t, 3> retired{};  // instructions completed per queue (SYNC-ALL/END in each)
  std::array<uint32_t, 4> tokens_left{};  // tokens still queued: LD->EX, EX->LD, EX->ST, ST->EX
  uint64_t macs = 0;   // useful multiply-accumulates: sum of m_size * k_size * DIM
  uint64_t steps = 0;  // scheduler steps taken

  bool ok() const { return code == QILIN_ERR_NONE; }
  std::string to_string() const;  // one line: status, ERR_ADDR, ERR_PC, message
};

class Iss {
 public:
  using Config = IssConfig;
  using Result = IssResult;

  // mem is the device memory (instructions and data) and must outlive the Iss. Throws
  // std::invalid_argument for a configuration the encoding cannot address (dim outside 1..255,
  // sp_rows above 2^17, acc_rows above 2^16, a zero depth).
  Iss(const IssConfig& cfg, MemImage& mem);
  ~Iss();
  Iss(const Iss&) = delete;
  Iss& operator=(const Iss&) = delete;

  // Runs insn_count instructions from byte address insn_base (16-byte aligned; throws
  // std::invalid_argument otherwise), as the doorbell would: queues and token FIFOs start empty,
  // while scratchpad and accumulator contents persist from earlier runs. Stops at the END, the
  // first error, or after max_steps scheduler steps (STEP_LIMIT).
  IssResult run(uint64_t insn_base, uint32_t insn_count, uint64_t max_steps = uint64_t{1} << 32);

  const IssConfig& config() const { return cfg_; }
  MemImage& mem() { return mem_; }

  // Backdoor access to the on-chip memories (row of DIM bytes / DIM words). A backdoor write
  // counts as initialising the row. Throw std::out_of_range for a bad row.
  const uint8_t* sp_row(uint32_t row) const;
  const int32_t* acc_row(uint32_t row) const;
  void write_sp_row(uint32_t row, const uint8_t* data);
  void write_acc_row(uint32_t row, const int32_t* data);

 private:
  struct Impl;
  IssConfig cfg_;
  MemImage& mem_;
  std::unique_ptr<Impl> impl_;  // keeps the scheduler's types out of this header
};

// Encoders that throw std::invalid_argument when a value does not fit its field (the C
// encoders in qilin/isa.h return -1 instead).
qilin_insn_t encode(const qilin_load_t& f);
qilin_insn_t encode(const qilin_store_t& f);
qilin_insn_t encode(const qilin_matmul_t& f);
qilin_insn_t encode(const qilin_postproc_t& f);
qilin_insn_t encode(const qilin_sync_t& f);
qilin_insn_t encode_end();

// Writes instructions to consecutive 16-byte slots from base (w[0] first, little-endian).
void write_program(MemImage& mem, uint64_t base, const std::vector<qilin_insn_t>& prog);
qilin_insn_t read_insn(const MemImage& mem, uint64_t addr);

// One line, e.g. "MATMUL pop_prev a_addr=16 w_addr=0 m_size=64 k_size=16"; fields equal to 0
// are left out, token flags are listed by name. Illegal opcodes print as "? <hex>".
std::string disassemble(const qilin_insn_t& insn);

}  // namespace qilin::golden
