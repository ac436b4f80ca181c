/// Why gracesim cannot replay a row of the silicon table yet: one feature of the measured run that it does not model.
///
/// The cases are in the order reasons are listed (the model, its weights, the parallel layout, the machine).
public enum SiliconReason: Sendable, Hashable, Comparable {
    /// A model whose Hugging Face id no model preset lists under `hf_id`.
    case modelNotInCatalog(model: String)
    /// The weights are in a format gracesim cannot give the model (`int4_wo` without its group size).
    case quantizedWeights(precision: String)
    /// The model is split over this many GPUs by tensor parallelism.
    case tensorParallel(Int)
    /// The model is split over this many GPUs by pipeline parallelism.
    case pipelineParallel(Int)
    /// Attention runs data-parallel over this many GPUs.
    case attentionDataParallel(Int)
    /// Experts are spread over this many GPUs.
    case expertParallel(Int)
    /// No hardware preset stands for aiconfigurator's system of this name.
    case noHardwarePreset(system: String)
    /// Everything above is modelled, but the experiment it maps to does not load (its message says why, for
    /// example weights that do not fit in the GPU's memory).
    case experimentDoesNotLoad(message: String)

    /// The reason with its particulars: "tensor parallel 4", "no hardware preset for h200_sxm".
    public var description: String {
        switch self {
        case .modelNotInCatalog(let model): return "\(model) not in the model catalog"
        case .quantizedWeights(let precision): return "\(precision) weights"
        case .tensorParallel(let size): return "tensor parallel \(size)"
        case .pipelineParallel(let size): return "pipeline parallel \(size)"
        case .attentionDataParallel(let size): return "attention data parallel \(size)"
        case .expertParallel(let size): return "expert parallel \(size)"
        case .noHardwarePreset(let system): return "no hardware preset for \(system)"
        case .experimentDoesNotLoad(let message): return "the experiment does not load: \(message)"
        }
    }

    /// The reason without the particulars that differ from row to row, for counting combinations: "tensor parallel",
    /// "no hardware preset". A quantization keeps its name (`fp8 weights`).
    public var kind: String {
        switch self {
        case .modelNotInCatalog: return "model not in the catalog"
        case .quantizedWeights(let precision): return "\(precision) weights"
        case .tensorParallel: return "tensor parallel"
        case .pipelineParallel: return "pipeline parallel"
        case .attentionDataParallel: return "attention data parallel"
        case .expertParallel: return "expert parallel"
        case .noHardwarePreset: return "no hardware preset"
        case .experimentDoesNotLoad: return "experiment does not load"
        }
    }
}

/// What gracesim can do with one row of the silicon table.
public enum SiliconVerdict: Sendable {
    /// The row maps to this experiment, which replays it.
    case expressible(SiliconSetup)
    /// The row cannot be replayed, for these reasons (at least one, in ``SiliconReason`` order).
    case notExpressible([SiliconReason])

    /// The experiment, when the row is expressible.
    public var setup: SiliconSetup? {
        if case .expressible(let setup) = self { return setup }
        return nil
    }

    /// The reasons, empty when the row is expressible.
    public var reasons: [SiliconReason] {
        if case .notExpressible(let reasons) = self { return reasons }
        return []
    }
}
