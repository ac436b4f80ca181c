extension PieStrategy {
    /// `strategy: {kind: pie, max_host_share: 0.5, step: 0.05, adaptive: true, headroom: 0.1}`.
    ///
    /// Pie's paper gives no numbers for these knobs that we could read (only its abstract; docs/paper.md, "Rival strategies"),
    /// so every default is our estimate [E], chosen as stated on each property.
    public struct Options: StrategyOptions {
        /// The largest share of an instance's KV pool that may live in CPU memory: host blocks over all blocks,
        /// from 0 (never expand: pie is then recompute) to below 1.
        /// [E] 0.5: Pie's expansion doubles the pool at most; past that even GH200's link cannot hide the traffic
        /// of a decode step (one layer's KV read from HBM at ≈ 4 TB/s against ≈ 0.2 TB/s each way when mixed).
        public var maxHostShare: Double
        /// How much the host share grows or shrinks at a time, as a fraction of the instance's GPU pool.
        /// [E] 0.05: small enough that one step rarely turns hidden transfers into a stall, large enough that a
        /// burst is absorbed in a few expansions.
        public var step: Double
        /// Whether the share follows run-time measurements (Pie's adaptive expansion): grow only up to the share
        /// whose transfers the last decode step's compute could hide, shrink a step when they were not hidden.
        /// False grows whenever KV runs short, up to `maxHostShare`, and never shrinks for stalls.
        public var adaptive: Bool
        /// The margin that hidden transfers must leave: growth stops at the share whose predicted transfer time
        /// is `(1 − headroom) ×` the last decode step's compute time.
        /// [E] 0.1: a step's batch grows between measurements (more contexts, longer contexts), so a prediction
        /// at exactly the compute time would stall on the next iteration.
        public var headroom: Double

        public init(maxHostShare: Double = 0.5, step: Double = 0.05, adaptive: Bool = true, headroom: Double = 0.1) {
            self.maxHostShare = maxHostShare
            self.step = step
            self.adaptive = adaptive
            self.headroom = headroom
        }

        public static func load(from o: ConfigObject) throws -> Options {
            let defaults = Options()
            return Options(maxHostShare: try o.double("max_host_share", in: 0...0.95, default: defaults.maxHostShare),
                           step: try o.double("step", in: 0.001...1, default: defaults.step),
                           adaptive: try o.bool("adaptive", default: defaults.adaptive),
                           headroom: try o.double("headroom", in: 0...0.9, default: defaults.headroom))
        }
    }
}
