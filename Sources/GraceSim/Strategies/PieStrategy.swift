/// Pie's performance-transparent swapping (arXiv 2411.09317; docs/paper.md, "Rival strategies"): each instance's KV pool is
/// extended with blocks in CPU memory, whose KV is prefetched layer by layer ahead of use and written back,
/// overlapped with compute; the host share adapts to run-time measurements ("adaptive expansion").
///
/// The model, per instance (GPU blocks `G` from the memory partition, host blocks `H`, capacity `G + H`):
///
/// - **Expansion.** `H` starts at 0, so without KV pressure pie runs exactly as recompute. When a running
///   request's next decode block is missing (``makeRoom(blocks:instance:now:)``, where recompute would preempt),
///   `H` grows by whole steps of `step × G` blocks, up to `H / (G + H) ≤ max_host_share` and to the CPU memory
///   the other instances' host blocks leave free. With `adaptive`, growth stops at the share whose transfers the
///   last decode step could still hide (below); before any decode step was measured, at one step. When `H`
///   cannot grow, the engine preempts as recompute does.
/// - **Admission does not expand** (``makeRoomToAdmit(blocks:instance:now:)`` adds nothing). A new prompt is
///   admitted into blocks that are free, host blocks included, but `H` never grows to admit one. Growing for
///   admissions made pie preempt several times as often as recompute (C2: 11,210 against 1,364): the prompts
///   admitted into fresh host blocks filled the pool to the growth limit, so their own decode growth found no
///   block; the limit (re-measured after every decode step) and the stall contraction then took free blocks
///   back, the latest-arrived requests were preempted, went to the front of the queue and were re-admitted by
///   growing again at the next prefill step, and so on (thousands of expansions and contractions per instance).
///   Growing only where recompute would preempt keeps every shortage no worse than recompute's (capacity
///   `G + H ≥ G`), and the blocks grown for running requests still raise concurrency: once those requests
///   finish, admissions take the freed host blocks.
/// - **Traffic.** An iteration reads the KV of its decode contexts and of its prefill chunks (their prior
///   context plus the chunk). A share `s = H / (G + H)` of it is host-resident: those
///   `B = tokens × kvBytesPerToken × s` bytes are prefetched host to device, and as many bytes of GPU-resident
///   KV are written back device to host to make room for them (Pie swaps blocks, so the link carries both
///   ways).
/// - **Time** (run by the simulator, ``IterationPlan``). The prefetch is a stream of one load of `B / L` bytes
///   per decoder layer (purpose `kv-prefetch`) through two buffer slots, so a layer's KV loads while the layer
///   before it computes, and each layer waits for its own KV; the write-back is one side flow of `B` bytes
///   (`kv-writeback`) that the iteration's end waits for. All are flows on the shared link, so when both
///   directions move the mixed total applies, and their rates follow every other flow as it comes and goes.
///   The first layer's prefetch cannot overlap any compute: the pipeline fill `F = link latency + B / L / r↑`.
/// - **Adaptation** (after each iteration that decodes, with `adaptive`; an all-prefill step's compute would
///   hide far more traffic than the decode steps after it). The growth limit becomes the largest `H` whose
///   transfers for this step's `K` KV tokens would take at most `(1 − headroom) × C` at the link's rates now:
///   `s* = (1 − headroom) × C × min(r↑, r↓) / (K × kvBytesPerToken)`, `H* = s* × G / (1 − s*)`, with `r↑`,
///   `r↓` the per-flow rates a new flow would get in each direction now (``SharedLink/ratesForNewFlowPair(now:)``).
///   Transfers not hidden (the step's measured stall longer than its fill `F`): shrink `H` by a step (only
///   free blocks can go).
/// - **Release.** When no request waits and more than a step of the pool is free, host blocks beyond one
///   free step are given back (demand has fallen; they would only cost traffic).
///
/// Requests are admitted against the GPU pool alone (``potentialKVBlocks(instance:)``), as host blocks may
/// be taken back. Constants are options (``Options``), each default tagged [E] with its reason.
public final class PieStrategy: RegisteredStrategy {
    public static let kind = StrategyKind.pie
    public static let summary = "Pie: extend KV into CPU memory, prefetch it layer by layer and write it back behind compute; the share adapts"

    /// What one instance has in CPU memory and what its last iteration measured.
    struct InstanceState {
        /// KV blocks of the GPU partition.
        let gpuBlocks: Int
        /// Every decoder layer, the layers a pass streams.
        let everyLayer: [Int]
        /// KV blocks in CPU memory, part of the pool's capacity.
        var hostBlocks = 0
        /// The most host blocks expansion may reach before the next measurement (with `adaptive`); before the
        /// first measured decode step, one step.
        var growthLimitBlocks: Int
        /// The last iteration's compute time and KV tokens read.
        var lastCompute = SimTime.zero
        var lastKVTokens = 0
        /// The stall the last iteration could not avoid (its first layer's prefetch); a longer stall means the
        /// transfers were not hidden.
        var lastFill = SimTime.zero
        /// Whether the last iteration decoded: only such steps are measured, as an all-prefill step's compute
        /// hides far more traffic than the decode steps that follow it.
        var lastDecodes = false
        /// Host blocks over time.
        var series: StepSeries
        var expansions = 0
        var stallContractions = 0
        var idleReleases = 0
        var growthRefused = 0
    }

    public let options: Options
    /// The simulation served (unowned, as ``StrategyTiming/attach(to:)`` asks).
    private unowned var context: SimulationContext?
    private var states: [InstanceState] = []

    public init(options: Options) {
        self.options = options
    }


    public func attach(to context: SimulationContext) {
        self.context = context
        states = context.instances.map {
            InstanceState(gpuBlocks: $0.pool.capacityBlocks, everyLayer: Array(0..<$0.spec.model.layers),
                          growthLimitBlocks: max(1, Int(options.step * Double($0.pool.capacityBlocks))), series: StepSeries(initial: 0, interval: $0.metrics.kvUsage.interval))
        }
    }

    /// Host blocks of `instance` now.
    public func hostBlocks(instance: Int) -> Int { states[instance].hostBlocks }

    /// Only the GPU part of the pool is in GPU memory; the host blocks are in CPU memory.
    public func gpuMemory(instance: ServingInstance) -> GPUMemoryUse {
        let gpuBlocks = instance.pool.capacityBlocks - states[instance.index].hostBlocks
        return GPUMemoryUse(weightBytes: instance.spec.model.totalWeightBytes,
                            kvBytes: Int64(gpuBlocks) * instance.pool.blockBytes, bufferBytes: 0)
    }

    // MARK: Expansion

    public func makeRoom(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision {
        guard context != nil else { return .none }
        let i = instance.index
        let step = stepBlocks(i)
        let wanted = (blocks + step - 1) / step * step
        let limit = options.adaptive ? min(maxHostBlocks(i), states[i].growthLimitBlocks) : maxHostBlocks(i)
        let added = min(wanted, limit - states[i].hostBlocks, freeCPUBlocks(for: instance))
        guard added > 0 else {
            states[i].growthRefused += 1
            return .none
        }
        states[i].hostBlocks += added
        states[i].expansions += 1
        states[i].series.set(Double(states[i].hostBlocks), now: now)
        if added < blocks { states[i].growthRefused += 1 }
        return MemoryDecision(poolBlocks: added)
    }

    /// Admissions never grow the host share (see the type's documentation): the prompt waits for free blocks.
    public func makeRoomToAdmit(blocks: Int, instance: ServingInstance, now: SimTime) -> MemoryDecision { .none }

    public func potentialKVBlocks(instance: ServingInstance) -> Int {
        states.isEmpty ? instance.pool.capacityBlocks : states[instance.index].gpuBlocks
    }

    // MARK: Iterations

    public func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
        guard let context else { return IterationPlan() }
        let i = instance.index
        let tokens = Self.kvTokens(of: instance.batch, requests: context.requests)
        states[i].lastCompute = computeTime
        states[i].lastKVTokens = tokens
        states[i].lastFill = .zero
        states[i].lastDecodes = instance.batch.shape.decodeSequences > 0
        let share = hostShare(i, extraBlocks: 0, instance: instance)
        let bytes = Self.swappedBytes(tokens: tokens, kvBytesPerToken: instance.spec.model.kvBytesPerToken, hostShare: share)
        guard bytes > 0 else { return IterationPlan() }
        // Whole bytes per layer, the same each way.
        let layers = Int64(instance.spec.model.layers)
        let bytesPerLayer = (bytes + layers - 1) / layers
        // The first layer's prefetch cannot overlap any compute: the least stall the pass can have.
        let rates = context.link.ratesForNewFlowPair(now: now)
        states[i].lastFill = context.link.transferTime(bytes: bytesPerLayer, bytesPerSecond: rates.hostToDevice)
        return IterationPlan(
            stream: LayerStream(layers: states[i].everyLayer, buffers: 2, bytesPerLoad: bytesPerLayer, purpose: .kvPrefetch),
            sideFlows: [FlowRequest(bytes: bytesPerLayer * layers, direction: .deviceToHost, purpose: .kvWriteback)])
    }

    public func iterationFinished(instance: ServingInstance, now: SimTime) {
        guard let context else { return }
        let i = instance.index
        let step = stepBlocks(i)
        if options.adaptive && states[i].lastDecodes {
            let state = states[i]
            states[i].growthLimitBlocks = hiddenHostBlocks(i, instance: instance, now: now)
            if state.hostBlocks > 0 && context.lastPassStall(instance: i) > state.lastFill {
                let removed = min(step, state.hostBlocks, instance.pool.freeBlocks)
                if removed > 0 && context.apply(MemoryDecision(poolBlocks: -removed), to: i) {
                    states[i].hostBlocks -= removed
                    states[i].stallContractions += 1
                }
            }
        }
        if states[i].hostBlocks > 0 && instance.waiting.isEmpty && instance.swapped.isEmpty {
            let released = min(states[i].hostBlocks, instance.pool.freeBlocks - step)
            if released > 0 && context.apply(MemoryDecision(poolBlocks: -released), to: i) {
                states[i].hostBlocks -= released
                states[i].idleReleases += 1
            }
        }
        states[i].series.set(Double(states[i].hostBlocks), now: now)
    }

    // MARK: The model's arithmetic

    /// Tokens whose KV `batch` reads: its decode contexts, and each prefill chunk with its prior context.
    static func kvTokens(of batch: Batch, requests: RequestTable) -> Int {
        var tokens = batch.shape.decodeContextTokens
        guard batch.shape.prefillTokens > 0 else { return tokens }
        for k in 0..<batch.count where batch.prefillChunks[k] > 0 {
            tokens += Int(requests.states[Int(batch.ids[k])].computedTokens) + Int(batch.prefillChunks[k])
        }
        return tokens
    }

    /// Bytes moved each way for `tokens` tokens of KV of which a share `hostShare` is in CPU memory.
    static func swappedBytes(tokens: Int, kvBytesPerToken: Int64, hostShare: Double) -> Int64 {
        Int64((Double(tokens) * Double(kvBytesPerToken) * hostShare).rounded())
    }

    /// The most host blocks instance `i` could have with the last step's transfers still hidden by the headroom:
    /// the share `s*` with `K × kvBytesPerToken × s* / min(r↑, r↓) = (1 − headroom) × C`, as blocks
    /// `H* = s* × G / (1 − s*)`, for that step's `K` KV tokens and compute time `C` at the link's rates now.
    func hiddenHostBlocks(_ i: Int, instance: ServingInstance, now: SimTime) -> Int {
        guard let context else { return 0 }
        let state = states[i]
        let bytesAtFullShare = Double(state.lastKVTokens) * Double(instance.spec.model.kvBytesPerToken)
        guard bytesAtFullShare > 0 else { return maxHostBlocks(i) }
        let rates = context.link.ratesForNewFlowPair(now: now)
        let hiddenSeconds = (1 - options.headroom) * state.lastCompute.seconds
        let share = hiddenSeconds * min(rates.hostToDevice, rates.deviceToHost) / bytesAtFullShare
        guard share < options.maxHostShare else { return maxHostBlocks(i) }
        return Int(share * Double(state.gpuBlocks) / (1 - share))
    }

    // MARK: Bounds

    /// Blocks added or removed at a time: `step` of the GPU pool, at least one.
    private func stepBlocks(_ i: Int) -> Int {
        max(1, Int(options.step * Double(states[i].gpuBlocks)))
    }

    /// The most host blocks instance `i` may have: `H / (G + H) ≤ max_host_share`.
    func maxHostBlocks(_ i: Int) -> Int {
        Int(Double(states[i].gpuBlocks) * options.maxHostShare / (1 - options.maxHostShare))
    }

    /// Host blocks `instance` may still add within the CPU memory the other instances' host blocks leave.
    private func freeCPUBlocks(for instance: ServingInstance) -> Int {
        guard let context else { return 0 }
        let usedBytes = hostBytesInUse(context: context)
        let free = context.hardware.cpu.memoryBytes - usedBytes
        return free > 0 ? Int(free / instance.pool.blockBytes) : 0
    }

    private func hostBytesInUse(context: SimulationContext) -> Int64 {
        zip(states, context.instances).reduce(0) { $0 + Int64($1.0.hostBlocks) * $1.1.pool.blockBytes }
    }

    /// The host-resident share of instance `i`'s pool with `extraBlocks` more host blocks.
    private func hostShare(_ i: Int, extraBlocks: Int, instance: ServingInstance) -> Double {
        let host = states[i].hostBlocks + extraBlocks
        return host > 0 ? Double(host) / Double(instance.pool.capacityBlocks + extraBlocks) : 0
    }

    // MARK: Invariants and reports

    /// PI-1: host blocks ≥ 0. PI-2: host blocks within `max_host_share` of the pool. PI-3: all instances' host
    /// blocks fit in CPU memory. PI-4: the pool's capacity is the GPU blocks plus the host blocks.
    public func checkInvariants() -> [InvariantViolation] {
        guard let context else { return [] }
        var problems: [InvariantViolation] = []
        for (i, state) in states.enumerated() {
            let name = context.instances[i].spec.name
            if state.hostBlocks < 0 { problems.append(InvariantViolation("PI-1", "\(name) has \(state.hostBlocks) host blocks")) }
            if state.hostBlocks > maxHostBlocks(i) {
                problems.append(InvariantViolation("PI-2", "\(name) has \(state.hostBlocks) host blocks, more than \(maxHostBlocks(i)) (max_host_share \(options.maxHostShare))"))
            }
            let capacity = context.instances[i].pool.capacityBlocks
            if capacity != state.gpuBlocks + state.hostBlocks {
                problems.append(InvariantViolation("PI-4", "\(name) pool holds \(capacity) blocks, not \(state.gpuBlocks) GPU + \(state.hostBlocks) host"))
            }
        }
        let used = hostBytesInUse(context: context)
        if used > context.hardware.cpu.memoryBytes {
            problems.append(InvariantViolation("PI-3", "host KV of \(used) bytes exceeds CPU memory of \(context.hardware.cpu.memoryBytes) bytes"))
        }
        return problems
    }

    public func report(instance: ServingInstance, end: SimTime) -> StrategyReport {
        let state = states[instance.index]
        let gib = Double(instance.pool.blockBytes) / Double(1 << 30)
        return StrategyReport(counters: [
            "gpu_blocks": Double(state.gpuBlocks),
            "host_blocks_min": state.series.minimum,
            "host_blocks_mean": state.series.mean(end: end),
            "host_blocks_max": state.series.maximum,
            "host_gib_max": state.series.maximum * gib,
            "host_share_max": state.series.maximum / (Double(state.gpuBlocks) + state.series.maximum),
            "expansions": Double(state.expansions),
            "stall_contractions": Double(state.stallContractions),
            "idle_releases": Double(state.idleReleases),
            "growth_refused": Double(state.growthRefused),
        ], series: ["host_blocks": state.series.points])
    }
}

extension StrategyKind {
    /// Pie: a share of KV in CPU memory, prefetched layer by layer and written back, overlapped with compute.
    public static let pie = StrategyKind(name: "pie")
}

extension TransferPurpose {
    /// KV kept in CPU memory read into GPU buffers ahead of the layer that uses it (Pie).
    public static let kvPrefetch = TransferPurpose(name: "kv-prefetch", order: 2)
}
