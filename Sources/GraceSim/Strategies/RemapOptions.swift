/// The options of parameter remapping (MIRAGE), each a key of `strategy: {kind: remap, ...}`. The defaults are
/// the paper's system; each option exists so that one of its ablations can be run.
public struct RemapOptions: Sendable, Equatable {
    /// Which instance gives up weight layers first when KV runs short.
    public enum VictimOrder: String, Sendable, CaseIterable {
        /// The most recently run inactive instance: under round-robin it runs again last, so its reloads come
        /// latest (the paper's choice).
        case mru
        /// The least recently run inactive instance (the ablation).
        case lru
    }

    /// How many layers a pass may stream.
    public enum Amount: Sendable, Equatable {
        /// Bounded at run time by T_T × N ≤ T_compute (the paper's rule).
        case dynamic
        /// At most this many remapped layers per instance, whatever the load (the ablation).
        case fixed(Int)
    }

    /// Buffer slots for streamed layers.
    public enum Buffers: Sendable, Equatable {
        case one, two
        /// Two slots once α reaches ``RemapOptions/doubleBufferingThreshold`` of the layers, one below.
        case auto
    }

    public var victim: VictimOrder = .mru
    public var amount: Amount = .dynamic
    public var buffers: Buffers = .auto
    /// Largest fraction of a model's layers that may be non-resident (remapped plus buffers); 1 for no cap.
    /// 0.5 is an estimate [E]: the paper caps remapping but does not give the value.
    public var cap: Double = 0.5
    /// Give layers back when KV demand falls (the paper's dynamic reversion).
    public var reversion = true
    /// Revert one layer when more than this fraction of an instance's KV pool is free [E].
    public var reversionFreeFraction: Double = 0.3
    /// Prefetch an idle instance's first streamed layers into its free buffer slots while others run.
    public var prefetchIdle = true

    /// α / layers at which `buffers: auto` switches to double buffering: the paper's 40-layer example pays off
    /// from α = 9 [R], 9/40 = 0.225.
    public static let doubleBufferingThreshold = 0.225

    public init() {}

    /// Reads the keys of `strategy: {kind: remap, victim: mru, amount: dynamic, buffers: auto, cap: 0.5,
    /// reversion: true, reversion_free_fraction: 0.3, prefetch_idle: true}`; `amount: {static: N}` fixes α.
    static func load(from o: ConfigObject) throws -> RemapOptions {
        var options = RemapOptions()
        options.victim = try o.choice("victim", default: .mru)
        if let amount = o.optional("amount") {
            if case .scalar = amount.node {
                guard try amount.string() == "dynamic" else { throw amount.error("expected dynamic or {static: N}, found \"\(try amount.string())\"") }
            } else {
                let a = try amount.object()
                let layers = try a.required("static")
                let n = try layers.int()
                guard n >= 0 else { throw layers.error("expected a number of layers ≥ 0, found \(n)") }
                try a.finish()
                options.amount = .fixed(n)
            }
        }
        if let buffers = o.optional("buffers") {
            switch try buffers.string() {
            case "1": options.buffers = .one
            case "2": options.buffers = .two
            case "auto": options.buffers = .auto
            case let other: throw buffers.error("expected 1, 2 or auto, found \"\(other)\"")
            }
        }
        options.cap = try o.double("cap", in: 0...1, default: 0.5)
        options.reversion = try o.bool("reversion", default: true)
        options.reversionFreeFraction = try o.double("reversion_free_fraction", in: 0...1, default: 0.3)
        options.prefetchIdle = try o.bool("prefetch_idle", default: true)
        return options
    }
}
