/// Says, for each row of the silicon table, whether gracesim can replay it and on which experiment, or why not.
///
/// A row is expressible when gracesim models everything in it: a dense model (not a mixture of experts) that a model
/// preset lists under `hf_id`, 16-bit weights, one GPU (tensor, pipeline, attention-data and expert parallel sizes
/// all 1), a system with a hardware preset (``hardwarePresets``), and an experiment that then loads (the weights fit,
/// the limits are in range). Otherwise every reason that applies is listed, in ``SiliconReason`` order; a MoE model is
/// not also reported missing from the catalog, which holds dense models only.
public struct SiliconClassifier: Sendable {
    /// aiconfigurator's system names that a hardware preset stands for. Other systems (`h200_sxm`, `b200_sxm`,
    /// `gb200`, `b300_sxm`, …) have none yet; `a100_sxm` has none either (the A100 preset is the PCIe card).
    public static let hardwarePresets: [String: String] = ["h100_sxm": "x86-h100-sxm-pcie5"]

    public let catalog: PresetCatalog
    /// Each Hugging Face id of the catalog, lowercased, with its preset (the first preset that lists it).
    private let presetOfModel: [String: String]
    /// The loaded hardware preset of each system in ``hardwarePresets`` (nil when it does not load).
    private let hardwareOfSystem: [String: HardwareSpec]

    public init(catalog: PresetCatalog) {
        self.catalog = catalog
        var models: [String: String] = [:]
        for (id, preset) in catalog.huggingFaceIds() where models[id.lowercased()] == nil {
            models[id.lowercased()] = preset
        }
        presetOfModel = models
        var hardware: [String: HardwareSpec] = [:]
        for (system, preset) in Self.hardwarePresets {
            hardware[system] = try? catalog.hardware(named: preset, file: "SiliconClassifier.hardwarePresets", key: system)
        }
        hardwareOfSystem = hardware
    }

    /// The model preset that lists `modelPath` under `hf_id` (case-insensitive), if any.
    public func modelPreset(for modelPath: String) -> String? { presetOfModel[modelPath.lowercased()] }

    /// The verdict on `row`. An expressible row's experiment (its measured phase) has been loaded once, so replaying it
    /// will load.
    public func classify(_ row: SiliconRow) -> SiliconVerdict {
        var reasons: [SiliconReason] = []
        let model = modelPreset(for: row.modelPath)
        if row.isMoE {
            reasons.append(.mixtureOfExperts)
        } else if model == nil {
            reasons.append(.modelNotInCatalog(model: row.modelPath))
        }
        if !row.hasSixteenBitWeights { reasons.append(.quantizedWeights(precision: row.weightPrecision)) }
        if row.tensorParallel > 1 { reasons.append(.tensorParallel(row.tensorParallel)) }
        if row.pipelineParallel > 1 { reasons.append(.pipelineParallel(row.pipelineParallel)) }
        if row.attentionDataParallel > 1 { reasons.append(.attentionDataParallel(row.attentionDataParallel)) }
        if row.moeExpertParallel > 1 { reasons.append(.expertParallel(row.moeExpertParallel)) }
        let hardware = hardwareOfSystem[row.system]
        if hardware == nil { reasons.append(.noHardwarePreset(system: row.system)) }
        guard reasons.isEmpty, let model, let hardware else { return .notExpressible(reasons) }

        let defaults = SiliconSetup.vllmDefaults(hardware: hardware)
        let setup = SiliconSetup(hardwarePreset: hardware.name, modelPreset: model,
                                 maxNumBatchedTokens: defaults.maxNumBatchedTokens,
                                 maxNumSeqs: max(defaults.maxNumSeqs, row.concurrency), concurrency: row.concurrency,
                                 inputTokens: row.inputTokens, outputTokens: row.outputTokens)
        do {
            _ = try setup.experiment(name: row.id, file: row.id, requests: setup.measuredRequests, catalog: catalog)
        } catch let error as ConfigError {
            return .notExpressible([.experimentDoesNotLoad(message: error.message)])
        } catch {
            return .notExpressible([.experimentDoesNotLoad(message: "\(error)")])
        }
        return .expressible(setup)
    }
}
