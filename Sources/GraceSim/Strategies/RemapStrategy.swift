/// Parameter remapping (MIRAGE, arXiv 2507.11507): when KV runs short, GPU memory holding weight layers is handed
/// to the KV cache, and the remapped layers are streamed back over the link, one way, for every forward pass.
///
/// The rules (REFERENCE.md §1), each an option in ``RemapOptions``:
/// - *When*: instead of preempting, when an instance needs KV blocks (for a decode or an admission). Memory freed
///   by any instance's weights becomes KV of any instance. Dynamic reversion gives layers back when an
///   instance's pool stays mostly free.
/// - *Which model*: inactive instances first, most recently used first (MRU; LRU selectable), then the active
///   one. Under spatial sharing (MPS, MIG) every instance is active, so each remaps only its own layers; under
///   MIG the memory a layer frees also stays in its instance's slice, lent to no other instance. A cap bounds the
///   fraction of any model's layers that may be non-resident.
/// - *How many*: a pass streaming N layers must hide them behind compute: T_T × N ≤ T_compute, with T_T the time
///   to load one layer and T_compute the instance's last pass (or a fixed α for the ablation).
/// - *Which layers*: evenly spaced; α remapped layers cost α + 1 loads per pass with one buffer slot, α + 2 with
///   double buffering (``RemapPipeline``).
/// When nothing more may be remapped, the engine falls back to recompute preemption.
public final class RemapStrategy: MemoryStrategy {
    /// Remapping state of one instance.
    struct InstanceState {
        /// α: layers whose memory is lent to the KV cache.
        var remapped = 0
        /// Buffer slots in use (0 while nothing is remapped; once doubled, stays doubled until α returns to 0).
        var buffers = 0
        /// Blocks added to this instance's pool from remapped memory.
        var lentBlocks = 0
        /// GPU compute of the instance's last decode-only pass, seconds: the T_compute of the
        /// T_T × N ≤ T_compute bound. A prefill pass would allow far more layers than the decode passes that
        /// follow it can hide.
        var decodeComputeSeconds: Double
        /// The first streamed layers, prefetched into the free buffer slots after the last pass.
        var prefetch: (transfer: TransferID, layers: Int, done: Bool)?
        /// When the instance's last pass ended, ns (-1 before the first).
        var lastEndNs: Int64 = -1
        var remappedSeries: StepSeries
        var remaps = 0
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

    public let options: RemapOptions
    weak var context: SimulationContext?
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

    public init(options: RemapOptions) {
        self.options = options
    }

    public var kind: StrategyKind { .remap }

    public func attach(to context: SimulationContext) {
        self.context = context
        spatial = context.sharingMode.isSpatial
        perInstanceMemory = context.sharingMode == .mig
        freeBytes = Array(repeating: 0, count: perInstanceMemory ? context.instances.count : 1)
        states = context.instances.map { instance in
            // Before an instance has run, assume its lightest pass: one decode token.
            let lightest = instance.timeModel.computeSeconds(of: .decode(sequences: 1, contextTokens: 1))
            return InstanceState(decodeComputeSeconds: lightest,
                                 remappedSeries: StepSeries(initial: 0, intervalNs: instance.metrics.kvUsage.intervalNs))
        }
    }

    // MARK: Lending memory

    /// The index in ``freeBytes`` of the memory `instance` may use: its own under MIG, the shared one otherwise.
    func purse(of instance: Int) -> Int { perInstanceMemory ? instance : 0 }

    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> Int {
        guard let context else { return 0 }
        var gained = lendFreeBytes(upTo: blocks, to: instance)
        while gained < blocks, let victim = nextVictim(for: instance, in: context.instances) {
            remapOneLayer(of: victim, now: now)
            gained += lendFreeBytes(upTo: blocks - gained, to: instance)
        }
        return gained
    }

    /// Grows `instance`'s pool by up to `blocks` blocks from free remapped memory; returns how many.
    private func lendFreeBytes(upTo blocks: Int, to instance: ServingInstance) -> Int {
        let purse = purse(of: instance.index)
        let count = min(blocks, Int(freeBytes[purse] / instance.pool.blockBytes))
        guard count > 0 else { return 0 }
        instance.resizePool(by: count)
        freeBytes[purse] -= Int64(count) * instance.pool.blockBytes
        states[instance.index].lentBlocks += count
        return count
    }

    /// The instance to take the next layer from: inactive ones in MRU (or LRU) order, then `active`; under spatial
    /// sharing `active` alone.
    private func nextVictim(for active: ServingInstance, in instances: [ServingInstance]) -> ServingInstance? {
        if spatial { return canRemapOneMore(active) ? active : nil }
        let inactive = instances.filter { $0.index != active.index }.sorted { a, b in
            let (ra, rb) = (states[a.index].lastEndNs, states[b.index].lastEndNs)
            if ra != rb { return options.victim == .mru ? ra > rb : ra < rb }
            return a.index < b.index
        }
        return (inactive + [active]).first { canRemapOneMore($0) }
    }

    /// Buffer slots for `remapped` layers on `instance`, given the slots it has now.
    private func buffers(forRemapped remapped: Int, current: Int, layers: Int) -> Int {
        switch options.buffers {
        case .one: return 1
        case .two: return 2
        case .auto:
            let doubled = Double(remapped) >= RemapOptions.doubleBufferingThreshold * Double(layers)
            return doubled || current == 2 ? 2 : 1
        }
    }

    /// Whether one more layer of `instance` may be remapped under the cap and the amount rule.
    func canRemapOneMore(_ instance: ServingInstance) -> Bool {
        let state = states[instance.index]
        let layers = instance.spec.model.layers
        let alpha = state.remapped + 1
        let loads = alpha + buffers(forRemapped: alpha, current: state.buffers, layers: layers)
        guard Double(loads) <= options.cap * Double(layers), loads <= layers else { return false }
        switch options.amount {
        case .fixed(let n):
            return alpha <= n
        case .dynamic:
            return unloadedLayerLoadSeconds(instance) * Double(loads) <= state.decodeComputeSeconds
        }
    }

    /// Time to load one layer of `instance` over an otherwise idle link, seconds (T_T).
    func unloadedLayerLoadSeconds(_ instance: ServingInstance) -> Double {
        guard let context else { return .infinity }
        let link = context.hardware.link
        return Double(link.latencyNs) / 1e9 + Double(instance.spec.model.weightBytesPerLayer) / link.hostToDeviceBytesPerSecond
    }

    private func remapOneLayer(of instance: ServingInstance, now: SimTime) {
        var state = states[instance.index]
        state.remapped += 1
        state.buffers = buffers(forRemapped: state.remapped, current: state.buffers, layers: instance.spec.model.layers)
        state.remaps += 1
        state.remappedSeries.set(Double(state.remapped), nowNs: now.ns)
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
            while Double(alpha + 1 + buffers(forRemapped: alpha + 1, current: 0, layers: layers)) <= options.cap * Double(layers) {
                alpha += 1
            }
            bytes += Int64(max(0, alpha - states[other.index].remapped)) * other.spec.model.weightBytesPerLayer
        }
        return instance.pool.capacityBlocks + Int(bytes / instance.pool.blockBytes)
    }

    // MARK: Streaming

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        guard let context else { return IterationPlan(duration: computeTime) }
        let shape = instance.batch.shape
        if shape.prefillTokens == 0 && shape.totalTokens > 0 {
            states[instance.index].decodeComputeSeconds = instance.timeModel.computeSeconds(of: shape)
        }
        let state = states[instance.index]
        guard state.remapped > 0 else { return IterationPlan(duration: computeTime) }
        let model = instance.spec.model
        // This pass's loads follow the instance's earlier weight flows on one stream; others share the link.
        let rate = context.link.rateForNewFlow(direction: .hostToDevice) { $0.instance == instance.index && $0.purpose == .weightStream }
        let loads = state.remapped + state.buffers
        let prefetched = state.prefetch?.done == true ? min(state.prefetch!.layers, loads) : 0
        let pipeline = RemapPipeline(
            layers: model.layers, loads: loads, buffers: state.buffers,
            layerComputeSeconds: instance.timeModel.layerComputeSeconds(of: shape),
            layerLoadSeconds: Double(context.hardware.link.latencyNs) / 1e9 + Double(model.weightBytesPerLayer) / rate,
            prefetchedLoads: prefetched)
        let stall = SimTime.seconds(pipeline.stallSeconds)
        let inFlight = state.prefetch?.done == false ? state.prefetch!.layers : 0
        let remaining = max(0, loads - prefetched - inFlight)
        if remaining > 0 {
            _ = context.startTransfer(bytes: Int64(remaining) * model.weightBytesPerLayer, direction: .hostToDevice,
                                      purpose: .weightStream, instance: instance.index)
        }
        states[instance.index].prefetch = nil
        states[instance.index].layersStreamed += loads
        states[instance.index].remappedPasses += 1
        return IterationPlan(duration: computeTime + stall, overlappedStall: stall)
    }

    /// Starts loading `instance`'s first streamed layers into its buffer slots, which are free between passes.
    private func prefetchFirstLayers(of instance: ServingInstance) {
        guard let context, options.prefetchIdle, states[instance.index].prefetch == nil else { return }
        let layers = states[instance.index].buffers
        guard layers > 0 else { return }
        let transfer = context.startTransfer(bytes: Int64(layers) * instance.spec.model.weightBytesPerLayer,
                                             direction: .hostToDevice, purpose: .weightStream, instance: instance.index)
        states[instance.index].prefetch = (transfer, layers, false)
    }

    public func iterationFinished(instance: ServingInstance, now: SimTime) {
        states[instance.index].lastEndNs = now.ns
        if options.reversion { revertIfIdle(instance, now: now) }
        if states[instance.index].remapped > 0 { prefetchFirstLayers(of: instance) }
    }
}
