/// The options of parameter remapping (MIRAGE), each a key of `strategy: {kind: remap, ...}`. The defaults are
/// the paper's system; each option exists so that one of its ablations can be run.
public struct RemapOptions: StrategyOptions {
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
        /// Under the pipeline rule, the slot count that lets the most layers be remapped within the stall bound
        /// (a second slot costs one more non-resident layer, which holds no KV); under the paper's rule, two
        /// slots once α reaches ``RemapOptions/doubleBufferingThreshold`` of the layers, one below. Once two,
        /// two until α returns to 0.
        case auto
    }

    /// How `amount: dynamic` bounds the remapped layers.
    public enum AmountRule: String, Sendable, CaseIterable {
        /// The pass with its buffer slots (``RemapPipeline``), on an idle link and without prefetch, stalls at
        /// most ``RemapOptions/maxStallFraction`` of its compute time.
        case pipeline
        /// The paper's bound taken literally: T_T × N ≤ T_compute, N the layers loaded per pass (the default).
        case paper
    }

    /// Which pass time the amount rule takes as T_compute.
    public enum ComputeEstimate: String, Sendable, CaseIterable {
        /// The instance's last decode-only pass: a prefill pass would allow far more layers than the decode
        /// passes after it can hide.
        case lastDecode = "last_decode"
        /// The instance's last pass, whatever it ran.
        case lastPass = "last_pass"
        /// An exponentially weighted mean of the instance's passes (weight ``RemapOptions/ewmaWeight`` on the
        /// newest).
        case ewma
    }

    public var victim: VictimOrder = .mru
    public var amount: Amount = .dynamic
    public var amountRule: AmountRule = .paper
    /// The largest stall the pipeline rule allows, as a fraction of the pass's compute time [E]: 2% keeps the
    /// stream's cost well below the run-to-run spread of a step's time.
    public var maxStallFraction = 0.02
    public var computeEstimate: ComputeEstimate = .lastDecode
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

    /// Weight of the newest pass in `compute_estimate: ewma` [E]: about the last four passes count.
    public static let ewmaWeight = 0.25

    public init() {}

    /// Reads the keys of `strategy: {kind: remap, victim: mru, amount: dynamic, amount_rule: paper,
    /// max_stall_fraction: 0.02, compute_estimate: last_decode, buffers: auto, cap: 0.5, reversion: true,
    /// reversion_free_fraction: 0.3, prefetch_idle: true}`; `amount: {static: N}` fixes α.
    public static func load(from o: ConfigObject) throws -> RemapOptions {
        let defaults = RemapOptions()
        var options = defaults
        options.victim = try o.choice("victim", default: defaults.victim)
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
        options.amountRule = try o.choice("amount_rule", default: defaults.amountRule)
        if let fraction = o.optional("max_stall_fraction") {
            let value = try fraction.double()
            guard value > 0 && value <= 1 else { throw fraction.error("expected a fraction in (0, 1], found \(value)") }
            options.maxStallFraction = value
        }
        options.computeEstimate = try o.choice("compute_estimate", default: defaults.computeEstimate)
        if let buffers = o.optional("buffers") {
            switch try buffers.string() {
            case "1": options.buffers = .one
            case "2": options.buffers = .two
            case "auto": options.buffers = .auto
            case let other: throw buffers.error("expected 1, 2 or auto, found \"\(other)\"")
            }
        }
        options.cap = try o.double("cap", in: 0...1, default: defaults.cap)
        options.reversion = try o.bool("reversion", default: defaults.reversion)
        options.reversionFreeFraction = try o.double("reversion_free_fraction", in: 0...1, default: defaults.reversionFreeFraction)
        options.prefetchIdle = try o.bool("prefetch_idle", default: defaults.prefetchIdle)
        return options
    }
}
