/// Where vLLM's names for its benchmark settings and engine arguments go in an experiment, for the message about a
/// key written in the wrong place or under vLLM's spelling (`request_rate` is `workload.arrivals.rate`).
public enum VLLMNames {
    /// vLLM's name (its flag without `--`, dashes as underscores) and gracesim's equivalent.
    static let equivalents: [String: String] = [
        "request_rate": "workload.arrivals.rate (inf for every request at once)",
        "num_prompts": "workload.num_prompts (also spelt max_requests)",
        "max_concurrency": "workload.arrivals.max_concurrency, beside a rate",
        "burstiness": "workload.arrivals.burstiness",
        "goodput": "slo (slo: \"ttft:200 tpot:50\", or slo: {ttft_ms: 200, tpot_ms: 50})",
        "dataset_name": "workload.lengths: {kind: random | file | uniform | fixed | trace, ...}",
        "dataset": "workload.lengths: {kind: random | file | uniform | fixed | trace, ...}",
        "dataset_path": "workload.lengths: {kind: file, path: ...}",
        "random_input_len": "workload.lengths: {kind: random, input_len: ...}",
        "random_output_len": "workload.lengths: {kind: random, output_len: ...}",
        "random_range_ratio": "workload.lengths: {kind: random, range_ratio: ...}",
        "random_prefix_len": "workload.lengths: {kind: random, prefix_len: ...}",
        "input_len": "workload.lengths: {kind: random, input_len: ...}",
        "output_len": "workload.lengths: {kind: random, output_len: ...}",
        "model": "instances: [{model: ...}]",
        "preemption_mode": "preemption_mode at the top level (or strategy)",
        "swap_space": "swap_space at the top level, with preemption_mode: swap",
        "gpu_memory_utilization": "instances.N.gpu_memory_utilization",
        "max_num_seqs": "instances.N.max_num_seqs",
        "max_num_batched_tokens": "instances.N.max_num_batched_tokens",
        "max_model_len": "instances.N.max_model_len",
        "block_size": "instances.N.block_size",
        "enable_chunked_prefill": "instances.N.enable_chunked_prefill",
        "tensor_parallel_size": "instances.N.tensor_parallel_size",
        "enable_prefix_caching": "instances.N.enable_prefix_caching (with engine: vllm-v1)",
        "dtype": "instances.N.dtype",
        "quantization": "instances.N.quantization",
        "kv_cache_dtype": "instances.N.kv_cache_dtype",
    ]

    /// `vLLM's X is Y here; ` for a key with an equivalent, else "".
    static func hint(for key: String) -> String {
        let name = key.replacingOccurrences(of: "-", with: "_")
        return equivalents[name].map { "vLLM's \(name) is \($0) here; " } ?? ""
    }
}
