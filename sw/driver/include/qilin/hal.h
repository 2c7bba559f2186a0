/* SPDX-License-Identifier: Apache-2.0 */
/* Qilin hardware abstraction: the only way the driver touches the device.
 *
 * A HAL is a handle plus five callbacks. The bare-metal one (qilin_hal_mmio_init) reads and
 * writes the CSRs through volatile pointers and sees device memory mapped into the CPU's
 * address space. Hosts supply their own: the verilated RTL (AXI-Lite and AXI drivers of the
 * testbench) and the instruction-level simulator. */
#ifndef QILIN_HAL_H_
#define QILIN_HAL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qilin_hal {
  void* ctx;
  uint32_t (*csr_read)(void* ctx, uint32_t offset);
  void (*csr_write)(void* ctx, uint32_t offset, uint32_t value);
  /* Device-memory copies; return 0, or non-zero if the range is not backed. */
  int (*mem_write)(void* ctx, uint64_t dev_addr, const void* src, size_t bytes);
  int (*mem_read)(void* ctx, uint64_t dev_addr, void* dst, size_t bytes);
  /* Lets about `units` of time pass (a simulator: clock cycles; bare metal: a spin). */
  void (*delay)(void* ctx, uint32_t units);
} qilin_hal_t;

/* Bare-metal MMIO: CSRs at csr_base, device address a at CPU address mem_base + a. */
typedef struct {
  uintptr_t csr_base;
  uintptr_t mem_base;
} qilin_mmio_t;

void qilin_hal_mmio_init(qilin_hal_t* hal, qilin_mmio_t* mmio, uintptr_t csr_base,
                         uintptr_t mem_base);

#ifdef __cplusplus
}
#endif

#endif /* QILIN_HAL_H_ */
