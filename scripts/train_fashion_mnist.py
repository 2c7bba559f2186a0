#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Train the demo CNN on Fashion-MNIST and write its INT8 model files for the Qilin driver.

Network (fixed; the C++ driver hardcodes it):
  uint8 1x28x28 (scale 1/255, zp 0)
  conv1 3x3 1->16 pad 1 + ReLU -> uint8 -> maxpool 2x2 -> 16x14x14
  conv2 3x3 16->32 pad 1 + ReLU -> uint8 -> maxpool 2x2 -> 32x7x7
  fc 1568->10 (NCHW flatten: c*49 + h*7 + w) -> int8 logits -> argmax (ties: lowest index)

Quantisation (post-training): int8 symmetric per-output-channel weights, int32 bias with scale
in_scale*w_scale[o], uint8 activations with zp 0, requantisation by TFLite's
MultiplyByQuantizedMultiplier exactly as sw/golden/src/requant.cpp and docs/quantization.md.
The numpy integer pipeline here is the reference the C++ driver must equal bit for bit.

  /usr/bin/python3 scripts/train_fashion_mnist.py                # writes sw/models/fashion_mnist
  /usr/bin/python3 scripts/train_fashion_mnist.py --out /tmp/m   # elsewhere

Needs Debian's python3-torch and python3-numpy (not a venv's python3) and the Debian package
dataset-fashion-mnist. Offline tool only. Deterministic for a given seed on the same machine
and torch build (2 threads, torch.use_deterministic_algorithms).
"""

import argparse
import gzip
import math
import os
import sys
import time
from pathlib import Path

# On a shared machine, spinning OpenMP workers slow 2-thread training several-fold; must be set
# before torch loads libgomp.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
INPUT_SCALE = 1.0 / 255.0
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


# ---------------------------------------------------------------------------------------------
# Data


def load_idx(path):
    """Read an idx1/idx3 ubyte .gz file into a uint8 array (N) or (N, 28, 28)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(data_dir, split):
    images = load_idx(data_dir / f"{split}-images-idx3-ubyte.gz")
    labels = load_idx(data_dir / f"{split}-labels-idx1-ubyte.gz")
    return images, labels


# ---------------------------------------------------------------------------------------------
# Float model and training


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, stride=1, padding=1, bias=True)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=1, padding=1, bias=True)
        self.fc = nn.Linear(32 * 7 * 7, 10, bias=True)

    def forward(self, x, taps=None):
        y1 = F.relu(self.conv1(x))
        y2 = F.relu(self.conv2(F.max_pool2d(y1, 2)))
        logits = self.fc(torch.flatten(F.max_pool2d(y2, 2), 1))
        if taps is not None:
            taps.extend([y1, y2, logits])
        return logits


def to_float(images_u8):
    return torch.from_numpy(images_u8.astype(np.float32) * np.float32(INPUT_SCALE))[:, None]


def train(model, images, labels, epochs, seed, batch, lr):
    """Adam with a one-cycle (cosine) learning rate. Shuffles with numpy's PCG64."""
    rng = np.random.default_rng(seed)
    x_all = to_float(images)
    y_all = torch.from_numpy(labels.astype(np.int64))
    n = len(labels)
    steps_per_epoch = n // batch
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch,
                                                pct_start=0.15, anneal_strategy="cos")
    for epoch in range(epochs):
        t0 = time.monotonic()
        model.train()
        perm = rng.permutation(n)
        total_loss = 0.0
        for s in range(steps_per_epoch):
            idx = perm[s * batch:(s + 1) * batch]
            loss = F.cross_entropy(model(x_all[idx]), y_all[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item()
        print(f"  epoch {epoch + 1}/{epochs}: loss {total_loss / steps_per_epoch:.4f} "
              f"({time.monotonic() - t0:.1f} s)", flush=True)


@torch.no_grad()
def float_predict(model, images, batch=1000):
    model.eval()
    out = [model(to_float(images[i:i + batch])) for i in range(0, len(images), batch)]
    return torch.cat(out).numpy()


@torch.no_grad()
def calibrate(model, images, percentile, batch=500):
    """Output scales from float activations: conv outputs (post-ReLU, pre-pool) use the given
    percentile / 255; the fc logits use max |logit| / 127. Each scale is rounded to float32 so
    that a float and a double reader both get it exactly."""
    model.eval()
    y1, y2, lg = [], [], []
    for i in range(0, len(images), batch):
        taps = []
        model(to_float(images[i:i + batch]), taps)
        y1.append(taps[0].numpy().ravel())
        y2.append(taps[1].numpy().ravel())
        lg.append(taps[2].numpy().ravel())
    y1_max = np.percentile(np.concatenate(y1).astype(np.float64), percentile)
    y2_max = np.percentile(np.concatenate(y2).astype(np.float64), percentile)
    lg_max = np.max(np.abs(np.concatenate(lg).astype(np.float64)))
    return tuple(float(np.float32(v)) for v in (y1_max / 255.0, y2_max / 255.0, lg_max / 127.0))


# ---------------------------------------------------------------------------------------------
# Quantisation (host side)


def quantize_weights(w, b, in_scale):
    """int8 symmetric per-output-channel weights and int32 bias. w_scale is float32; the float32
    value (as a double) is the one used everywhere after this, as the C++ side will read it."""
    w = w.astype(np.float64)
    b = b.astype(np.float64)
    out_ch = w.shape[0]
    max_abs = np.max(np.abs(w.reshape(out_ch, -1)), axis=1)
    w_scale = (max_abs / 127.0).astype(np.float32)
    w_scale[w_scale == 0] = np.float32(1.0)  # all-zero channel: any scale, its weights are 0
    ws = w_scale.astype(np.float64)
    bshape = (out_ch,) + (1,) * (w.ndim - 1)
    w_q = np.clip(np.rint(w / ws.reshape(bshape)), -127, 127).astype(np.int8)  # half to even
    b_q = np.rint(b / (in_scale * ws))
    if np.any(np.abs(b_q) > INT32_MAX):
        raise ValueError("bias does not fit in int32")
    return w_q, w_scale, b_q.astype(np.int32)


def quantize_multiplier(real):
    """qilin::golden::quantize_multiplier: real ~= multiplier * 2^(shift - 31)."""
    if not math.isfinite(real) or real < 0.0:
        raise ValueError("quantize_multiplier: need a finite real >= 0")
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)              # real = q * 2^shift, q in [0.5, 1)
    q_fixed = math.floor(math.ldexp(q, 31) + 0.5)  # exact; half away from zero (q > 0)
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        raise ValueError("quantize_multiplier: real >= 2^30")
    return q_fixed, shift


def layer_multipliers(in_scale, w_scale, out_scale):
    """Per output channel: real M = (in_scale * w_scale[o]) / out_scale in double, that order."""
    reals = [(in_scale * float(ws)) / out_scale for ws in w_scale]
    qm = [quantize_multiplier(r) for r in reals]
    return (np.array(reals, dtype=np.float64), np.array([m for m, _ in qm], dtype=np.int64),
            np.array([s for _, s in qm], dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# Integer pipeline (numpy, int64): the bit-exact reference


def srdhm(a, b):
    """saturating_rounding_doubling_high_mul: round(a*b / 2^31), ties toward +inf."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    p = a * b
    nudge = np.where(p >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    num = p + nudge
    trunc = np.where(num >= 0, num >> 31, -((-num) >> 31))  # C division truncates toward 0
    return np.where((a == INT32_MIN) & (b == INT32_MIN), np.int64(INT32_MAX), trunc)


def rdbpot(x, exponent):
    """rounding_divide_by_pot: round(x / 2^e), ties away from zero; e in 0..31."""
    x = np.asarray(x, dtype=np.int64)
    e = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0).astype(np.int64)
    return (x >> e) + (remainder > threshold).astype(np.int64)


def mbqm(x, multiplier, shift):
    """multiply_by_quantized_multiplier on int32-range x, per-element multiplier/shift."""
    x = np.asarray(x, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    shifted = np.clip(x * (np.int64(1) << left), INT32_MIN, INT32_MAX)
    return rdbpot(srdhm(shifted, multiplier), right)


def _per_channel(v, ndim):
    """Broadcast a per-channel vector along axis 1 of an [N, C, ...] array."""
    return np.asarray(v).reshape((1, -1) + (1,) * (ndim - 2))


def requantize(acc, bias, qm, lo, hi, out_zp=0):
    """sat32(acc + bias) -> MBQM -> + out_zp -> clamp [lo, hi]. Channels on axis 1."""
    mult, shift = (_per_channel(v, acc.ndim) for v in qm)
    bias = _per_channel(bias, acc.ndim)
    x = np.clip(acc.astype(np.int64) + bias.astype(np.int64), INT32_MIN, INT32_MAX)
    return np.clip(mbqm(x, mult, shift) + out_zp, lo, hi)


def requantize_float(acc, bias, real, lo, hi, out_zp=0):
    """Float variant: round(x * M) in float64, ties away from zero (std::round)."""
    real = _per_channel(real, acc.ndim)
    bias = _per_channel(bias, acc.ndim)
    x = np.clip(acc.astype(np.int64) + bias.astype(np.int64), INT32_MIN, INT32_MAX)
    v = x.astype(np.float64) * real
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return np.clip(r.astype(np.int64) + out_zp, lo, hi)


def int_matmul(a, b):
    """Exact integer a @ b via float64 BLAS: every product and partial sum here is an integer
    below 2^31 in magnitude (docs/quantization.md section 2), far inside float64's exact 2^53."""
    r = a.astype(np.float64) @ b.astype(np.float64)
    assert np.all(np.abs(r) < 2.0 ** 31)
    return r.astype(np.int64)


def conv3x3_acc(x, w_q):
    """x: [N, C, H, W] integers, w_q: [O, C, 3, 3]; stride 1, pad 1 with the zero point 0.
    Returns the int32 accumulators [N, O, H, W] (no bias). Computed as a float64 convolution,
    which is exact for the same reason as int_matmul, whatever the summation order."""
    r = F.conv2d(torch.from_numpy(x.astype(np.float64)),
                 torch.from_numpy(w_q.astype(np.float64)), padding=1).numpy()
    assert np.all(np.abs(r) < 2.0 ** 31)
    return r.astype(np.int64)


def maxpool2(x):
    """2x2 stride-2 max pool over the last two axes of [N, C, H, W]."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def int_pipeline(images_u8, q, float_rounding=False, batch=1000):
    """The integer network on uint8 images [N, 28, 28]. Returns int8 logits [N, 10].

    Each conv layer is defined as requantise (ReLU clamp to [0, 255]) and then max-pool the
    uint8 map. Requantisation is monotone non-decreasing in the accumulator and the bias is per
    channel, so pooling the int32 accumulators first gives the same bytes with a quarter of the
    work; the first batch checks that equality explicitly."""

    def requant(acc, name, lo, hi):
        if float_rounding:
            return requantize_float(acc, q[name + "_b"], q[name + "_real"], lo, hi)
        return requantize(acc, q[name + "_b"], q[name + "_qm"], lo, hi)

    out = []
    for i in range(0, len(images_u8), batch):
        x = images_u8[i:i + batch, None, :, :].astype(np.int64)  # NCHW, zp 0
        for name in ("conv1", "conv2"):
            acc = conv3x3_acc(x, q[name + "_w"])
            y = requant(maxpool2(acc), name, 0, 255)  # ReLU is the clamp to [zp, 255]
            if i == 0:
                assert np.array_equal(y, maxpool2(requant(acc, name, 0, 255)))
            x = y
        flat = x.reshape(len(x), -1)  # NCHW flatten: c*49 + h*7 + w
        acc = int_matmul(flat, q["fc_w"].T)
        out.append(requant(acc, "fc", -128, 127).astype(np.int8))
    return np.concatenate(out)


def self_test():
    """Spot values from docs/quantization.md and sw/golden/tests/test_requant.cpp."""
    assert quantize_multiplier(1.0) == (1 << 30, 1)
    assert quantize_multiplier(0.5) == (1 << 30, 0)
    assert quantize_multiplier(2.5) == (1342177280, 2)
    assert quantize_multiplier(0.1) == (1717986918, -3)
    mn, mx, h = INT32_MIN, INT32_MAX, 1 << 30
    assert srdhm(mn, mn) == mx and srdhm(mn, mx) == -2147483647 and srdhm(mx, mx) == 2147483646
    assert srdhm(mn, h) == -h and srdhm(h, h) == 1 << 29
    assert list(srdhm([1, 3, -1, -3], h)) == [1, 2, 0, -1]  # ties toward +inf
    assert list(rdbpot([5, -5, -1, 5], [1, 1, 1, 2])) == [3, -3, -1, 1]  # ties away from zero
    assert rdbpot(mn, 31) == -1 and rdbpot(mx, 31) == 1
    assert mbqm(5, *quantize_multiplier(0.25)) == 2  # double rounding: 2.5 -> 3, 1.5 -> 2
    # The floor form (p + 2^30) >> 31 must equal the truncating form (docs section 4).
    rng = np.random.default_rng(1)
    a = rng.integers(INT32_MIN, INT32_MAX, 100000, endpoint=True)
    b = rng.integers(1 << 30, 1 << 31, 100000)
    assert np.array_equal(srdhm(a, b), (a * b + (1 << 30)) >> 31)


# ---------------------------------------------------------------------------------------------
# Output files


def save_npy(path, arr, dtype):
    arr = np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<"))
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


def fmt_float(v):
    return repr(float(v))  # shortest string that round-trips the double exactly


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "sw/models/fashion_mnist",
                    help="output directory (default: sw/models/fashion_mnist in the repo)")
    ap.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed (default 20240601)")
    ap.add_argument("--batch", type=int, default=64, help="batch size (default 64)")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (default 2e-3)")
    ap.add_argument("--calib-images", type=int, default=4000,
                    help="training images used for activation calibration (default 4000)")
    ap.add_argument("--calib-percentile", type=float, default=99.99,
                    help="percentile of conv activations mapped to 255 (default 99.99)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    ap.add_argument("--data", type=Path, default=DATA_DIR, help=f"dataset dir (default {DATA_DIR})")
    args = ap.parse_args()

    t_start = time.monotonic()
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    self_test()

    train_x, train_y = load_split(args.data, "train")
    test_x, test_y = load_split(args.data, "t10k")

    model = Net()
    print(f"training {args.epochs} epochs, seed {args.seed}, {args.threads} threads", flush=True)
    t0 = time.monotonic()
    train(model, train_x, train_y, args.epochs, args.seed, args.batch, args.lr)
    t_train = time.monotonic() - t0
    fp32_acc = float(np.mean(np.argmax(float_predict(model, test_x), axis=1) == test_y))
    print(f"training wall time {t_train:.1f} s; FP32 test accuracy {fp32_acc:.4f}")

    # Calibration images: a fixed, seed-derived subset of the training set.
    calib_idx = np.sort(np.random.default_rng(args.seed + 1).permutation(len(train_y))
                        [:args.calib_images])
    s1, s2, s_fc = calibrate(model, train_x[calib_idx], args.calib_percentile)

    params = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    q = {}
    for name, in_s, out_s in (("conv1", INPUT_SCALE, s1), ("conv2", s1, s2), ("fc", s2, s_fc)):
        w_q, w_scale, b_q = quantize_weights(params[name + ".weight"], params[name + ".bias"], in_s)
        real, mult, shift = layer_multipliers(in_s, w_scale, out_s)
        q.update({name + "_w": w_q, name + "_w_scale": w_scale, name + "_b": b_q,
                  name + "_real": real, name + "_qm": (mult, shift)})

    logits_fx = int_pipeline(test_x, q)
    logits_fl = int_pipeline(test_x, q, float_rounding=True)
    pred_fx = np.argmax(logits_fx, axis=1)  # first maximum: ties -> lowest index
    acc_fx = float(np.mean(pred_fx == test_y))
    acc_fl = float(np.mean(np.argmax(logits_fl, axis=1) == test_y))
    differ = int(np.sum(np.any(logits_fx != logits_fl, axis=1)))
    print(f"INT8 accuracy: fixed-point {acc_fx:.4f}, float rounding {acc_fl:.4f} "
          f"({differ} of {len(test_y)} images have some logit differing between the two)")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name in ("conv1", "conv2", "fc"):
        save_npy(out / f"{name}_w.npy", q[name + "_w"], np.int8)
        save_npy(out / f"{name}_w_scale.npy", q[name + "_w_scale"], np.float32)
        save_npy(out / f"{name}_b.npy", q[name + "_b"], np.int32)
    save_npy(out / "expected_logits_first16.npy", logits_fx[:16], np.int8)
    save_npy(out / "expected_labels_first16.npy", pred_fx[:16], np.uint8)
    save_npy(out / "test_images_first16.npy", test_x[:16], np.uint8)
    meta = [
        "# generated by scripts/train_fashion_mnist.py; do not edit",
        f"input_scale = {fmt_float(INPUT_SCALE)}",
        "input_zp = 0",
        f"conv1_y_scale = {fmt_float(s1)}",
        "conv1_y_zp = 0",
        f"conv2_y_scale = {fmt_float(s2)}",
        "conv2_y_zp = 0",
        f"fc_y_scale = {fmt_float(s_fc)}",
        "fc_y_zp = 0",
        f"fp32_accuracy = {fp32_acc!r}",
        f"int8_accuracy_fixedpoint = {acc_fx!r}",
        f"int8_accuracy_float_rounding = {acc_fl!r}",
        f"train_epochs = {args.epochs}",
        f"seed = {args.seed}",
    ]
    (out / "meta.txt").write_text("\n".join(meta) + "\n")
    print(f"wrote {out}; total wall time {time.monotonic() - t_start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
