/* SPDX-License-Identifier: Apache-2.0 */
/* Qilin driver: probe, device memory, program submission, errors and counters. */
#include "driver_internal.h"

#define CSR_OFF(reg) ((uint32_t)offsetof(qilin_csr_t, reg))

/* 'QILN', major version this driver speaks. */
#define QILIN_ID_VALUE 0x51494C4Eu
#define QILIN_MAJOR 0u

static uint32_t rd(qilin_dev_t* dev, uint32_t off) { return dev->hal.csr_read(dev->hal.ctx, off); }
static void wr(qilin_dev_t* dev, uint32_t off, uint32_t v) {
  dev->hal.csr_write(dev->hal.ctx, off, v);
}
static uint64_t rd64(qilin_dev_t* dev, uint32_t lo_off) {
  const uint64_t lo = rd(dev, lo_off);
  return lo | ((uint64_t)rd(dev, lo_off + 4u) << 32);
}
static void wr64(qilin_dev_t* dev, uint32_t lo_off, uint64_t v) {
  wr(dev, lo_off, (uint32_t)v);
  wr(dev, lo_off + 4u, (uint32_t)(v >> 32));
}

const char* qilin_strerror(int status) {
  switch (status) {
    case QILIN_OK:
      return "ok";
    case QILIN_E_ARG:
      return "invalid argument, shape or attribute";
    case QILIN_E_UNSUPPORTED:
      return "not supported by the Qilin driver";
    case QILIN_E_NOMEM:
      return "out of device memory";
    case QILIN_E_NOFIT:
      return "layer does not fit the scratchpad or accumulator";
    case QILIN_E_PROG_FULL:
      return "instruction buffer full";
    case QILIN_E_TIMEOUT:
      return "device timed out";
    case QILIN_E_DEVICE:
      return "device reported an error";
    case QILIN_E_PROBE:
      return "no Qilin device found";
    case QILIN_E_HAL:
      return "device memory access failed";
    case QILIN_E_STATE:
      return "call out of order";
    default:
      return "unknown status";
  }
}

const char* qilin_dev_error_name(uint32_t err_code) { return qilin_err_name(err_code); }

int qilin_recover(qilin_dev_t* dev) {
  wr(dev, CSR_OFF(CTRL), QILIN_CSR__CTRL__SOFT_RESET_bm);
  for (uint32_t i = 0; i < 100000u; ++i) {
    if (!(rd(dev, CSR_OFF(STATUS)) & QILIN_CSR__STATUS__BUSY_bm)) {
      wr(dev, CSR_OFF(STATUS), QILIN_CSR__STATUS__DONE_bm | QILIN_CSR__STATUS__ERROR_bm);
      return QILIN_OK;
    }
    dev->hal.delay(dev->hal.ctx, 16);
  }
  return QILIN_E_TIMEOUT;
}

int qilin_open(qilin_dev_t* dev, const qilin_hal_t* hal, uint64_t mem_base, uint64_t mem_size,
               qilin_insn_t* insn_buf, uint32_t insn_cap) {
  if (!dev || !hal || !hal->csr_read || !hal->csr_write || !hal->delay || !insn_buf ||
      insn_cap < 2u || mem_size == 0u)
    return QILIN_E_ARG;
  qilin_zero(dev, sizeof *dev);
  dev->hal = *hal;
  dev->prog = insn_buf;
  dev->prog_cap = insn_cap;
  dev->timeout = 200000000u;
  dev->poll_every = 64u;

  dev->hw.id = rd(dev, CSR_OFF(ID));
  dev->hw.version = rd(dev, CSR_OFF(VERSION));
  if (dev->hw.id != QILIN_ID_VALUE || ((dev->hw.version & QILIN_CSR__VERSION__MAJOR_bm) >>
                                       QILIN_CSR__VERSION__MAJOR_bp) != QILIN_MAJOR)
    return QILIN_E_PROBE;
  const uint32_t cfg = rd(dev, CSR_OFF(HW_CFG0));
  const uint32_t rows = (cfg & QILIN_CSR__HW_CFG0__ROWS_bm) >> QILIN_CSR__HW_CFG0__ROWS_bp;
  const uint32_t cols = (cfg & QILIN_CSR__HW_CFG0__COLS_bm) >> QILIN_CSR__HW_CFG0__COLS_bp;
  if (rows != cols || rows == 0u || rows > 255u) return QILIN_E_PROBE;
  dev->hw.dim = rows;
  dev->hw.sp_rows = rd(dev, CSR_OFF(HW_SP_ROWS));
  dev->hw.acc_rows = rd(dev, CSR_OFF(HW_ACC_ROWS));
  if (dev->hw.sp_rows == 0u || dev->hw.acc_rows == 0u) return QILIN_E_PROBE;

  int st = qilin_recover(dev);
  if (st) return st;
  wr64(dev, CSR_OFF(DMA_RD_BASE_LO), mem_base);
  wr64(dev, CSR_OFF(DMA_RD_LIMIT_LO), mem_base + mem_size);
  wr64(dev, CSR_OFF(DMA_WR_BASE_LO), mem_base);
  wr64(dev, CSR_OFF(DMA_WR_LIMIT_LO), mem_base + mem_size);
  dev->heap.base = mem_base;
  dev->heap.limit = mem_base + mem_size;
  return QILIN_OK;
}

/* ---- Device memory ---- */

static uint64_t alloc_align(const qilin_dev_t* dev) {
  const uint64_t v = 4u * (uint64_t)dev->hw.dim; /* an ACC vector: every DMA alignment */
  return v > 64u ? v : 64u;
}

int qilin_malloc(qilin_dev_t* dev, uint64_t bytes, uint64_t* addr) {
  qilin_allocator_t* h = &dev->heap;
  const uint64_t al = alloc_align(dev);
  if (bytes == 0u) bytes = 1u;
  const uint64_t size = (bytes + al - 1u) / al * al;
  if (h->count == QILIN_MAX_ALLOCS) return QILIN_E_NOMEM;
  uint64_t at = (h->base + al - 1u) / al * al;
  uint32_t i = 0;
  for (; i < h->count; ++i) { /* first gap that fits */
    if (at + size <= h->used[i].addr) break;
    const uint64_t end = h->used[i].addr + h->used[i].size;
    at = (end + al - 1u) / al * al;
  }
  if (at + size > h->limit || at + size < at) return QILIN_E_NOMEM;
  for (uint32_t j = h->count; j > i; --j) h->used[j] = h->used[j - 1u];
  h->used[i].addr = at;
  h->used[i].size = size;
  ++h->count;
  *addr = at;
  return QILIN_OK;
}

int qilin_free(qilin_dev_t* dev, uint64_t addr) {
  qilin_allocator_t* h = &dev->heap;
  for (uint32_t i = 0; i < h->count; ++i) {
    if (h->used[i].addr == addr) {
      for (uint32_t j = i; j + 1u < h->count; ++j) h->used[j] = h->used[j + 1u];
      --h->count;
      return QILIN_OK;
    }
  }
  return QILIN_E_ARG;
}

int qilin_mem_write(qilin_dev_t* dev, uint64_t addr, const void* src, size_t bytes) {
  if (addr < dev->heap.base || addr + bytes > dev->heap.limit) return QILIN_E_ARG;
  return dev->hal.mem_write(dev->hal.ctx, addr, src, bytes) ? QILIN_E_HAL : QILIN_OK;
}

int qilin_mem_read(qilin_dev_t* dev, uint64_t addr, void* dst, size_t bytes) {
  if (addr < dev->heap.base || addr + bytes > dev->heap.limit) return QILIN_E_ARG;
  return dev->hal.mem_read(dev->hal.ctx, addr, dst, bytes) ? QILIN_E_HAL : QILIN_OK;
}

/* ---- Programs ---- */

int qilin_prog_begin(qilin_dev_t* dev) {
  if (dev->prog_open) return QILIN_E_STATE;
  dev->prog_open = 1;
  dev->prog_len = 0;
  dev->prog_status = QILIN_OK;
  return QILIN_OK;
}

int qilin_emit(qilin_dev_t* dev, const qilin_insn_t* insn) {
  if (!dev->prog_open) return QILIN_E_STATE;
  if (dev->prog_status) return dev->prog_status;
  if (dev->prog_len + 1u >= dev->prog_cap) { /* keep one slot for END */
    dev->prog_status = QILIN_E_PROG_FULL;
    return dev->prog_status;
  }
  dev->prog[dev->prog_len++] = *insn;
  return QILIN_OK;
}

int qilin_prog_barrier(qilin_dev_t* dev) {
  qilin_sync_t s;
  qilin_zero(&s, sizeof s);
  s.queue = QILIN_QUEUE_ALL;
  qilin_insn_t in;
  if (qilin_encode_sync(&s, &in)) return QILIN_E_ARG;
  return qilin_emit(dev, &in);
}

int qilin_prog_run(qilin_dev_t* dev) {
  if (!dev->prog_open) return QILIN_E_STATE;
  dev->prog_open = 0;
  if (dev->prog_status) return dev->prog_status;
  qilin_encode_end(&dev->prog[dev->prog_len++]);
  const uint64_t bytes = (uint64_t)dev->prog_len * QILIN_INSN_BYTES;
  uint64_t at;
  int st = qilin_malloc(dev, bytes, &at);
  if (st) return st;
  /* Device memory is little-endian: w[0] first, each word's low byte first. */
  uint8_t chunk[256];
  for (uint32_t i = 0; i < dev->prog_len && !st; i += 16u) {
    const uint32_t n = dev->prog_len - i < 16u ? dev->prog_len - i : 16u;
    for (uint32_t j = 0; j < n; ++j) {
      for (uint32_t b = 0; b < 16u; ++b)
        chunk[16u * j + b] = (uint8_t)(dev->prog[i + j].w[b / 8u] >> (8u * (b % 8u)));
    }
    st = qilin_mem_write(dev, at + 16u * (uint64_t)i, chunk, 16u * n);
  }
  if (!st) st = qilin_submit(dev, at, dev->prog_len);
  if (!st) st = qilin_wait(dev);
  qilin_free(dev, at);
  return st;
}

int qilin_submit(qilin_dev_t* dev, uint64_t insn_addr, uint32_t insn_count) {
  if (insn_addr % QILIN_INSN_BYTES) return QILIN_E_ARG;
  if (rd(dev, CSR_OFF(STATUS)) & QILIN_CSR__STATUS__BUSY_bm) return QILIN_E_STATE;
  wr64(dev, CSR_OFF(CMD_BASE_LO), insn_addr);
  wr(dev, CSR_OFF(CMD_LEN), insn_count);
  wr(dev, CSR_OFF(CTRL), QILIN_CSR__CTRL__START_bm);
  return QILIN_OK;
}

int qilin_wait(qilin_dev_t* dev) {
  uint64_t waited = 0;
  for (;;) {
    const uint32_t s = rd(dev, CSR_OFF(STATUS));
    /* After an error the units may stay busy until a soft reset: the error ends the wait. */
    if (s & QILIN_CSR__STATUS__ERROR_bm) {
      dev->last_error.code = rd(dev, CSR_OFF(ERR_CODE));
      dev->last_error.pc = rd(dev, CSR_OFF(ERR_PC));
      dev->last_error.addr = rd64(dev, CSR_OFF(ERR_ADDR_LO));
      return QILIN_E_DEVICE;
    }
    if ((s & QILIN_CSR__STATUS__DONE_bm) && !(s & QILIN_CSR__STATUS__BUSY_bm)) {
      dev->last_error.code = QILIN_ERR_NONE;
      return QILIN_OK;
    }
    if (waited >= dev->timeout) {
      (void)qilin_recover(dev);
      return QILIN_E_TIMEOUT;
    }
    dev->hal.delay(dev->hal.ctx, dev->poll_every);
    waited += dev->poll_every;
  }
}

int qilin_read_perf(qilin_dev_t* dev, qilin_perf_t* p) {
  p->cycles = rd64(dev, CSR_OFF(PERF_CYCLES_LO));
  p->array_busy = rd64(dev, CSR_OFF(PERF_ARRAY_BUSY_LO));
  p->macs = rd64(dev, CSR_OFF(PERF_MACS_LO));
  p->stall_ld = rd64(dev, CSR_OFF(PERF_STALL_LD_LO));
  p->stall_ex = rd64(dev, CSR_OFF(PERF_STALL_EX_LO));
  p->stall_st = rd64(dev, CSR_OFF(PERF_STALL_ST_LO));
  p->dma_rd_bytes = rd64(dev, CSR_OFF(PERF_DMA_RD_BYTES_LO));
  p->dma_wr_bytes = rd64(dev, CSR_OFF(PERF_DMA_WR_BYTES_LO));
  p->insn_retired = rd64(dev, CSR_OFF(PERF_INSN_RETIRED_LO));
  return QILIN_OK;
}

/* ---- Quantisation ---- */

int qilin_quantize_multiplier(double real, int32_t* multiplier, int32_t* shift) {
  /* frexp without libm: real = 1.f * 2^(e - 1023) = (m53 / 2^53) * 2^(e - 1022). */
  union {
    double d;
    uint64_t u;
  } v;
  v.d = real;
  const uint32_t e = (uint32_t)(v.u >> 52) & 0x7ffu;
  const uint64_t frac = v.u & ((1ull << 52) - 1u);
  *multiplier = 0;
  *shift = 0;
  if (e == 0x7ffu) return QILIN_E_ARG;        /* inf or NaN */
  if (e == 0u && frac == 0u) return QILIN_OK; /* +-0 */
  if (v.u >> 63) return QILIN_E_ARG;          /* negative */
  if (e == 0u) return QILIN_OK;               /* subnormal: far below 2^-32 */
  int32_t s = (int32_t)e - 1022;
  /* q * 2^31 = m53 / 2^22, rounded half away from zero (it is positive). */
  uint64_t q = (((1ull << 52) | frac) + (1ull << 21)) >> 22;
  if (q == (1ull << 31)) {
    q >>= 1;
    ++s;
  }
  if (s < -31) return QILIN_OK;
  if (s > 30) return QILIN_E_ARG;
  *multiplier = (int32_t)q;
  *shift = s;
  return QILIN_OK;
}

/* ---- Bare-metal HAL ---- */

static uint32_t mmio_csr_read(void* ctx, uint32_t off) {
  const qilin_mmio_t* m = (const qilin_mmio_t*)ctx;
  return *(volatile const uint32_t*)(m->csr_base + off);
}
static void mmio_csr_write(void* ctx, uint32_t off, uint32_t v) {
  const qilin_mmio_t* m = (const qilin_mmio_t*)ctx;
  *(volatile uint32_t*)(m->csr_base + off) = v;
}
static int mmio_mem_write(void* ctx, uint64_t a, const void* src, size_t n) {
  const qilin_mmio_t* m = (const qilin_mmio_t*)ctx;
  volatile uint8_t* d = (volatile uint8_t*)(m->mem_base + (uintptr_t)a);
  const uint8_t* s = (const uint8_t*)src;
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
  return 0;
}
static int mmio_mem_read(void* ctx, uint64_t a, void* dst, size_t n) {
  const qilin_mmio_t* m = (const qilin_mmio_t*)ctx;
  volatile const uint8_t* s = (volatile const uint8_t*)(m->mem_base + (uintptr_t)a);
  uint8_t* d = (uint8_t*)dst;
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
  return 0;
}
static void mmio_delay(void* ctx, uint32_t units) {
  (void)ctx;
  for (volatile uint32_t i = 0; i < units; ++i) {
  }
}

void qilin_hal_mmio_init(qilin_hal_t* hal, qilin_mmio_t* mmio, uintptr_t csr_base,
                         uintptr_t mem_base) {
  mmio->csr_base = csr_base;
  mmio->mem_base = mem_base;
  hal->ctx = mmio;
  hal->csr_read = mmio_csr_read;
  hal->csr_write = mmio_csr_write;
  hal->mem_write = mmio_mem_write;
  hal->mem_read = mmio_mem_read;
  hal->delay = mmio_delay;
}
