/// One measured serving run of NVIDIA's silicon table (`Workloads/silicon/vllm-agg.csv`): a model served by vLLM on
/// some GPUs at one prompt length, output length and client concurrency, with the measured mean TTFT and TPOT.
///
/// Read by ``SiliconRow/load(path:)``; classified by ``SiliconClassifier``; replayed by ``SiliconReplay``. The
/// columns are described in `Workloads/silicon/SOURCE.md`. Parallel sizes the table leaves blank or 0 (unset) are 1.
public struct SiliconRow: Sendable, Equatable {
    /// The table's row key, unique within the file.
    public var id: String
    /// The vLLM version measured, or nil when the table does not record it.
    public var backendVersion: String?
    /// The Hugging Face model id.
    public var modelPath: String
    /// aiconfigurator's system name (`h100_sxm`).
    public var system: String
    /// The table's coarse precision label (`fp8`, `fp4`, `bf16`), nil when blank.
    public var precision: String?
    /// aiconfigurator's quantization of the GEMM weights (`fp8`, `nvfp4`, `int4_wo`), nil when blank (the
    /// checkpoint's own dtype).
    public var gemmQuantMode: String?
    /// aiconfigurator's quantization of the MoE weights, nil when blank.
    public var moeQuantMode: String?
    /// Prompt length of every request, in tokens.
    public var inputTokens: Int
    /// Output length of every request, in tokens.
    public var outputTokens: Int
    /// The benchmark's client concurrency: requests kept in flight.
    public var concurrency: Int
    /// Tensor parallel size.
    public var tensorParallel: Int
    /// Pipeline parallel size.
    public var pipelineParallel: Int
    /// Attention data parallel size.
    public var attentionDataParallel: Int
    /// Tensor parallel size of the MoE layers (set for dense models too, where it means nothing).
    public var moeTensorParallel: Int
    /// Expert parallel size of the MoE layers.
    public var moeExpertParallel: Int
    /// Measured time to first token, in milliseconds.
    public var ttftMs: Double
    /// Measured time per output token, in milliseconds.
    public var tpotMs: Double
    /// Whether the model has experts (from its config in aiconfigurator's package).
    public var isMoE: Bool
    /// The row's line in the file it was read from (0 for a row made in code).
    public var line: Int

    public init(id: String, backendVersion: String? = nil, modelPath: String, system: String, precision: String? = nil,
                gemmQuantMode: String? = nil, moeQuantMode: String? = nil, inputTokens: Int, outputTokens: Int,
                concurrency: Int, tensorParallel: Int = 1, pipelineParallel: Int = 1, attentionDataParallel: Int = 1,
                moeTensorParallel: Int = 1, moeExpertParallel: Int = 1, ttftMs: Double, tpotMs: Double,
                isMoE: Bool = false, line: Int = 0) {
        self.id = id
        self.backendVersion = backendVersion
        self.modelPath = modelPath
        self.system = system
        self.precision = precision
        self.gemmQuantMode = gemmQuantMode
        self.moeQuantMode = moeQuantMode
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.concurrency = concurrency
        self.tensorParallel = tensorParallel
        self.pipelineParallel = pipelineParallel
        self.attentionDataParallel = attentionDataParallel
        self.moeTensorParallel = moeTensorParallel
        self.moeExpertParallel = moeExpertParallel
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.isMoE = isMoE
        self.line = line
    }

    /// The GEMM weights' precision as one word: the quantization when there is one (`fp8`, `nvfp4`), else the
    /// precision label, else `bf16` (a blank row serves the checkpoint's own 16-bit weights).
    public var weightPrecision: String {
        if let gemmQuantMode { return gemmQuantMode }
        if let precision { return precision }
        return "bf16"
    }

    /// Whether the weights are 16-bit (bf16 or fp16), the only precision gracesim models today.
    public var hasSixteenBitWeights: Bool {
        ["bf16", "bfloat16", "fp16", "float16"].contains(weightPrecision.lowercased())
    }
}
