/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal bare-metal program for the riscv64 freestanding build: a stack, _start, the four
 * memory functions GCC may call even with -ffreestanding, and a main that exercises every
 * public driver entry point (MMIO HAL at fixed addresses). It is linked, not run: the link
 * proves the driver needs nothing from a C library. */
#include "qilin/driver.h"

#define CSR_BASE 0x40000000u   /* the Qilin CSR block on the SoC bus */
#define DEVMEM_CPU 0x80000000u /* device address 0 as the CPU sees it */
#define DEVMEM_SIZE 0x01000000u

uint8_t qilin_stack[16384] __attribute__((aligned(16)));

__asm__(
    ".section .text._start\n"
    ".global _start\n"
    "_start:\n"
    "  la sp, qilin_stack + 16384\n"
    "  call qilin_bm_main\n"
    "1: j 1b\n");

void* memcpy(void* d, const void* s, size_t n) {
  uint8_t* dp = (uint8_t*)d;
  const uint8_t* sp = (const uint8_t*)s;
  while (n--) *dp++ = *sp++;
  return d;
}
void* memmove(void* d, const void* s, size_t n) {
  uint8_t* dp = (uint8_t*)d;
  const uint8_t* sp = (const uint8_t*)s;
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}
void* memset(void* d, int c, size_t n) {
  uint8_t* dp = (uint8_t*)d;
  while (n--) *dp++ = (uint8_t)c;
  return d;
}
int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = (const uint8_t*)a;
  const uint8_t* y = (const uint8_t*)b;
  for (; n; --n, ++x, ++y)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

static qilin_insn_t insns[4096];
static qilin_dev_t dev;
static qilin_mmio_t mmio;
static const int8_t weights[16 * 1 * 3 * 3];

int qilin_bm_main(void);
int qilin_bm_main(void) {
  qilin_hal_t hal;
  qilin_hal_mmio_init(&hal, &mmio, CSR_BASE, DEVMEM_CPU);
  int st = qilin_open(&dev, &hal, 0x100000u, DEVMEM_SIZE - 0x100000u, insns, 4096u);
  if (st) return st;
  int32_t mult[16], shift[16];
  for (int i = 0; i < 16; ++i) st |= qilin_quantize_multiplier(0.001, &mult[i], &shift[i]);
  const qilin_requant_t rq = {0, mult, shift, 0, 0, 255, QILIN_U8};
  qilin_conv_layer_t conv;
  st = qilin_conv_prepare(&dev, &conv, weights, 16u, 1u, 3u, 3u, 1u, QILIN_I8, 0, &rq);
  if (st) return st;
  qilin_act_t x = {0, 1u, 1u, 28u, 28u, 0u, QILIN_U8, 0};
  qilin_act_t y;
  const qilin_conv_attr_t attr = {3u, 3u, 1u, 1u, 1u, 1u, 1u, 1u, 1u, 1u, 1u};
  const qilin_pool_t pool = {QILIN_POOL_KIND_MAX, 2u, 2u, 2u, 2u};
  st = qilin_act_alloc(&dev, &x);
  if (!st) st = qilin_conv2d_shape(&dev, &conv, &x, &attr, &pool, &y);
  if (!st) st = qilin_act_alloc(&dev, &y);
  if (!st) st = qilin_prog_begin(&dev);
  if (!st) st = qilin_conv2d(&dev, &conv, &x, &attr, &pool, &y);
  if (!st) st = qilin_prog_barrier(&dev);
  if (!st) st = qilin_prog_run(&dev);
  qilin_perf_t perf;
  if (!st) st = qilin_read_perf(&dev, &perf);
  uint8_t out[16 * 14 * 14];
  if (!st) st = qilin_act_download(&dev, &y, out);
  qilin_gemm_layer_t fc;
  if (!st) st = qilin_gemm_prepare(&dev, &fc, weights, 16u, 9u, QILIN_I8, 0, 0);
  if (!st) qilin_gemm_release(&dev, &fc);
  if (!st) st = qilin_fc_prepare(&dev, &fc, weights, 1u, 16u, 3u, 3u, QILIN_I8, 0, &rq);
  if (st == QILIN_E_DEVICE) return (int)dev.last_error.code + (qilin_dev_error_name(0)[0] != 0);
  (void)qilin_strerror(st);
  qilin_conv_release(&dev, &conv);
  return st;
}
