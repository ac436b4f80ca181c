/// Says, for each row of the silicon table, whether gracesim can replay it and on which experiment, or why not.
///
/// A row is expressible when gracesim models everything in it: a model (dense or mixture-of-experts) that a model
/// preset lists under `hf_id`, weights it can store as the row says (``quantization(for:preset:)``), tensor parallelism
/// only (pipeline, attention-data and expert parallel sizes all 1), a system with a hardware preset (``hardwarePresets``
/// on one GPU, ``multiGPUPresets`` on several) with GPUs enough,
/// and an experiment that then loads (the weights fit, the limits are in range). Otherwise every reason that applies
/// is listed, in ``SiliconReason`` order.
public struct SiliconClassifier: Sendable {
    /// aiconfigurator's system names that a hardware preset stands for. Other systems (`b200_sxm`, `b300_sxm`, …)
    /// have none yet; `a100_sxm` has none either (the A100 preset is the PCIe card).
    public static let hardwarePresets: [String: String] = ["h100_sxm": "x86-h100-sxm-pcie5", "h200_sxm": "x86-h200-sxm-pcie5"]
    /// The preset of each system's 8-GPU node, for rows at tensor parallelism above 1 (NVIDIA measured them on such
    /// nodes; the table does not record the node).
    public static let multiGPUPresets: [String: String] = ["h100_sxm": "dgx-h100", "h200_sxm": "dgx-h200"]

    public let catalog: PresetCatalog
    /// Each Hugging Face id of the catalog, lowercased, with its preset (the first preset that lists it).
    private let presetOfModel: [String: String]
    /// The loaded hardware preset of each system in ``hardwarePresets`` (nil when it does not load).
    private let hardwareOfSystem: [String: HardwareSpec]
    /// The same for ``multiGPUPresets``.
    private let multiGPUHardwareOfSystem: [String: HardwareSpec]

    public init(catalog: PresetCatalog) {
        self.catalog = catalog
        var models: [String: String] = [:]
        for (id, preset) in catalog.huggingFaceIds() where models[id.lowercased()] == nil {
            models[id.lowercased()] = preset
        }
        presetOfModel = models
        hardwareOfSystem = Self.load(Self.hardwarePresets, from: catalog, file: "SiliconClassifier.hardwarePresets")
        multiGPUHardwareOfSystem = Self.load(Self.multiGPUPresets, from: catalog, file: "SiliconClassifier.multiGPUPresets")
    }

    /// Each system's preset of `presets`, loaded from `catalog` (absent where it does not load).
    private static func load(_ presets: [String: String], from catalog: PresetCatalog, file: String) -> [String: HardwareSpec] {
        var loaded: [String: HardwareSpec] = [:]
        for (system, preset) in presets { loaded[system] = try? catalog.hardware(named: preset, file: file, key: system) }
        return loaded
    }

    /// The model preset that lists `modelPath` under `hf_id` (case-insensitive), if any.
    public func modelPreset(for modelPath: String) -> String? { presetOfModel[modelPath.lowercased()] }

    /// The verdict on `row`. An expressible row's experiment (its measured phase) has been loaded once, so replaying it
    /// will load.
    public func classify(_ row: SiliconRow) -> SiliconVerdict {
        var reasons: [SiliconReason] = []
        let model = modelPreset(for: row.modelPath)
        var weights: SiliconQuantization?
        if let model {
            weights = quantization(for: row, preset: model)
            if weights == nil { reasons.append(.quantizedWeights(precision: row.weightPrecision)) }
        } else {
            reasons.append(.modelNotInCatalog(model: row.modelPath))
        }
        let hardware = row.tensorParallel > 1 ? multiGPUHardwareOfSystem[row.system] : hardwareOfSystem[row.system]
        if let hardware, row.tensorParallel > hardware.gpuCount { reasons.append(.tensorParallel(row.tensorParallel)) }
        if row.pipelineParallel > 1 { reasons.append(.pipelineParallel(row.pipelineParallel)) }
        if row.attentionDataParallel > 1 { reasons.append(.attentionDataParallel(row.attentionDataParallel)) }
        // Expert parallelism over the tensor-parallel GPUs, without data parallelism, is vLLM's enable_expert_parallel.
        let expertsOverTP = row.moeExpertParallel > 1 && row.moeExpertParallel == row.tensorParallel && row.attentionDataParallel <= 1
        if row.moeExpertParallel > 1 && !expertsOverTP { reasons.append(.expertParallel(row.moeExpertParallel)) }
        if hardware == nil { reasons.append(.noHardwarePreset(system: row.system)) }
        guard reasons.isEmpty, let model, let hardware, let weights else { return .notExpressible(reasons) }

        let defaults = SiliconSetup.vllmDefaults(hardware: hardware)
        var setup = SiliconSetup(hardwarePreset: hardware.name, modelPreset: model,
                                 maxNumBatchedTokens: defaults.maxNumBatchedTokens,
                                 maxNumSeqs: max(defaults.maxNumSeqs, row.concurrency), concurrency: row.concurrency,
                                 inputTokens: row.inputTokens, outputTokens: row.outputTokens, quantization: weights)
        setup.tensorParallel = row.tensorParallel
        setup.expertParallel = expertsOverTP
        do {
            _ = try setup.experiment(name: row.id, file: row.id, requests: setup.measuredRequests, catalog: catalog)
        } catch let error as ConfigError {
            return .notExpressible([.experimentDoesNotLoad(message: error.message)])
        } catch {
            return .notExpressible([.experimentDoesNotLoad(message: "\(error)")])
        }
        return .expressible(setup)
    }

    /// How the row's weights are stored on top of the preset `preset`, or nil when gracesim cannot say.
    ///
    /// A preset of a quantized checkpoint (`llama-3.1-8b-fp8`, `gpt-oss-120b`) serves the row as its checkpoint is
    /// stored, whatever the row's label: the table labels gpt-oss's MXFP4 experts `nvfp4` on Hopper, where vLLM runs
    /// the checkpoint's MXFP4. A 16-bit preset with an `fp8` row is quantized to fp8 by vLLM when it loads
    /// (`--quantization fp8`), `fp8_block` with 128 × 128 blocks, and `nvfp4` as NVFP4; `int4_wo` and other labels
    /// name no group size or format gracesim can take.
    public func quantization(for row: SiliconRow, preset: String) -> SiliconQuantization? {
        guard let spec = try? catalog.model(named: preset, file: "silicon", key: "model") else { return nil }
        if spec.quantization.isQuantized || row.hasSixteenBitWeights { return .checkpoint }
        switch row.weightPrecision.lowercased() {
        case "fp8": return .online(method: "fp8", blockSize: nil)
        case "fp8_block": return .online(method: "fp8", blockSize: 128)
        case "nvfp4": return .online(method: "nvfp4", blockSize: nil)
        default: return nil
        }
    }
}

/// The weights a replayed row serves: its preset's checkpoint as stored, or the preset quantized by vLLM at load.
public enum SiliconQuantization: Sendable, Hashable {
    case checkpoint
    case online(method: String, blockSize: Int?)
}
