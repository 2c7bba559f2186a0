// Reusable Verilator harness: context, clock, reset, cycle timeout, FST trace, coverage.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>
#if QILIN_COVERAGE
#include <verilated_cov.h>
#endif

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "tb_options.h"

namespace qilin::tb {

// Thrown when a testbench exceeds its cycle budget: a hang becomes a test failure
// with a message instead of a stuck CI job.
class SimTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Owns one verilated model. The model must have ports `clk_i` and `rst_ni`.
// Keep one Sim alive at a time: Verilator 5.006 can deadlock destroying a model while
// another context with scopes is alive.
// Convention: inputs are driven while the clock is low; tick() applies one rising
// edge. eval() settles combinational outputs (e.g. ready) for the current inputs.
template <class Model>
class Sim {
 public:
  // `name` tags the trace and coverage files; `timeout_cycles` is the hang budget.
  explicit Sim(const std::string& name, uint64_t timeout_cycles = 1'000'000)
      : name_(name), timeout_(timeout_cycles), ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->randReset(2);  // randomise initial state: reset must cover every flop
    ctx_->commandArgs(0, static_cast<const char**>(nullptr));
    dut_ = std::make_unique<Model>(ctx_.get(), "TOP");
    const Options& opt = options();
    if (opt.trace) {
      ctx_->traceEverOn(true);
      trace_ = std::make_unique<VerilatedFstC>();
      dut_->trace(trace_.get(), 99);
      std::string path = opt.trace_dir + "/" + sanitize(name_) + ".fst";
      trace_->open(path.c_str());
    }
    dut_->clk_i = 0;
    dut_->rst_ni = 1;
    dut_->eval();
  }

  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  ~Sim() {
    dut_->final();
    if (trace_) trace_->close();
#if QILIN_COVERAGE
    const Options& opt = options();
    // Several Sims of one name can live in one process (one per random program): number
    // the files so none overwrites another.
    static int serial = 0;
    std::string path =
        opt.coverage_dir + "/" + sanitize(name_) + "." + std::to_string(serial++) + ".dat";
    ctx_->coveragep()->write(path.c_str());
#endif
  }

  Model& dut() { return *dut_; }
  Model* operator->() { return dut_.get(); }
  uint64_t cycle() const { return cycle_; }
  void set_timeout(uint64_t cycles) { timeout_ = cycles; }

  // Asynchronous active-low reset held for `cycles` rising edges.
  void reset(int cycles = 4) {
    dut_->rst_ni = 0;
    eval();
    for (int i = 0; i < cycles; ++i) tick();
    dut_->rst_ni = 1;
    eval();
    cycle_ = 0;
  }

  void eval() {
    dut_->eval();
    if (trace_) trace_->dump(ctx_->time());
  }

  // One clock period: rising edge, then falling edge with inputs still as driven.
  void tick() {
    if (cycle_ >= timeout_) {
      throw SimTimeout(name_ + ": timeout after " + std::to_string(cycle_) + " cycles");
    }
    ctx_->timeInc(1);
    dut_->clk_i = 1;
    eval();
    ctx_->timeInc(1);
    dut_->clk_i = 0;
    eval();
    ++cycle_;
  }

 private:
  static std::string sanitize(std::string s) {
    for (char& c : s)
      if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    return s;
  }

  std::string name_;
  uint64_t timeout_;
  uint64_t cycle_ = 0;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> dut_;
  std::unique_ptr<VerilatedFstC> trace_;
};

}  // namespace qilin::tb
