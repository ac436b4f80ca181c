/// Bad input to what vLLM users write (engine arguments not modelled, benchmark settings), to `replay`'s checks of a
/// run's setup, to `validate`'s model folders, and to the flags of `capacity` and `diff`.
extension BadInputCorpus {
    /// A run folder whose `requests.jsonl` holds one valid request, beside `meta`.
    static func runFolder(meta: String) -> [String: String] {
        ["run/requests.jsonl": "{\"input_toks\": 10, \"output_toks\": 2, \"arrival_time\": 5, \"queued_ts\": 1, \"first_token_ts\": 2, \"last_token_ts\": 3}\n",
         "run/meta.json": meta]
    }

    /// An experiment of Qwen3-32B (64 attention heads) on the 8-GPU `dgx-h100`, the instance's keys `instance`.
    static func multiGPU(instance: String, extra: String = "", model: String = "qwen3-32b") -> String {
        """
        name: corpus
        hardware: dgx-h100
        instances: [{model: \(model), \(instance)}]
        workload: {max_requests: 50, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 64, output: 16}}
        \(extra)

        """
    }

    static let vllmVocabulary: [BadInputCase] = [
        run("tensor_parallel_size 2 on one GPU", ["experiment.yaml": experiment(instance: "\n    tensor_parallel_size: 2")],
            key: "instances.0.tensor_parallel_size", mentions: ["1 to 1", "GPUs of gh200-96gb", "found 2"]),
        run("tensor_parallel_size 3 of 64 heads", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 3")],
            key: "instances.0.tensor_parallel_size", mentions: ["does not divide", "64 attention heads"]),
        run("tensor_parallel_size 16 on 8 GPUs", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 16")],
            key: "instances.0.tensor_parallel_size", mentions: ["1 to 8", "dgx-h100"]),
        run("tensor_parallel_size 2 under MPS", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2", extra: "sharing: {mode: mps}")],
            key: "instances.0.tensor_parallel_size", mentions: ["sharing mode mps", "in time only"]),
        run("enable_expert_parallel on a dense model", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, enable_expert_parallel: true")],
            key: "instances.0.enable_expert_parallel", mentions: ["dense model", "qwen3-32b"]),
        run("data_parallel_size of a dense model", ["experiment.yaml": multiGPU(instance: "data_parallel_size: 2")],
            key: "instances.0.data_parallel_size", mentions: ["dense model", "independent servers"]),
        run("data_parallel_size beyond the preset's GPUs", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 4, data_parallel_size: 4")],
            key: "instances.0.data_parallel_size", mentions: ["expected 1 to 2", "found 4"]),
        run("data_parallel_size with remap",
            ["experiment.yaml": multiGPU(instance: "data_parallel_size: 2, enable_expert_parallel: true", model: "qwen3-30b-a3b") + "strategy: remap\n"],
            key: "strategy", mentions: ["modelled under recompute only"]),
        run("devices beyond the preset", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, devices: [0, 8]")],
            key: "instances.0.devices.1", mentions: ["0 to 7", "dgx-h100", "found 8"]),
        run("devices naming a GPU twice", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, devices: [3, 3]")],
            key: "instances.0.devices.1", mentions: ["GPU 3 twice"]),
        run("devices fewer than the shards", ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, devices: [1]")],
            key: "instances.0.devices", mentions: ["expected 2 GPUs", "found 1"]),
        run("devices differing between instances",
            ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, devices: [0, 1], gpu_memory_utilization: 0.45}, {model: qwen3-32b, tensor_parallel_size: 2, devices: [2, 3], gpu_memory_utilization: 0.45")],
            key: "instances.1.devices", mentions: ["GPUs of instances.0 (0, 1)", "not modelled yet"]),
        run("tensor_parallel_size differing between instances",
            ["experiment.yaml": multiGPU(instance: "tensor_parallel_size: 2, gpu_memory_utilization: 0.45}, {model: qwen3-32b, tensor_parallel_size: 4, gpu_memory_utilization: 0.45")],
            key: "instances.1.tensor_parallel_size", mentions: ["expected 2", "same GPUs"]),
        run("enable_prefix_caching true", ["experiment.yaml": experiment(instance: "\n    enable_prefix_caching: true")],
            key: "instances.0.enable_prefix_caching", mentions: ["vLLM V1 only", "engine: vllm-v1"]),
        run("engine vllm-v1 with swap", ["experiment.yaml": experiment(instance: "\n    engine: vllm-v1", extra: "strategy: swap")],
            key: "strategy", mentions: ["no swap preemption", "instances.0", "vllm-v1"]),
        run("engine vllm-v1 without chunked prefill", ["experiment.yaml": experiment(instance: "\n    engine: vllm-v1\n    enable_chunked_prefill: false")],
            key: "instances.0.enable_chunked_prefill", mentions: ["always chunks prefills"]),
        run("engine vllm-v2", ["experiment.yaml": experiment(instance: "\n    engine: vllm-v2")],
            key: "instances.0.engine", mentions: ["vllm-v0", "vllm-v1"]),
        run("rate inf bounded by time only",
            ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: inf}").replacingOccurrences(of: "max_requests: 50", with: "duration_s: 10")],
            key: "workload.arrivals.rate", mentions: ["every request at once", "max_requests (vLLM's num_prompts)"]),
        run("burstiness 0", ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 4, burstiness: 0}")],
            key: "workload.arrivals.burstiness", mentions: ["0.0001 to 10000"]),
        run("burstiness and cv together", ["experiment.yaml": experiment(arrivals: "{kind: gamma, rate: 4, cv: 2, burstiness: 0.25}")],
            key: "workload.arrivals.cv", mentions: ["one setting", "burstiness"]),
        run("max_concurrency 0", ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 4, max_concurrency: 0}")],
            key: "workload.arrivals.max_concurrency", mentions: ["positive integer"]),
        run("max_concurrency in a tenant",
            ["experiment.yaml": experiment().replacingOccurrences(of: """
              arrivals: {kind: poisson, rate: 4}
              lengths: {kind: fixed, prompt: 64, output: 16}
            """, with: """
              tenants:
                - arrivals: {kind: poisson, rate: 4, max_concurrency: 2}
                  lengths: {kind: fixed, prompt: 64, output: 16}
            """)],
            key: "workload.tenants.0.arrivals.max_concurrency", mentions: ["whole workload"]),
        run("random range_ratio 1", ["experiment.yaml": experiment(lengths: "{kind: random, range_ratio: 1}")],
            key: "workload.lengths.range_ratio", mentions: ["0 to below 1"]),
        run("random prompts of no tokens", ["experiment.yaml": experiment(lengths: "{kind: random, input_len: 0}")],
            key: "workload.lengths.input_len", mentions: ["at least 1"]),
        run("num_prompts beside max_requests",
            ["experiment.yaml": experiment().replacingOccurrences(of: "max_requests: 50", with: "max_requests: 50\n  num_prompts: 50")],
            key: "workload.num_prompts", mentions: ["one setting"]),
        run("request_rate in arrivals", ["experiment.yaml": experiment(arrivals: "{kind: poisson, rate: 4, request_rate: 4}")],
            key: "workload.arrivals.request_rate", mentions: ["vLLM's request_rate is workload.arrivals.rate"]),
        run("goodput SLO that is not a number", ["experiment.yaml": experiment(extra: "slo: \"ttft:soon\"")],
            key: "slo", mentions: ["\"ttft:soon\"", "--goodput"]),
        run("goodput name as an SLO key", ["experiment.yaml": experiment(extra: "slo: {ttft: 200}")],
            key: "slo.ttft", mentions: ["ttft_ms"]),
        run("model folder without config.json",
            ["experiment.yaml": experiment(model: "$DIR/snapshot/"), "snapshot/README.md": "weights only\n"],
            key: "instances.0.model", mentions: ["without a config.json"]),
        flags("capacity --slo in vLLM's goodput form", "capacity", ["--slo", "ttft:200"], key: "--slo",
              mentions: ["ttft_p99_ms=200", "goodput"]),
        flags("capacity --max-extension 0", "capacity", ["--slo", "ttft_p99_ms=500", "--max-extension", "0"], key: "",
              mentions: ["--max-extension", "1 to 1024"]),
        BadInputCase(name: "diff --match hash", arguments: ["diff", "$DIR/a.sqlite", "$DIR/b.sqlite", "--match", "hash"],
                     file: "<command line>", key: "", mentions: ["'hash'", "config", "axes"]),
        BadInputCase(name: "replay of a run whose meta.json is not JSON", files: runFolder(meta: "not json\n"),
                     arguments: ["replay", "$DIR/run"], file: "$DIR/run/meta.json", key: "", mentions: ["JSON object"]),
        BadInputCase(name: "replay of a run that names no GPU, with no experiment",
                     files: runFolder(meta: "{\"model\": \"meta-llama/Llama-3.1-8B\", \"engine_kwargs\": {\"max_num_seqs\": 8}}\n"),
                     arguments: ["replay", "$DIR/run"], file: "$DIR/run/meta.json", key: "hardware.device_name",
                     mentions: ["does not say which GPU", "--experiment"]),
        BadInputCase(name: "replay of a data-parallel run, with no experiment",
                     files: runFolder(meta: "{\"model\": \"meta-llama/Llama-3.1-8B\", \"engine_kwargs\": {\"data_parallel_size\": 2}, \"hardware\": {\"device_name\": \"NVIDIA H100 80GB HBM3\"}}\n"),
                     arguments: ["replay", "$DIR/run"], file: "$DIR/run/meta.json", key: "instances.0.data_parallel_size",
                     mentions: ["dense model", "independent servers"]),
        BadInputCase(name: "replay of a meta.json whose engine_kwargs is a list", files: runFolder(meta: "{\"engine_kwargs\": [1, 2]}\n"),
                     arguments: ["replay", "$DIR/run"], file: "$DIR/run/meta.json", key: "engine_kwargs", mentions: ["JSON object"]),
        BadInputCase(name: "replay of a saved result with one arrival too few",
                     files: ["bench.json": """
                         {"request_rate": 1, "input_lens": [10, 20], "output_lens": [2, 2], "ttfts": [0.1, 0.2], "itls": [[0.01], [0.02]],
                          "gracesim": {"arrival_times": [0.5]}}
                         """, "experiment.yaml": experiment()],
                     arguments: ["replay", "$DIR/bench.json", "--experiment", experimentPath], file: "$DIR/bench.json",
                     key: "gracesim.arrival_times", mentions: ["one entry per request"]),
    ]
}
