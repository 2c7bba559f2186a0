// SPDX-License-Identifier: Apache-2.0
// Cycle-based AXI4 slave memory model (see axi_mem.h).
#include "axi_mem.h"

#include <sstream>

namespace qilin::tb {

namespace {

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

std::string describe(const AxiAddr& ax) {
  std::ostringstream os;
  os << "id=" << ax.id << " addr=" << hex(ax.addr) << " len=" << ax.len << " size=" << ax.size
     << " burst=" << ax.burst;
  return os.str();
}

bool same(const AxiAddr& a, const AxiAddr& b) {
  return a.id == b.id && a.addr == b.addr && a.len == b.len && a.size == b.size &&
         a.burst == b.burst;
}

}  // namespace

AxiMem::AxiMem(const AxiMemConfig& cfg) : cfg_(cfg), rng_(cfg.seed) {
  const unsigned db = cfg_.data_bytes;
  if (db == 0 || db > kAxiMaxDataBytes || (db & (db - 1)) != 0)
    throw std::invalid_argument("AxiMem: data_bytes must be a power of two <= 64");
  if (cfg_.read_latency < 1 || cfg_.write_latency < 1)
    throw std::invalid_argument("AxiMem: latencies must be >= 1");
  if (cfg_.addr_bits < 12 || cfg_.addr_bits > 63 || cfg_.id_bits > 32)
    throw std::invalid_argument("AxiMem: addr_bits/id_bits out of range");
  prepare_outputs();
}

void AxiMem::fail(const std::string& what) const {
  throw AxiProtocolError("AxiMem: cycle " + std::to_string(cycle_) + ": " + what);
}

bool AxiMem::chance(double p) {
  if (p <= 0) return false;
  const double u = static_cast<double>(rng_() >> 11) * 0x1p-53;
  return u < p;
}

uint64_t AxiMem::extra() {
  if (cfg_.extra_latency_max == 0) return 0;
  return rng_() % (static_cast<uint64_t>(cfg_.extra_latency_max) + 1);
}

// ---------------------------------------------------------------------------------------
// Backdoor.
// ---------------------------------------------------------------------------------------
uint8_t* AxiMem::page_ptr(uint64_t addr) {
  auto& p = pages_[addr >> 12];
  if (!p) {
    p = std::make_unique<Page>();
    p->fill(cfg_.fill);
  }
  return p->data();
}

uint8_t AxiMem::peek(uint64_t addr) const {
  auto it = pages_.find(addr >> 12);
  return it == pages_.end() ? cfg_.fill : (*it->second)[addr & 4095];
}

void AxiMem::poke(uint64_t addr, uint8_t value) { page_ptr(addr)[addr & 4095] = value; }

std::vector<uint8_t> AxiMem::read(uint64_t addr, size_t n) const {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = peek(addr + i);
  return v;
}

void AxiMem::write(uint64_t addr, const std::vector<uint8_t>& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) poke(addr + i, bytes[i]);
}

void AxiMem::add_error_range(uint64_t lo, uint64_t hi, AxiResp resp) {
  if (resp != AxiResp::kSlvErr && resp != AxiResp::kDecErr)
    throw std::invalid_argument("AxiMem: error ranges answer SLVERR or DECERR");
  err_ranges_.push_back({lo, hi, resp});
}

AxiResp AxiMem::resp_for(uint64_t lo, uint64_t hi) const {
  for (const auto& r : err_ranges_)
    if (lo < r.hi && r.lo < hi) return r.resp;
  return AxiResp::kOkay;
}

// ---------------------------------------------------------------------------------------
// Protocol.
// ---------------------------------------------------------------------------------------
uint64_t AxiMem::beat_addr(const AxiAddr& ax, unsigned n) const {
  if (n == 0) return ax.addr;
  const uint64_t nbytes = 1ull << ax.size;
  return (ax.addr & ~(nbytes - 1)) + n * nbytes;
}

void AxiMem::check_addr(const AxiAddr& ax, const char* ch) const {
  const std::string what = std::string(ch) + " " + describe(ax) + ": ";
  if (ax.burst != 1) fail(what + "only INCR bursts are supported");
  if ((1u << ax.size) > cfg_.data_bytes) fail(what + "size wider than the data bus");
  if (ax.len > 255) fail(what + "len > 255");
  if (cfg_.id_bits < 32 && (ax.id >> cfg_.id_bits) != 0) fail(what + "ID out of range");
  const uint64_t nbytes = 1ull << ax.size;
  const uint64_t last =
      (ax.addr & ~(nbytes - 1)) + (static_cast<uint64_t>(ax.len) + 1) * nbytes - 1;
  if ((ax.addr >> 12) != (last >> 12)) fail(what + "burst crosses a 4 KiB boundary");
  if ((last >> cfg_.addr_bits) != 0) fail(what + "burst beyond the address space");
}

void AxiMem::check_stable(const AxiMasterOut& in) const {
  if (!have_prev_) return;
  if (prev_in_.ar_valid && !prev_out_.ar_ready) {
    if (!in.ar_valid) fail("AR: ARVALID dropped before ARREADY");
    if (!same(in.ar, prev_in_.ar)) fail("AR: payload changed while waiting for ARREADY");
  }
  if (prev_in_.aw_valid && !prev_out_.aw_ready) {
    if (!in.aw_valid) fail("AW: AWVALID dropped before AWREADY");
    if (!same(in.aw, prev_in_.aw)) fail("AW: payload changed while waiting for AWREADY");
  }
  if (prev_in_.w_valid && !prev_out_.w_ready) {
    if (!in.w_valid) fail("W: WVALID dropped before WREADY");
    const uint64_t m = cfg_.data_bytes >= 64 ? ~0ull : ((1ull << cfg_.data_bytes) - 1);
    bool same_data = true;
    for (unsigned i = 0; i < cfg_.data_bytes; ++i)
      if (((prev_in_.w_strb >> i) & 1) && in.w_data[i] != prev_in_.w_data[i]) same_data = false;
    if (((in.w_strb ^ prev_in_.w_strb) & m) != 0 || in.w_last != prev_in_.w_last || !same_data)
      fail("W: payload changed while waiting for WREADY");
  }
}

void AxiMem::apply_w(WriteTxn& t, const WBeat& b) {
  const AxiAddr& ax = t.ax;
  const unsigned n = t.beat;
  if (b.last != (n == ax.len)) {
    fail("W: WLAST " + std::string(b.last ? "set on beat " : "missing on beat ") +
         std::to_string(n) + " of AW " + describe(ax));
  }
  const uint64_t db = cfg_.data_bytes;
  const uint64_t nbytes = 1ull << ax.size;
  const uint64_t a = beat_addr(ax, n);
  const uint64_t lane_lo = a % db;
  const uint64_t lane_hi = (a & ~(nbytes - 1)) % db + nbytes;  // exclusive
  uint64_t allowed = 0;
  for (uint64_t l = lane_lo; l < lane_hi; ++l) allowed |= 1ull << l;
  const uint64_t bus_mask = db >= 64 ? ~0ull : ((1ull << db) - 1);
  if (cfg_.strict_strobes && (b.strb & bus_mask & ~allowed) != 0)
    fail("W: WSTRB " + hex(b.strb) + " outside the lanes of beat " + std::to_string(n) + " of AW " +
         describe(ax));
  const AxiResp r = resp_for(a, (a & ~(nbytes - 1)) + nbytes);
  if (r != AxiResp::kOkay) {
    if (t.resp == AxiResp::kOkay) t.resp = r;
  } else {
    const uint64_t base = a & ~(db - 1);
    for (uint64_t l = 0; l < db; ++l) {
      if (((b.strb & allowed) >> l) & 1) {
        poke(base + l, b.data[l]);
        stats_.bytes_written++;
      }
    }
  }
  stats_.w_beats++;
  t.beat++;
}

void AxiMem::tick(const AxiMasterOut& in) {
  check_stable(in);

  // R and B first: they free capacity only from the next cycle on.
  bool r_fire = out_.r_valid && in.r_ready;
  if (r_fire) {
    auto& q = reads_[r_cur_id_];
    ReadTxn& t = q.front();
    stats_.r_beats++;
    if (out_.r_resp != 0) stats_.r_err_beats++;
    if (++t.beat > t.ax.len) {
      q.pop_front();
      reads_inflight_--;
      r_busy_ = false;
    }
  }
  bool b_fire = out_.b_valid && in.b_ready;
  if (b_fire) {
    bresp_[out_.b_id].pop_front();
    writes_inflight_--;
    stats_.b++;
    if (out_.b_resp != 0) stats_.b_err++;
  }

  if (in.ar_valid && out_.ar_ready) {
    check_addr(in.ar, "AR");
    ReadTxn t;
    t.ax = in.ar;
    t.due = cycle_ + cfg_.read_latency + extra();
    t.seq = seq_++;
    reads_[in.ar.id].push_back(t);
    reads_inflight_++;
    stats_.ar++;
    if (in.ar.len > stats_.max_read_len) stats_.max_read_len = in.ar.len;
    if (reads_inflight_ > stats_.max_reads_inflight) stats_.max_reads_inflight = reads_inflight_;
  }

  auto finish_writes = [&]() {
    while (!aw_wait_.empty() && aw_wait_.front().beat > aw_wait_.front().ax.len) {
      const WriteTxn& t = aw_wait_.front();
      BResp b;
      b.id = t.ax.id;
      b.resp = t.resp;
      b.due = cycle_ + cfg_.write_latency + extra();
      b.seq = seq_++;
      bresp_[b.id].push_back(b);
      aw_wait_.pop_front();
    }
  };

  if (in.aw_valid && out_.aw_ready) {
    check_addr(in.aw, "AW");
    WriteTxn t;
    t.ax = in.aw;
    aw_wait_.push_back(t);
    writes_inflight_++;
    stats_.aw++;
    if (in.aw.len > stats_.max_write_len) stats_.max_write_len = in.aw.len;
    if (writes_inflight_ > stats_.max_writes_inflight)
      stats_.max_writes_inflight = writes_inflight_;
    // W beats that arrived early belong to the oldest AWs, in order.
    while (!early_w_.empty() && !aw_wait_.empty()) {
      apply_w(aw_wait_.front(), early_w_.front());
      early_w_.pop_front();
      finish_writes();
    }
  }

  if (in.w_valid && out_.w_ready) {
    WBeat b;
    b.data = in.w_data;
    b.strb = in.w_strb;
    b.last = in.w_last;
    if (aw_wait_.empty()) {
      early_w_.push_back(b);
    } else {
      apply_w(aw_wait_.front(), b);
      finish_writes();
    }
  }

  prev_in_ = in;
  prev_out_ = out_;
  have_prev_ = true;
  ++cycle_;
  // A valid R/B that was not taken must stay as it is.
  const bool r_hold = out_.r_valid && !r_fire;
  const bool b_hold = out_.b_valid && !b_fire;
  const AxiSlaveOut keep = out_;
  prepare_outputs();
  if (r_hold) {
    out_.r_valid = true;
    out_.r_id = keep.r_id;
    out_.r_resp = keep.r_resp;
    out_.r_last = keep.r_last;
    out_.r_data = keep.r_data;
  }
  if (b_hold) {
    out_.b_valid = true;
    out_.b_id = keep.b_id;
    out_.b_resp = keep.b_resp;
  }
}

void AxiMem::prepare_outputs() {
  out_ = AxiSlaveOut{};
  out_.ar_ready = reads_inflight_ < cfg_.max_reads && !chance(cfg_.p_ar_stall);
  out_.aw_ready = writes_inflight_ < cfg_.max_writes && !chance(cfg_.p_aw_stall);
  out_.w_ready =
      (!aw_wait_.empty() || early_w_.size() < cfg_.max_early_w) && !chance(cfg_.p_w_stall);

  // R: continue the burst in progress, else the ready head (oldest due) of any ID.
  // (A held beat is restored by tick(); here only a new beat is chosen.)
  const ReadTxn* pick = nullptr;
  uint32_t pick_id = 0;
  if (r_busy_) {
    auto& q = reads_[r_cur_id_];
    if (!q.empty()) pick = &q.front(), pick_id = r_cur_id_;
  } else {
    for (auto& [id, q] : reads_) {
      if (q.empty() || q.front().due > cycle_) continue;
      const ReadTxn& t = q.front();
      if (!pick || t.due < pick->due || (t.due == pick->due && t.seq < pick->seq)) {
        pick = &t;
        pick_id = id;
      }
    }
  }
  if (pick && !chance(cfg_.p_r_gap)) {
    const uint64_t db = cfg_.data_bytes;
    const uint64_t nbytes = 1ull << pick->ax.size;
    const uint64_t a = beat_addr(pick->ax, pick->beat);
    const AxiResp r = resp_for(a, (a & ~(nbytes - 1)) + nbytes);
    const uint64_t base = a & ~(db - 1);
    out_.r_valid = true;
    out_.r_id = pick_id;
    out_.r_resp = static_cast<uint32_t>(r);
    out_.r_last = pick->beat == pick->ax.len;
    for (uint64_t l = 0; l < db; ++l)
      out_.r_data[l] = (r == AxiResp::kOkay) ? peek(base + l) : cfg_.poison;
    r_busy_ = true;
    r_cur_id_ = pick_id;
  }

  // B: the ready head (oldest due) of any ID.
  const BResp* bpick = nullptr;
  for (auto& [id, q] : bresp_) {
    if (q.empty() || q.front().due > cycle_) continue;
    const BResp& b = q.front();
    if (!bpick || b.due < bpick->due || (b.due == bpick->due && b.seq < bpick->seq)) bpick = &b;
  }
  if (bpick && !chance(cfg_.p_b_gap)) {
    out_.b_valid = true;
    out_.b_id = bpick->id;
    out_.b_resp = static_cast<uint32_t>(bpick->resp);
  }
}

}  // namespace qilin::tb
