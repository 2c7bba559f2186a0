/* SPDX-License-Identifier: Apache-2.0 */
/* Qilin bare-metal driver: probe, device memory, programs, submit/wait, errors, performance
 * counters, and the layer tilers (GEMM, fully connected, conv2d with fused pooling).
 *
 * Freestanding C11: <stdint.h> and <stddef.h> only, no heap (every buffer is the caller's),
 * no libc calls. All register access goes through the HAL (qilin/hal.h). See
 * docs/driver.md for the programmer's guide. */
#ifndef QILIN_DRIVER_H_
#define QILIN_DRIVER_H_

#include <stddef.h>
#include <stdint.h>

#include "qilin/hal.h"
#include "qilin/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes: 0 is success, everything else is negative. */
typedef enum {
  QILIN_OK = 0,
  QILIN_E_ARG = -1,         /* a bad argument, shape or attribute */
  QILIN_E_UNSUPPORTED = -2, /* legal ONNX, but outside what this driver maps (see the guide) */
  QILIN_E_NOMEM = -3,       /* the device-memory allocator has no room */
  QILIN_E_NOFIT = -4,       /* the smallest tile does not fit the scratchpad or accumulator */
  QILIN_E_PROG_FULL = -5,   /* the instruction buffer is full */
  QILIN_E_TIMEOUT = -6,     /* the device did not finish in time (it was soft-reset) */
  QILIN_E_DEVICE = -7,      /* the device stopped with an error: see qilin_dev_t.last_error */
  QILIN_E_PROBE = -8,       /* no Qilin answers at this HAL (bad ID or version) */
  QILIN_E_HAL = -9,         /* a HAL memory access failed */
  QILIN_E_STATE = -10       /* call out of order (e.g. submit while a program is open) */
} qilin_status_t;

/* Text for a qilin_status_t, and for a device ERR_CODE. */
const char* qilin_strerror(int status);
const char* qilin_dev_error_name(uint32_t err_code);

typedef enum { QILIN_U8 = 0, QILIN_I8 = 1, QILIN_I32 = 2 } qilin_dtype_t;

/* Configuration read from the CSRs by qilin_open. */
typedef struct {
  uint32_t id, version;
  uint32_t dim; /* array rows = cols = vector lanes */
  uint32_t sp_rows, acc_rows;
} qilin_hw_info_t;

typedef struct {
  uint32_t code; /* ERR_CODE (QILIN_ERR_*), 0 if none */
  uint32_t pc;   /* ERR_PC: index of the faulting instruction */
  uint64_t addr; /* ERR_ADDR */
} qilin_dev_error_t;

typedef struct {
  uint64_t cycles, array_busy, macs, stall_ld, stall_ex, stall_st;
  uint64_t dma_rd_bytes, dma_wr_bytes, insn_retired;
} qilin_perf_t;

#define QILIN_MAX_ALLOCS 128u
typedef struct {
  uint64_t addr, size;
} qilin_block_t;

/* First-fit allocator over [base, limit); blocks kept sorted by address. */
typedef struct {
  uint64_t base, limit;
  uint32_t count;
  qilin_block_t used[QILIN_MAX_ALLOCS];
} qilin_allocator_t;

typedef struct {
  qilin_hal_t hal;
  qilin_hw_info_t hw;
  qilin_allocator_t heap;
  qilin_dev_error_t last_error;
  /* The program being built (qilin_prog_begin .. qilin_prog_run). */
  qilin_insn_t* prog;
  uint32_t prog_cap, prog_len;
  int prog_open;
  int prog_status;     /* first error while building; sticky until the next begin */
  uint64_t timeout;    /* qilin_wait budget in HAL delay units */
  uint32_t poll_every; /* delay units between STATUS polls */
} qilin_dev_t;

/* Probes the device (ID 'QILN' and major version 0), reads its configuration, soft-resets
 * it, opens both DMA windows over [mem_base, mem_base + mem_size), and makes that range the
 * allocator's. insn_buf (insn_cap entries) is where programs are built. */
int qilin_open(qilin_dev_t* dev, const qilin_hal_t* hal, uint64_t mem_base, uint64_t mem_size,
               qilin_insn_t* insn_buf, uint32_t insn_cap);

/* Device memory. Sizes are rounded up to, and addresses aligned to, 64 bytes or a vector. */
int qilin_malloc(qilin_dev_t* dev, uint64_t bytes, uint64_t* addr);
int qilin_free(qilin_dev_t* dev, uint64_t addr);
int qilin_mem_write(qilin_dev_t* dev, uint64_t addr, const void* src, size_t bytes);
int qilin_mem_read(qilin_dev_t* dev, uint64_t addr, void* dst, size_t bytes);

/* Programs. Layer calls between begin and run append instructions; run appends END,
 * copies the stream into device memory, rings the doorbell and waits. */
int qilin_prog_begin(qilin_dev_t* dev);
int qilin_prog_barrier(qilin_dev_t* dev); /* SYNC queue=ALL */
int qilin_prog_run(qilin_dev_t* dev);

/* Low level: run insn_count instructions already in device memory at insn_addr. */
int qilin_submit(qilin_dev_t* dev, uint64_t insn_addr, uint32_t insn_count);
/* Polls STATUS until done or error, at most dev->timeout delay units. On timeout the device
 * is soft-reset and QILIN_E_TIMEOUT returned; on a device error, last_error is filled and
 * QILIN_E_DEVICE returned (call qilin_recover before the next submit). */
int qilin_wait(qilin_dev_t* dev);
int qilin_recover(qilin_dev_t* dev); /* soft reset, waits for busy to fall */

int qilin_read_perf(qilin_dev_t* dev, qilin_perf_t* perf); /* counters since the doorbell */

/* ---- Quantisation helpers (host side; the only place a float scale appears). ---- */

/* real ~= multiplier * 2^(shift - 31), bit-exact with golden::quantize_multiplier. Returns
 * QILIN_E_ARG for a negative, non-finite or too large (>= 2^30) real. */
int qilin_quantize_multiplier(double real, int32_t* multiplier, int32_t* shift);

/* Per output channel requantisation: y = clamp(mbqm(acc + bias, mult, shift) + out_zp,
 * act_min, act_max). bias may be NULL. */
typedef struct {
  const int32_t* bias;
  const int32_t* multiplier;
  const int32_t* shift;
  int32_t out_zp;
  int32_t act_min, act_max;
  qilin_dtype_t out_dtype; /* QILIN_U8 or QILIN_I8 */
} qilin_requant_t;

/* ---- Tensors in device memory. ---- */

/* A row-major matrix: rows x cols elements, row pitch in bytes (a multiple of the vector:
 * dim bytes for 8-bit, 4*dim for int32). */
typedef struct {
  uint64_t addr;
  uint32_t rows, cols, pitch;
  qilin_dtype_t dtype;
  int32_t zp;
} qilin_mat_t;

/* An activation tensor: n images, c channels, h x w pixels. Each pixel is one vector of
 * channels (cb*dim .. cb*dim+dim-1 for channel block cb); planes ordered (image, block),
 * rows of `pitch` pixels (pitch >= w; the columns past w are scratch). */
typedef struct {
  uint64_t addr;
  uint32_t n, c, h, w, pitch;
  qilin_dtype_t dtype;
  int32_t zp;
} qilin_act_t;

uint32_t qilin_vec_bytes(const qilin_dev_t* dev, qilin_dtype_t dt); /* dim or 4*dim */
uint64_t qilin_mat_bytes(const qilin_dev_t* dev, const qilin_mat_t* m);
uint64_t qilin_act_bytes(const qilin_dev_t* dev, const qilin_act_t* a);

/* Fills m->pitch (cols rounded up to a vector) and allocates it. */
int qilin_mat_alloc(qilin_dev_t* dev, qilin_mat_t* m);
int qilin_act_alloc(qilin_dev_t* dev, qilin_act_t* a); /* pitch 0 means w */
/* Host <-> device copies. Host matrices are dense row-major (1 or 4 bytes per element);
 * host activations are dense NCHW. */
int qilin_mat_upload(qilin_dev_t* dev, const qilin_mat_t* m, const void* host);
int qilin_mat_download(qilin_dev_t* dev, const qilin_mat_t* m, void* host);
int qilin_act_upload(qilin_dev_t* dev, const qilin_act_t* a, const void* host_nchw);
int qilin_act_download(qilin_dev_t* dev, const qilin_act_t* a, void* host_nchw);

/* ---- Layers. ---- */

typedef struct qilin_conv_attr qilin_conv_attr_t;

/* Uploads the im2col expansion of a host NCHW tensor (c x h x w per image) for a
 * convolution with attributes at: lane (ci, ky, kx) of output pixel (oy, ox) holds the input
 * pixel that tap reads, or the zero point where it falls in the padding. a has
 * c * kh * kw channels and the convolution's output height and width. A layer with few
 * input channels (an image's first convolution) then runs as a 1 x 1 convolution with all its
 * taps in the array's K lanes, instead of kh * kw MATMULs that use c of them. */
int qilin_act_upload_im2col(qilin_dev_t* dev, const qilin_act_t* a, const void* host_nchw,
                            uint32_t c, uint32_t h, uint32_t w, const qilin_conv_attr_t* at);

/* GEMM weights: B[K][N] (ONNX MatMul layout), uploaded by qilin_gemm_prepare. */
typedef struct {
  qilin_mat_t b;   /* K x N, stored blocked: [n-block][row][DIM lanes] (pitch unused) */
  uint64_t params; /* [3][Np] int32: bias, multiplier, shift; 0 for int32 output */
  int requant;
  int32_t out_zp, act_min, act_max;
  qilin_dtype_t out_dtype;
  /* Flattened activation input (qilin_fc_prepare): the ONNX k order is c*h*w + y*w + x. */
  uint32_t in_c, in_h, in_w;
  int from_act;
} qilin_gemm_layer_t;

/* B host bytes (int8 or uint8, K*N dense); rq NULL gives an int32 output. */
int qilin_gemm_prepare(qilin_dev_t* dev, qilin_gemm_layer_t* L, const void* b_host, uint32_t k,
                       uint32_t n, qilin_dtype_t b_dtype, int32_t b_zp, const qilin_requant_t* rq);
/* Fully connected over a flattened activation (ONNX Flatten + Gemm with transB = 1):
 * w_host is [N][c*h*w] in NCHW flatten order. */
int qilin_fc_prepare(qilin_dev_t* dev, qilin_gemm_layer_t* L, const void* w_host, uint32_t n,
                     uint32_t c, uint32_t h, uint32_t w, qilin_dtype_t w_dtype, int32_t w_zp,
                     const qilin_requant_t* rq);
void qilin_gemm_release(qilin_dev_t* dev, qilin_gemm_layer_t* L);

/* C = A x B (+ requant). A: M x K matrix; C: M x N (8-bit with requant, else int32). */
int qilin_gemm(qilin_dev_t* dev, const qilin_gemm_layer_t* L, const qilin_mat_t* a,
               const qilin_mat_t* c);
/* Y[n][N] = flatten(X[n]) x W^T (+ requant). */
int qilin_fc(qilin_dev_t* dev, const qilin_gemm_layer_t* L, const qilin_act_t* x,
             const qilin_mat_t* y);

struct qilin_conv_attr {
  uint32_t kh, kw;
  uint32_t pad_t, pad_l, pad_b, pad_r;
  uint32_t stride_h, stride_w;
  uint32_t dil_h, dil_w;
  uint32_t groups;
};

typedef enum {
  QILIN_POOL_KIND_NONE = 0,
  QILIN_POOL_KIND_MAX = 1,
  QILIN_POOL_KIND_AVG = 2
} qilin_pool_kind_t;
typedef struct {
  qilin_pool_kind_t kind;
  uint32_t kh, kw, sh, sw;
} qilin_pool_t;

typedef struct {
  uint64_t weights; /* blocks (nb, cb, ky, kx) of dim x dim bytes, W[k=ci][n=co] */
  uint64_t params;  /* [3][Np] int32 or 0 */
  uint32_t c_in, c_out, kh, kw, groups;
  qilin_dtype_t w_dtype;
  int32_t w_zp;
  int requant;
  int32_t out_zp, act_min, act_max;
  qilin_dtype_t out_dtype;
} qilin_conv_layer_t;

/* w_host: OIHW, c_out x (c_in/groups) x kh x kw bytes. rq NULL gives an int32 output. */
int qilin_conv_prepare(qilin_dev_t* dev, qilin_conv_layer_t* L, const void* w_host, uint32_t c_out,
                       uint32_t c_in, uint32_t kh, uint32_t kw, uint32_t groups,
                       qilin_dtype_t w_dtype, int32_t w_zp, const qilin_requant_t* rq);
void qilin_conv_release(qilin_dev_t* dev, qilin_conv_layer_t* L);

/* Output shape of conv2d (+ optional fused pooling): fills y's n, c, h, w, pitch, dtype, zp
 * (not addr). Returns an error for attributes the driver cannot map. */
int qilin_conv2d_shape(const qilin_dev_t* dev, const qilin_conv_layer_t* L, const qilin_act_t* x,
                       const qilin_conv_attr_t* attr, const qilin_pool_t* pool, qilin_act_t* y);
/* Appends conv2d (+ fused max/avg pooling, kernel == stride) to the open program. y must
 * have the shape qilin_conv2d_shape gives, and be allocated. */
int qilin_conv2d(qilin_dev_t* dev, const qilin_conv_layer_t* L, const qilin_act_t* x,
                 const qilin_conv_attr_t* attr, const qilin_pool_t* pool, const qilin_act_t* y);

#ifdef __cplusplus
}
#endif

#endif /* QILIN_DRIVER_H_ */
