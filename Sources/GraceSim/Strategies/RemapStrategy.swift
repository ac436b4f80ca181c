/// Parameter remapping (MIRAGE, arXiv 2507.11507): when KV runs short, GPU memory holding weight layers is handed
/// to the KV cache, and the remapped layers are streamed back over the link, one way, for every forward pass.
///
/// The rules (docs/paper.md), each an option in ``RemapOptions``:
/// - *When*: instead of preempting, when an instance needs KV blocks (for a decode or an admission). Memory freed
///   by any instance's weights becomes KV of any instance. Dynamic reversion gives layers back when an
///   instance's pool stays mostly free.
/// - *Which model*: inactive instances first, most recently used first (MRU; LRU selectable), then the active
///   one. Under spatial sharing (MPS, MIG) every instance is active, so each remaps only its own layers; under
///   MIG the memory a layer frees also stays in its instance's slice, lent to no other instance. A cap bounds the
///   fraction of any model's layers that may be non-resident.
/// - *How many*: loading must not become the bottleneck. By default (`amount_rule: paper`) α follows the paper's
///   bound taken literally, T_T × N ≤ T_compute with N the loads per pass; `amount_rule: pipeline` takes the
///   largest count whose pass, with the buffer slots it will use (``RemapPipeline`` on an idle link, no
///   prefetch), stalls at most `max_stall_fraction` of its compute time. T_T is one layer's load time on an idle
///   link (under spatial sharing the pipeline rule divides the link among the instances that stream at once);
///   T_compute the instance's last decode pass by default (`compute_estimate`). Or a fixed α for the ablation.
/// - *Which layers*: evenly spaced; α remapped layers cost α + 1 loads per pass with one buffer slot, α + 2 with
///   double buffering. The simulator streams them on the shared link as the pass runs (``LayerStream``): each
///   load starts once its slot is free and the previous load has arrived, and each streamed layer's compute
///   waits for its load.
/// When nothing more may be remapped, the engine falls back to recompute preemption.
public final class RemapStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.remap
    public static let summary = "MIRAGE parameter remapping: lend weight layers' memory to KV, stream them back over the link each pass"

    /// Remapping state of one instance.
    struct InstanceState {
        /// α: layers whose memory is lent to the KV cache.
        var remapped = 0
        /// Buffer slots in use (0 while nothing is remapped; once doubled, stays doubled until α returns to 0).
        var buffers = 0
        /// Blocks added to this instance's pool from remapped memory.
        var lentBlocks = 0
        /// T_compute of the amount rule: the GPU compute of a pass and of one of its layers, seconds, taken as
        /// ``RemapOptions/computeEstimate`` says. Before the instance has run, its lightest pass (one decode token).
        var computeSeconds: Double
        var layerComputeSeconds: Double
        /// The streamed layers of the current α and buffers (cached; evenly spaced).
        var streamedLayers: [Int] = []
        /// When the instance's last pass ended (nil before the first).
        var lastEnd: SimTime?
        /// Whether the pass in flight is a decode-only pass that streams, for the stall counters.
        var streamingDecode = false
        var decodeStreamCompute = SimTime.zero
        var decodeStreamStall = SimTime.zero
        var remappedSeries: StepSeries
        var remaps = 0
        /// Remaps made with the amount rule waived, because nothing else could ever admit a waiting request.
        var remapsRuleWaived = 0
        var reversions = 0
        var layersStreamed = 0
        /// Passes that streamed layers.
        var remappedPasses = 0
    }

    /// A layer reload in flight (dynamic reversion).
    struct Reload {
        var instance: Int
        var transfer: TransferID
        /// Memory the reload occupies, bytes.
        var bytes: Int64
    }

    public typealias Options = RemapOptions
    public let options: RemapOptions
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    unowned var context: SimulationContext?
    var states: [InstanceState] = []
    /// Bytes freed from weights and not yet lent to any pool: one shared purse, or one per instance under MIG
    /// (see ``purse(of:)``).
    var freeBytes: [Int64] = [0]
    /// Whether every instance is active at once (MPS, MIG): each then remaps only its own layers.
    var spatial = false
    /// Whether freed memory stays in its instance's MIG slice.
    var perInstanceMemory = false
    /// The layer reload in flight, if any.
    var reloadInFlight: Reload?
    /// While true, only the cap bounds remapping (see ``makeRoom(blocks:instance:now:)``).
    private var waiveAmountRule = false

    public init(options: RemapOptions) {
        self.options = options
    }


    public func attach(to context: SimulationContext) {
        self.context = context
        spatial = context.sharingMode.isSpatial
        perInstanceMemory = context.sharingMode == .mig
        freeBytes = Array(repeating: 0, count: perInstanceMemory ? context.instances.count : 1)
        states = context.instances.map { instance in
            let lightest = BatchShape.decode(sequences: 1, contextTokens: 1)
            return InstanceState(computeSeconds: instance.timeModel.computeSeconds(of: lightest),
                                 layerComputeSeconds: instance.timeModel.layerComputeSeconds(of: lightest),
                                 remappedSeries: StepSeries(initial: 0, interval: instance.metrics.kvUsage.interval))
        }
    }

    // MARK: Lending memory

    /// The index in ``freeBytes`` of the memory `instance` may use: its own under MIG, the shared one otherwise.
    func purse(of instance: Int) -> Int { perInstanceMemory ? instance : 0 }

    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision {
        guard let context else { return .none }
        // With nothing running on the instance, no finished request will free its blocks: its first waiting
        // request must be admitted now or never, so under `amount: dynamic` only the cap bounds the layers taken
        // (a slow pass is better than a queue that never moves). A fixed amount is the user's bound and holds;
        // requests that could never fit within it are rejected at arrival (``potentialKVBlocks(instance:)``).
        waiveAmountRule = instance.running.isEmpty
        defer { waiveAmountRule = false }
        var gained = lendFreeBytes(upTo: blocks, to: instance)
        while gained < blocks, let victim = nextVictim(for: instance, in: context.instances) {
            remapOneLayer(of: victim, now: now)
            gained += lendFreeBytes(upTo: blocks - gained, to: instance)
        }
        return MemoryDecision(poolBlocks: gained)
    }

    /// Takes up to `blocks` blocks of free remapped memory for `instance`'s pool; returns how many (the caller
    /// lends them).
    private func lendFreeBytes(upTo blocks: Int, to instance: ServingInstance) -> Int {
        let purse = purse(of: instance.index)
        let count = min(blocks, Int(freeBytes[purse] / instance.pool.blockBytes))
        guard count > 0 else { return 0 }
        freeBytes[purse] -= Int64(count) * instance.pool.blockBytes
        states[instance.index].lentBlocks += count
        return count
    }

    /// The instance to take the next layer from: inactive ones in MRU (or LRU) order, then `active`; under spatial
    /// sharing `active` alone.
    private func nextVictim(for active: ServingInstance, in instances: [ServingInstance]) -> ServingInstance? {
        if spatial { return canRemapOneMore(active) ? active : nil }
        let inactive = instances.filter { $0.index != active.index }.sorted { a, b in
            let (ra, rb) = (states[a.index].lastEnd, states[b.index].lastEnd)
            if ra != rb { return options.victim == .mru ? Self.ranLater(ra, than: rb) : Self.ranLater(rb, than: ra) }
            return a.index < b.index
        }
        return (inactive + [active]).first { canRemapOneMore($0) }
    }

    /// Buffer slots for `remapped` layers on `instance` under `buffers: auto` and the paper's rule, given the slots
    /// it has now.
    private func paperAutoBuffers(forRemapped remapped: Int, current: Int, layers: Int) -> Int {
        let doubled = Double(remapped) >= RemapOptions.doubleBufferingThreshold * Double(layers)
        return doubled || current == 2 ? 2 : 1
    }

    /// The buffer slots `instance` would use with one more remapped layer, if that layer may be remapped under
    /// the cap and the amount rule; nil if it may not.
    func slotsForOneMore(_ instance: ServingInstance) -> Int? {
        let state = states[instance.index]
        let alpha = state.remapped + 1
        let candidates: [Int]
        switch options.buffers {
        case .one: candidates = [1]
        case .two: candidates = [2]
        case .auto:
            if state.buffers == 2 {
                candidates = [2]
            } else if options.amountRule == .paper {
                candidates = [paperAutoBuffers(forRemapped: alpha, current: state.buffers, layers: instance.spec.model.layers)]
            } else {
                // One slot if it allows the layer; a second slot (one more non-resident layer) only if one cannot.
                candidates = [1, 2]
            }
        }
        return candidates.first { allows(alpha: alpha, buffers: $0, on: instance) }
    }

    /// Whether `alpha` remapped layers with `buffers` slots are within the cap and the amount rule on `instance`.
    func allows(alpha: Int, buffers: Int, on instance: ServingInstance) -> Bool {
        let layers = instance.spec.model.layers
        let loads = alpha + buffers
        guard Double(loads) <= options.cap * Double(layers), loads <= layers else { return false }
        let state = states[instance.index]
        switch options.amount {
        case .fixed(let n):
            return alpha <= n
        case .dynamic:
            if waiveAmountRule { return true }
            switch options.amountRule {
            case .paper:
                return unloadedLayerLoadSeconds(instance) * Double(loads) <= state.computeSeconds
            case .pipeline:
                guard let context else { return false }
                let pipeline = RemapPipeline(
                    layers: layers, loads: loads, buffers: buffers,
                    layerCompute: SimTime.seconds(state.layerComputeSeconds),
                    layerLoad: context.link.loneTransferTime(bytes: instance.spec.model.weightBytesPerLayer, direction: .hostToDevice,
                                                             streams: concurrentStreams(with: instance)))
                // A whole number of ns is within x exactly when it is within x rounded down.
                return Double(pipeline.stall.ns) <= SimTime.nanoseconds(fromSeconds: options.maxStallFraction * state.computeSeconds, rounding: .down)
            }
        }
    }

    /// Whether one more layer of `instance` may be remapped under the cap and the amount rule.
    func canRemapOneMore(_ instance: ServingInstance) -> Bool { slotsForOneMore(instance) != nil }

    /// Whether an instance whose last pass ended at `a` ran later than one whose last pass ended at `b` (nil:
    /// never ran, earlier than any time).
    static func ranLater(_ a: SimTime?, than b: SimTime?) -> Bool {
        guard let a else { return false }
        guard let b else { return true }
        return a > b
    }

    /// Streams that would share the link with `instance`'s once it streams: under spatial sharing every
    /// instance that streams runs its passes at the same time, so their loads share the link; under temporal
    /// sharing one pass runs at a time.
    private func concurrentStreams(with instance: ServingInstance) -> Int {
        guard spatial else { return 1 }
        var streams = 1
        for (index, state) in states.enumerated() where index != instance.index && state.remapped > 0 { streams += 1 }
        return streams
    }

    /// Time to load one layer of `instance` over an otherwise idle link, seconds (T_T).
    func unloadedLayerLoadSeconds(_ instance: ServingInstance) -> Double {
        guard let context else { return .infinity }
        return context.link.loneTransferTime(bytes: instance.spec.model.weightBytesPerLayer, direction: .hostToDevice).seconds
    }

    private func remapOneLayer(of instance: ServingInstance, now: SimTime) {
        var state = states[instance.index]
        state.buffers = slotsForOneMore(instance) ?? max(state.buffers, 1)
        state.remapped += 1
        state.remaps += 1
        if waiveAmountRule { state.remapsRuleWaived += 1 }
        state.remappedSeries.set(Double(state.remapped), now: now)
        states[instance.index] = state
        freeBytes[purse(of: instance.index)] += instance.spec.model.weightBytesPerLayer
        context?.note(.remap(instance: instance.index, remappedLayers: state.remapped))
    }

    public func potentialKVBlocks(instance: ServingInstance) -> Int {
        guard let context else { return instance.pool.capacityBlocks }
        var bytes = freeBytes[purse(of: instance.index)]
        for other in context.instances where !spatial || other.index == instance.index {
            let layers = other.spec.model.layers
            var alpha = states[other.index].remapped
            let slots = options.buffers == .two ? 2 : 1
            let fixed: Int? = if case .fixed(let n) = options.amount { n } else { nil }
            while Double(alpha + 1 + slots) <= options.cap * Double(layers), alpha < fixed ?? .max {
                alpha += 1
            }
            bytes += Int64(max(0, alpha - states[other.index].remapped)) * other.spec.model.weightBytesPerLayer
        }
        return instance.pool.capacityBlocks + Int(bytes / instance.pool.blockBytes)
    }

    // MARK: Streaming

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        let shape = instance.batch.shape
        let i = instance.index
        noteComputeEstimate(instance, shape: shape)
        let state = states[i]
        states[i].streamingDecode = false
        guard state.remapped > 0 else { return IterationPlan() }
        let stream = layerStream(of: instance)
        states[i].layersStreamed += stream.loads
        states[i].remappedPasses += 1
        if shape.prefillTokens == 0 && shape.totalTokens > 0 {
            states[i].streamingDecode = true
            states[i].decodeStreamCompute += SimTime.seconds(instance.timeModel.computeSeconds(of: shape))
        }
        return IterationPlan(stream: stream)
    }

    /// Updates T_compute from the pass `instance` is about to run, as ``RemapOptions/computeEstimate`` says.
    private func noteComputeEstimate(_ instance: ServingInstance, shape: BatchShape) {
        guard shape.totalTokens > 0 else { return }
        let i = instance.index
        switch options.computeEstimate {
        case .lastDecode:
            guard shape.prefillTokens == 0 else { return }
            states[i].computeSeconds = instance.timeModel.computeSeconds(of: shape)
            states[i].layerComputeSeconds = instance.timeModel.layerComputeSeconds(of: shape)
        case .lastPass:
            states[i].computeSeconds = instance.timeModel.computeSeconds(of: shape)
            states[i].layerComputeSeconds = instance.timeModel.layerComputeSeconds(of: shape)
        case .ewma:
            let w = RemapOptions.ewmaWeight
            states[i].computeSeconds += w * (instance.timeModel.computeSeconds(of: shape) - states[i].computeSeconds)
            states[i].layerComputeSeconds += w * (instance.timeModel.layerComputeSeconds(of: shape) - states[i].layerComputeSeconds)
        }
    }

    /// The layers `instance` streams each pass: α + buffers of them, evenly spaced.
    private func layerStream(of instance: ServingInstance) -> LayerStream {
        let i = instance.index
        let loads = min(states[i].remapped + states[i].buffers, instance.spec.model.layers)
        if states[i].streamedLayers.count != loads {
            states[i].streamedLayers = LayerStream.evenlySpaced(loads: loads, of: instance.spec.model.layers)
        }
        return LayerStream(layers: states[i].streamedLayers, buffers: states[i].buffers,
                           bytesPerLoad: instance.spec.model.weightBytesPerLayer, purpose: .weightStream)
    }

    public func iterationFinished(instance: ServingInstance, now: SimTime) {
        let i = instance.index
        states[i].lastEnd = now
        if states[i].streamingDecode, let context {
            states[i].decodeStreamStall += context.lastPassStall(instance: i)
        }
        if options.reversion { revertIfIdle(instance, now: now) }
        // The buffer slots are free between passes: the next pass's first loads can start now.
        if options.prefetchIdle, states[i].remapped > 0, let context {
            let stream = layerStream(of: instance)
            context.prefetch(min(states[i].buffers, stream.loads), of: stream, instance: i)
        }
    }
}

extension StrategyKind {
    /// MIRAGE: lend weight memory to the KV cache and stream the remapped layers over the link each pass.
    public static let remap = StrategyKind(name: "remap")
}

extension TransferPurpose {
    /// Remapped weight layers streamed in for a forward pass.
    public static let weightStream = TransferPurpose(name: "weight-stream", order: 4)
    /// Weight layers copied back for good when remapping is reverted.
    public static let weightReload = TransferPurpose(name: "weight-reload", order: 5)
}

extension StrategyEvent {
    /// A weight layer of `instance` was remapped to KV; `remappedLayers` is its α afterwards.
    static func remap(instance: Int, remappedLayers: Int) -> StrategyEvent {
        StrategyEvent(name: "remap", instance: instance, values: [Value("remapped_layers", remappedLayers)],
                      counter: Counter(name: "remapped layers", argument: "layers", value: remappedLayers))
    }

    /// A remapped layer of `instance` was loaded back for good; `remappedLayers` is its α afterwards.
    static func reversion(instance: Int, remappedLayers: Int) -> StrategyEvent {
        StrategyEvent(name: "reversion", instance: instance, values: [Value("remapped_layers", remappedLayers)],
                      counter: Counter(name: "remapped layers", argument: "layers", value: remappedLayers))
    }
}
