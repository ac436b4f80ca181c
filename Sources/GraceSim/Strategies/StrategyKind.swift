/// The registry of memory strategies: one case per strategy, each implemented in its own file.
///
/// Adding a strategy means a case here, its line in each `switch` below, and its own file with the strategy
/// class and its options.
public enum StrategyKind: String, Sendable, CaseIterable, Codable {
    /// vLLM V0's default: a preempted request frees its KV and is prefilled again later.
    case recompute
    /// vLLM V0's swap mode: a preempted request's KV goes to CPU swap space and comes back before it resumes.
    case swap
    /// Pie: a share of KV in CPU memory, prefetched layer by layer and written back, overlapped with compute.
    case pie
    /// NEO-style offloading: some decoding requests' KV and decode attention move to the CPU, pipelined with the GPU.
    case offload
    /// MIRAGE: lend weight memory to the KV cache and stream the remapped layers over the link each pass.
    case remap

    /// A one-line description for `gracesim list strategies`.
    public var summary: String {
        switch self {
        case .recompute: return "vLLM default: preempt the latest-arrived request, drop its KV, prefill it again later"
        case .swap: return "vLLM swap mode: copy a preempted request's KV to CPU swap space and back, synchronously with the step"
        case .remap: return "MIRAGE parameter remapping: lend weight layers' memory to KV, stream them back over the link each pass"
        case .offload: return "NEO-style: move decoding requests' KV and attention to the CPU while the CPU keeps pace with the GPU"
        case .pie: return "Pie: extend KV into CPU memory, prefetch it layer by layer and write it back behind compute; the share adapts"
        }
    }

    /// Reads this strategy's options from the keys of the experiment's `strategy:` mapping other than `kind`.
    func loadOptions(from o: ConfigObject) throws -> StrategyOptions {
        switch self {
        case .recompute: return .recompute
        case .swap: return .swap(try SwapStrategy.Options.load(from: o))
        case .remap: return .remap(try RemapOptions.load(from: o))
        case .offload: return .offload(try OffloadStrategy.Options.load(from: o))
        case .pie: return .pie(try PieStrategy.Options.load(from: o))
        }
    }

    /// A fresh strategy object for one run.
    public func makeStrategy(options: StrategyOptions) -> MemoryStrategy {
        switch (self, options) {
        case (.swap, .swap(let options)): return SwapStrategy(options: options)
        case (.swap, _): return SwapStrategy(options: SwapStrategy.Options())
        case (.remap, .remap(let options)): return RemapStrategy(options: options)
        case (.remap, _): return RemapStrategy(options: RemapOptions())
        case (.offload, .offload(let options)): return OffloadStrategy(options: options)
        case (.offload, _): return OffloadStrategy(options: OffloadStrategy.Options())
        case (.pie, .pie(let options)): return PieStrategy(options: options)
        case (.pie, _): return PieStrategy(options: PieStrategy.Options())
        case (.recompute, _): return RecomputeStrategy()
        }
    }
}

/// The options of the experiment's memory strategy, one case per strategy.
public enum StrategyOptions: Sendable {
    case recompute
    case swap(SwapStrategy.Options)
    case remap(RemapOptions)
    case offload(OffloadStrategy.Options)
    case pie(PieStrategy.Options)
}

/// The memory strategy of an experiment: which one, with which options.
public struct StrategySpec: Sendable {
    public var kind: StrategyKind
    public var options: StrategyOptions

    public init(kind: StrategyKind, options: StrategyOptions) {
        self.kind = kind
        self.options = options
    }

    /// vLLM's default.
    public static let recompute = StrategySpec(kind: .recompute, options: .recompute)

    /// Reads `strategy: NAME` or `strategy: {kind: NAME, option: value, ...}`.
    public static func load(from node: ConfigNode) throws -> StrategySpec {
        if case .scalar = node.node {
            let kind = try node.choice(StrategyKind.self)
            let o = try ConfigNode.parse("{}", file: node.file).object()
            return StrategySpec(kind: kind, options: try kind.loadOptions(from: o))
        }
        let o = try node.object()
        let kind = try o.required("kind").choice(StrategyKind.self)
        let options = try kind.loadOptions(from: o)
        try o.finish()
        return StrategySpec(kind: kind, options: options)
    }

    public func makeStrategy() -> MemoryStrategy {
        kind.makeStrategy(options: options)
    }
}
