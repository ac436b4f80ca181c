/// vLLM V0's swap preemption: a victim's KV blocks are copied to CPU swap space (device to host) and copied back
/// (host to device) before it resumes. In V0 these copies run before the step's model execution, so the step
/// waits for them; swap-outs and swap-ins of one step share the link at once.
///
/// Each instance has its own swap space (vLLM's `swap_space`, 4 GiB by default). A victim whose KV does not fit
/// in what is left falls back to recompute.
public final class SwapStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.swap
    public static let summary = "vLLM swap mode: copy a preempted request's KV to CPU swap space and back, synchronously with the step"

    /// `strategy: {kind: swap, swap_space: 4}` (vLLM's `swap_space`, GiB per instance; `swap_space_gib` is its
    /// earlier spelling), or `preemption_mode: swap` and `swap_space: 4` at the experiment's top level.
    public struct Options: StrategyOptions {
        /// CPU swap space per instance, in bytes.
        public var swapSpaceBytes: Int64

        public init(swapSpaceBytes: Int64 = 4 << 30) {
            self.swapSpaceBytes = swapSpaceBytes
        }

        public static func load(from o: ConfigObject) throws -> Options {
            let gib = try o.double(try o.spelling("swap_space", or: "swap_space_gib"), in: 0...1_000_000, default: 4)
            return Options(swapSpaceBytes: Int64(gib * Double(1 << 30)))
        }
    }

    public let options: Options
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    private unowned var context: SimulationContext?
    /// Swap space in use per instance, in bytes.
    private var usedBytes: [Int: Int64] = [:]
    private var peakBytes: [Int: Int64] = [:]
    private var fallbacks: [Int: Int] = [:]

    public init(options: Options) {
        self.options = options
    }

    public static func refusal(for instance: InstanceSpec, options: Options) -> String? {
        instance.engine == .vllmV1 ? "vLLM V1 has no swap preemption (its engine is vllm-v1); use recompute, another strategy, or engine: vllm-v0" : nil
    }


    public func attach(to context: SimulationContext) {
        self.context = context
    }

    public func preemptionMode(request: Int32, instance: ServingInstance) -> PreemptionMode {
        guard let context else { return .recompute }
        let state = context.requests.states[Int(request)]
        let bytes = Int64(instance.pool.blocks(forTokens: state.computedTokens)) * instance.pool.blockBytes
        let used = usedBytes[instance.index, default: 0]
        guard used + bytes <= options.swapSpaceBytes else {
            fallbacks[instance.index, default: 0] += 1
            return .recompute
        }
        usedBytes[instance.index] = used + bytes
        peakBytes[instance.index] = max(peakBytes[instance.index, default: 0], used + bytes)
        return .swap
    }

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        guard let context else { return IterationPlan() }
        var waitFor: [TransferID] = []
        let blockBytes = instance.pool.blockBytes
        if instance.batch.swapOutBlocks > 0 {
            let bytes = Int64(instance.batch.swapOutBlocks) * blockBytes
            waitFor.append(context.startTransfer(bytes: bytes, direction: .deviceToHost, purpose: .swapOut, instance: instance.index))
        }
        if instance.batch.swapInBlocks > 0 {
            let bytes = Int64(instance.batch.swapInBlocks) * blockBytes
            usedBytes[instance.index, default: 0] -= bytes
            waitFor.append(context.startTransfer(bytes: bytes, direction: .hostToDevice, purpose: .swapIn, instance: instance.index))
        }
        return IterationPlan(waitFor: waitFor)
    }

    /// SW-1: swap space in use stays within 0 and its size.
    public func checkInvariants() -> [InvariantViolation] {
        usedBytes.sorted { $0.key < $1.key }.compactMap { index, used in
            used < 0 || used > options.swapSpaceBytes ? InvariantViolation("SW-1", "instance \(index) uses \(used) bytes of swap space of \(options.swapSpaceBytes)") : nil
        }
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        StrategyReport(counters: [
            "swap_space_gib": Double(options.swapSpaceBytes) / Double(1 << 30),
            "swap_space_peak_gib": Double(peakBytes[instance.index, default: 0]) / Double(1 << 30),
            "recompute_fallbacks": Double(fallbacks[instance.index, default: 0]),
        ])
    }
}

extension StrategyKind {
    /// vLLM V0's swap mode: a preempted request's KV goes to CPU swap space and comes back before it resumes.
    public static let swap = StrategyKind(name: "swap")
}

extension TransferPurpose {
    /// A preempted request's KV blocks copied to CPU swap space (vLLM swap mode).
    public static let swapOut = TransferPurpose(name: "swap-out", order: 0)
    /// A swapped request's KV blocks copied back before it resumes.
    public static let swapIn = TransferPurpose(name: "swap-in", order: 1)
}
