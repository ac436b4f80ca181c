#!/usr/bin/env python3
"""Fit the efficiency constants of gracesim's per-layer roofline to measured H100 operator times.

Input:  Configs/calibration/h100-llama-2-7b-mlp.csv (Vidur's profile of Llama-2-7B on one H100 SXM; see
        Configs/calibration/SOURCE.md). Only rows with num_tensor_parallel_workers == 1 are used.
Output: the fitted constants (printed, to be copied into Sources/GraceSim/Model/ComputeEfficiency.swift) and the
        per-row error table of the model with those constants (printed). docs/calibration.md is written by
        `gracesim calibration`, which compares the same rows with the model and with the measured kernel tables.

The quantity fitted per row is the per-layer time of everything the table measures, counted the way Vidur's
predictor counts it (vidur/entities/execution_time.py, `_get_block_execution_time`): the medians of
input_layernorm + attn_pre_proj + attn_rope + attn_post_proj + post_attention_layernorm + mlp_up_proj +
mlp_act + mlp_down_proj + add, with `add` counted once.

The model (the same formula as IterationTimeModel.linearLayerSeconds in Swift):
  linear op (k inputs, m outputs), n tokens:
      max(2 n' k m / (P * eta_c(n')),  e (k m + n (k + m)) / (B * eta_m))  +  t_kernel
      n' = n rounded up to a multiple of the GEMM tile height T = 128 rows above one tile (cuBLAS computes whole
           tiles), n itself below it
      eta_c piecewise linear in log(tokens) through knots at 64, 256, 1024 and 4096 tokens, constant outside
  elementwise op moving b bytes per token:   n b / (B * eta_e)  +  t_kernel
with P = 989e12 FLOP/s and B = 3.35e12 B/s (H100 SXM data sheet), e = 2 bytes.

Usage: python3 Scripts/fit_compute_efficiency.py            (fit and print)
Plain Python 3 with numpy and scipy.
"""
import csv
import os

import numpy as np
from scipy.optimize import least_squares

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "Configs", "calibration", "h100-llama-2-7b-mlp.csv")

PEAK_FLOPS = 989e12  # H100 SXM dense BF16 [D]
HBM_BW = 3.35e12  # H100 SXM HBM3 [D]
E = 2  # bytes per element (fp16/bf16)

OPS = ["input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
       "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"]
LINEAR_OPS = ["attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj"]

# Llama-2-7B layer shape (hidden 4096, 32 heads of 128, 32 KV heads, FFN 11008, gated SiLU).
H, QW, KVW, F = 4096, 4096, 4096, 11008
MATRICES = [(H, QW + 2 * KVW), (QW, H), (H, 2 * F), (F, H)]
# Bytes per token of each elementwise kernel: two RMSNorms (read + write h), RoPE on Q and K (read + write),
# SiLU-and-mul (read 2f, write f), one residual add (read 2h, write h).
ELEMENTWISE_BYTES_PER_TOKEN = [2 * H * E, 2 * H * E, 2 * (QW + KVW) * E, 3 * F * E, 3 * H * E]

# GEMM tile height in tokens: cuBLAS's H100 BF16 kernels for these shapes compute 128-row tiles, so a GEMM over
# n rows costs as much as one over ceil(n / 128) * 128 rows. The table's largest steps (128 -> 136, 512 -> 520,
# 640 -> 648, 1024 -> 1040, 1280 -> 1296, 2048 -> 2080 tokens) sit on multiples of 128; 64 was tried and fits worse.
TILE_TOKENS = 128
# Tokens at which eta_c is fitted; between them eta_c is linear in log(tokens), outside it is constant.
KNOT_TOKENS = [64, 256, 1024, 4096]

# Names and rounding of the fitted constants, in the order of the parameter vector.
NAMES = [f"computeFraction@{t}" for t in KNOT_TOKENS] + ["memoryFraction", "elementwiseMemoryFraction",
                                                          "kernelFixedSeconds"]
ROUND = [3] * len(KNOT_TOKENS) + [3, 3, 7]
K = len(KNOT_TOKENS)


def load_rows():
    with open(TABLE, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["num_tensor_parallel_workers"] == "1"]
    out = []
    for r in rows:
        linear_ms = sum(float(r[f"time_stats.{op}.median"]) for op in LINEAR_OPS)
        elementwise_ms = sum(float(r[f"time_stats.{op}.median"]) for op in OPS if op not in LINEAR_OPS)
        out.append((int(r["num_tokens"]), linear_ms + elementwise_ms, linear_ms, elementwise_ms))
    out.sort(key=lambda t: t[0])
    return out


def padded_tokens(n):
    """Rows a GEMM over `n` tokens computes: whole tiles above one tile; below it cuBLAS picks narrower kernels."""
    n = np.asarray(n, dtype=float)
    return np.where(n > TILE_TOKENS, np.ceil(n / TILE_TOKENS) * TILE_TOKENS, n)


def compute_fraction(p, n):
    """eta_c at `n` (already padded) tokens: linear in log(tokens) between the knots, constant outside."""
    return np.interp(np.log(n), np.log(KNOT_TOKENS), p[:K])


def linear_seconds(p, n):
    """Per-layer seconds of the four matrix multiplications for `n` tokens."""
    eta_m, _, t_k = p[K:]
    n = np.asarray(n, dtype=float)
    padded = padded_tokens(n)
    eta_c = compute_fraction(p, padded)
    total = np.zeros_like(n)
    for k, m in MATRICES:
        compute = 2 * padded * k * m / (PEAK_FLOPS * eta_c)
        memory = E * (k * m + n * (k + m)) / (HBM_BW * eta_m)
        total += np.maximum(compute, memory) + t_k
    return total


def elementwise_seconds(p, n):
    """Per-layer seconds of the norms, RoPE, activation and residual add for `n` tokens."""
    _, eta_e, t_k = p[K:]
    n = np.asarray(n, dtype=float)
    return sum(n * b / (HBM_BW * eta_e) + t_k for b in ELEMENTWISE_BYTES_PER_TOKEN)


def layer_seconds(p, n):
    return linear_seconds(p, n) + elementwise_seconds(p, n)


def fit(rows):
    """Least squares on log ratios of the whole measured layer time and, separately, of the elementwise ops
    (measured in their own columns). The second term pins eta_e to the elementwise kernels, so eta_c and eta_e
    cannot trade off (both grow linearly in n at large n)."""
    n = np.array([r[0] for r in rows], dtype=float)
    total = np.array([r[1] for r in rows]) * 1e-3
    elementwise = np.array([r[3] for r in rows]) * 1e-3

    def residuals(p):
        return np.concatenate([np.log(layer_seconds(p, n) / total),
                               np.log(elementwise_seconds(p, n) / elementwise)])

    x0 = [0.2, 0.45, 0.7, 0.75, 0.8, 0.6, 2e-6]
    lo = [0.01] * K + [0.1, 0.05, 0.0]
    hi = [1.0] * K + [1.0, 1.0, 50e-6]
    best = least_squares(residuals, x0, bounds=(lo, hi), loss="soft_l1", f_scale=0.15)
    return [round(v, d) for v, d in zip(best.x, ROUND)]


def table(p, rows):
    lines = []
    errors = []
    for n, ms, _, _ in rows:
        model_ms = float(layer_seconds(p, [n])[0]) * 1e3
        err = (model_ms - ms) / ms * 100
        errors.append(abs(err))
        lines.append((n, ms, model_ms, err))
    return lines, float(np.median(errors)), float(np.max(errors))


def median_from(lines, tokens):
    return float(np.median([abs(l[3]) for l in lines if l[0] >= tokens]))


def main():
    rows = load_rows()
    p = fit(rows)
    lines, median, worst = table(p, rows)
    for name, v in zip(NAMES, p):
        print(f"{name} = {v:g}")
    print(f"rows {len(lines)}  median |error| {median:.2f}%  worst {worst:.2f}%  "
          f"median from 512 tokens {median_from(lines, 512):.2f}%")
    print(f"{'tokens':>7} {'measured ms':>12} {'model ms':>10} {'error %':>8}")
    for n, ms, model_ms, err in lines:
        print(f"{n:>7} {ms:>12.4f} {model_ms:>10.4f} {err:>+8.1f}")


if __name__ == "__main__":
    main()
