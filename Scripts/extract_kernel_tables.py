#!/usr/bin/env python3
"""Extract NVIDIA's measured vLLM kernel latencies into gracesim's compact kernel-table files.

Source: aiconfigurator-core 0.12.0 (PyPI, Apache-2.0, NVIDIA), the tables under
        aiconfigurator_core/systems/data/<gpu>/{gemm,attention,moe}/vllm/<version>/*.parquet.
Output: Configs/kernels/<gpu>.kernels, one file per GPU, built into gracesim like the presets.

What is kept, per GPU (the framework is vLLM; the version is the newest the package has for that GPU):
  gemm                  latency of one GEMM of m rows (tokens), k inputs, n outputs, per GEMM dtype
                        (bfloat16, fp8, fp8_block, nvfp4 where measured), on the full (m, n, k) grid the package
                        measured.
  context_attention     latency of prefill attention of `batch` sequences of `isl` tokens each, per (head_dim,
                        query heads, KV heads, KV-cache dtype), full attention (window 0).
  generation_attention  latency of decode attention of `batch` sequences, one new token each, over `context`
                        tokens of KV each (context = isl + step of the package's table, isl = 1), per (head_dim,
                        query heads, KV heads, KV-cache dtype), window 0.
  allreduce             latency of vLLM's tensor-parallel all-reduce of `elements` bfloat16 elements per GPU
                        among 2, 4 or 8 GPUs of one node, replayed in a CUDA graph or launched eagerly.
  moe                   (h100-sxm, h200-sxm and gb200 only) latency of one fused-MoE layer on one GPU over the
                        tokens entering it, per (moe dtype, hidden size, per-expert intermediate size, experts,
                        experts per token, MoE tensor-parallel size, expert-parallel size, routing distribution).
                        What a row measures, with the evidence, is MOE_NOTES below (it is also written into each
                        file that has MoE tables).

The MoE section is one table per (dtype, hidden, inter, experts, topk, kernel), each holding one curve per
(tp, ep, distribution) over the table's token axis:

  table moe dtype=bfloat16 hidden=2048 inter=768 experts=128 topk=8 kernel=<kernel_source> measured=<rows>
  axis tokens 1 2 4 … 16384
  curve tp=1 ep=1 distribution=balanced
  <the curve's latencies over tokens, in µs; `-` where this curve has no measurement>
  curve tp=2 ep=1 distribution=balanced
  …
  end

Every (tp, ep) the package measured is kept (tp > 1 and ep > 1 never together: its vLLM collector does not combine
them). Nothing is filled in MoE tables: a token count a curve lacks is written `-`, and the curve is its measured
points only. The package has one kernel_source per curve key; it is the kernel vLLM's FusedMoE chose itself for that
dtype, shape and sharding on that GPU (see MOE_NOTES), so no choice is made here.

Where the package has several kernels for one key (kernel_source), the one with the most rows is kept: the lane
vLLM's default picks on that GPU (FlashAttention-3 on Hopper, FlashInfer's TRT-LLM kernels on GB200 with Triton
for the few head shapes they lack, FlashAttention-2 for a 16-bit KV cache and FlashInfer for an fp8 KV cache
elsewhere; cuBLAS through torch for bf16 GEMMs, CUTLASS for fp8). The name is written into the table header.

A grid point the package did not measure is filled from the nearest measured point along the last axis (k for
GEMMs, context for decode attention, isl for prefill attention) in proportion to that axis, the work being linear
in it there, or to its square for prefill attention, whose causal work per sequence grows with the square of its
length; the number filled is written into each table's header, so nothing filled passes for a measurement.

Latencies are written in microseconds with four significant digits.

Usage:  pip install aiconfigurator-core==0.12.0 pandas==2.2.3 pyarrow==19.0.1
        python3 Scripts/extract_kernel_tables.py [--package-dir DIR]
"""
import argparse
import glob
import math
import os
import re
import sys

import pandas as pd

from aiconfigurator_package import PACKAGE, PACKAGE_VERSION, package_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Configs", "kernels")

# The GPUs whose vLLM tables gracesim ships, by the package's folder name, with the name gracesim's presets use.
GPUS = {
    "h100_sxm": "h100-sxm",
    "h200_sxm": "h200-sxm",
    "a100_sxm": "a100-sxm",
    "l40s": "l40s",
    "rtx_pro_6000_server": "rtx-pro-6000-server",
    "gb200": "gb200",
}

# The GPUs whose vLLM MoE tables are extracted (the package also has them for l40s, rtx_pro_6000_server and, from
# an older collector at vLLM 0.14.0, a100_sxm; those are not shipped).
MOE_GPUS = {"h100_sxm", "h200_sxm", "gb200"}

# What one row of moe_perf.parquet measures, with the evidence; written into each file that has MoE tables. The
# collector cited is the one whose kernel names (collect_moe.py:715) the vLLM 0.24.0 rows carry.
MOE_NOTES = """\
MoE tables: what one row measures (W = the aiconfigurator_core 0.12.0 wheel; C = github.com/ai-dynamo/aiconfigurator
at 095f58a51, the collector that wrote the vLLM 0.24.0 rows, pinned to vllm==0.24.0 at collect_moe.py:25).
- One forward of vLLM's FusedMoE layer on one GPU (C collector/vllm/collect_moe.py:594-620, timed at :754-772
  under CUDA-graph replay, collector/helper.py:203-412), given router logits computed beforehand (:731-750).
- tokens = the tokens entering the layer, before routing; each picks topk experts: the input is
  randn([num_tokens, hidden_size]) (:702), and the engine's roofline counts num_tokens * topk routed rows
  (C aic-core/rust/aiconfigurator-core/src/operators/moe.rs:799-806).
- Included: top-k selection from the logits (softmax/renormalise), dispatch/permute, the gate+up expert GEMM,
  the activation (collect_moe.py:555-556 counts it in the op), the down GEMM and the weighted unpermute/combine;
  for fp8/fp4 dtypes also the kernel's activation quantisation.
- Not included: the router (gate) GEMM, which aiconfigurator-core charges as its own bf16 GEMM of n = experts,
  k = hidden (W sdk/models/blocks/moe.py:314-326); shared experts, its own GEMMs and activation (:333-363);
  any communication: the collector is one rank of world size 1 (collect_moe.py:356, collector/vllm/utils.py:
  573-585), so TP all-reduce and EP dispatch/combine are priced by separate ops (blocks/moe.py:374-415).
- inter = the checkpoint's per-expert intermediate size before any split (blocks/moe.py:51, :388-399 pass
  moe_inter_size); moe_tp divides it and moe_ep divides the experts (collect_moe.py:536-542 builds the rank-0
  shard of that logical size; operators/moe.rs:806-810 divides inter by moe_tp and experts by moe_ep).
- distribution: balanced = tokens spread evenly over the experts (collector/helper.py:1051-1067);
  power_law_<a> = expert loads drawn from a power law of exponent a with the heaviest experts on EP rank 0, the
  rank measured (collector/helper.py:1357), averaged over 5 draws (collect_moe.py:729, :772).
  aiconfigurator-core queries power_law_1.2 by default (W sdk/config.py:37, sdk/models/moe.py:128).
- kernel = the kernel_source of the rows: the experts implementation FusedMoE selected itself for that dtype,
  shape and sharding on this GPU (collect_moe.py:4-8, :671-715); every curve key has exactly one, and
  aiconfigurator-core keys its MoE table without it (C perf_database/moe.rs:96-106).
"""


def fmt(us):
    return f"{us:.4g}"


def newest(paths):
    def key(p):
        return tuple(int(x) if x.isdigit() else x for x in p.split("/")[-2].replace("-", ".").split("."))
    return sorted(paths, key=key)[-1]


def dominant(frame, by):
    """The frame's rows of the kernel_source with the most rows within each group of `by`."""
    counts = frame.groupby(by + ["kernel_source"]).size().reset_index(name="rows")
    best = counts.sort_values(by + ["rows", "kernel_source"], ascending=[True] * len(by) + [False, True])
    best = best.drop_duplicates(by, keep="first")
    return frame.merge(best[by + ["kernel_source"]], on=by + ["kernel_source"])


def grid_lines(frame, axes, value="latency", growth=1):
    """Values on the full grid of `axes` (ms in, µs out), one line per combination of all axes but the last; a
    missing point is the nearest measured one along the last axis times (size ratio) ** growth.
    Returns (axis values, lines, filled count)."""
    frame = frame.groupby(axes, as_index=False)[value].median()
    levels = [sorted(frame[a].unique()) for a in axes]
    table = {tuple(row[:-1]): row[-1] for row in frame[axes + [value]].itertuples(index=False, name=None)}
    lines, filled = [], 0
    last = levels[-1]

    def walk(prefix, depth):
        nonlocal filled
        if depth == len(axes) - 1:
            row = [table.get(tuple(prefix) + (x,)) for x in last]
            measured = [i for i, v in enumerate(row) if v is not None and not math.isnan(v)]
            if not measured:
                return  # a combination with no measurement at all is left out of the grid below
            out = []
            for i, v in enumerate(row):
                if v is None or math.isnan(v):
                    j = min(measured, key=lambda m: (abs(m - i), m))
                    v = row[j] * (last[i] / last[j]) ** growth
                    filled += 1
                out.append(fmt(v * 1000.0))
            lines.append(" ".join(out))
            return
        for x in levels[depth]:
            walk(prefix + [x], depth + 1)

    walk([], 0)
    expected = math.prod(len(l) for l in levels[:-1])
    if len(lines) != expected:
        return levels, None, filled
    return levels, lines, filled


def axis_line(name, values):
    return f"axis {name} " + " ".join(str(int(v)) for v in values)


def gemm_tables(frame):
    out = []
    for dtype in sorted(frame.gemm_dtype.unique()):
        part = dominant(frame[frame.gemm_dtype == dtype], ["gemm_dtype"])
        kernel = part.kernel_source.iloc[0]
        levels, lines, filled = grid_lines(part, ["m", "n", "k"])
        if lines is None:
            print(f"  gemm {dtype}: not a full (m, n) grid, skipped", file=sys.stderr)
            continue
        out.append(f"table gemm dtype={dtype} kernel={kernel} measured={len(part)} filled={filled}")
        out += [axis_line("m", levels[0]), axis_line("n", levels[1]), axis_line("k", levels[2])]
        out += lines
        out.append("end")
    return out


def attention_tables(frame, op, axes, axis_names, growth):
    if "window_size" in frame.columns:
        frame = frame[frame.window_size == 0]
    frame = frame.copy()
    if op == "generation_attention":
        frame["context"] = frame.isl + frame.step
    keys = ["head_dim", "num_heads", "num_key_value_heads", "kv_cache_dtype"]
    frame = dominant(frame, keys)
    out = []
    for key, part in frame.groupby(keys):
        head_dim, heads, kv_heads, kv_dtype = key
        levels, lines, filled = grid_lines(part, axes, growth=growth)
        if lines is None:
            continue
        kernel = part.kernel_source.iloc[0]
        out.append(f"table {op} head_dim={head_dim} heads={heads} kv_heads={kv_heads} kv={kv_dtype} "
                   f"kernel={kernel} measured={len(part)} filled={filled}")
        out += [axis_line(axis_names[0], levels[0]), axis_line(axis_names[1], levels[1])]
        out += lines
        out.append("end")
    return out


def moe_tables(frame):
    """One table per (dtype, hidden, inter, experts, topk, kernel): a curve per (tp, ep, distribution) over the
    table's token counts, µs, `-` where the curve has no measurement. Returns (lines, curves, gaps)."""
    shape = ["moe_dtype", "hidden_size", "inter_size", "num_experts", "topk", "kernel_source"]
    curve_key = ["moe_tp_size", "moe_ep_size", "distribution"]
    keys = shape[:-1] + curve_key
    per_key = frame.groupby(keys).kernel_source.nunique()
    if (per_key > 1).any():
        sys.exit(f"several kernel_sources for one MoE curve key: {per_key[per_key > 1].index.tolist()[:3]}")
    frame = frame.groupby(shape + curve_key + ["num_tokens"], as_index=False).latency.median()
    out, curves, gaps = [], 0, 0
    for key, part in frame.groupby(shape):
        dtype, hidden, inter, experts, topk, kernel = key
        tokens = sorted(part.num_tokens.unique())
        out.append(f"table moe dtype={dtype} hidden={hidden} inter={inter} experts={experts} topk={topk} "
                   f"kernel={kernel} measured={len(part)}")
        out.append(axis_line("tokens", tokens))
        for (tp, ep, distribution), curve in part.groupby(curve_key):
            latency = dict(zip(curve.num_tokens, curve.latency))
            out.append(f"curve tp={tp} ep={ep} distribution={distribution}")
            out.append(" ".join(fmt(latency[t] * 1000.0) if t in latency else "-" for t in tokens))
            curves += 1
            gaps += len(tokens) - len(latency)
        out.append("end")
    return out, curves, gaps


def allreduce_tables(data, folder):
    """vLLM's tensor-parallel all-reduce on this GPU, one table per (GPUs, graph or eager), over message elements."""
    paths = glob.glob(os.path.join(data, folder, "comm", "vllm", "*", "custom_allreduce_perf.parquet"))
    if not paths:
        return []
    path = newest(paths)
    frame = pd.read_parquet(path)
    version = frame.version.iloc[0]
    lines = [f"# All-reduce: vLLM {version}, {len(frame):,} rows of systems/data/{folder}/comm/vllm/{version}/"
             "custom_allreduce_perf.parquet,",
             "# measured by the package's collector (collect_all_reduce.py, backend vllm) through vLLM's tensor-parallel",
             "# all-reduce on one node, over `elements` bfloat16 elements per GPU; kernel vLLM_custom_graph is replayed",
             "# in a CUDA graph, vLLM_custom_eager launched eagerly. Nothing filled."]
    for (gpus, kernel), rows in sorted(frame.groupby(["num_gpus", "kernel_source"])):
        rows = rows.sort_values("message_size")
        lines.append(f"table allreduce gpus={gpus} kernel={kernel} dtype={rows.allreduce_dtype.iloc[0]} measured={len(rows)}")
        lines.append(axis_line("elements", rows.message_size.tolist()))
        lines.append(" ".join(fmt(ms * 1000) for ms in rows.latency))
        lines.append("end")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package-dir", help="an unpacked aiconfigurator_core folder (default: the installed one)")
    args = parser.parse_args()
    data = os.path.join(package_dir(args.package_dir), "systems", "data")
    os.makedirs(OUT_DIR, exist_ok=True)
    for folder, name in GPUS.items():
        gemm_path = newest(glob.glob(os.path.join(data, folder, "gemm", "vllm", "*", "gemm_perf.parquet")))
        attention_dir = os.path.dirname(newest(glob.glob(
            os.path.join(data, folder, "attention", "vllm", "*", "context_attention_perf.parquet"))))
        gemm = pd.read_parquet(gemm_path)
        context = pd.read_parquet(os.path.join(attention_dir, "context_attention_perf.parquet"))
        generation = pd.read_parquet(os.path.join(attention_dir, "generation_attention_perf.parquet"))
        device = gemm.device.iloc[0]
        with open(os.path.join(os.path.dirname(data), f"{folder}.yaml")) as f:
            spec = f.read()
        mem_bw = float(re.search(r"^\s*mem_bw:\s*([0-9.e+]+)", spec, re.M).group(1))
        bf16_flops = float(re.search(r"^\s*bfloat16_tc_flops:\s*([0-9.e+]+)", spec, re.M).group(1))
        lines = [
            f"# Measured kernel latencies on one {device}, vLLM {gemm.version.iloc[0]} kernels (GEMM) and vLLM "
            f"{context.version.iloc[0]} kernels (attention).",
            f"# From NVIDIA {PACKAGE} {PACKAGE_VERSION} (PyPI), systems/data/{folder}/; Apache License 2.0,",
            "# Copyright (c) 2025-2026 NVIDIA CORPORATION & AFFILIATES. Converted (not otherwise changed) by",
            "# Scripts/extract_kernel_tables.py, which documents the format; do not edit by hand.",
            "# Latencies in microseconds (4 significant digits). 'filled' counts grid points the package did not",
            "# measure, filled from the nearest measured point along the last axis in proportion to it (to its",
            "# square for prefill attention's isl).",
            f"gpu {name}",
            f"# The GPU's data-sheet peaks, from the package's systems/{folder}.yaml: a GPU derived from these tables",
            "# scales each kernel by the ratio of its roofline times (docs/time-model.md).",
            f"peak_tflops {bf16_flops / 1e12:g}",
            f"hbm_gb_per_s {mem_bw / 1e9:g}",
        ]
        lines += gemm_tables(gemm)
        lines += attention_tables(context, "context_attention", ["batch_size", "isl"], ["batch", "isl"], growth=2)
        lines += attention_tables(generation, "generation_attention", ["batch_size", "context"], ["batch", "context"],
                                  growth=1)
        if folder in MOE_GPUS:
            moe_path = newest(glob.glob(os.path.join(data, folder, "moe", "vllm", "*", "moe_perf.parquet")))
            moe = pd.read_parquet(moe_path)
            tables, curves, gaps = moe_tables(moe)
            version = moe.version.iloc[0]
            lines += [f"# MoE: vLLM {version} kernels, {len(moe):,} rows of systems/data/{folder}/moe/vllm/{version}/"
                      "moe_perf.parquet",
                      f"# in {curves:,} curves; {gaps} '-' where a curve lacks a token count of its table (nothing filled)."]
            lines += ["# " + line if line else "#" for line in MOE_NOTES.splitlines()]
            lines += tables
        lines += allreduce_tables(data, folder)
        path = os.path.join(OUT_DIR, f"{name}.kernels")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        print(f"{path}: {os.path.getsize(path):,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
