/* SPDX-License-Identifier: Apache-2.0 */
/* Qilin driver: device tensor layouts and host <-> device copies. */
#include "driver_internal.h"

static int is8(qilin_dtype_t t) { return t == QILIN_U8 || t == QILIN_I8; }
static uint32_t elem_bytes(qilin_dtype_t t) { return is8(t) ? 1u : 4u; }

uint32_t qilin_vec_bytes(const qilin_dev_t* dev, qilin_dtype_t dt) {
  return elem_bytes(dt) * dev->hw.dim;
}

uint64_t qilin_mat_bytes(const qilin_dev_t* dev, const qilin_mat_t* m) {
  (void)dev;
  return (uint64_t)m->rows * m->pitch;
}

uint64_t qilin_act_bytes(const qilin_dev_t* dev, const qilin_act_t* a) {
  const uint64_t cb = qilin_ceil_div(a->c, dev->hw.dim);
  return (uint64_t)a->n * cb * a->h * a->pitch * qilin_vec_bytes(dev, a->dtype);
}

int qilin_mat_alloc(qilin_dev_t* dev, qilin_mat_t* m) {
  if (m->rows == 0u || m->cols == 0u || (!is8(m->dtype) && m->dtype != QILIN_I32))
    return QILIN_E_ARG;
  const uint32_t vb = qilin_vec_bytes(dev, m->dtype);
  m->pitch = qilin_ceil_div(m->cols, dev->hw.dim) * vb;
  return qilin_malloc(dev, qilin_mat_bytes(dev, m), &m->addr);
}

int qilin_act_alloc(qilin_dev_t* dev, qilin_act_t* a) {
  if (a->n == 0u || a->c == 0u || a->h == 0u || a->w == 0u ||
      (!is8(a->dtype) && a->dtype != QILIN_I32))
    return QILIN_E_ARG;
  if (a->pitch == 0u) a->pitch = a->w;
  if (a->pitch < a->w) return QILIN_E_ARG;
  return qilin_malloc(dev, qilin_act_bytes(dev, a), &a->addr);
}

/* Copies in pieces of at most this many bytes through a stack buffer. */
#define CHUNK 256u

int qilin_mat_upload(qilin_dev_t* dev, const qilin_mat_t* m, const void* host) {
  const uint8_t* h = (const uint8_t*)host;
  const uint32_t eb = elem_bytes(m->dtype);
  const uint32_t row_bytes = m->cols * eb;
  uint8_t buf[CHUNK];
  for (uint32_t r = 0; r < m->rows; ++r) {
    /* The pad bytes past the last column are written too, so no stale data is left. */
    for (uint32_t off = 0; off < m->pitch; off += CHUNK) {
      const uint32_t n = qilin_min_u32(CHUNK, m->pitch - off);
      for (uint32_t i = 0; i < n; ++i)
        buf[i] = off + i < row_bytes ? h[(uint64_t)r * row_bytes + off + i] : 0u;
      int st = qilin_mem_write(dev, m->addr + (uint64_t)r * m->pitch + off, buf, n);
      if (st) return st;
    }
  }
  return QILIN_OK;
}

int qilin_mat_download(qilin_dev_t* dev, const qilin_mat_t* m, void* host) {
  uint8_t* h = (uint8_t*)host;
  const uint32_t row_bytes = m->cols * elem_bytes(m->dtype);
  for (uint32_t r = 0; r < m->rows; ++r) {
    int st = qilin_mem_read(dev, m->addr + (uint64_t)r * m->pitch, h + (uint64_t)r * row_bytes,
                            row_bytes);
    if (st) return st;
  }
  return QILIN_OK;
}

/* Host NCHW element (n, c, y, x) <-> device vector lane. */
int qilin_act_upload(qilin_dev_t* dev, const qilin_act_t* a, const void* host_nchw) {
  const uint8_t* h = (const uint8_t*)host_nchw;
  const uint32_t d = dev->hw.dim, eb = elem_bytes(a->dtype), vb = d * eb;
  const uint32_t cbs = qilin_ceil_div(a->c, d);
  uint8_t vec[4u * 255u];
  for (uint32_t n = 0; n < a->n; ++n) {
    for (uint32_t cb = 0; cb < cbs; ++cb) {
      for (uint32_t y = 0; y < a->h; ++y) {
        for (uint32_t x = 0; x < a->pitch; ++x) {
          for (uint32_t l = 0; l < d; ++l) {
            const uint32_t c = cb * d + l;
            const int live = c < a->c && x < a->w;
            const uint64_t e = (((uint64_t)n * a->c + c) * a->h + y) * a->w + x;
            for (uint32_t b = 0; b < eb; ++b) vec[l * eb + b] = live ? h[e * eb + b] : 0u;
          }
          const uint64_t at = a->addr + ((((uint64_t)n * cbs + cb) * a->h + y) * a->pitch + x) * vb;
          int st = qilin_mem_write(dev, at, vec, vb);
          if (st) return st;
        }
      }
    }
  }
  return QILIN_OK;
}

int qilin_act_download(qilin_dev_t* dev, const qilin_act_t* a, void* host_nchw) {
  uint8_t* h = (uint8_t*)host_nchw;
  const uint32_t d = dev->hw.dim, eb = elem_bytes(a->dtype), vb = d * eb;
  const uint32_t cbs = qilin_ceil_div(a->c, d);
  uint8_t vec[4u * 255u];
  for (uint32_t n = 0; n < a->n; ++n) {
    for (uint32_t cb = 0; cb < cbs; ++cb) {
      for (uint32_t y = 0; y < a->h; ++y) {
        for (uint32_t x = 0; x < a->w; ++x) {
          const uint64_t at = a->addr + ((((uint64_t)n * cbs + cb) * a->h + y) * a->pitch + x) * vb;
          int st = qilin_mem_read(dev, at, vec, vb);
          if (st) return st;
          for (uint32_t l = 0; l < d && cb * d + l < a->c; ++l) {
            const uint64_t e = (((uint64_t)n * a->c + cb * d + l) * a->h + y) * a->w + x;
            for (uint32_t b = 0; b < eb; ++b) h[e * eb + b] = vec[l * eb + b];
          }
        }
      }
    }
  }
  return QILIN_OK;
}

int qilin_act_upload_im2col(qilin_dev_t* dev, const qilin_act_t* a, const void* host_nchw,
                            uint32_t c, uint32_t h, uint32_t w, const qilin_conv_attr_t* at) {
  const uint32_t d = dev->hw.dim, taps = at->kh * at->kw;
  if (!is8(a->dtype) || a->c != c * taps || !at->stride_h || !at->stride_w || !at->dil_h ||
      !at->dil_w)
    return QILIN_E_ARG;
  const int64_t ekh = (int64_t)(at->kh - 1u) * at->dil_h + 1,
                ekw = (int64_t)(at->kw - 1u) * at->dil_w + 1;
  const int64_t hp = (int64_t)h + at->pad_t + at->pad_b, wp = (int64_t)w + at->pad_l + at->pad_r;
  if (hp < ekh || wp < ekw || a->h != (uint32_t)((hp - ekh) / at->stride_h + 1) ||
      a->w != (uint32_t)((wp - ekw) / at->stride_w + 1))
    return QILIN_E_ARG;
  const uint8_t* src = (const uint8_t*)host_nchw;
  const uint32_t cbs = qilin_ceil_div(a->c, d);
  uint8_t vec[255];
  for (uint32_t n = 0; n < a->n; ++n)
    for (uint32_t cb = 0; cb < cbs; ++cb)
      for (uint32_t oy = 0; oy < a->h; ++oy)
        for (uint32_t ox = 0; ox < a->pitch; ++ox) {
          for (uint32_t l = 0; l < d; ++l) {
            const uint32_t lane = cb * d + l; /* (ci, ky, kx), ONNX's weight order */
            uint8_t v = 0;
            if (lane < a->c && ox < a->w) {
              const uint32_t ci = lane / taps, ky = (lane % taps) / at->kw, kx = lane % at->kw;
              const int64_t iy = (int64_t)oy * at->stride_h + (int64_t)ky * at->dil_h - at->pad_t;
              const int64_t ix = (int64_t)ox * at->stride_w + (int64_t)kx * at->dil_w - at->pad_l;
              v = (iy < 0 || ix < 0 || iy >= h || ix >= w)
                      ? (uint8_t)a->zp
                      : src[(((uint64_t)n * c + ci) * h + (uint64_t)iy) * w + (uint64_t)ix];
            }
            vec[l] = v;
          }
          const uint64_t at_addr =
              a->addr + ((((uint64_t)n * cbs + cb) * a->h + oy) * a->pitch + ox) * d;
          int st = qilin_mem_write(dev, at_addr, vec, d);
          if (st) return st;
        }
  return QILIN_OK;
}
