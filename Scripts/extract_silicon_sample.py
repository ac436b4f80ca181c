#!/usr/bin/env python3
"""Extract NVIDIA's measured vLLM serving runs (aggregated mode) into gracesim's silicon table.

Source: aiconfigurator-core 0.12.0 (PyPI, Apache-2.0, NVIDIA), aiconfigurator_core/systems/silicon_sample.csv:
        end-to-end TTFT and TPOT of real serving runs at a fixed prompt length, output length and client
        concurrency, on several GPUs, models, precisions and parallel layouts, for vLLM, SGLang and TensorRT-LLM.
Output: Workloads/silicon/vllm-agg.csv, read by `gracesim replay --silicon` (Workloads/silicon/SOURCE.md
        describes the columns and what the source does not record).

What is kept: every row with backend vllm and mode agg, in the source's order, with these columns:
  id, backend_version, model_path, system, precision, gemm_quant_mode, moe_quant_mode, isl, osl   as in the source
  concurrency        the client concurrency: N of `silicon_concurrency=N` in the row's silicon_data_source; the
                     rows that do not record it (3 in 0.12.0) take batch_size x attention_dp_size (blank or 0: 1)
  batch_size, tp_size, pp_size, attention_dp_size, moe_tp_size, moe_ep_size
                     as in the source, written as integers; blank where the source is blank
  silicon_ttft_ms, silicon_tpot_ms   as in the source (shortest repr that reads back to the same double)
  is_moe             1 when the model's config in the package (model_configs/<org>--<name>_config.json, or the
                     config named in CONFIG_ALIASES below) has num_experts, num_local_experts or n_routed_experts
                     above 1, at its top level or in a nested config (Kimi's text_config); else 0

A model with no config in the package and no alias stops the script: nothing is guessed.

Usage:  pip install aiconfigurator-core==0.12.0 pandas==2.2.3
        python3 Scripts/extract_silicon_sample.py [--package-dir DIR]
"""
import argparse
import json
import math
import os
import re
import sys

import pandas as pd

from aiconfigurator_package import PACKAGE, PACKAGE_VERSION, package_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Workloads", "silicon", "vllm-agg.csv")

# Models of the table whose own config the package does not ship, with the config of the same architecture it does
# ship (the FP8 checkpoint quantizes Llama-3.1-8B-Instruct; Llama-3.1-70B is Meta-Llama-3.1-70B renamed).
CONFIG_ALIASES = {
    "meta-llama/Llama-3.1-70B": "meta-llama/Meta-Llama-3.1-70B",
    "nvidia/Llama-3.1-8B-Instruct-FP8": "meta-llama/Meta-Llama-3.1-8B",
}
EXPERT_KEYS = ("num_experts", "num_local_experts", "n_routed_experts")
TEXT_COLUMNS = ["id", "backend_version", "model_path", "system", "precision", "gemm_quant_mode", "moe_quant_mode"]
SIZE_COLUMNS = ["batch_size", "tp_size", "pp_size", "attention_dp_size", "moe_tp_size", "moe_ep_size"]
COLUMNS = TEXT_COLUMNS + ["isl", "osl", "concurrency"] + SIZE_COLUMNS + ["silicon_ttft_ms", "silicon_tpot_ms", "is_moe"]


def expert_count(config):
    """The largest expert count in `config` or any config nested in it; 0 when it names none."""
    found = 0
    for key, value in config.items():
        if key in EXPERT_KEYS and isinstance(value, int):
            found = max(found, value)
        elif isinstance(value, dict):
            found = max(found, expert_count(value))
    return found


def is_moe(model, configs_dir):
    name = CONFIG_ALIASES.get(model, model)
    path = os.path.join(configs_dir, name.replace("/", "--") + "_config.json")
    if not os.path.exists(path):
        sys.exit(f"{model}: no model config at {path}; add the model to CONFIG_ALIASES or to the package")
    with open(path) as f:
        return 1 if expert_count(json.load(f)) > 1 else 0


def whole(value):
    """An integer as text, or blank for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value) != int(value):
        sys.exit(f"expected a whole number, found {value}")
    return str(int(value))


def concurrency(row):
    found = re.search(r"silicon_concurrency=(\d+)", str(row.silicon_data_source))
    if found:
        return found.group(1)
    dp = row.attention_dp_size
    dp = 1 if dp is None or math.isnan(dp) or dp == 0 else dp
    return whole(row.batch_size * dp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package-dir", help="an unpacked aiconfigurator_core folder (default: the installed one)")
    args = parser.parse_args()
    folder = package_dir(args.package_dir)
    source = pd.read_csv(os.path.join(folder, "systems", "silicon_sample.csv"), dtype={"backend_version": str},
                         float_precision="round_trip")
    rows = source[(source.backend == "vllm") & (source["mode"] == "agg")]
    moe = {model: is_moe(model, os.path.join(folder, "model_configs")) for model in sorted(rows.model_path.unique())}
    out = pd.DataFrame({column: rows[column].fillna("") for column in TEXT_COLUMNS})
    out["isl"] = rows.isl.map(whole)
    out["osl"] = rows.osl.map(whole)
    out["concurrency"] = [concurrency(row) for row in rows.itertuples(index=False)]
    for column in SIZE_COLUMNS:
        out[column] = rows[column].map(whole)
    out["silicon_ttft_ms"] = rows.silicon_ttft_ms.map(repr)
    out["silicon_tpot_ms"] = rows.silicon_tpot_ms.map(repr)
    out["is_moe"] = rows.model_path.map(moe).astype(str)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    out[COLUMNS].to_csv(OUT, index=False, lineterminator="\n")
    print(f"{OUT}: {len(out)} rows of {len(source)}", file=sys.stderr)
    for model, flag in moe.items():
        print(f"  {model}: {'MoE' if flag else 'dense'}", file=sys.stderr)


if __name__ == "__main__":
    main()
