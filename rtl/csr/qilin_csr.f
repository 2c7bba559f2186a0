// File list for the generated CSR block (paths from the repo root).
rtl/csr/qilin_csr_pkg.sv
rtl/csr/qilin_csr.sv
