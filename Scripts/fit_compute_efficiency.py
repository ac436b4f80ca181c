#!/usr/bin/env python3
"""Fit the efficiency constants of gracesim's per-layer roofline to measured H100 kernel times.

Two fits, printed one after the other, whose constants are copied into Sources/GraceSim/Model/ComputeEfficiency.swift
(docs/time-model.md, "Fitted constants"; docs/calibration.md sets the roofline beside both sources):

1. Elementwise kernels, to Vidur's operator table.
   Input:  Configs/calibration/h100-llama-2-7b-mlp.csv (Vidur's profile of Llama-2-7B on one H100 SXM; see
           Configs/calibration/SOURCE.md). Only rows with num_tensor_parallel_workers == 1 are used.
   Kept:   eta_e (elementwiseMemoryFraction) and t_k (elementwiseFixedSeconds). The table has the only measured
           elementwise kernels (norms, RoPE, activation, residual add); the kernel tables below have none.
   The quantity fitted per row is the per-layer time of everything the table measures, counted the way Vidur's
   predictor counts it (vidur/entities/execution_time.py, `_get_block_execution_time`): the medians of
   input_layernorm + attn_pre_proj + attn_rope + attn_post_proj + post_attention_layernorm + mlp_up_proj +
   mlp_act + mlp_down_proj + add, with `add` counted once. Its GEMMs are fitted with the elementwise kernels (the
   GEMM constants are nuisance parameters here, printed but not used: fit 2 times the GEMMs), with the model
     linear op (k inputs, m outputs), n tokens:
         max(2 n' k m / (P * eta_c(n')),  e (k m + n (k + m)) / (B * eta_m))  +  t_k
         n' = n rounded up to a multiple of 128 rows above one tile, n itself below it
         eta_c piecewise linear in log(tokens) through knots at 64, 256, 1024 and 4096 tokens, constant outside
     elementwise op moving b bytes per token:   n b / (B * eta_e)  +  t_k

2. GEMMs and attention, to NVIDIA's measured H100 kernel tables.
   Input:  Configs/kernels/h100-sxm.kernels (aiconfigurator-core 0.12.0, vLLM 0.24.0 kernels; format in
           Scripts/extract_kernel_tables.py).
   GEMMs (bfloat16): the four layer GEMMs (fused QKV, output, gate+up or up, down) of the catalog models in MODELS
     (shapes from Configs/models/*.yaml) at every m of the table's grid up to 8192, each looked up as the simulator
     looks it up (log-log bilinear in (n, k) on the measured m). Fitted: eta_c at the knots, eta_m
     (gemmMemoryFraction) and t_g (gemmFixedSeconds) for each candidate tile height T; the T with the least
     training loss is kept. The model is IterationTimeModel's:
         max(2 m' k n / (P * eta_c(m')),  e (k n + m (k + n)) / (B * eta_m))  +  t_g,   m' = m rounded up to T above T
   Decode attention (generation_attention, KV bfloat16, head size 128, every measured pair of query and KV heads):
     b sequences over c tokens of context each, q = heads * 128, kv = 2 * KV heads * 128 * e:
         max(4 q b c / (P * eta_a),  (b c kv + b 2 q e) / (B * eta_kv))  +  t_a
     Fitted: eta_kv (attentionMemoryFraction) and t_a (attentionFixedSeconds). Decode is memory-bound at every
     point (its FLOP term is below 6% of its byte term), so eta_a does not enter.
   Prefill attention (context_attention, KV bfloat16, head size 128, every head pair, steps of at most 16384
     tokens, the most a step's token budget holds in the simulator's experiments): b sequences of s tokens each,
         max(4 q b s (s + 1) / 2 / (P * eta_a),  b s (2 q e + kv) / (B * eta_kv))  +  t_a
     Fitted: eta_a (attentionComputeFraction), with eta_kv and t_a from decode.
   Attention grid points the extractor filled (a neighbour scaled by the ratio of sizes, or its square, to the
   file's rounding) are left out: they are not measurements.
   Held out: every 4th value of the GEMMs' m grid, of decode's context grid and of prefill's prompt-length grid.
   The constants are fitted on the rest and are the ones printed, so the held-out errors are theirs. A
   leave-one-model-out check of the GEMM fit is printed too.

Both fits: least squares with a soft-L1 loss (scale 0.15) on log(model / measured). P = 989e12 FLOP/s and
B = 3.35e12 B/s (H100 SXM data sheet; the kernel file's header agrees), e = 2 bytes.

Usage: python3 Scripts/fit_compute_efficiency.py            (fit and print)
Plain Python 3 with numpy and scipy.
"""
import csv
import math
import os
import re

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
NAMES = [f"(not used) Vidur GEMM computeFraction@{t}" for t in KNOT_TOKENS] + [
    "(not used) Vidur GEMM memoryFraction", "elementwiseMemoryFraction", "elementwiseFixedSeconds"]
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


# ---------------------------------------------------------------------------------------------------------------
# Fit 2: GEMMs and attention, to the measured H100 kernel tables.

KERNELS = os.path.join(ROOT, "Configs", "kernels", "h100-sxm.kernels")
MODELS_DIR = os.path.join(ROOT, "Configs", "models")
# The catalog models whose layer GEMMs are fitted (Configs/models/<name>.yaml).
MODELS = ["llama-2-7b", "llama-3-8b", "mistral-7b-v0.1", "qwen2.5-7b", "opt-6.7b", "opt-13b", "llama-2-13b"]
# GEMM rows (tokens) fitted: the table's m grid up to this.
MAX_GEMM_TOKENS = 8192
# Candidate GEMM tile heights, in rows; 0 = no rounding.
TILE_CANDIDATES = [0, 16, 32, 64, 128, 256]
# Attention: head size and KV-cache dtype fitted, and the largest prefill step (sequences x tokens each).
HEAD_DIM = 128
MAX_PREFILL_TOKENS = 16384
# Every HOLD_OUT-th value of each fitted grid axis (m, context, prompt length), from the HOLD_OUT-th, is held out.
HOLD_OUT = 4
LOSS_SCALE = 0.15

GEMM_NAMES = [f"computeFraction@{t}" for t in KNOT_TOKENS] + ["gemmMemoryFraction", "gemmFixedSeconds"]
GEMM_ROUND = [3] * K + [3, 7]


def read_kernel_tables(path):
    """The tables of a .kernels file: dicts with op, the header's key=value fields, axes [(name, sizes)] and
    values in seconds shaped by the axes."""
    tables, current = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("table "):
                parts = line.split()
                current = {"op": parts[1], **dict(p.split("=", 1) for p in parts[2:]), "axes": [], "rows": []}
            elif current is None:
                continue  # gpu, peak_tflops, hbm_gb_per_s
            elif line.startswith("axis "):
                parts = line.split()
                current["axes"].append((parts[1], np.array([float(x) for x in parts[2:]])))
            elif line == "end":
                shape = [len(sizes) for _, sizes in current["axes"]]
                current["values"] = np.array(current.pop("rows")).reshape(shape) * 1e-6
                tables.append(current)
                current = None
            else:
                current["rows"].append([float(x) for x in line.split()])
    return tables


def layer_gemms(model):
    """(name, k inputs, n outputs) of a catalog model's four layer GEMMs, as ModelSpec.linearShapesPerLayer."""
    spec = {}
    with open(os.path.join(MODELS_DIR, model + ".yaml")) as f:
        for line in f:
            match = re.match(r"^(\w+):\s*([^#]*)", line)
            if match:
                spec[match.group(1)] = match.group(2).strip()
    h, heads, kv_heads, d, f = (int(spec[k]) for k in
                                ["hidden_size", "attention_heads", "kv_heads", "head_dim", "ffn_size"])
    q, kv = heads * d, kv_heads * d
    gated = spec["mlp"] == "gated"
    return [("QKV", h, q + 2 * kv), ("output", q, h), ("gate+up" if gated else "up", h, 2 * f if gated else f),
            ("down", f, h)]


def log_bilinear(rows, columns, plane, row, column):
    """LogLogSurface's lookup: bilinear in log sizes and log latency, constant below an axis, proportional above."""
    def position(axis, x):
        if x <= axis[0]:
            return 0, 0.0, 0.0
        if x >= axis[-1]:
            return len(axis) - 1, 0.0, x - axis[-1]
        i = int(np.searchsorted(axis, x, side="right")) - 1
        return i, (x - axis[i]) / (axis[i + 1] - axis[i]), 0.0
    lr, lc, lv = np.log(rows), np.log(columns), np.log(plane)
    i, s, extra_r = position(lr, math.log(row))
    j, t, extra_c = position(lc, math.log(column))
    i1, j1 = min(i + 1, len(lr) - 1), min(j + 1, len(lc) - 1)
    top = lv[i, j] + t * (lv[i, j1] - lv[i, j])
    bottom = lv[i1, j] + t * (lv[i1, j1] - lv[i1, j])
    return math.exp(top + s * (bottom - top) + extra_r + extra_c)


def gemm_points(tables):
    """(model, GEMM name, k, n, m, index of m on the grid, seconds) at every grid m up to MAX_GEMM_TOKENS."""
    table = next(t for t in tables if t["op"] == "gemm" and t["dtype"] == "bfloat16")
    (_, ms), (_, ns), (_, ks) = table["axes"]
    points = []
    for model in MODELS:
        for name, k, n in layer_gemms(model):
            for index, m in enumerate(ms):
                if m <= MAX_GEMM_TOKENS:
                    points.append((model, name, k, n, m, index,
                                   log_bilinear(ns, ks, table["values"][index], n, k)))
    return points


def gemm_seconds(p, k, n, m, tile):
    """IterationTimeModel's roofline GEMM with constants p = (eta_c at the knots, eta_m, t_g)."""
    eta_m, t_g = p[K], p[K + 1]
    computed = np.where(m > tile, np.ceil(m / tile) * tile, m) if tile > 0 else m
    eta_c = np.interp(np.log(computed), np.log(KNOT_TOKENS), p[:K])
    compute = 2 * computed * k * n / (PEAK_FLOPS * eta_c)
    memory = E * (k * n + m * (k + n)) / (HBM_BW * eta_m)
    return np.maximum(compute, memory) + t_g


def columns(points, *indices):
    return [np.array([point[i] for point in points], dtype=float) for i in indices]


def gemm_errors(p, points, tile):
    k, n, m, seconds = columns(points, 2, 3, 4, 6)
    return gemm_seconds(p, k, n, m, tile) / seconds - 1


def fit_gemms(points, tile):
    """(constants, training loss) of the GEMM roofline with tile height `tile`."""
    k, n, m, seconds = columns(points, 2, 3, 4, 6)

    def residuals(p):
        return np.log(gemm_seconds(p, k, n, m, tile) / seconds)

    lo = [0.01] * K + [0.1, 0.0]
    hi = [1.0] * K + [1.0, 50e-6]
    # The tile rounding makes the loss rough in eta_c: start from a few points and keep the best.
    starts = [[0.2, 0.5, 0.8, 0.8, 0.8, 4e-6], [0.3, 0.3, 0.3, 0.3, 0.8, 4e-6], [0.2, 0.45, 0.7, 0.75, 0.75, 2e-6],
              [0.1, 0.6, 0.9, 0.9, 0.9, 8e-6]]
    best = min((least_squares(residuals, x0, bounds=(lo, hi), loss="soft_l1", f_scale=LOSS_SCALE) for x0 in starts),
               key=lambda result: result.cost)
    return [round(v, d) for v, d in zip(best.x, GEMM_ROUND)], float(best.cost)


def relative_rounding(seconds):
    """Half a unit in the fourth significant digit of a latency written in µs, relative to it."""
    us = seconds * 1e6
    return 0.5 * 10 ** (math.floor(math.log10(us)) - 3) / us


def filled(sizes, values, growth):
    """Which points of a grid line are a neighbour's value scaled by (size ratio) ** growth, to the file's
    rounding: the extractor's fills (and the measured point each was made from)."""
    ls, lv = np.log(sizes), np.log(values)
    out = []
    for i in range(len(values)):
        out.append(any(0 <= j < len(values) and abs(lv[i] - lv[j] - growth * (ls[i] - ls[j]))
                       <= relative_rounding(values[i]) + relative_rounding(values[j]) + 1e-9 for j in (i - 1, i + 1)))
    return out


def attention_points(tables, op, growth, max_tokens=None):
    """(heads, KV heads, sequences, tokens each, index of the length on its grid, seconds) of every measured point
    of `op` with a bfloat16 KV cache and head size HEAD_DIM."""
    points = []
    for table in tables:
        if table["op"] != op or table["head_dim"] != str(HEAD_DIM) or table["kv"] != "bfloat16":
            continue
        heads, kv_heads = int(table["heads"]), int(table["kv_heads"])
        (_, batches), (_, lengths) = table["axes"]
        for i, b in enumerate(batches):
            line = table["values"][i]
            fills = filled(lengths, line, growth)
            for j, length in enumerate(lengths):
                if not fills[j] and (max_tokens is None or b * length <= max_tokens):
                    points.append((heads, kv_heads, b, length, j, line[j]))
    return points


def decode_seconds(eta_a, eta_kv, t_a, heads, kv_heads, b, context):
    """IterationTimeModel.rooflineDecodeAttentionSeconds for b sequences of `context` tokens each."""
    q = heads * HEAD_DIM
    kv = 2 * kv_heads * HEAD_DIM * E
    flops = 4 * q * b * context
    memory = b * context * kv + b * 2 * q * E
    return np.maximum(flops / (PEAK_FLOPS * eta_a), memory / (HBM_BW * eta_kv)) + t_a


def prefill_seconds(eta_a, eta_kv, t_a, heads, kv_heads, b, s):
    """IterationTimeModel.rooflinePrefillAttentionSeconds for b prompts of s tokens each."""
    q = heads * HEAD_DIM
    kv = 2 * kv_heads * HEAD_DIM * E
    flops = 4 * q * b * s * (s + 1) / 2
    memory = b * s * (2 * q * E + kv)
    return np.maximum(flops / (PEAK_FLOPS * eta_a), memory / (HBM_BW * eta_kv)) + t_a


def fit_decode(points):
    """(eta_kv, t_a) of decode attention; eta_a plays no part (1 is passed)."""
    h, kvh, b, c, seconds = columns(points, 0, 1, 2, 3, 5)
    best = least_squares(lambda p: np.log(decode_seconds(1.0, p[0], p[1], h, kvh, b, c) / seconds), [0.7, 10e-6],
                         bounds=([0.05, 0.0], [1.0, 50e-6]), loss="soft_l1", f_scale=LOSS_SCALE)
    return round(best.x[0], 3), round(best.x[1], 7)


def fit_prefill(points, eta_kv, t_a):
    """eta_a of prefill attention, with decode's eta_kv and t_a."""
    h, kvh, b, s, seconds = columns(points, 0, 1, 2, 3, 5)
    best = least_squares(lambda p: np.log(prefill_seconds(p[0], eta_kv, t_a, h, kvh, b, s) / seconds), [0.5],
                         bounds=([0.05], [1.0]), loss="soft_l1", f_scale=LOSS_SCALE)
    return round(best.x[0], 3)


def attention_errors(model, constants, points):
    h, kvh, b, length, seconds = columns(points, 0, 1, 2, 3, 5)
    return model(*constants, h, kvh, b, length) / seconds - 1


def held_out(points, index):
    """(training, held-out) points: held out are those on every HOLD_OUT-th grid value of the axis at `index`."""
    out = [p for p in points if p[index] % HOLD_OUT == HOLD_OUT - 1]
    return [p for p in points if p[index] % HOLD_OUT != HOLD_OUT - 1], out


def describe(errors):
    e = np.asarray(errors)
    worst = e[np.argmax(np.abs(e))]
    return (f"median |error| {np.median(np.abs(e)) * 100:.1f}%  bias {np.median(e) * 100:+.1f}%  "
            f"p90 {np.percentile(np.abs(e), 90) * 100:.1f}%  worst {worst * 100:+.1f}%  ({len(e)} points)")


def grid_table(points, errors, row_index, column_index, row_name, column_name):
    """Median signed error (%) on the grid of two axes, as printed lines."""
    points, errors = list(points), np.asarray(errors)
    rows = sorted({p[row_index] for p in points})
    cols = sorted({p[column_index] for p in points})
    lines = [f"{row_name + ' / ' + column_name:>14} " + " ".join(f"{int(c):>6}" for c in cols)]
    for r in rows:
        cells = []
        for c in cols:
            sel = [e for p, e in zip(points, errors) if p[row_index] == r and p[column_index] == c]
            cells.append(f"{np.median(sel) * 100:>+6.0f}" if sel else f"{'.':>6}")
        lines.append(f"{int(r):>14} " + " ".join(cells))
    return lines


def fit_tables():
    """Fit 2. Returns the GEMM constants and tile, and the attention constants (eta_a, eta_kv, t_a)."""
    tables = read_kernel_tables(KERNELS)
    print(f"\n== Fit 2: GEMMs and attention, to {os.path.relpath(KERNELS, ROOT)} ==")

    gemms = gemm_points(tables)
    train, test = held_out(gemms, 5)
    print(f"\nGEMMs (bfloat16): {len(MODELS)} models x 4 GEMMs x {len({p[4] for p in gemms})} values of m "
          f"= {len(gemms)} points; {len(test)} on every {HOLD_OUT}th m held out")
    fits = {tile: fit_gemms(train, tile) for tile in TILE_CANDIDATES}
    for tile, (p, cost) in fits.items():
        print(f"  tile {tile:>3} rows: training loss {cost:.3f}   held out: {describe(gemm_errors(p, test, tile))}")
    tile = min(fits, key=lambda t: fits[t][1])
    p = fits[tile][0]
    print(f"kept: gemmTileTokens = {tile}")
    for name, v in zip(GEMM_NAMES, p):
        print(f"{name} = {v:g}")
    print(f"training: {describe(gemm_errors(p, train, tile))}")
    print(f"held out: {describe(gemm_errors(p, test, tile))}")
    print(f"all:      {describe(gemm_errors(p, gemms, tile))}")
    print("leave one model out (fitted on the other models' training m, checked on every m of the one left out; "
          "llama-3-8b and mistral-7b-v0.1 have the same shapes):")
    for model in MODELS:
        others = [q for q in train if q[0] != model]
        own = [q for q in gemms if q[0] == model]
        print(f"  {model:<16} {describe(gemm_errors(fit_gemms(others, tile)[0], own, tile))}")
    errors = gemm_errors(p, gemms, tile)
    print(f"{'m':>6} {'median':>7} {'bias':>7} {'worst':>7}  (all models' GEMMs at each m; * = held out)")
    for index in sorted({q[5] for q in gemms}):
        sel = np.array([e for q, e in zip(gemms, errors) if q[5] == index])
        m = next(q[4] for q in gemms if q[5] == index)
        mark = "*" if index % HOLD_OUT == HOLD_OUT - 1 else " "
        print(f"{int(m):>6}{mark}{np.median(np.abs(sel)) * 100:>6.1f}% {np.median(sel) * 100:>+6.1f}% "
              f"{sel[np.argmax(np.abs(sel))] * 100:>+6.1f}%")

    decode = attention_points(tables, "generation_attention", growth=1)
    train_d, test_d = held_out(decode, 4)
    eta_kv, t_a = fit_decode(train_d)
    print(f"\nDecode attention (KV bfloat16, head size {HEAD_DIM}, "
          f"{len({(q[0], q[1]) for q in decode})} head pairs): {len(decode)} measured points; {len(test_d)} on every "
          f"{HOLD_OUT}th context held out")
    print(f"attentionMemoryFraction = {eta_kv:g}")
    print(f"attentionFixedSeconds = {t_a:g}")
    constants = (1.0, eta_kv, t_a)
    print(f"training: {describe(attention_errors(decode_seconds, constants, train_d))}")
    print(f"held out: {describe(attention_errors(decode_seconds, constants, test_d))}")
    print("median signed error (%) by sequences and context, all head pairs:")
    for line in grid_table(decode, attention_errors(decode_seconds, constants, decode), 2, 3, "sequences", "context"):
        print(line)

    prefill = attention_points(tables, "context_attention", growth=2, max_tokens=MAX_PREFILL_TOKENS)
    train_p, test_p = held_out(prefill, 4)
    eta_a = fit_prefill(train_p, eta_kv, t_a)
    print(f"\nPrefill attention (KV bfloat16, head size {HEAD_DIM}, "
          f"{len({(q[0], q[1]) for q in prefill})} head pairs, steps of at most {MAX_PREFILL_TOKENS} tokens): "
          f"{len(prefill)} measured points; {len(test_p)} on every {HOLD_OUT}th prompt length held out")
    print(f"attentionComputeFraction = {eta_a:g}")
    constants = (eta_a, eta_kv, t_a)
    print(f"training: {describe(attention_errors(prefill_seconds, constants, train_p))}")
    print(f"held out: {describe(attention_errors(prefill_seconds, constants, test_p))}")
    print("median signed error (%) by sequences and tokens each, all head pairs:")
    for line in grid_table(prefill, attention_errors(prefill_seconds, constants, prefill), 2, 3, "sequences", "tokens"):
        print(line)
    return p, tile, (eta_a, eta_kv, t_a)


def vidur_check(rows, elementwise, gemm, tile):
    """The roofline as shipped (fit 2's GEMMs, fit 1's elementwise kernels) against Vidur's rows."""
    n = np.array([r[0] for r in rows], dtype=float)
    measured = np.array([r[1] for r in rows]) * 1e-3
    measured_gemms = np.array([r[2] for r in rows]) * 1e-3
    gemms = sum(gemm_seconds(gemm, k, m, n, tile) for k, m in MATRICES)
    layer = gemms + elementwise_seconds(elementwise, n)
    large = n >= 512
    print(f"\n== The roofline as shipped (GEMMs of fit 2, elementwise kernels of fit 1) against Vidur's table ==")
    print(f"layer: {describe(layer / measured - 1)}; from 512 tokens: "
          f"median |error| {np.median(np.abs(layer[large] / measured[large] - 1)) * 100:.1f}%")
    print(f"GEMMs: {describe(gemms / measured_gemms - 1)}")


def main():
    rows = load_rows()
    p = fit(rows)
    lines, median, worst = table(p, rows)
    print("== Fit 1: elementwise kernels, to Vidur's table "
          f"({os.path.relpath(TABLE, ROOT)}, GEMMs fitted alongside and not used) ==")
    for name, v in zip(NAMES, p):
        print(f"{name} = {v:g}")
    print(f"rows {len(lines)}  median |error| {median:.2f}%  worst {worst:.2f}%  "
          f"median from 512 tokens {median_from(lines, 512):.2f}%")
    print(f"{'tokens':>7} {'measured ms':>12} {'model ms':>10} {'error %':>8}")
    for n, ms, model_ms, err in lines:
        print(f"{n:>7} {ms:>12.4f} {model_ms:>10.4f} {err:>+8.1f}")
    gemm, tile, _ = fit_tables()
    vidur_check(rows, p, gemm, tile)


if __name__ == "__main__":
    main()
