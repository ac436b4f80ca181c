/// The experiment that mirrors one expressible row of the silicon table: hardware and model presets, vLLM V1's engine
/// arguments, and the benchmark (a closed loop of the row's concurrency with fixed lengths, a warm-up phase and a
/// measured phase).
///
/// The engine arguments are vLLM's defaults, since the table records none: the V1 engine (every version in the table
/// is V1; a blank version is taken to be too) with its scheduler and prefix caching, chunked prefill, `gpu_memory_utilization` 0.9, `block_size` 16, and
/// the batch limits of ``vllmDefaults(hardware:)``. `max_num_seqs` is raised to the concurrency when that is larger,
/// so that every client's request can run at once.
public struct SiliconSetup: Sendable {
    /// The hardware preset (`x86-h100-sxm-pcie5`).
    public var hardwarePreset: String
    /// The model preset (`llama-3.1-8b`).
    public var modelPreset: String
    /// vLLM's `tensor_parallel_size`: the GPUs of the hardware preset the model is split over.
    public var tensorParallel = 1
    /// vLLM's `enable_expert_parallel`: the routed experts spread whole over those GPUs.
    public var expertParallel = false
    /// The engine overhead profile (`vllm-v1`).
    public var engineOverhead = "vllm-v1"
    public var chunkedPrefill = true
    public var gpuMemoryUtilization = 0.9
    public var blockTokens = 16
    /// vLLM's `max_num_batched_tokens`: tokens in one step.
    public var maxNumBatchedTokens: Int
    /// vLLM's `max_num_seqs`: sequences in one step.
    public var maxNumSeqs: Int
    /// Clients of the closed loop, each with one request in flight.
    public var concurrency: Int
    /// Prompt and output length of every request, in tokens.
    public var inputTokens: Int
    public var outputTokens: Int
    /// Requests of the warm-up phase, left out of the statistics (aiperf's `--warmup-request-count`, 2 × concurrency).
    public var warmupRequests: Int
    /// The weights: the preset's checkpoint, or quantized as the row says.
    public var quantization: SiliconQuantization
    /// Requests of the measured phase, after the warm-up (aiperf's `--request-count`, 20 × concurrency, which aiperf
    /// counts apart from the warm-up).
    public var measuredRequests: Int

    /// Distinct prompts aiperf sends (its `--num-dataset-entries`, 100 by default), in aiperf's default order for
    /// synthetic prompts, `shuffle`: each once in a shuffled order, shuffled again when all have been used
    /// (`InputDefaults` in aiperf's `common/config/config_defaults.py`, 2026; its releases of 2025 drew with
    /// replacement) [assumed: the version of aiperf that measured the rows is not recorded]. A prompt sent again finds
    /// its blocks in vLLM's prefix cache.
    public static let promptPool = 100
    public static let promptSampling = "shuffle"

    /// Warm-up and measured requests per client, as aiconfigurator's benchmark template asks aiperf for them
    /// (`--warmup-request-count C×2 --num-requests C×20`; an assumption, see `Workloads/silicon/SOURCE.md`).
    public static let warmupPerClient = 2
    public static let measuredPerClient = 20

    public init(hardwarePreset: String, modelPreset: String, maxNumBatchedTokens: Int, maxNumSeqs: Int, concurrency: Int,
                inputTokens: Int, outputTokens: Int, quantization: SiliconQuantization = .checkpoint,
                warmupRequests: Int? = nil, measuredRequests: Int? = nil) {
        self.quantization = quantization
        self.hardwarePreset = hardwarePreset
        self.modelPreset = modelPreset
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.maxNumSeqs = maxNumSeqs
        self.concurrency = concurrency
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.warmupRequests = warmupRequests ?? Self.warmupPerClient * concurrency
        self.measuredRequests = measuredRequests ?? Self.measuredPerClient * concurrency
    }

    /// All requests of both phases.
    public var totalRequests: Int { warmupRequests + measuredRequests }

    /// vLLM V1's default batch limits for the OpenAI-compatible server (`EngineArgs.get_batch_defaults` in
    /// `vllm/engine/arg_utils.py`, 0.9 and later): on a GPU with at least 70 GiB that is not an A100, 8192 tokens and
    /// 1024 sequences per step; on others 2048 and 256. The GPU is told by the preset's memory and name.
    public static func vllmDefaults(hardware: HardwareSpec) -> (maxNumBatchedTokens: Int, maxNumSeqs: Int) {
        let large = hardware.gpu.hbmBytes >= 70 << 30 && !hardware.name.lowercased().contains("a100")
        return large ? (8192, 1024) : (2048, 256)
    }

    /// The experiment of one phase as YAML, named after `name`: a closed loop that sends `requests` requests.
    public func yaml(name: String, requests: Int) -> String {
        """
        name: \(Self.quoted(name))
        description: a row of NVIDIA's silicon table, replayed as a closed loop of \(concurrency) clients
        seed: 1
        hardware: \(hardwarePreset)
        strategy: recompute
        instances:
          - model: \(modelPreset)
            gpu_memory_utilization: \(gpuMemoryUtilization)
            max_num_seqs: \(maxNumSeqs)
            max_num_batched_tokens: \(maxNumBatchedTokens)
            enable_chunked_prefill: \(chunkedPrefill)
            block_size: \(blockTokens)
            engine: vllm-v1
            engine_overhead: \(engineOverhead)\(quantizationLines)\(tensorParallel > 1 ? "\n    tensor_parallel_size: \(tensorParallel)" : "")\(expertParallel ? "\n    enable_expert_parallel: true" : "")
        workload:
          max_requests: \(requests)
          arrivals: {kind: closed, clients: \(concurrency), think_time_s: 0}
          lengths: {kind: fixed, prompt: \(inputTokens), output: \(outputTokens), num_dataset_entries: \(Self.promptPool), dataset_sampling_strategy: \(Self.promptSampling)}

        """
    }

    /// The instance's quantization keys, each on its own line, when the row quantizes a 16-bit preset.
    private var quantizationLines: String {
        guard case .online(let method, let block) = quantization else { return "" }
        return "\n    quantization: \(method)" + (block.map { "\n    weight_block_size: [\($0), \($0)]" } ?? "")
    }

    /// Loads ``yaml(name:requests:)`` with `catalog`'s presets; `file` names it in errors.
    public func experiment(name: String, file: String, requests: Int, catalog: PresetCatalog) throws -> Experiment {
        try Experiment.load(try ConfigNode.parse(yaml(name: name, requests: requests), file: file),
                            baseDirectory: catalog.projectRoot, catalog: catalog)
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
