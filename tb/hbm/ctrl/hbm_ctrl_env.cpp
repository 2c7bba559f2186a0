// SPDX-License-Identifier: Apache-2.0
// The HBM controller testbench environment is header-only (hbm_ctrl_env.h, templated on the
// verilated configuration); this file gives the static library of those models a source.
#include "hbm_ctrl_env.h"
