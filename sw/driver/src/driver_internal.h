/* SPDX-License-Identifier: Apache-2.0 */
/* Internal helpers shared by the driver's source files. */
#ifndef QILIN_DRIVER_INTERNAL_H_
#define QILIN_DRIVER_INTERNAL_H_

#include "qilin/csr.h"
#include "qilin/driver.h"

/* No libc: small loops instead of memset/memcpy. */
static inline void qilin_zero(void* p, size_t n) {
  uint8_t* b = (uint8_t*)p;
  for (size_t i = 0; i < n; ++i) b[i] = 0;
}

static inline uint32_t qilin_min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t qilin_max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t qilin_ceil_div(uint32_t a, uint32_t b) { return (a + b - 1u) / b; }

/* Appends one instruction to the open program. */
int qilin_emit(qilin_dev_t* dev, const qilin_insn_t* insn);

#endif /* QILIN_DRIVER_INTERNAL_H_ */
