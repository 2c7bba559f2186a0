/* SPDX-License-Identifier: Apache-2.0 */
/* Qilin driver: layer tilers. Each layer becomes a decoupled LD/EX/ST instruction stream with
 * double-buffered inputs and outputs (docs/isa.md §4 shows the pattern), sized from the
 * probed scratchpad and accumulator. Every layer leaves no tokens behind, so layers can be
 * chained in one program with a barrier between them. */
#include "driver_internal.h"

/* ---- Emission helpers ---- */

typedef struct {
  uint32_t pop_prev, pop_next, push_prev, push_next;
} tok_t;

static const tok_t kNoTok = {0u, 0u, 0u, 0u};

static int put(qilin_dev_t* dev, int enc_rc, const qilin_insn_t* in) {
  if (enc_rc) { /* a field overflowed: the layer is larger than the ISA can express */
    if (!dev->prog_status) dev->prog_status = QILIN_E_UNSUPPORTED;
    return dev->prog_status;
  }
  return qilin_emit(dev, in);
}

/* emit_load / emit_store / emit_matmul / emit_postproc: set the token flags, encode, append. */
#define QILIN_DEFINE_EMIT(kind)                                           \
  static int emit_##kind(qilin_dev_t* dev, tok_t t, qilin_##kind##_t f) { \
    f.pop_prev = t.pop_prev;                                              \
    f.pop_next = t.pop_next;                                              \
    f.push_prev = t.push_prev;                                            \
    f.push_next = t.push_next;                                            \
    qilin_insn_t in;                                                      \
    return put(dev, qilin_encode_##kind(&f, &in), &in);                   \
  }
QILIN_DEFINE_EMIT(load)
QILIN_DEFINE_EMIT(store)
QILIN_DEFINE_EMIT(matmul)
QILIN_DEFINE_EMIT(postproc)
#undef QILIN_DEFINE_EMIT

static int is8(qilin_dtype_t t) { return t == QILIN_U8 || t == QILIN_I8; }
static int32_t type_min(qilin_dtype_t t) { return t == QILIN_I8 ? -128 : 0; }
static int32_t type_max(qilin_dtype_t t) { return t == QILIN_I8 ? 127 : 255; }
static int zp_ok(qilin_dtype_t t, int32_t zp) { return zp >= type_min(t) && zp <= type_max(t); }

static void put_le32(uint8_t* p, int32_t v) {
  const uint32_t u = (uint32_t)v;
  p[0] = (uint8_t)u;
  p[1] = (uint8_t)(u >> 8);
  p[2] = (uint8_t)(u >> 16);
  p[3] = (uint8_t)(u >> 24);
}

/* ---- Requantisation parameters: [3][Np] int32 rows (bias, multiplier, shift) ---- */

static int check_requant(const qilin_requant_t* rq, uint32_t n) {
  if (!is8(rq->out_dtype) || !rq->multiplier || !rq->shift) return QILIN_E_ARG;
  if (!zp_ok(rq->out_dtype, rq->out_zp) || !zp_ok(rq->out_dtype, rq->act_min) ||
      !zp_ok(rq->out_dtype, rq->act_max) || rq->act_min > rq->act_max)
    return QILIN_E_ARG;
  for (uint32_t i = 0; i < n; ++i) {
    if (rq->multiplier[i] < 0 || rq->shift[i] < -31 || rq->shift[i] > 30) return QILIN_E_ARG;
  }
  return QILIN_OK;
}

static int upload_params(qilin_dev_t* dev, const qilin_requant_t* rq, uint32_t n, uint64_t* addr) {
  const uint32_t np = qilin_ceil_div(n, dev->hw.dim) * dev->hw.dim;
  int st = qilin_malloc(dev, 3u * 4u * (uint64_t)np, addr);
  if (st) return st;
  uint8_t buf[256];
  for (uint32_t r = 0; r < 3u && !st; ++r) {
    for (uint32_t i0 = 0; i0 < np && !st; i0 += 64u) {
      const uint32_t cnt = qilin_min_u32(64u, np - i0);
      for (uint32_t j = 0; j < cnt; ++j) {
        const uint32_t i = i0 + j;
        int32_t v = 0; /* lanes past n: multiplier 0 gives out_zp, harmless */
        if (i < n)
          v = r == 0u ? (rq->bias ? rq->bias[i] : 0) : r == 1u ? rq->multiplier[i] : rq->shift[i];
        put_le32(buf + 4u * j, v);
      }
      st = qilin_mem_write(dev, *addr + 4u * ((uint64_t)r * np + i0), buf, 4u * cnt);
    }
  }
  if (st) qilin_free(dev, *addr);
  return st;
}

/* ---- GEMM and fully connected ---- */

static int gemm_prepare_common(qilin_dev_t* dev, qilin_gemm_layer_t* L, uint32_t b_rows, uint32_t n,
                               qilin_dtype_t b_dtype, int32_t b_zp, const qilin_requant_t* rq) {
  if (!is8(b_dtype) || !zp_ok(b_dtype, b_zp) || n == 0u || b_rows == 0u) return QILIN_E_ARG;
  if (rq && check_requant(rq, n)) return QILIN_E_ARG;
  L->b.rows = b_rows;
  L->b.cols = n;
  L->b.dtype = b_dtype;
  L->b.zp = b_zp;
  int st = qilin_mat_alloc(dev, &L->b);
  if (st) return st;
  L->requant = rq != 0;
  L->params = 0;
  if (rq) {
    L->out_zp = rq->out_zp;
    L->act_min = rq->act_min;
    L->act_max = rq->act_max;
    L->out_dtype = rq->out_dtype;
    st = upload_params(dev, rq, n, &L->params);
    if (st) qilin_free(dev, L->b.addr);
  }
  return st;
}

/* B is stored blocked, [n-block][row][DIM lanes]: the weight block (k-block, n-block) a MATMUL
 * needs is then one contiguous run of vectors, which the DMA moves in long bursts. elem gives
 * B's value at (row, column) for row < rows and column < n. */
typedef uint8_t (*b_elem_fn)(const void* ctx, uint32_t row, uint32_t col);

static int upload_b_blocked(qilin_dev_t* dev, const qilin_gemm_layer_t* L, b_elem_fn elem,
                            const void* ctx) {
  const uint32_t d = dev->hw.dim, nbs = qilin_ceil_div(L->b.cols, d);
  uint8_t row[255];
  int st = QILIN_OK;
  for (uint32_t nb = 0; nb < nbs && !st; ++nb) {
    for (uint32_t r = 0; r < L->b.rows && !st; ++r) {
      for (uint32_t l = 0; l < d; ++l) {
        const uint32_t col = nb * d + l;
        row[l] = col < L->b.cols ? elem(ctx, r, col) : (uint8_t)L->b.zp;
      }
      st = qilin_mem_write(dev, L->b.addr + ((uint64_t)nb * L->b.rows + r) * d, row, d);
    }
  }
  return st;
}

typedef struct {
  const uint8_t* b;
  uint32_t n;
} gemm_b_ctx_t;

static uint8_t gemm_b_elem(const void* ctx, uint32_t row, uint32_t col) {
  const gemm_b_ctx_t* c = (const gemm_b_ctx_t*)ctx;
  return c->b[(uint64_t)row * c->n + col];
}

int qilin_gemm_prepare(qilin_dev_t* dev, qilin_gemm_layer_t* L, const void* b_host, uint32_t k,
                       uint32_t n, qilin_dtype_t b_dtype, int32_t b_zp, const qilin_requant_t* rq) {
  qilin_zero(L, sizeof *L);
  int st = gemm_prepare_common(dev, L, k, n, b_dtype, b_zp, rq);
  if (st) return st;
  const gemm_b_ctx_t ctx = {(const uint8_t*)b_host, n};
  st = upload_b_blocked(dev, L, gemm_b_elem, &ctx);
  if (st) qilin_gemm_release(dev, L);
  return st;
}

typedef struct {
  const uint8_t* w;
  uint32_t c, hw, d;
  uint8_t zp;
} fc_b_ctx_t;

/* Row kb*d + lane of the device B is channel cb*d + lane of pixel kb % (h*w), cb = kb / (h*w);
 * ONNX flattens NCHW, so that is column ch*h*w + pixel of W[out]. */
static uint8_t fc_b_elem(const void* ctx, uint32_t row, uint32_t col) {
  const fc_b_ctx_t* c = (const fc_b_ctx_t*)ctx;
  const uint32_t kb = row / c->d, lane = row % c->d;
  const uint32_t ch = (kb / c->hw) * c->d + lane, pix = kb % c->hw;
  /* Channels past c must contribute (w - w_zp) = 0. */
  return ch < c->c ? c->w[(uint64_t)col * c->c * c->hw + (uint64_t)ch * c->hw + pix] : c->zp;
}

int qilin_fc_prepare(qilin_dev_t* dev, qilin_gemm_layer_t* L, const void* w_host, uint32_t n,
                     uint32_t c, uint32_t h, uint32_t w, qilin_dtype_t w_dtype, int32_t w_zp,
                     const qilin_requant_t* rq) {
  qilin_zero(L, sizeof *L);
  const uint32_t d = dev->hw.dim;
  if (c == 0u || h == 0u || w == 0u) return QILIN_E_ARG;
  const uint32_t cbs = qilin_ceil_div(c, d);
  /* One k-block per (channel block, pixel); its rows are the block's channels. */
  int st = gemm_prepare_common(dev, L, cbs * h * w * d, n, w_dtype, w_zp, rq);
  if (st) return st;
  L->from_act = 1;
  L->in_c = c;
  L->in_h = h;
  L->in_w = w;
  const fc_b_ctx_t ctx = {(const uint8_t*)w_host, c, h * w, d, (uint8_t)w_zp};
  st = upload_b_blocked(dev, L, fc_b_elem, &ctx);
  if (st) qilin_gemm_release(dev, L);
  return st;
}

void qilin_gemm_release(qilin_dev_t* dev, qilin_gemm_layer_t* L) {
  if (L->b.addr) qilin_free(dev, L->b.addr);
  if (L->params) qilin_free(dev, L->params);
  L->b.addr = 0;
  L->params = 0;
}

/* A as the tiler sees it: row m of k-block kb is one vector at
 * addr + m * row_stride + kb_offset(kb). */
typedef struct {
  uint64_t addr;
  uint32_t row_stride;
  qilin_dtype_t dtype;
  int32_t zp;
  uint32_t m, kb_count;
  /* k-block -> offset and valid lanes */
  int from_act;
  uint32_t k;              /* plain: K */
  uint32_t c, h, w, pitch; /* activation: channels, pixels and row pitch */
} gemm_a_t;

static uint64_t a_kb_offset(const gemm_a_t* a, uint32_t kb, uint32_t d) {
  if (!a->from_act) return (uint64_t)kb * d;
  const uint32_t cb = kb / (a->h * a->w), pix = kb % (a->h * a->w);
  return (((uint64_t)cb * a->h + pix / a->w) * a->pitch + pix % a->w) * d;
}

static uint32_t a_kb_lanes(const gemm_a_t* a, uint32_t kb, uint32_t d) {
  if (!a->from_act) return qilin_min_u32(d, a->k - kb * d);
  const uint32_t cb = kb / (a->h * a->w);
  return qilin_min_u32(d, a->c - cb * d);
}

/* Picks the M tile (tm rows) and the number of n-blocks (ng) that share one A block. LD moves
 * tm + ng*d rows per k-step and EX streams ng*tm: the best ratio keeps EX, not LD, the
 * bottleneck, within the SP and ACC budgets (ng*tm C rows, three parameter buffers). */
static int gemm_tiles(const qilin_dev_t* dev, int rq, uint32_t m, uint32_t nbs, uint32_t* tm_out,
                      uint32_t* ng_out) {
  const uint32_t d = dev->hw.dim, sp = dev->hw.sp_rows, acc = dev->hw.acc_rows;
  uint64_t best = 0;
  for (uint32_t ng = 1; ng <= qilin_min_u32(nbs, 8u); ++ng) {
    const uint32_t acc_rows = rq ? (acc > 9u * ng ? acc - 9u * ng : 0u) / ng : acc / (2u * ng);
    const uint32_t sp_fixed = 2u * ng * d;
    const uint32_t sp_rows = sp > sp_fixed ? (sp - sp_fixed) / (rq ? 4u : 2u) : 0u;
    uint32_t tm = qilin_min_u32(qilin_min_u32(m, 4095u), qilin_min_u32(acc_rows, sp_rows));
    if (tm == 0u) continue;
    tm = qilin_ceil_div(m, qilin_ceil_div(m, tm)); /* even tiles */
    /* EX rows per LD row, in 1/1024ths; ties go to the larger tile. */
    const uint64_t score = ((uint64_t)ng * tm * 1024u / (tm + ng * d)) * 8192u + tm;
    if (score > best) {
      best = score;
      *tm_out = tm;
      *ng_out = ng;
    }
  }
  return best ? QILIN_OK : QILIN_E_NOFIT;
}

static int gemm_emit(qilin_dev_t* dev, const qilin_gemm_layer_t* L, const gemm_a_t* a,
                     const qilin_mat_t* c) {
  const uint32_t d = dev->hw.dim;
  const int rq = L->requant;
  const uint32_t nbs = qilin_ceil_div(L->b.cols, d), kbs = a->kb_count;
  uint32_t tm = 0, ng = 0;
  int st = gemm_tiles(dev, rq, a->m, nbs, &tm, &ng);
  if (st) return st;
  /* Requantised outputs alternate two groups of C tiles when the ACC has room, so that the
   * EX unit runs group g+1's MATMULs under group g's POSTPROCs. */
  const int alt = rq && 2u * ng * tm + 9u * ng <= dev->hw.acc_rows;
  /* A group is one m-tile and ng n-blocks (the last group of an m-tile may have fewer);
   * iteration t is (group, k-block); a tile u is (group, n-block), numbered in group order. */
  const uint32_t mbs = qilin_ceil_div(a->m, tm), gpm = qilin_ceil_div(nbs, ng);
  const uint32_t G = mbs * gpm, T = G * kbs, U = mbs * nbs;
  const uint32_t vb_out = qilin_vec_bytes(dev, c->dtype), np = nbs * d;
  /* SP: input buffer b = [ng W blocks | A block]; then two output buffers of tm rows.
   * ACC: C tiles (ng of them; twice that for int32, which ST drains from ACC), then three
   * parameter buffers of 3*ng rows. */
  const uint32_t in_sz = ng * d + tm;
#define IN_BUF(t) ((uint32_t)((t) % 2u) * in_sz)
#define OUT_BUF(u) (2u * in_sz + (uint32_t)((u) % 2u) * tm)
#define G_MB(g) ((g) / gpm)
#define G_NB0(g) (((g) % gpm) * ng)
#define G_NG(g) qilin_min_u32(ng, nbs - G_NB0(g))
#define G_M0(g) (G_MB(g) * tm)
#define G_ROWS(g) qilin_min_u32(tm, a->m - G_M0(g))
#define G_U0(g) (G_MB(g) * nbs + G_NB0(g)) /* first tile of group g */
#define C_REG(g, j) (((rq && !alt) ? 0u : (uint32_t)((g) % 2u) * ng * tm) + (j)*tm)
#define P_BUF(g) (((rq && !alt) ? ng * tm : 2u * ng * tm) + 3u * ng * (uint32_t)((g) % 3u))
#define U_GROUP(u) (((u) / nbs) * gpm + ((u) % nbs) / ng)

  for (uint32_t step = 0; step <= T && !st; ++step) {
    if (step < T) { /* LD of iteration `step`, one iteration ahead of EX in the stream */
      const uint32_t t = step, g = t / kbs, kb = t % kbs;
      const uint32_t nb0 = G_NB0(g), gn = G_NG(g), kl = a_kb_lanes(a, kb, d);
      tok_t tk = kNoTok;
      tk.pop_next = t >= 2u; /* buffer t%2 is free once EX has used it at t-2 */
      qilin_load_t f;
      if (rq && kb == 0u) { /* the group's requantisation parameters, 3 rows per n-block */
        for (uint32_t j = 0; j < gn && !st; ++j) {
          qilin_zero(&f, sizeof f);
          f.dst = QILIN_MEM_ACC;
          f.local_addr = P_BUF(g) + 3u * j;
          f.y_size = 3u;
          f.x_size = 1u;
          f.dram_addr = L->params + 4u * (uint64_t)(nb0 + j) * d;
          f.dram_stride = 4u * np;
          st = emit_load(dev, tk, f);
          tk = kNoTok;
        }
      }
      for (uint32_t j = 0; j < gn && !st; ++j) { /* W blocks (kb, nb0 + j) */
        qilin_zero(&f, sizeof f);
        f.local_addr = IN_BUF(t) + j * d;
        f.y_size = 1u;
        f.x_size = kl;
        f.dram_addr = L->b.addr + ((uint64_t)(nb0 + j) * L->b.rows + (uint64_t)kb * d) * d;
        f.dram_stride = kl * d;
        st = emit_load(dev, tk, f);
        tk = kNoTok;
      }
      qilin_zero(&f, sizeof f);
      f.local_addr = IN_BUF(t) + ng * d;
      f.y_size = G_ROWS(g);
      f.x_size = 1u;
      f.dram_addr = a->addr + (uint64_t)G_M0(g) * a->row_stride + a_kb_offset(a, kb, d);
      f.dram_stride = a->row_stride;
      tk.push_next = 1u;
      if (!st) st = emit_load(dev, tk, f);
    }
    if (step == 0u) continue;
    /* EX of iteration t = step - 1: one MATMUL per n-block of the group. */
    const uint32_t t = step - 1u, g = t / kbs, kb = t % kbs, gn = G_NG(g);
    for (uint32_t j = 0; j < gn && !st; ++j) {
      qilin_matmul_t m;
      qilin_zero(&m, sizeof m);
      m.accumulate = kb != 0u;
      m.a_signed = a->dtype == QILIN_I8;
      m.w_signed = L->b.dtype == QILIN_I8;
      m.a_addr = IN_BUF(t) + ng * d;
      m.w_addr = IN_BUF(t) + j * d;
      m.c_addr = C_REG(g, j);
      m.m_size = G_ROWS(g);
      m.k_size = a_kb_lanes(a, kb, d);
      m.a_zp = a->zp;
      m.w_zp = L->b.zp;
      tok_t tk = kNoTok;
      tk.pop_prev = j == 0u;
      tk.push_prev = j + 1u == gn && t + 2u < T;
      if (!rq) {
        /* Group g reuses the ACC tiles of group g - 2: ST sends one token per group, after
         * the group's last tile is stored. */
        tk.pop_next = kb == 0u && j == 0u && g >= 2u;
        tk.push_next = kb + 1u == kbs;
      }
      st = emit_matmul(dev, tk, m);
    }
    if (kb + 1u != kbs) continue;
    for (uint32_t j = 0; j < gn && !st; ++j) {
      const uint32_t u = G_U0(g) + j;
      if (rq) {
        qilin_postproc_t p;
        qilin_zero(&p, sizeof p);
        p.out_signed = L->out_dtype == QILIN_I8;
        p.bias_en = 1u;
        p.c_addr = C_REG(g, j);
        p.p_addr = P_BUF(g) + 3u * j;
        p.o_addr = OUT_BUF(u);
        p.in_h = G_ROWS(g);
        p.in_w = 1u;
        p.out_zp = L->out_zp;
        p.act_min = (uint32_t)(uint8_t)L->act_min;
        p.act_max = (uint32_t)(uint8_t)L->act_max;
        tok_t pt = kNoTok;
        pt.pop_next = u >= 2u;
        pt.push_next = 1u;
        st = emit_postproc(dev, pt, p);
      }
      /* STOREs trail by one tile so that dispatch never waits on a full ST queue while EX
       * could work. */
      uint32_t due[2], ndue = 0;
      if (u >= 1u) due[ndue++] = u - 1u;
      if (u + 1u == U) due[ndue++] = u;
      for (uint32_t i = 0; i < ndue && !st; ++i) {
        const uint32_t s = due[i], sg = U_GROUP(s), sj = s % nbs - G_NB0(sg);
        qilin_store_t f;
        qilin_zero(&f, sizeof f);
        f.src = rq ? QILIN_MEM_SP : QILIN_MEM_ACC;
        f.local_addr = rq ? OUT_BUF(s) : C_REG(sg, sj);
        f.y_size = G_ROWS(sg);
        f.x_size = 1u;
        f.dram_addr = c->addr + (uint64_t)G_M0(sg) * c->pitch + (uint64_t)(s % nbs) * vb_out;
        f.dram_stride = c->pitch;
        tok_t stt = kNoTok;
        stt.pop_prev = 1u;
        stt.push_prev = rq ? s + 2u < U : (sj + 1u == G_NG(sg) && sg + 2u < G);
        st = emit_store(dev, stt, f);
      }
    }
  }
#undef IN_BUF
#undef OUT_BUF
#undef G_MB
#undef G_NB0
#undef G_NG
#undef G_M0
#undef G_ROWS
#undef G_U0
#undef C_REG
#undef P_BUF
#undef U_GROUP
  return st;
}

static int check_out(const qilin_dev_t* dev, const qilin_gemm_layer_t* L, const qilin_mat_t* c,
                     uint32_t m) {
  const qilin_dtype_t want = L->requant ? L->out_dtype : QILIN_I32;
  if (c->rows != m || c->cols != L->b.cols || c->dtype != want) return QILIN_E_ARG;
  if (c->pitch % qilin_vec_bytes(dev, want) || c->pitch < c->cols * (is8(want) ? 1u : 4u))
    return QILIN_E_ARG;
  return QILIN_OK;
}

int qilin_gemm(qilin_dev_t* dev, const qilin_gemm_layer_t* L, const qilin_mat_t* a,
               const qilin_mat_t* c) {
  const uint32_t d = dev->hw.dim;
  if (L->from_act || !is8(a->dtype) || !zp_ok(a->dtype, a->zp) || a->cols != L->b.rows ||
      a->pitch % d || a->pitch < a->cols)
    return QILIN_E_ARG;
  if (check_out(dev, L, c, a->rows)) return QILIN_E_ARG;
  gemm_a_t ga;
  qilin_zero(&ga, sizeof ga);
  ga.addr = a->addr;
  ga.row_stride = a->pitch;
  ga.dtype = a->dtype;
  ga.zp = a->zp;
  ga.m = a->rows;
  ga.k = a->cols;
  ga.kb_count = qilin_ceil_div(a->cols, d);
  return gemm_emit(dev, L, &ga, c);
}

int qilin_fc(qilin_dev_t* dev, const qilin_gemm_layer_t* L, const qilin_act_t* x,
             const qilin_mat_t* y) {
  const uint32_t d = dev->hw.dim;
  if (!L->from_act || !is8(x->dtype) || !zp_ok(x->dtype, x->zp) || x->c != L->in_c ||
      x->h != L->in_h || x->w != L->in_w || x->pitch < x->w)
    return QILIN_E_ARG;
  if (check_out(dev, L, y, x->n)) return QILIN_E_ARG;
  const uint32_t cbs = qilin_ceil_div(x->c, d);
  gemm_a_t ga;
  qilin_zero(&ga, sizeof ga);
  ga.addr = x->addr;
  ga.row_stride = cbs * x->h * x->pitch * d; /* one image */
  ga.dtype = x->dtype;
  ga.zp = x->zp;
  ga.m = x->n;
  ga.from_act = 1;
  ga.c = x->c;
  ga.h = x->h;
  ga.w = x->w;
  ga.pitch = x->pitch;
  ga.kb_count = cbs * x->h * x->w;
  return gemm_emit(dev, L, &ga, y);
}

/* ---- Convolution ---- */

int qilin_conv_prepare(qilin_dev_t* dev, qilin_conv_layer_t* L, const void* w_host, uint32_t c_out,
                       uint32_t c_in, uint32_t kh, uint32_t kw, uint32_t groups,
                       qilin_dtype_t w_dtype, int32_t w_zp, const qilin_requant_t* rq) {
  qilin_zero(L, sizeof *L);
  const uint32_t d = dev->hw.dim;
  if (!c_out || !c_in || !kh || !kw || !groups || c_in % groups || c_out % groups ||
      !is8(w_dtype) || !zp_ok(w_dtype, w_zp))
    return QILIN_E_ARG;
  if (rq && check_requant(rq, c_out)) return QILIN_E_ARG;
  L->c_in = c_in;
  L->c_out = c_out;
  L->kh = kh;
  L->kw = kw;
  L->groups = groups;
  L->w_dtype = w_dtype;
  L->w_zp = w_zp;
  const uint32_t cbs = qilin_ceil_div(c_in, d), nbs = qilin_ceil_div(c_out, d);
  const uint32_t cig = c_in / groups, cog = c_out / groups;
  const uint64_t blocks = (uint64_t)nbs * cbs * kh * kw;
  int st = qilin_malloc(dev, blocks * d * d, &L->weights);
  if (st) return st;
  /* Block (nb, cb, ky, kx) row k holds W[ci = cb*d + k][co = nb*d + n]. Weights between
   * different groups (and past c_in / c_out) are w_zp, i.e. real zero: a grouped or
   * depthwise convolution is a dense one with a block-diagonal weight matrix. */
  const uint8_t* wh = (const uint8_t*)w_host;
  uint8_t row[255];
  uint64_t at = L->weights;
  for (uint32_t nb = 0; nb < nbs && !st; ++nb)
    for (uint32_t cb = 0; cb < cbs && !st; ++cb)
      for (uint32_t ky = 0; ky < kh && !st; ++ky)
        for (uint32_t kx = 0; kx < kw && !st; ++kx)
          for (uint32_t k = 0; k < d && !st; ++k, at += d) {
            const uint32_t ci = cb * d + k;
            for (uint32_t n = 0; n < d; ++n) {
              const uint32_t co = nb * d + n;
              const int live = ci < c_in && co < c_out && ci / cig == co / cog;
              row[n] = live ? wh[(((uint64_t)co * cig + (ci % cig)) * kh + ky) * kw + kx]
                            : (uint8_t)w_zp;
            }
            st = qilin_mem_write(dev, at, row, d);
          }
  L->requant = rq != 0;
  if (!st && rq) {
    L->out_zp = rq->out_zp;
    L->act_min = rq->act_min;
    L->act_max = rq->act_max;
    L->out_dtype = rq->out_dtype;
    st = upload_params(dev, rq, c_out, &L->params);
  }
  if (st) qilin_conv_release(dev, L);
  return st;
}

void qilin_conv_release(qilin_dev_t* dev, qilin_conv_layer_t* L) {
  if (L->weights) qilin_free(dev, L->weights);
  if (L->params) qilin_free(dev, L->params);
  L->weights = 0;
  L->params = 0;
}

typedef enum { kConvPlain, kConvPool, kConvStride } conv_mode_t;

/* The convolution runs at stride 1 over the padded width Wp: output pixel (oy, ox) of tap
 * (ky, kx) reads padded pixel (oy + ky*dh, ox + kx*dw), which is row
 * (oy*Wp + ox) + (ky*dh*Wp + kx*dw) of the padded band in SP. So each tap is one MATMUL over
 * the whole band, and the columns ox >= OW1 are junk that is never read. POSTPROC then
 * pools (kernel == stride) or subsamples for a strided convolution (1x1 max pool). */
typedef struct {
  conv_mode_t mode;
  uint32_t d, cbs, nbs;
  uint32_t hp, wp, oh1, ow1; /* padded input, stride-1 output */
  uint32_t oh, ow, wg;       /* output rows, columns, grid width (output pitch) */
  uint32_t g;                /* band granularity in stride-1 rows */
  uint32_t rows_needed;      /* stride-1 rows the output needs */
  uint32_t pkh, pkw, psh, psw;
  qilin_pool_kind_t pkind;
} conv_plan_t;

static int conv_plan(const qilin_dev_t* dev, const qilin_conv_layer_t* L, const qilin_act_t* x,
                     const qilin_conv_attr_t* at, const qilin_pool_t* pool, conv_plan_t* p) {
  qilin_zero(p, sizeof *p);
  const uint32_t d = dev->hw.dim;
  if (!is8(x->dtype) || !zp_ok(x->dtype, x->zp) || x->c != L->c_in || x->pitch < x->w ||
      x->n == 0u || at->kh != L->kh || at->kw != L->kw || at->groups != L->groups ||
      !at->stride_h || !at->stride_w || !at->dil_h || !at->dil_w)
    return QILIN_E_ARG;
  if (at->pad_t > 7u || at->pad_b > 7u || at->pad_l > 7u || at->pad_r > 7u)
    return QILIN_E_UNSUPPORTED; /* the LOAD pads at most 7 per side */
  p->d = d;
  p->cbs = qilin_ceil_div(L->c_in, d);
  p->nbs = qilin_ceil_div(L->c_out, d);
  p->hp = x->h + at->pad_t + at->pad_b;
  p->wp = x->w + at->pad_l + at->pad_r;
  const uint32_t ekh = (L->kh - 1u) * at->dil_h + 1u, ekw = (L->kw - 1u) * at->dil_w + 1u;
  if (p->hp < ekh || p->wp < ekw) return QILIN_E_ARG;
  p->oh1 = p->hp - ekh + 1u;
  p->ow1 = p->wp - ekw + 1u;
  const int has_pool = pool && pool->kind != QILIN_POOL_KIND_NONE;
  const int strided = at->stride_h != 1u || at->stride_w != 1u;
  if (!L->requant && (has_pool || strided)) return QILIN_E_UNSUPPORTED;
  if (has_pool) {
    if (strided || pool->kh != pool->sh || pool->kw != pool->sw || pool->sh == 0u ||
        pool->sw == 0u || pool->sh > 7u || pool->sw > 7u || pool->kind > QILIN_POOL_KIND_AVG)
      return QILIN_E_UNSUPPORTED;
    if (p->oh1 < pool->kh || p->ow1 < pool->kw) return QILIN_E_ARG;
    p->mode = kConvPool;
    p->pkind = pool->kind;
    p->pkh = pool->kh;
    p->pkw = pool->kw;
    p->psh = pool->sh;
    p->psw = pool->sw;
    p->oh = (p->oh1 - p->pkh) / p->psh + 1u;
    p->ow = (p->ow1 - p->pkw) / p->psw + 1u;
    p->wg = (p->wp - p->pkw) / p->psw + 1u;
    p->rows_needed = p->oh * p->psh;
    p->g = p->psh;
  } else if (strided) {
    if (at->stride_h > 7u || at->stride_w > 7u) return QILIN_E_UNSUPPORTED;
    p->mode = kConvStride;
    p->pkind = QILIN_POOL_KIND_MAX;
    p->pkh = p->pkw = 1u;
    p->psh = at->stride_h;
    p->psw = at->stride_w;
    p->oh = (p->oh1 - 1u) / p->psh + 1u;
    p->ow = (p->ow1 - 1u) / p->psw + 1u;
    p->wg = (p->wp - 1u) / p->psw + 1u;
    p->rows_needed = (p->oh - 1u) * p->psh + 1u;
    p->g = p->psh;
  } else {
    p->mode = kConvPlain;
    p->oh = p->oh1;
    p->ow = p->ow1;
    p->wg = p->wp;
    p->rows_needed = p->oh1;
    p->g = 1u;
  }
  if (p->wg > 1023u || p->wp > 4095u) return QILIN_E_UNSUPPORTED;
  return QILIN_OK;
}

int qilin_conv2d_shape(const qilin_dev_t* dev, const qilin_conv_layer_t* L, const qilin_act_t* x,
                       const qilin_conv_attr_t* attr, const qilin_pool_t* pool, qilin_act_t* y) {
  conv_plan_t p;
  int st = conv_plan(dev, L, x, attr, pool, &p);
  if (st) return st;
  y->n = x->n;
  y->c = L->c_out;
  y->h = p.oh;
  y->w = p.ow;
  y->pitch = p.wg;
  y->dtype = L->requant ? L->out_dtype : QILIN_I32;
  y->zp = L->requant ? L->out_zp : 0;
  return QILIN_OK;
}

static uint32_t conv_out_rows(const conv_plan_t* p, uint32_t r) {
  switch (p->mode) {
    case kConvPool:
      return r / p->psh;
    case kConvStride:
      return (r - 1u) / p->psh + 1u;
    default:
      return r;
  }
}

/* Does block (nb, cb) hold any weight of a shared group? */
static int conv_block_live(const qilin_conv_layer_t* L, uint32_t d, uint32_t nb, uint32_t cb) {
  const uint32_t cig = L->c_in / L->groups, cog = L->c_out / L->groups;
  const uint32_t o_lo = nb * d, o_hi = qilin_min_u32(L->c_out, o_lo + d) - 1u;
  const uint32_t i_lo = cb * d, i_hi = qilin_min_u32(L->c_in, i_lo + d) - 1u;
  return o_lo / cog <= i_hi / cig && i_lo / cig <= o_hi / cog;
}

int qilin_conv2d(qilin_dev_t* dev, const qilin_conv_layer_t* L, const qilin_act_t* x,
                 const qilin_conv_attr_t* at, const qilin_pool_t* pool, const qilin_act_t* y) {
  conv_plan_t p;
  int st = conv_plan(dev, L, x, at, pool, &p);
  if (st) return st;
  qilin_act_t want;
  qilin_zero(&want, sizeof want);
  (void)qilin_conv2d_shape(dev, L, x, at, pool, &want);
  if (y->n != want.n || y->c != want.c || y->h != want.h || y->w != want.w ||
      y->pitch != want.pitch || y->dtype != want.dtype || y->zp != want.zp)
    return QILIN_E_ARG;

  const uint32_t d = p.d, sp = dev->hw.sp_rows, acc = dev->hw.acc_rows;
  const int rq = L->requant;
  const uint32_t taps = L->kh * L->kw;
  const uint32_t tail = (L->kw - 1u) * at->dil_w; /* rows the last taps read past the band */

  /* The weights of `cs` output-channel blocks stay in SP for a pass. Band height R
   * (stride-1 output rows): aim for about 512 rows per MATMUL, then shrink until the double
   * buffers fit; if even the smallest band does not fit, take fewer blocks per pass.
   * Requantised outputs alternate two ACC C tiles (the EX unit then runs band u+1's MATMULs
   * under band u's POSTPROC) when a band fits that way with all blocks in one pass; else one. */
  uint32_t cs = p.nbs, r = 0, alt = rq ? 1u : 0u;
  uint64_t band_alloc = 0, w_rows = 0;
  for (;; --cs) {
    if (cs == 0u) return QILIN_E_NOFIT;
    w_rows = (uint64_t)cs * p.cbs * taps * d;
    r = qilin_max_u32(p.g, (512u / p.wp) / p.g * p.g);
    r = qilin_min_u32(r, qilin_ceil_div(p.rows_needed, p.g) * p.g);
    for (; r >= p.g && r != 0u; r -= p.g) {
      const uint32_t rin = r + (L->kh - 1u) * at->dil_h;
      band_alloc = (uint64_t)rin * p.wp + tail;
      const uint64_t sp_need =
          w_rows + 2u * p.cbs * band_alloc + (rq ? 2u * (uint64_t)conv_out_rows(&p, r) * p.wg : 0u);
      const uint64_t c_rows = (uint64_t)r * p.wp;
      const uint64_t acc_need = rq ? (1u + alt) * c_rows + 3u * cs : 2u * c_rows;
      if (sp_need <= sp && acc_need <= acc && (uint64_t)r * p.wp <= 65535u && rin <= 4095u) break;
    }
    if (r >= p.g && r != 0u) break;
    if (alt) { /* retry this pass size with one C tile */
      alt = 0u;
      ++cs;
    }
  }
  const uint32_t bands = qilin_ceil_div(p.rows_needed, r);
  const uint32_t vb_out = qilin_vec_bytes(dev, y->dtype);
  const uint32_t in_base = (uint32_t)w_rows;
  const uint32_t out_base = in_base + 2u * p.cbs * (uint32_t)band_alloc;
  const uint32_t out_rows_max = rq ? conv_out_rows(&p, r) * p.wg : 0u;
  const uint32_t p_base = (1u + alt) * r * p.wp; /* ACC parameter rows, after the C tile(s) */
#define IN_BUF(i, cb) (in_base + ((uint32_t)((i) % 2u) * p.cbs + (cb)) * (uint32_t)band_alloc)
#define OUT_BUF(u) (out_base + (uint32_t)((u) % 2u) * out_rows_max)
#define C_REG(u) ((rq && !alt) ? 0u : (uint32_t)((u) % 2u) * r * p.wp)
#define BAND_OY0(i) (((i) % bands) * r)
#define BAND_ROWS(i) qilin_min_u32(r, p.rows_needed - BAND_OY0(i))

  for (uint32_t nb0 = 0; nb0 < p.nbs && !st; nb0 += cs) {
    /* One pass: output-channel blocks [nb0, nb1). A barrier keeps the next pass's weight
     * preload from overwriting weights this one still reads. */
    const uint32_t nb1 = qilin_min_u32(p.nbs, nb0 + cs), pass_nbs = nb1 - nb0;
    const uint32_t B = x->n * bands, U = B * pass_nbs;
    if (nb0 != 0u) st = qilin_prog_barrier(dev);

    /* Preload: the pass's weight blocks (one LOAD per 4095 blocks) and parameter triples. */
    const uint64_t blocks = (uint64_t)pass_nbs * p.cbs * taps;
    const uint64_t w_first = (uint64_t)nb0 * p.cbs * taps; /* blocks are ordered (nb, cb, tap) */
    for (uint64_t b0 = 0; b0 < blocks && !st; b0 += 4095u) {
      qilin_load_t f;
      qilin_zero(&f, sizeof f);
      f.local_addr = (uint32_t)(b0 * d);
      f.y_size = (uint32_t)(blocks - b0 < 4095u ? blocks - b0 : 4095u);
      f.x_size = d;
      f.dram_addr = L->weights + (w_first + b0) * d * d;
      f.dram_stride = d * d;
      st = emit_load(dev, kNoTok, f);
    }
    for (uint32_t nb = nb0; nb < nb1 && rq && !st; ++nb) {
      qilin_load_t f;
      qilin_zero(&f, sizeof f);
      f.dst = QILIN_MEM_ACC;
      f.local_addr = p_base + 3u * (nb - nb0);
      f.y_size = 3u;
      f.x_size = 1u;
      f.dram_addr = L->params + 4u * (uint64_t)nb * d;
      f.dram_stride = 4u * p.nbs * d;
      st = emit_load(dev, kNoTok, f);
    }

    for (uint32_t step = 0; step <= B && !st; ++step) {
      if (step < B) { /* LD: band `step`, one band ahead of EX */
        const uint32_t i = step, n = i / bands, oy0 = BAND_OY0(i);
        const uint32_t rin = BAND_ROWS(i) + (L->kh - 1u) * at->dil_h;
        const int32_t r0 = (int32_t)oy0 - (int32_t)at->pad_t; /* first real input row */
        const int32_t r1 = r0 + (int32_t)rin;
        const int32_t lo = r0 > 0 ? r0 : 0, hi = r1 < (int32_t)x->h ? r1 : (int32_t)x->h;
        for (uint32_t cb = 0; cb < p.cbs && !st; ++cb) {
          qilin_load_t f;
          qilin_zero(&f, sizeof f);
          f.local_addr = IN_BUF(i, cb);
          f.pad_top = (uint32_t)(lo - r0);
          f.pad_bottom = (uint32_t)(r1 - (hi > lo ? hi : lo));
          f.pad_left = at->pad_l;
          f.pad_right = at->pad_r;
          f.pad_value = (uint32_t)(uint8_t)x->zp;
          f.y_size = hi > lo ? (uint32_t)(hi - lo) : 0u;
          f.x_size = x->w;
          f.dram_addr =
              x->addr + ((((uint64_t)n * p.cbs + cb) * x->h + (uint32_t)lo) * x->pitch) * d;
          f.dram_stride = x->pitch * d;
          tok_t t = kNoTok;
          t.pop_next = cb == 0u && i >= 2u;
          t.push_next = cb + 1u == p.cbs && tail == 0u;
          st = emit_load(dev, t, f);
          /* The junk columns of the last output row read `tail` rows past the band: fill them
           * so nothing uninitialised is read (at most 14 per LOAD). */
          for (uint32_t done = 0; done < tail && !st;) {
            const uint32_t cnt = qilin_min_u32(14u, tail - done);
            qilin_zero(&f, sizeof f);
            f.local_addr = IN_BUF(i, cb) + rin * p.wp + done;
            f.pad_top = 1u;
            f.pad_left = qilin_min_u32(7u, cnt);
            f.pad_right = cnt - f.pad_left;
            f.pad_value = (uint32_t)(uint8_t)x->zp;
            tok_t tf = kNoTok;
            done += cnt;
            tf.push_next = cb + 1u == p.cbs && done == tail;
            st = emit_load(dev, tf, f);
          }
        }
      }
      if (step == 0u) continue;
      const uint32_t i = step - 1u;
      for (uint32_t nb = nb0; nb < nb1 && !st; ++nb) { /* EX: every tile of band i */
        const uint32_t u = i * pass_nbs + (nb - nb0);
        uint32_t live = 0, seen = 0;
        for (uint32_t cb = 0; cb < p.cbs; ++cb) live += conv_block_live(L, d, nb, cb) ? taps : 0u;
        for (uint32_t cb = 0; cb < p.cbs && !st; ++cb) {
          if (!conv_block_live(L, d, nb, cb)) continue;
          for (uint32_t tap = 0; tap < taps && !st; ++tap, ++seen) {
            const uint32_t ky = tap / L->kw, kx = tap % L->kw;
            qilin_matmul_t m;
            qilin_zero(&m, sizeof m);
            m.accumulate = seen != 0u;
            m.a_signed = x->dtype == QILIN_I8;
            m.w_signed = L->w_dtype == QILIN_I8;
            m.a_addr = IN_BUF(i, cb) + ky * at->dil_h * p.wp + kx * at->dil_w;
            m.w_addr = ((((nb - nb0) * p.cbs + cb) * taps) + tap) * d;
            m.c_addr = C_REG(u);
            m.m_size = BAND_ROWS(i) * p.wp;
            m.k_size = qilin_min_u32(d, L->c_in - cb * d);
            m.a_zp = x->zp;
            m.w_zp = L->w_zp;
            tok_t t = kNoTok;
            const int first = seen == 0u, last = seen + 1u == live;
            t.pop_prev = first && nb == nb0;
            t.push_prev = last && nb + 1u == nb1 && i + 2u < B;
            if (!rq) {
              t.pop_next = first && u >= 2u;
              t.push_next = (uint32_t)last;
            }
            st = emit_matmul(dev, t, m);
          }
        }
        if (rq && !st) {
          qilin_postproc_t q;
          qilin_zero(&q, sizeof q);
          q.out_signed = L->out_dtype == QILIN_I8;
          q.bias_en = 1u;
          q.pool_kind = p.mode == kConvPlain ? QILIN_POOL_NONE : (uint32_t)p.pkind;
          q.c_addr = C_REG(u);
          q.p_addr = p_base + 3u * (nb - nb0);
          q.o_addr = OUT_BUF(u);
          q.in_h = BAND_ROWS(i);
          q.in_w = p.wp;
          q.out_zp = L->out_zp;
          q.act_min = (uint32_t)(uint8_t)L->act_min;
          q.act_max = (uint32_t)(uint8_t)L->act_max;
          if (p.mode != kConvPlain) {
            q.pool_kh = p.pkh;
            q.pool_kw = p.pkw;
            q.pool_sh = p.psh;
            q.pool_sw = p.psw;
          }
          tok_t t = kNoTok;
          t.pop_next = u >= 2u;
          t.push_next = 1u;
          st = emit_postproc(dev, t, q);
        }
        /* STOREs trail by one tile (see gemm_emit). */
        uint32_t due[2], ndue = 0;
        if (u >= 1u) due[ndue++] = u - 1u;
        if (u + 1u == U) due[ndue++] = u;
        for (uint32_t j = 0; j < ndue && !st; ++j) {
          const uint32_t s = due[j];
          const uint32_t si = s / pass_nbs, snb = nb0 + s % pass_nbs, sn = si / bands;
          const uint32_t oy_out = BAND_OY0(si) / p.g; /* bands start on multiples of g */
          qilin_store_t f;
          qilin_zero(&f, sizeof f);
          f.src = rq ? QILIN_MEM_SP : QILIN_MEM_ACC;
          f.local_addr = rq ? OUT_BUF(s) : C_REG(s);
          f.y_size = conv_out_rows(&p, BAND_ROWS(si));
          f.x_size = p.wg;
          f.dram_addr = y->addr + ((((uint64_t)sn * p.nbs + snb) * p.oh + oy_out) * p.wg) * vb_out;
          f.dram_stride = p.wg * vb_out;
          tok_t t = kNoTok;
          t.pop_prev = 1u;
          t.push_prev = s + 2u < U;
          st = emit_store(dev, t, f);
        }
      }
    }
  }
#undef IN_BUF
#undef OUT_BUF
#undef C_REG
#undef BAND_OY0
#undef BAND_ROWS
  return st;
}
