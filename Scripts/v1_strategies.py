#!/usr/bin/env python3
"""Every memory strategy under vLLM V1 with prefix caching, on a GH200 and on an x86 H200 over PCIe, at equal SLOs.

For each workload (Configs/sweeps/v1-strategies/: C1 and multi-turn sessions), each hardware preset and each
strategy, runs `gracesim capacity` with the SLOs below and records the highest load that meets them and the goodput
there (0 when no load gracesim can replay meets them). Writes Results/v1-strategies/capacity.json (each search's
result, written as it comes; a rerun reuses the searches it holds, so delete it to start over), README.md (the
tables) and goodput.svg (the figure). Standard library only; needs a release build of gracesim:

    swift build -c release && python3 Scripts/v1_strategies.py

Swap runs on the V0 engine: vLLM V1 has no swap preemption (gracesim refuses swap on a V1 instance), so its row is
vLLM 0.7's swap mode on the same hardware and workload, with V0's scheduler and no prefix cache.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRACESIM = os.path.join(ROOT, ".build", "release", "gracesim")
OUT = os.path.join(ROOT, "Results", "v1-strategies")

SLOS = "ttft_p90_ms=1000,tpot_p90_ms=100"
HARDWARE = [
    # (preset, label, HBM in MiB as the preset gives it)
    ("gh200-144gb", "GH200 144 GB (C2C)", 145920),
    ("x86-h200-sxm-pcie5", "x86 H200 (PCIe 5)", 143771),
]
# Per workload: the experiment, and each instance's memory in MiB (the same bytes on both presets).
WORKLOADS = [
    ("c1", "C1 (three models, Azure code)", "Configs/experiments/v1-c1.yaml", [34255, 34255, 19574]),
    ("sessions", "multi-turn sessions (shared system prompts)", "Configs/experiments/v1-sessions.yaml", [24576]),
]
STRATEGIES = [
    ("recompute", []),
    ("swap", ["ENGINE_V0"]),
    ("pie", []),
    ("offload", []),
    ("remap", []),
    ("kv-offload", ["strategy.kv_offloading_size=32"]),
    ("weight-offload", ["strategy.cpu_offload_gb=4"]),
]


def search(experiment, hardware, hbm_mib, instance_mib, strategy, settings):
    command = [GRACESIM, "capacity", experiment, "--strategy", strategy, "--slo", SLOS, "--json",
               "--set", f"hardware={hardware}"]
    for index, mib in enumerate(instance_mib):
        command += ["--set", f"instances.{index}.gpu_memory_utilization={mib / hbm_mib:.5f}"]
    for setting in settings:
        if setting == "ENGINE_V0":
            for index in range(len(instance_mib)):
                command += ["--set", f"instances.{index}.engine=vllm-v0",
                            "--set", f"instances.{index}.enable_prefix_caching=false"]
        else:
            command += ["--set", setting]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode == 0:
        found = json.loads(result.stdout)
        return {"knob": found["key"], "capacity": found["capacity"], "goodput": found["goodput_requests_per_s"]}
    # The SLOs fail at every load down to the lowest the workload can replay: no capacity.
    if "spans" in result.stderr or "fail even at the lowest" in result.stderr:
        return {"knob": None, "capacity": 0, "goodput": 0.0, "unmet": result.stderr.strip().splitlines()[-1]}
    sys.exit(f"{' '.join(command)}\n{result.stderr}")


def svg(results):
    """Grouped bars: goodput per strategy, GH200 and x86 side by side, one panel per workload."""
    width, panel_height, left, bar = 760, 230, 120, 11
    colors = {"gh200-144gb": "#4c78a8", "x86-h200-sxm-pcie5": "#f58518"}
    height = panel_height * len(WORKLOADS) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">']
    for panel, (workload, title, _, _) in enumerate(WORKLOADS):
        top = 20 + panel * panel_height
        rows = [r for r in results if r["workload"] == workload]
        peak = max(r["goodput"] for r in rows) or 1
        out.append(f'<text x="{left}" y="{top}" font-weight="bold">{title}: goodput at the SLOs (requests/s)</text>')
        for i, (strategy, _) in enumerate(STRATEGIES):
            y = top + 12 + i * 28
            out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{strategy}</text>')
            for j, (hardware, _, _) in enumerate(HARDWARE):
                row = next(r for r in rows if r["strategy"] == strategy and r["hardware"] == hardware)
                length = (width - left - 80) * row["goodput"] / peak
                out.append(f'<rect x="{left}" y="{y + j * bar}" width="{length:.1f}" height="{bar - 1}" fill="{colors[hardware]}"/>')
                out.append(f'<text x="{left + length + 4:.1f}" y="{y + j * bar + 9}">{row["goodput"]:.2f}</text>')
    legend_y = height - 12
    for j, (hardware, label, _) in enumerate(HARDWARE):
        x = left + j * 200
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colors[hardware]}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "capacity.json")
    done = json.load(open(path)) if os.path.exists(path) else []
    results = []
    for workload, _, experiment, instance_mib in WORKLOADS:
        for hardware, _, hbm in HARDWARE:
            for strategy, settings in STRATEGIES:
                key = {"workload": workload, "hardware": hardware, "strategy": strategy, "slos": SLOS}
                found = next((r for r in done if all(r.get(k) == v for k, v in key.items())), None)
                if found is None:
                    found = dict(key, **search(experiment, hardware, hbm, instance_mib, strategy, settings))
                results.append(found)
                print(f"{workload:9} {hardware:20} {strategy:15} {found['knob']} = {found['capacity']}, "
                      f"goodput {found['goodput']:.3f} req/s", flush=True)
                with open(path, "w") as f:
                    json.dump(results + [r for r in done if r not in results], f, indent=1, sort_keys=True)
                    f.write("\n")
    with open(os.path.join(OUT, "goodput.svg"), "w") as f:
        f.write(svg(results))
    lines = ["# Every memory strategy under vLLM V1, on a GH200 and on an x86 H200", "",
             "Generated by `python3 Scripts/v1_strategies.py` (after `swift build -c release`); do not edit by hand.", "",
             f"Each cell is `gracesim capacity` with the SLOs {SLOS.replace(',', ', ')} (overall, at steady state): the "
             "highest load that meets them, and the goodput there (finished requests per second, all meeting the SLOs). "
             "Both presets have the same H200-class GPU; the GH200 reaches its 480 GB of LPDDR5X over NVLink-C2C "
             "(427 GB/s one way), the x86 host its DDR5 over PCIe 5 (53 GB/s one way). Every instance gets the same "
             "bytes on both. Strategies run under vLLM V1 with prefix caching, except swap, which V1 does not have: "
             "its row is vLLM V0's swap mode (V0's scheduler, no prefix cache). Options: kv-offload 32 GiB of CPU "
             "blocks per instance, weight-offload 4 GiB of each instance's weights in CPU memory, the others their "
             "defaults. Workloads: `Configs/experiments/v1-c1.yaml` (its load is the trace's `rate_scale`) and "
             "`Configs/experiments/v1-sessions.yaml` (its load is the number of users).", "",
             "![goodput](goodput.svg)", ""]
    for workload, title, _, _ in WORKLOADS:
        rows = [r for r in results if r["workload"] == workload]
        knob = next(r["knob"] for r in rows if r["knob"]).split(".")[-1]
        lines += [f"## {title}", "",
                  f"| strategy | GH200: {knob} | GH200: goodput req/s | x86: {knob} | x86: goodput req/s | GH200 / x86 goodput |",
                  "|---|---:|---:|---:|---:|---:|"]
        for strategy, _ in STRATEGIES:
            gh = next(r for r in rows if r["strategy"] == strategy and r["hardware"] == "gh200-144gb")
            x86 = next(r for r in rows if r["strategy"] == strategy and r["hardware"] == "x86-h200-sxm-pcie5")
            ratio = f"{gh['goodput'] / x86['goodput']:.2f}" if x86["goodput"] > 0 else "x86 meets no load"
            cell = lambda r: f"{r['capacity']:.4g}" if r["knob"] else "SLOs unmet"
            lines.append(f"| {strategy} | {cell(gh)} | {gh['goodput']:.3f} | {cell(x86)} | {x86['goodput']:.3f} | {ratio} |")
        lines.append("")
    lines += ["## Reading", "",
              "- Remapping is the strategy the link decides. On the GH200 it is the best on C1 and second on sessions; "
              "over PCIe its amount rule finds no layer worth lending at these loads, and every x86 remap cell equals "
              "recompute's.",
              "- Offloading KV blocks to the CPU (`kv-offload`) is the best on multi-turn sessions on both hosts: a "
              "returning user's evicted prefix is loaded back instead of recomputed. It needs little bandwidth, so "
              "the link moves it by 4%. On C1 few prefixes repeat and it is recompute's equal.",
              "- Streaming 4 GiB of weights every pass (`weight-offload`) costs 10 ms per pass over C2C and 81 ms "
              "over PCIe; on x86 its goodput on sessions is under a third of the GH200's, and on C1 it meets the SLOs at no load.",
              "- Swap runs on V0's scheduler without a prefix cache, so on sessions it recomputes every shared system "
              "prompt: its capacity is about half of V1 recompute's on both hosts. On C1, with no shared prefixes, it "
              "matches recompute.",
              "- Strategies that do not use the link (recompute) differ by up to 6% in goodput between the two hosts "
              "at the same load: the GPUs differ slightly (HBM 4.9 vs 4.8 TB/s, 145,920 vs 143,771 MiB), and near "
              "capacity the share of requests meeting the SLOs is sensitive to small timing differences in a closed "
              "loop. Read differences below about 6% as ties.", ""]
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
