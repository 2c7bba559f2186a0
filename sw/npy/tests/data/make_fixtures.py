#!/usr/bin/python3
"""Writes the .npy fixtures that sw/npy/tests read. Run once by hand (not at test time):

    cd sw/npy/tests/data && /usr/bin/python3 make_fixtures.py

The committed files were made with Debian's python3-numpy 1.24.2.
"""
import numpy as np
from numpy.lib import format as npformat

np.save("u8_2x3.npy", np.arange(6, dtype=np.uint8).reshape(2, 3))
np.save("i8_4.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
np.save("i32_2x2.npy", np.array([[-2147483648, -1], [0, 2147483647]], dtype="<i4"))
np.save("f32_3.npy", np.array([1.5, -0.0, 3.25], dtype="<f4"))
np.save("f32_scalar.npy", np.array(7.0, dtype="<f4"))
np.save("u8_empty_0x3.npy", np.zeros((0, 3), dtype=np.uint8))
with open("i32_v2_3.npy", "wb") as f:
    npformat.write_array(f, np.array([1, -2, 3], dtype="<i4"), version=(2, 0))
# Files the reader must reject.
np.save("bad_f8.npy", np.array([1.0], dtype="<f8"))
np.save("bad_big_i4.npy", np.array([1, 2], dtype=">i4"))
np.save("bad_fortran.npy", np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)))
