#!/usr/bin/env python3
"""Write Results/precision-moe/README.md from the sweeps of Configs/sweeps/precision-moe/.

Every measured number on the page is read from the results database; layer and KV bytes come from
`gracesim list models`, the link's rate and latency from the hardware preset. Standard library only.

Usage (from the repository root, after the four sweeps have run into the database):
    python3 Scripts/precision_moe_page.py > Results/precision-moe/README.md
    python3 Scripts/precision_moe_page.py --db FILE --gracesim PATH
"""
import argparse
import json
import math
import re
import sqlite3
import subprocess
from collections import defaultdict

STRATEGIES = ["recompute", "swap", "pie", "offload", "remap"]
LEVELS = ["fp16", "fp8", "fp8 + fp8 KV", "fp8 at fp16 KV bytes"]
RATES = [0.1, 0.25, 0.5]
MIXES = [("precision-dense", "Qwen3-32B + Llama-3.1-8B", "qwen3-32b"),
         ("precision-moe", "Qwen3-30B-A3B + Llama-3.1-8B", "qwen3-30b-a3b")]
SMALL = "llama-3.1-8b"
BATCHES = [1, 8, 32, 128]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="Results/precision-moe/precision-moe.sqlite")
    p.add_argument("--gracesim", default=".build/release/gracesim")
    p.add_argument("--hardware", default="Configs/hardware/gh200-144gb.yaml")
    p.add_argument("--kernels", default="Configs/kernels/h200-sxm.kernels")
    return p.parse_args()


class Runs:
    """Finished runs of the database, their axis values and metrics, seeds averaged on request."""

    def __init__(self, path):
        con = sqlite3.connect(path)
        self.runs = []
        for sweep, run_id, point, strategy, seed, wall in con.execute(
                "SELECT s.name, r.id, r.point, r.strategy, r.seed, r.wall_s FROM runs r JOIN sweeps s ON s.id = r.sweep_id "
                "WHERE r.status = 'finished' ORDER BY r.id"):
            values = {k: str(v) for k, v in json.loads(point).items()}
            self.runs.append(dict(sweep=sweep, id=run_id, point=values, strategy=strategy, seed=seed, wall=wall))
        self.metrics = defaultdict(dict)
        for run_id, scope, metric, value in con.execute("SELECT run_id, scope, metric, value FROM metrics"):
            self.metrics[run_id][(scope, metric)] = value
        self.failed = con.execute("SELECT count(*) FROM runs WHERE status != 'finished'").fetchone()[0]

    def select(self, sweep, **axes):
        out = []
        for r in self.runs:
            if r["sweep"] != sweep:
                continue
            if all(str(r["point"].get(k, r.get(k))) == str(v) for k, v in axes.items()):
                out.append(r)
        return out

    def mean(self, runs, scope, metric):
        values = [self.metrics[r["id"]].get((scope, metric)) for r in runs]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else math.nan


def list_models(gracesim):
    """Layer MB, KV bytes per token and layers of each preset, from `gracesim list models`."""
    text = subprocess.run([gracesim, "list", "models"], capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    header = re.split(r"\s{2,}", lines[0].strip())
    table = {}
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        row = dict(zip(header, cells))
        table[row["model"]] = row
    return lines[0], table, text


def link(path):
    text = open(path).read()
    rate = float(re.search(r"^\s*h2d_gb_per_s:\s*([\d.]+)", text, re.M).group(1)) * 1e9
    latency = float(re.search(r"^\s*latency_us:\s*([\d.]+)", text, re.M).group(1)) * 1e-6
    return rate, latency


def gemm_table(lines, dtype):
    """Axes and rows of one GEMM table of a .kernels file (format: Scripts/extract_kernel_tables.py)."""
    i = next(j for j, line in enumerate(lines) if line.startswith(f"table gemm dtype={dtype} "))
    axes, j = {}, i + 1
    while lines[j].startswith("axis "):
        name, *values = lines[j].split()[1:]
        axes[name] = [float(v) for v in values]
        j += 1
    rows = []
    while lines[j] != "end":
        rows.append([float(v) for v in lines[j].split()])
        j += 1
    return axes, rows


def moe_latency(path, dtype, key, tokens):
    """µs of one fused-MoE layer (`key`: "hidden=… inter=… experts=… topk=…") under balanced routing on one GPU at
    each of `tokens`, from the .kernels file's moe table of `dtype` with the most measured rows."""
    lines = open(path).read().splitlines()
    best = None
    for i, line in enumerate(lines):
        if line.startswith(f"table moe dtype={dtype} {key} "):
            rows = int(re.search(r"measured=(\d+)", line).group(1))
            if best is None or rows > best[1]:
                best = (i, rows)
    i = best[0]
    axis = [float(v) for v in lines[i + 1].split()[2:]]
    j = lines.index("curve tp=1 ep=1 distribution=balanced", i)
    values = [float(v) for v in lines[j + 1].split()]
    kernel = re.search(r"kernel=(\S+)", lines[i]).group(1)
    return kernel, [values[axis.index(t)] for t in tokens]


def block_floor(path, n=4096, k=2048, most_rows=2048):
    """The fastest and the median block-scaled fp8 GEMM of n outputs and k inputs at the row counts up to
    `most_rows`, and bf16's at `most_rows`, in µs."""
    lines = open(path).read().splitlines()

    def at(dtype, m):
        axes, rows = gemm_table(lines, dtype)
        return rows[axes["m"].index(m) * len(axes["n"]) + axes["n"].index(n)][axes["k"].index(k)]

    axes, _ = gemm_table(lines, "fp8_block")
    times = [at("fp8_block", m) for m in axes["m"] if m <= most_rows]
    times.sort()
    return times[0], times[len(times) // 2], at("bfloat16", most_rows)


def pct(new, old):
    if not (old and old == old and new == new):
        return "—"
    change = (new - old) / old * 100
    text = f"{change:+.0f}%"
    return "0%" if text in ("+0%", "-0%") else text


def fall(new, old):
    """How far `new` is below `old`, in % of `old` (negative when above)."""
    return f"{(old - new) / old * 100:.0f}%"


def sec(ms):
    return "—" if ms != ms else (f"{ms / 1000:.1f}" if ms >= 1000 else f"{ms / 1000:.2f}")


def main():
    args = parse_args()
    db = Runs(args.db)
    header, models, list_text = list_models(args.gracesim)
    rate, latency = link(args.hardware)
    out = []
    w = out.append

    def runs(sweep, level, rate_scale, strategy):
        return db.select(sweep, description=level, strategy=strategy, **{"workload.arrivals.rate_scale": rate_scale})

    def overall(sweep, level, rate_scale, strategy, metric):
        return db.mean(runs(sweep, level, rate_scale, strategy), "overall", metric)

    def inst(sweep, level, rate_scale, strategy, scope, metric):
        return db.mean(runs(sweep, level, rate_scale, strategy), scope, metric)

    def layer_bytes(model, fp8):
        name = model + ("-fp8" if fp8 else "")
        return float(models[name]["layer MB"]) * 1e6

    def load_ms(nbytes):
        return (latency + nbytes / rate) * 1e3

    def probe(model, quant, kv, batch):
        rs = db.select("precision-layers", **{"instances.0.model": model, "instances.0.quantization": quant,
                                              "instances.0.kv_cache_dtype": kv, "workload.arrivals.clients": batch})
        return db.mean(rs, "overall", "itl_p50_ms")

    n_runs = len(db.runs)
    wall = sum(r["wall"] or 0 for r in db.runs)
    sweeps = sorted({r["sweep"] for r in db.runs})

    # ---- numbers the prose quotes -------------------------------------------------------------------------
    D, M = "precision-dense", "precision-moe"
    big_kv = {lvl: inst(D, lvl, 0.5, "recompute", "qwen3-32b", "kv_capacity_tokens") for lvl in LEVELS}
    small_kv = {lvl: inst(D, lvl, 0.5, "recompute", SMALL, "kv_capacity_tokens") for lvl in LEVELS}
    moe_kv = {lvl: inst(M, lvl, 0.5, "recompute", "qwen3-30b-a3b", "kv_capacity_tokens") for lvl in LEVELS}

    def ttft(sweep, lvl, r, s):
        return overall(sweep, lvl, r, s, "ttft_p99_ms")

    def tpot(sweep, lvl, r, s):
        return overall(sweep, lvl, r, s, "tpot_p99_ms")

    def amax(sweep, lvl, r, scope):
        return inst(sweep, lvl, r, "remap", scope, "strategy_remapped_layers_max")

    def stall_s(sweep, lvl, r, scope):
        return inst(sweep, lvl, r, "remap", scope, "transfer_stall_ms") / 1000

    t32 = {q: probe("qwen3-32b", q, "auto", 32) for q in ("none", "fp8")}
    t1moe = probe("qwen3-30b-a3b", "none", "auto", 1)
    t8moe = probe("qwen3-30b-a3b", "none", "auto", 8)
    t128moe = probe("qwen3-30b-a3b", "none", "auto", 128)
    lb = {(m, q): layer_bytes(m, q) for m in ("qwen3-32b", "qwen3-30b-a3b", "llama-3.1-8b") for q in (False, True)}
    kv_small = float(models[SMALL]["KV B/token"])

    def buf(lvl, b, r, metric, scope="overall"):
        return db.mean(db.select("precision-buffers", description=lvl,
                                 **{"strategy.buffers": b, "workload.arrivals.rate_scale": r}), scope, metric)

    # ---- derived numbers ---------------------------------------------------------------------------------
    f16, f8, kv8, same = LEVELS

    def weights_gb(name):
        return float(models[name]["weights GB"])

    def kv_per_token(name):
        return int(models[name]["KV B/token"])

    def block(model, batch):
        return db.mean(db.select("precision-block", **{"instances.0.model": model, "workload.arrivals.clients": batch}),
                       "overall", "itl_p50_ms")

    def change(new, old):
        return (new - old) / old * 100

    saved_big = weights_gb("qwen3-32b") - weights_gb("qwen3-32b-fp8")
    saved_small = weights_gb(SMALL) - weights_gb(SMALL + "-fp8")
    lighter = weights_gb("qwen3-32b") - weights_gb("qwen3-30b-a3b")
    moe_row = models["qwen3-30b-a3b"]
    experts, per_token = (int(x) for x in moe_row["experts/k"].split("/"))
    moe_expert_ffn = int(re.search(r"expert_ffn_size:\s*(\d+)", open("Configs/models/qwen3-30b-a3b.yaml").read()).group(1))
    active_share = float(moe_row["active (B)"]) / float(moe_row["params (B)"])

    def hit(tokens):
        return experts * (1 - (1 - per_token / experts) ** tokens)

    layers_big = int(models["qwen3-32b"]["layers"])
    threshold_layers = math.ceil(0.225 * layers_big)
    a16 = amax(D, f16, 0.5, "qwen3-32b")
    spacing = layers_big / (a16 + 1)
    hidden_ms = (spacing - 1) * t32["none"] / layers_big

    quiet = [ttft(D, f8, 0.1, st) for st in STRATEGIES]
    quiet_same = max(quiet) == min(quiet) and overall(D, f8, 0.1, "recompute", "preemptions") == 0
    swap_moves = [abs(change(ttft(sw, lvl, r, "swap"), ttft(sw, lvl, r, "recompute")))
                  for sw, _, _ in MIXES for lvl in LEVELS for r in RATES]
    offload_tpot = tpot(D, f16, 0.5, "offload")
    remap_tpot = tpot(D, f16, 0.5, "remap")

    hbm = float(re.search(r"^\s*hbm_mib:\s*(\d+)", open(args.hardware).read(), re.M).group(1)) * 2**20

    def pool_share(model, share):
        tokens = inst(D, f16, 0.5, "recompute", model, "kv_capacity_tokens")
        return tokens * kv_per_token(model) / (share * hbm) * 100

    # ---- the page -------------------------------------------------------------------------------------------
    w("# Precision and mixture-of-experts: every memory strategy on a GH200-144\n")
    w("Generated by `python3 Scripts/precision_moe_page.py > Results/precision-moe/README.md` from `precision-moe.sqlite` "
      "(beside this file), `gracesim list models`, `Configs/hardware/gh200-144gb.yaml` and "
      "`Configs/kernels/h200-sxm.kernels`. Do not edit: every measured number below is read from them. Figures and "
      "the comparison tables of every sweep: [index.html](index.html).\n")
    w("```sh\nswift build -c release\n"
      "for s in precision-dense precision-moe precision-buffers precision-layers precision-block; do\n"
      "  .build/release/gracesim sweep Configs/sweeps/precision-moe/$s.yaml --db Results/precision-moe/precision-moe.sqlite --jobs 2\n"
      "done\n"
      ".build/release/gracesim report --db Results/precision-moe/precision-moe.sqlite --out Results/precision-moe --baseline recompute\n"
      "python3 Scripts/precision_moe_page.py > Results/precision-moe/README.md\n```\n")
    w(f"{n_runs} runs ({', '.join(f'`{x}`' for x in sweeps)}), {db.failed} failed; {wall:.0f} s of simulation in all "
      "(each run's wall time, summed).\n")

    w("## The setup\n")
    w("Two tenants take turns on one `gh200-144gb` (temporal sharing, round-robin; `Configs/experiments/precision-mix.yaml`): "
      "a 32B-class model with 55% of HBM beside Llama-3.1-8B with 15%, so that at 16 bits their KV pools are "
      f"{pool_share('qwen3-32b', 0.55):.0f}% and {pool_share(SMALL, 0.15):.0f}% of their shares (the paper's C1: 17–28%). "
      "Requests follow the first 10 minutes of the Azure 2023 code trace (bursts of "
      "26× its mean rate) at 0.1, 0.25 and 0.5 of its rate, half to each model, with whole ShareGPT conversations as "
      "prompts (up to 3,072 tokens, outputs up to 1,024); two seeds per point. The 32B-class model is the dense Qwen3-32B "
      f"(`precision-dense`) or the mixture-of-experts Qwen3-30B-A3B (`precision-moe`: {experts} experts of which "
      f"{per_token} per token, {lighter / weights_gb('qwen3-32b') * 100:.0f}% lighter). Each mix is run at four levels of precision:\n")
    w("- **fp16**: both models in bf16.")
    w("- **fp8**: both with fp8 weights (per-tensor scales) in the same shares, so the weights' saved bytes become KV.")
    w("- **fp8 + fp8 KV**: also `kv_cache_dtype: fp8`.")
    w("- **fp8 at fp16 KV bytes**: fp8 weights in shares shrunk by the bytes they save, so that each KV pool holds what "
      "it holds at fp16: the same pressure, with layers of half the bytes.\n")
    w("`precision-buffers` runs remapping alone with one buffer slot, two, and `auto`; `precision-layers` times one decode "
      "pass of each model alone (no engine overhead, B sequences of 1,024–1,151 tokens), the T_compute that remapping "
      "hides its layer loads behind; `precision-block` does the same for Qwen's block-scaled FP8 checkpoints (Caveats).\n")

    # ---- findings -------------------------------------------------------------------------------------------
    w("## What it shows\n")
    w(f"**fp8 weights take away most of the pressure that the strategies exist for.** In the same shares the "
      f"{saved_big:.1f} GB and {saved_small:.1f} GB that fp8 saves become KV: Qwen3-32B's pool grows from "
      f"{big_kv[f16]/1e3:.0f}k to {big_kv[f8]/1e3:.0f}k tokens and Llama-3.1-8B's from {small_kv[f16]/1e3:.0f}k to "
      f"{small_kv[f8]/1e3:.0f}k (`kv_capacity_tokens`), and an fp8 KV cache doubles them again ({big_kv[kv8]/1e3:.0f}k "
      f"and {small_kv[kv8]/1e3:.0f}k). At 0.5× the trace recompute preempts "
      f"{overall(D, f16, 0.5, 'recompute', 'preemptions'):.0f}, {overall(D, f8, 0.5, 'recompute', 'preemptions'):.0f} and "
      f"{overall(D, kv8, 0.5, 'recompute', 'preemptions'):.0f} times and its P99 TTFT is {sec(ttft(D, f16, 0.5, 'recompute'))}, "
      f"{sec(ttft(D, f8, 0.5, 'recompute'))} and {sec(ttft(D, kv8, 0.5, 'recompute'))} s"
      + ("; at 0.1× fp8 leaves no preemption, and every strategy gives recompute's P99 TTFT exactly" if quiet_same else "")
      + f". Where pressure is left, in the trace's bursts, remapping still cuts P99 TTFT most "
      f"({pct(ttft(D, f8, 0.5, 'remap'), ttft(D, f8, 0.5, 'recompute'))} at fp8, "
      f"{pct(ttft(D, kv8, 0.5, 'remap'), ttft(D, kv8, 0.5, 'recompute'))} with fp8 KV, at 0.5×).\n")

    hide16 = math.floor(t32["none"] / load_ms(lb[("qwen3-32b", False)]))
    hide8 = math.floor(t32["fp8"] / load_ms(lb[("qwen3-32b", True)]))
    lent16 = a16 * lb[("qwen3-32b", False)]
    lent8 = amax(D, same, 0.5, "qwen3-32b") * lb[("qwen3-32b", True)]
    w(f"**At fp8 a layer crosses the link in half the time, but a pass does not take half as long, and a layer lends "
      f"half the bytes.** A Qwen3-32B layer is {lb[('qwen3-32b', False)]/1e6:.0f} MB in bf16 and "
      f"{lb[('qwen3-32b', True)]/1e6:.0f} MB in fp8: {load_ms(lb[('qwen3-32b', False)]):.2f} and "
      f"{load_ms(lb[('qwen3-32b', True)]):.2f} ms at the link's {rate/1e9:.0f} GB/s. A decode pass of 32 sequences takes "
      f"{t32['none']:.1f} ms in bf16 and {t32['fp8']:.1f} ms in fp8 ({t32['fp8']/t32['none']:.2f}×: attention, norms, the "
      f"16-bit LM head and the GEMMs' launch floors do not shrink), so the paper's rule T_T × N ≤ T_compute allows "
      f"{hide16} loads per pass in bf16 and {hide8} in fp8 ({hide8/hide16:.1f}×, not 2×). In the runs at fp16 KV bytes "
      f"remapping takes up to {amax(D, same, 0.5, 'qwen3-32b'):.0f} Qwen3-32B layers at fp8 against {a16:.0f} at fp16 "
      f"(`strategy_remapped_layers_max`, 0.5×), and {amax(D, same, 0.5, SMALL):.0f} against "
      f"{amax(D, f16, 0.5, SMALL):.0f} of Llama-3.1-8B's, yet lends less memory: {lent8/1e9:.1f} GB against "
      f"{lent16/1e9:.1f} GB of Qwen3-32B's at the peak. Still, with the same pools remapping gains more at fp8: P99 TTFT "
      f"falls "
      f"{fall(ttft(D, same, 0.5, 'remap'), ttft(D, same, 0.5, 'recompute'))} at fp8 against "
      f"{fall(ttft(D, f16, 0.5, 'remap'), ttft(D, f16, 0.5, 'recompute'))} at fp16 (0.5×), "
      f"{fall(ttft(D, same, 0.25, 'remap'), ttft(D, same, 0.25, 'recompute'))} against "
      f"{fall(ttft(D, f16, 0.25, 'remap'), ttft(D, f16, 0.25, 'recompute'))} at 0.25×, and the stream stalls "
      f"{stall_s(D, same, 0.5, 'qwen3-32b'):.1f} s instead of {stall_s(D, f16, 0.5, 'qwen3-32b'):.1f} s on Qwen3-32B "
      f"(`transfer_stall_ms`). The stall is the buffer policy's doing more than fp8's: `buffers: auto` takes a second slot "
      f"once 22.5% of a model's layers are remapped ({threshold_layers} of Qwen3-32B's {layers_big}), which the fp8 runs "
      f"reach and the fp16 runs do not. With one slot a load starts only when the previous streamed layer has been "
      f"computed, so it hides behind the resident layers between two streamed ones: at α = {a16:.0f} a streamed layer "
      f"every {spacing:.1f} layers, {hidden_ms:.2f} ms of compute at 32 sequences against a "
      f"{load_ms(lb[('qwen3-32b', False)]):.2f} ms load; with two slots a load starts one streamed layer earlier. "
      f"`precision-buffers` measures it: at fp16, 0.5×, two slots cut the stall from "
      f"{buf(f16, 'auto', 0.5, 'transfer_stall_ms')/1e3:.1f} to {buf(f16, 2, 0.5, 'transfer_stall_ms')/1e3:.1f} s and P99 "
      f"TPOT from {buf(f16, 'auto', 0.5, 'tpot_p99_ms'):.0f} to {buf(f16, 2, 0.5, 'tpot_p99_ms'):.0f} ms, while at fp8 one "
      f"slot stalls {buf(same, 1, 0.5, 'transfer_stall_ms')/1e3:.1f} s against `auto`'s "
      f"{buf(same, 'auto', 0.5, 'transfer_stall_ms')/1e3:.1f} s. With one slot at both precisions remapping cuts P99 "
      f"TTFT by as much at fp8 as at fp16 ({pct(buf(same, 1, 0.5, 'ttft_p99_ms'), ttft(D, same, 0.5, 'recompute'))} "
      f"and {pct(buf(f16, 1, 0.5, 'ttft_p99_ms'), ttft(D, f16, 0.5, 'recompute'))} against recompute, 0.5×); with two "
      f"at both, {pct(buf(same, 2, 0.5, 'ttft_p99_ms'), ttft(D, same, 0.5, 'recompute'))} and "
      f"{pct(buf(f16, 2, 0.5, 'ttft_p99_ms'), ttft(D, f16, 0.5, 'recompute'))}.\n")

    moe_lb = lb[("qwen3-30b-a3b", False)]
    moe_preempt = inst(M, f16, 0.5, "recompute", "qwen3-30b-a3b", "preemptions")
    dense_lb = lb[("qwen3-32b", False)]
    w(f"**A mixture-of-experts layer is expensive to lend at small batches.** Qwen3-30B-A3B's layer holds all {experts} "
      f"experts, {moe_lb/1e6:.0f} MB in bf16 ({load_ms(moe_lb):.2f} ms over the link), and the prefetch pipeline loads all "
      f"of it, since a layer is loaded before its router has chosen. A decode pass reads only the experts its tokens "
      f"chose: {t1moe:.1f} ms for one sequence ({per_token} experts a layer), {t8moe:.1f} ms for 8 (about "
      f"{hit(8):.0f} of {experts} under uniform routing), {t128moe:.1f} ms for 128 (all {hit(128):.0f}). So one pass hides "
      f"{math.floor(t1moe / load_ms(moe_lb))}, {math.floor(t8moe / load_ms(moe_lb))} and "
      f"{math.floor(t128moe / load_ms(moe_lb))} loads, against "
      f"{math.floor(probe('qwen3-32b', 'none', 'auto', 1) / load_ms(dense_lb))}, "
      f"{math.floor(probe('qwen3-32b', 'none', 'auto', 8) / load_ms(dense_lb))} and "
      f"{math.floor(probe('qwen3-32b', 'none', 'auto', 128) / load_ms(dense_lb))} for the dense Qwen3-32B of nearly the "
      f"same bytes. In the runs remapping takes at most {amax(M, f16, 0.5, 'qwen3-30b-a3b'):.0f} of its "
      f"{moe_row['layers']} layers (Qwen3-32B: {a16:.0f} of {layers_big}). Its KV is light ({kv_per_token('qwen3-30b-a3b'):,} bytes a token against Qwen3-32B's "
      f"{kv_per_token('qwen3-32b'):,}), so in the same share its pool holds {moe_kv[f16]/1e3:.0f}k tokens and "
      + (f"recompute never preempts it at 0.5×" if moe_preempt == 0 else
         f"recompute preempts it {moe_preempt:.1f} times at 0.5× (seeds averaged)")
      + f"; the pressure is on Llama-3.1-8B, for which one lent MoE layer is {moe_lb/kv_small/1e3:.1f}k tokens, "
      f"{moe_lb/kv_small/small_kv[f16]*100:.0f}% of its {small_kv[f16]/1e3:.0f}k-token pool. That is where remapping "
      f"gains most in this study: P99 TTFT {pct(ttft(M, f16, 0.25, 'remap'), ttft(M, f16, 0.25, 'recompute'))} at 0.25× "
      f"and {pct(ttft(M, f16, 0.5, 'remap'), ttft(M, f16, 0.5, 'recompute'))} at 0.5× "
      f"({sec(ttft(M, f16, 0.25, 'recompute'))} → {sec(ttft(M, f16, 0.25, 'remap'))} s and "
      f"{sec(ttft(M, f16, 0.5, 'recompute'))} → {sec(ttft(M, f16, 0.5, 'remap'))} s). Lending experts instead of whole "
      f"layers would let a pass fetch only the chosen ones; that needs the router's choice before the load, which the "
      f"pipeline does not have.\n")

    moe_key = f"hidden={moe_row['hidden']} inter={moe_expert_ffn} experts={experts} topk={per_token}"
    bf_kernel, bf_us = moe_latency(args.kernels, "bfloat16", moe_key, [8, 128, 2048])
    f8_kernel, f8_us = moe_latency(args.kernels, "fp8", moe_key, [8, 128, 2048])
    t8moe8 = probe("qwen3-30b-a3b", "fp8", "auto", 8)
    w(f"**In gracesim's H200 tables fp8 makes this MoE model slower, not faster.** The measured fused-MoE layer with "
      f"per-tensor fp8 experts (`{f8_kernel}`) takes {f8_us[0]:.0f}, {f8_us[1]:.0f} and {f8_us[2]:.0f} µs at 8, 128 and "
      f"2,048 tokens, the bf16 one (`{bf_kernel}`) {bf_us[0]:.0f}, {bf_us[1]:.0f} and {bf_us[2]:.0f} µs; a decode pass "
      f"of 8 sequences takes {t8moe8:.1f} ms at fp8 against {t8moe:.1f} ms in bf16. So the MoE mix's fp8 rows measure "
      f"that kernel as much as precision: at 0.5× recompute's P99 TTFT goes from {sec(ttft(M, f16, 0.5, 'recompute'))} s "
      f"at fp16 to {sec(ttft(M, f8, 0.5, 'recompute'))} s at fp8 (preemptions "
      f"{overall(M, f16, 0.5, 'recompute', 'preemptions'):.0f} → {overall(M, f8, 0.5, 'recompute', 'preemptions'):.0f}) "
      f"and to {sec(ttft(M, same, 0.5, 'recompute'))} s at fp8 in fp16's KV bytes, and remapping, whose rule sets a "
      f"layer's load against the pass, takes up to {amax(M, same, 0.5, 'qwen3-30b-a3b'):.0f} of the MoE model's layers "
      f"({lb[('qwen3-30b-a3b', True)]/1e6:.0f} MB each) with no stall "
      f"({pct(ttft(M, same, 0.5, 'remap'), ttft(M, same, 0.5, 'recompute'))} in P99 TTFT there).\n")

    w(f"**The other strategies.** Swapping stays within {max(swap_moves):.0f}% of recompute's P99 TTFT at every point: a "
      f"preempted request's KV goes to the CPU and back while the step waits. Pie removes most preemptions (at fp16, "
      f"0.5×: {overall(D, f16, 0.5, 'pie', 'preemptions'):.0f} against "
      f"{overall(D, f16, 0.5, 'recompute', 'preemptions'):.0f}) but not the wait for admission, which is most of P99 "
      f"TTFT here: its host share grows only when a running request's next block is missing "
      f"({pct(ttft(D, f16, 0.5, 'pie'), ttft(D, f16, 0.5, 'recompute'))}). Offloading is second to remapping in P99 TTFT "
      f"({pct(ttft(D, f16, 0.5, 'offload'), ttft(D, f16, 0.5, 'recompute'))} at fp16, "
      f"{pct(ttft(M, f16, 0.5, 'offload'), ttft(M, f16, 0.5, 'recompute'))} with the MoE model, 0.5×)"
      + (" and costs less in P99 TPOT" if offload_tpot < remap_tpot else "") +
      f". Remapping pays for its P99 TTFT in the gaps between tokens: P99 TPOT "
      f"{pct(remap_tpot, tpot(D, f16, 0.5, 'recompute'))} at fp16 and "
      f"{pct(tpot(M, f16, 0.5, 'remap'), tpot(M, f16, 0.5, 'recompute'))} with the MoE model (0.5×), as in the paper's "
      f"C1 ([../paper/README.md](../paper/README.md)). Output throughput is the offered load in every run (open loop, "
      f"every request served).\n")

    w(f"**Against intuition or the paper.** (1) fp8 does not let remapping hide twice as many layers ({hide8/hide16:.1f}× "
      f"at 32 sequences, above), and each hidden layer lends half the memory; at equal pressure its gain comes largely "
      f"from reaching the second buffer slot. (2) An fp8 KV cache halves what swapping, Pie and CPU attention move per "
      f"token, but in the same shares it doubles the pool, and at these loads it leaves almost nothing to move. (3) The "
      f"larger pools cost P99 TPOT: at fp8 + fp8 KV and 0.5× recompute's P99 TPOT is {tpot(D, kv8, 0.5, 'recompute'):.0f} "
      f"ms against {tpot(D, f16, 0.5, 'recompute'):.0f} ms at fp16, while the median falls "
      f"({overall(D, kv8, 0.5, 'recompute', 'tpot_p50_ms'):.1f} against {overall(D, f16, 0.5, 'recompute', 'tpot_p50_ms'):.1f} "
      f"ms): in a burst a large pool admits many requests at once, and the running ones wait through their prefills "
      f"(vLLM V0 schedules prefills first) and then decode in larger batches. (4) The MoE model lends fewer layers than the dense one of nearly the same bytes although a "
      f"token passes through {active_share*100:.0f}% of its parameters: what it saves in reads is what makes its passes "
      f"too short to hide a whole layer. (5) In both mixes remapping lends more layers at fp8 than at fp16, for "
      f"opposite reasons: in the dense mix because fp8 halves a layer's load, in the MoE mix because fp8 slows the MoE "
      f"model's passes (above).\n")

    # ---- tables ---------------------------------------------------------------------------------------------
    for metric, title in (("ttft_p99_ms", "P99 TTFT"), ("tpot_p99_ms", "P99 TPOT")):
        w(f"## {title}: recompute, and each strategy's change\n")
        w(f"Seeds averaged; recompute's value in s (TTFT) or ms (TPOT), the others as a change against it; "
          f"preemptions are recompute's.\n")
        w("| model beside Llama-3.1-8B | precision | rate | preemptions | recompute | swap | pie | offload | remap |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for sweep, label, big in MIXES:
            for lvl in LEVELS:
                for r in RATES:
                    base = overall(sweep, lvl, r, "recompute", metric)
                    shown = sec(base) if metric.startswith("ttft") else f"{base:.0f}"
                    cells = [pct(overall(sweep, lvl, r, s, metric), base) for s in STRATEGIES[1:]]
                    w(f"| {big} | {lvl} | {r}× | {overall(sweep, lvl, r, 'recompute', 'preemptions'):.0f} | {shown} | "
                      + " | ".join(cells) + " |")
        w("")

    w("## What a layer weighs and what one pass hides\n")
    w("Layer and KV bytes from `gracesim list models` (the block-scaled Qwen FP8 presets; the sweeps' per-tensor fp8 "
      "layers weigh the same to the MB):\n")
    w("```\n$ gracesim list models\n" + header)
    for name in ("llama-3.1-8b", "llama-3.1-8b-fp8", "qwen3-30b-a3b", "qwen3-30b-a3b-fp8", "qwen3-32b", "qwen3-32b-fp8"):
        w(next(line for line in list_text.splitlines() if line.startswith(name + " ")))
    w("```\n")
    w(f"T_T: one layer over the link, {latency*1e6:.0f} µs + bytes at {rate/1e9:.0f} GB/s. Decode pass: `itl_p50_ms` of "
      f"`precision-layers` with B sequences (16-bit KV). Loads hidden: ⌊pass / T_T⌋, the paper's N; α = N − 1 with one "
      f"buffer slot.\n")
    w("| model | weights | layer MB | T_T ms | pass ms, B = 1 / 8 / 32 / 128 | loads hidden, B = 1 / 8 / 32 / 128 |")
    w("|---|---|---:|---:|---:|---:|")
    for model in ("llama-3.1-8b", "qwen3-32b", "qwen3-30b-a3b"):
        for q in ("none", "fp8"):
            b = lb[(model, q == "fp8")]
            passes = [probe(model, q, "auto", n) for n in BATCHES]
            hidden = [math.floor(p / load_ms(b)) for p in passes]
            w(f"| {model} | {'bf16' if q == 'none' else 'fp8'} | {b/1e6:.0f} | {load_ms(b):.2f} | "
              + " / ".join(f"{p:.1f}" for p in passes) + " | " + " / ".join(str(h) for h in hidden) + " |")
    w("")

    w("## What remapping lent\n")
    w("Per instance, seeds averaged: layers remapped (time-weighted mean, and maximum), the memory that maximum lends, "
      "and the time its passes waited for their layers (`transfer_stall_ms`; in brackets, the decode passes' wait as a "
      "share of their compute, `strategy_decode_stream_stall_ms` over `strategy_decode_stream_compute_ms`).\n")
    w("| model beside Llama-3.1-8B | precision | rate | instance | layers mean / max | GB at max | stall s |")
    w("|---|---|---:|---|---:|---:|---:|")
    for sweep, label, big in MIXES:
        for lvl in LEVELS:
            for r in (0.25, 0.5):
                for scope in (big, SMALL):
                    mean_a = inst(sweep, lvl, r, "remap", scope, "strategy_remapped_layers_mean")
                    max_a = inst(sweep, lvl, r, "remap", scope, "strategy_remapped_layers_max")
                    fp8 = lvl != "fp16"
                    gb = max_a * lb[(scope, fp8)] / 1e9
                    stall = inst(sweep, lvl, r, "remap", scope, "transfer_stall_ms") / 1000
                    compute = inst(sweep, lvl, r, "remap", scope, "strategy_decode_stream_compute_ms")
                    waited = inst(sweep, lvl, r, "remap", scope, "strategy_decode_stream_stall_ms")
                    share = f" ({waited / compute * 100:.0f}%)" if compute > 0 else ""
                    w(f"| {big} | {lvl} | {r}× | {scope} | {mean_a:.2f} / {max_a:.1f} | {gb:.1f} | {stall:.1f}{share} |")
    w("")

    w("## Buffer slots (`precision-buffers`, remap only)\n")
    w("| mix and precision | rate | buffers | P99 TTFT s | P99 TPOT ms | stall s | max layers, 32B-class / 8B |")
    w("|---|---:|---|---:|---:|---:|---:|")
    for lvl in ("fp16", "fp8 at fp16 KV bytes", "MoE fp16", "MoE fp8 at fp16 KV bytes"):
        big = "qwen3-30b-a3b" if lvl.startswith("MoE") else "qwen3-32b"
        for r in (0.25, 0.5):
            for b in (1, 2, "auto"):
                w(f"| {lvl} | {r}× | {b} | {sec(buf(lvl, b, r, 'ttft_p99_ms'))} | {buf(lvl, b, r, 'tpot_p99_ms'):.0f} | "
                  f"{buf(lvl, b, r, 'transfer_stall_ms')/1e3:.1f} | {buf(lvl, b, r, 'strategy_remapped_layers_max', big):.1f} / "
                  f"{buf(lvl, b, r, 'strategy_remapped_layers_max', SMALL):.1f} |")
    w("")

    w("## Caveats\n")
    lo, median, bf = block_floor(args.kernels)
    w(f"- **fp8 is per-tensor here.** Qwen's own FP8 checkpoints (`qwen3-32b-fp8`, `qwen3-30b-a3b-fp8`) are block-scaled, "
      f"and the measured block-scaled GEMMs (`DeepGemmFp8BlockScaledMMKernel` in aiconfigurator's H200 table, which "
      f"gh200-144gb scales) never take less than {lo:.0f} µs (median {median:.0f} µs) for a GEMM of 2,048 inputs and "
      f"4,096 outputs at any row count the table lists from 32 to 2,048, which bf16 does in {bf:.0f} µs at 2,048 rows. With them a block-scaled model decodes slower than its bf16 "
      f"original (`precision-block`, one sequence: Qwen3-32B-FP8 {block('qwen3-32b-fp8', 1):.1f} ms a pass against "
      f"{block('qwen3-32b', 1):.1f} ms, Qwen3-30B-A3B-FP8 {block('qwen3-30b-a3b-fp8', 1):.1f} against "
      f"{block('qwen3-30b-a3b', 1):.1f} ms; per-tensor fp8 Qwen3-32B {probe('qwen3-32b', 'fp8', 'auto', 1):.1f} ms), "
      f"which looks like a per-call cost of the benchmark rather than of the kernel under CUDA graphs. The sweeps use "
      f"the per-tensor CUTLASS tables instead.")
    w("- Routed experts take NVIDIA's measured fused-MoE latency under balanced routing, scaled by the roofline ratio "
      "of the expected distinct experts here to the table's (`RoutedExperts`); the fp8 MoE kernel the H200 table holds "
      "(above) may not be the one vLLM picks on Hopper by default.")
    w("- Remapping lends whole layers (`ModelSpec.weightBytesPerLayer`, the mean layer), every expert included.")
    w("- Open-loop arrivals: every request is served, so output throughput is the offered load and does not separate the "
      "strategies; the paper's capacity experiments (`Configs/sweeps/paper/*capacity*.yaml`) measure that.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
