#!/usr/bin/env python3
"""Write Results/parallel/README.md and remap.svg from the sweep Configs/sweeps/parallel/parallel.yaml.

Every number on the page is read from the results database. Standard library only.

Usage (from the repository root, after the sweep has run into the database):
    python3 Scripts/parallel_page.py [--db Results/parallel/parallel.sqlite] [--out Results/parallel]
"""
import argparse
import json
import os
import sqlite3
from collections import defaultdict

STRATEGIES = ["recompute", "swap", "pie", "offload", "remap", "kv-offload", "weight-offload"]
RATES = ["0.05", "0.1"]
MODELS = [("70B bf16", "Llama-3.1-70B, bf16"), ("70B fp8", "Llama-3.1-70B, fp8 weights"), ("30B-A3B", "Qwen3-30B-A3B (MoE), bf16")]
MACHINES = [("on gh200-144gb", "one GH200 144 GB"), ("on gh200-nvl2 TP2", "GH200 NVL2, TP 2"),
            ("on 2 x H100 TP2", "2 x H100 (x86, PCIe), TP 2")]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default="Results/parallel/parallel.sqlite")
    p.add_argument("--out", default="Results/parallel")
    return p.parse_args()


def load(path):
    con = sqlite3.connect(path)
    metrics = defaultdict(dict)
    for run_id, scope, metric, value in con.execute("SELECT run_id, scope, metric, value FROM metrics"):
        metrics[run_id][(scope, metric)] = value
    runs = {}
    for run_id, point, strategy in con.execute("SELECT id, point, strategy FROM runs WHERE status = 'finished'"):
        p = json.loads(point)
        runs[(p["description"], strategy, str(p["workload.arrivals.rate_scale"]))] = metrics[run_id]
    return runs


def cell(runs, model, machine, strategy, rate):
    return runs.get((f"{model} {machine}", strategy, rate))


def fmt_s(ms):
    return f"{ms / 1000:.1f}" if ms >= 1000 else f"{ms / 1000:.2f}"


def change(runs, model, machine, rate, metric):
    """Remap's `metric` over recompute's at one point, as a fraction of change, or None."""
    base, remap = cell(runs, model, machine, "recompute", rate), cell(runs, model, machine, "remap", rate)
    if not base or not remap:
        return None
    return remap[("overall", metric)] / base[("overall", metric)] - 1


def reading(runs):
    """What the sweep says about remapping on a pair against one superchip, every number from the database."""
    out = []
    for model, label in [("70B fp8", "Llama-3.1-70B in fp8"), ("30B-A3B", "Qwen3-30B-A3B")]:
        parts = []
        for rate in RATES:
            one = change(runs, model, "on gh200-144gb", rate, "ttft_p99_ms")
            pair = change(runs, model, "on gh200-nvl2 TP2", rate, "ttft_p99_ms")
            one_itl = change(runs, model, "on gh200-144gb", rate, "itl_p99_ms")
            pair_itl = change(runs, model, "on gh200-nvl2 TP2", rate, "itl_p99_ms")
            parts.append(f"at rate scale {rate} P99 TTFT {100 * one:+.1f}% on one GH200 and {100 * pair:+.1f}% on the "
                         f"NVL2, P99 ITL {100 * one_itl:+.1f}% and {100 * pair_itl:+.1f}%")
        out.append(f"- {label}, remapping against recompute: " + "; ".join(parts) + ".")
    points = [(m, r) for m in ("70B fp8", "30B-A3B") for r in RATES]
    deeper = sum(change(runs, m, "on gh200-nvl2 TP2", r, "ttft_p99_ms") < change(runs, m, "on gh200-144gb", r, "ttft_p99_ms")
                 for m, r in points)
    cheaper = sum(change(runs, m, "on gh200-nvl2 TP2", r, "itl_p99_ms") < change(runs, m, "on gh200-144gb", r, "itl_p99_ms")
                  for m, r in points)
    out.append("- On a GH200 NVL2 each GPU loads its half of a remapped layer over its own C2C link, so a layer's load "
               "takes about half as long as on one GH200, as does the layer's compute on its shard: the pair brings "
               "two links' bandwidth to the same pressure in tokens. Its recompute baseline is itself faster (half "
               f"the work per GPU in each pass). Remapping cut P99 TTFT by a larger share on the pair at {deeper} of "
               f"{len(points)} points, and cost less P99 ITL there at {cheaper} of {len(points)}.")
    x86 = [change(runs, m, "on 2 x H100 TP2", r, "ttft_p99_ms") for m, _ in MODELS for r in RATES]
    x86 = [c for c in x86 if c is not None]
    x86_layers = max(max((v for (_, metric), v in cell(runs, m, "on 2 x H100 TP2", "remap", r).items()
                          if metric == "strategy_remapped_layers_max"), default=0)
                     for m, _ in MODELS for r in RATES if cell(runs, m, "on 2 x H100 TP2", "remap", r))
    c2c = [change(runs, m, machine, r, "ttft_p99_ms") for m, _ in MODELS for machine in ("on gh200-144gb", "on gh200-nvl2 TP2")
           for r in RATES]
    c2c = [c for c in c2c if c is not None]
    out.append(f"- Over PCIe (the x86 H100 pair) remapping's amount rule lends at most {x86_layers:.0f} layer(s) of a "
               f"shard: its P99 TTFT moves by {100 * min(x86):+.1f}% to {100 * max(x86):+.1f}% against recompute, "
               f"against {100 * max(c2c):+.1f}% to {100 * min(c2c):+.1f}% over NVLink-C2C. A layer's load over "
               "53 GB/s is longer than a pass can hide.")
    best = []
    for rate in RATES:
        ranked = sorted((cell(runs, "70B bf16", "on gh200-nvl2 TP2", st, rate)[("overall", "ttft_p99_ms")], st)
                        for st in STRATEGIES if cell(runs, "70B bf16", "on gh200-nvl2 TP2", st, rate))
        best.append(f"{ranked[0][1]} at rate scale {rate}")
    out.append("- Llama-3.1-70B in bf16 only fits beside Llama-3.1-8B on a pair. On the NVL2 the lowest P99 TTFT is "
               + " and ".join(best) + "; on the H100 pair remapping lends nothing.")
    return out


def remap_svg(runs):
    """P99 TTFT of remap over recompute's, per model and machine, at the lower rate: one bar each."""
    bars = []
    for model, _ in MODELS:
        for machine, label in MACHINES:
            base, remap = cell(runs, model, machine, "recompute", RATES[0]), cell(runs, model, machine, "remap", RATES[0])
            if base and remap:
                bars.append((f"{model}, {label}", remap[("overall", "ttft_p99_ms")] / base[("overall", "ttft_p99_ms")]))
    width, row, left = 760, 26, 330
    height = 40 + row * len(bars) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20">P99 TTFT of remap / recompute, rate scale {RATES[0]} (lower is better)</text>']
    scale = (width - left - 60)
    for i, (label, ratio) in enumerate(bars):
        y = 35 + i * row
        out.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{max(ratio, 0.002) * scale:.1f}" height="18" fill="#4a7ab5"/>')
        out.append(f'<text x="{left + max(ratio, 0.002) * scale + 4:.1f}" y="{y + 14}">{ratio:.3f}</text>')
    axis_y = 35 + row * len(bars) + 5
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + scale}" y2="{axis_y}" stroke="#888"/>')
    out.append(f'<text x="{left + scale}" y="{axis_y + 16}" text-anchor="end">1.0 = recompute</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    runs = load(args.db)
    lines = ["# Every strategy on one GH200, on a GH200 NVL2 and on an x86 H100 pair", "",
             "Generated by `python3 Scripts/parallel_page.py` from `Results/parallel/parallel.sqlite` (the sweep "
             "`Configs/sweeps/parallel/parallel.yaml`, base `Configs/experiments/parallel-mix.yaml`); do not edit by hand.", "",
             "Two tenants share the GPUs in time: Llama-3.1-70B (bf16 or fp8 weights) or the MoE Qwen3-30B-A3B, beside "
             "Llama-3.1-8B, under the Azure code trace's first 10 minutes at 0.05 and 0.1 of its rate, multi-turn "
             "ShareGPT prompts. On the pairs both models are split over the two GPUs (tensor parallel 2). Every "
             "instance's KV pool holds about 16,384 tokens on every machine, so the memory pressure is the same and "
             "what differs is the machine: one GH200 (one C2C link), a GH200 NVL2 (two GPUs, each with its own Grace "
             "and C2C link, NVLink between them), or two H100s of an x86 node (NVSwitch between them, PCIe Gen5 to "
             "the host). Llama-3.1-70B in bf16 does not fit one GH200 beside Llama-3.1-8B. Strategies run under vLLM "
             "V1 with prefix caching, except swap (V0's engine). One seed.", "",
             "![remap against recompute](remap.svg)", ""]
    lines += ["## Remapping on one superchip and on a pair", "",
              "P99 TTFT and P99 ITL of remapping, as a change from recompute at the same point, and the most "
              "layers it had remapped at once (of one GPU's shard).", "",
              "| model | machine | rate scale | P99 TTFT recompute s | remap s | change | P99 ITL recompute ms | remap ms | change | layers remapped, max |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for model, model_label in MODELS:
        for machine, label in MACHINES:
            for rate in RATES:
                base, remap = cell(runs, model, machine, "recompute", rate), cell(runs, model, machine, "remap", rate)
                if not base or not remap:
                    continue
                t0, t1 = base[("overall", "ttft_p99_ms")], remap[("overall", "ttft_p99_ms")]
                b0, b1 = base[("overall", "itl_p99_ms")], remap[("overall", "itl_p99_ms")]
                layers = max((v for (scope, metric), v in remap.items() if metric == "strategy_remapped_layers_max"), default=0)
                lines.append(f"| {model_label} | {label} | {rate} | {fmt_s(t0)} | {fmt_s(t1)} | {100 * (t1 / t0 - 1):+.1f}% | "
                             f"{b0:.0f} | {b1:.0f} | {100 * (b1 / b0 - 1):+.1f}% | {layers:.0f} |")
    lines.append("")
    lines += ["## Reading", ""] + reading(runs) + [""]
    for model, model_label in MODELS:
        lines += [f"## {model_label}", "",
                  "P99 TTFT in seconds / P99 ITL in ms / output tokens per second, per machine and rate scale.", ""]
        header = "| strategy |" + "".join(f" {label}, {rate} |" for machine, label in MACHINES for rate in RATES
                                         if cell(runs, model, machine, "recompute", rate))
        lines += [header, "|---|" + "---:|" * (header.count("|") - 2)]
        for strategy in STRATEGIES:
            row = f"| {strategy} |"
            for machine, _ in MACHINES:
                for rate in RATES:
                    if not cell(runs, model, machine, "recompute", rate):
                        continue
                    m = cell(runs, model, machine, strategy, rate)
                    row += (f" {fmt_s(m[('overall', 'ttft_p99_ms')])} / {m[('overall', 'itl_p99_ms')]:.0f} / "
                            f"{m[('overall', 'output_tokens_per_s')]:.0f} |") if m else " - |"
            lines.append(row)
        lines.append("")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "remap.svg"), "w") as f:
        f.write(remap_svg(runs))
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
