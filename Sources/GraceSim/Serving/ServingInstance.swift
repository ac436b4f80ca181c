import DequeModule

/// One model instance on the GPU: its KV pool, its vLLM V0 queues, and the batch it is running.
///
/// The instance decides *what* runs (``scheduleIteration(now:)``) and applies the results
/// (``completeIteration(now:)``); the simulator decides *when*, and the memory strategy decides what to
/// do when KV runs short.
///
/// The mutable state is marked `@exclusivity(unchecked)`: the simulation is single-threaded and every
/// access goes through this class, so the runtime's dynamic exclusivity checks (a fifth of the run time in
/// the benchmark) buy nothing; static checks still apply.
public final class ServingInstance {
    /// Position of this instance in the experiment (0-based).
    public let index: Int
    public let spec: InstanceSpec
    public let timeModel: IterationTimeModel
    @exclusivity(unchecked) public internal(set) var pool: KVBlockPool
    /// Requests queued for (re-)prefill, FCFS; preempted requests go back to the front.
    @exclusivity(unchecked) public internal(set) var waiting = Deque<Int32>()
    /// Requests holding KV, in arrival order (so the last one is the latest-arrived).
    @exclusivity(unchecked) public internal(set) var running: [Int32] = []
    @exclusivity(unchecked) public internal(set) var metrics: InstanceMetrics
    /// The batch of the iteration in flight, if any.
    @exclusivity(unchecked) public internal(set) var batch = Batch()
    /// Simulated time at which this instance last finished an iteration (for MRU/LRU choices).
    @exclusivity(unchecked) public internal(set) var lastRunNs: Int64 = -1

    let requests: RequestTable
    let strategy: MemoryStrategy
    let watermarkBlocks: Int

    public init(index: Int, spec: InstanceSpec, kvCapacityBlocks: Int, timeModel: IterationTimeModel,
                requests: RequestTable, strategy: MemoryStrategy, sampleIntervalNs: Int64) {
        self.index = index
        self.spec = spec
        self.timeModel = timeModel
        self.requests = requests
        self.strategy = strategy
        let blockBytes = Int64(spec.blockTokens) * spec.model.kvBytesPerToken
        pool = KVBlockPool(capacityBlocks: kvCapacityBlocks, blockTokens: Int32(spec.blockTokens), blockBytes: blockBytes)
        watermarkBlocks = Int(spec.watermark * Double(kvCapacityBlocks))
        metrics = InstanceMetrics(sampleIntervalNs: sampleIntervalNs)
    }

    /// Whether any request is queued or running.
    public var hasWork: Bool { !waiting.isEmpty || !running.isEmpty }

    /// Whether an iteration of this instance is in flight.
    public var isBusy: Bool { !batch.isEmpty }

    // MARK: Arrival

    /// Admits a new request to the waiting queue, or rejects it with a reason.
    /// - Returns: the rejection reason, or nil when the request was queued.
    @discardableResult
    public func arrive(_ id: Int32) -> RejectionReason? {
        metrics.arrived += 1
        var state = requests.states[Int(id)]
        let context = Int32(spec.model.maxContextTokens)
        if state.promptTokens >= context
            || (!spec.chunkedPrefill && Int(state.promptTokens) > spec.maxNumBatchedTokens) {
            return reject(id, .promptTooLong)
        }
        if state.promptTokens + state.outputTokens > context {
            state.outputTokens = context - state.promptTokens
            metrics.truncated += 1
        }
        let fullBlocks = Int(pool.blocks(forTokens: state.promptTokens + state.outputTokens))
        if fullBlocks > pool.capacityBlocks - watermarkBlocks {
            return reject(id, .exceedsKVPool)
        }
        state.phase = .waiting
        requests.states[Int(id)] = state
        waiting.append(id)
        return nil
    }

    private func reject(_ id: Int32, _ reason: RejectionReason) -> RejectionReason {
        requests.states[Int(id)].phase = .rejected
        metrics.rejected[reason, default: 0] += 1
        return reason
    }

    // MARK: Preemption

    /// Takes the latest-arrived running request off the GPU; returns its id.
    func preemptLatest(now: SimTime) -> Int32 {
        let victim = running.removeLast()
        switch strategy.preemptionMode(request: victim, instance: self) {
        case .recompute:
            let blocks = Int(requests.states[Int(victim)].blocks)
            pool.release(blocks)
            requests.states[Int(victim)].blocks = 0
            metrics.recomputedTokens += Int(requests.states[Int(victim)].computedTokens)
            requests.states[Int(victim)].computedTokens = 0
        }
        requests.states[Int(victim)].phase = .waiting
        requests.states[Int(victim)].preemptions += 1
        metrics.preemptions += 1
        waiting.prepend(victim)
        return victim
    }

    /// Makes `needed` blocks free, first by asking the strategy, then by preempting the latest-arrived
    /// running requests. Stops early when `current` itself is preempted.
    /// - Returns: false when `current` was preempted.
    func makeFree(_ needed: Int, for current: Int32, now: SimTime) -> Bool {
        if pool.freeBlocks < needed {
            _ = strategy.makeRoom(blocks: needed - pool.freeBlocks, instance: self, now: now)
        }
        while pool.freeBlocks < needed {
            if preemptLatest(now: now) == current { return false }
        }
        return true
    }

    /// Records the pool's use for the KV-utilisation series.
    func noteKVUsage(now: SimTime) {
        metrics.kvUsage.update(nowNs: now.ns, used: pool.usedBlocks, capacity: pool.capacityBlocks)
    }

    /// Invariants KV-1 (pool within bounds), KV-2 (blocks held by requests add up to the pool's used count),
    /// Q-1 (running requests hold blocks and are in a running phase), Q-2 (waiting requests are waiting and
    /// hold neither blocks nor computed KV, so no request is both waiting and running), Q-3 (running is in
    /// strictly increasing id order, so holds no request twice) and R-1 (a running request's blocks cover its
    /// computed KV, and it has generated no more than its output).
    public func checkInvariants() -> [String] {
        var problems = pool.checkInvariants().map { "\(spec.name): \($0)" }
        var held = 0
        var previous: Int32 = -1
        for id in running {
            let state = requests.states[Int(id)]
            held += Int(state.blocks)
            if state.phase != .decoding && state.phase != .prefilling {
                problems.append("\(spec.name): Q-1: running request \(id) is \(state.phase)")
            }
            if id <= previous {
                problems.append("\(spec.name): Q-3: running request \(id) follows \(previous)")
            }
            previous = id
            if Int(state.blocks) < Int(pool.blocks(forTokens: state.computedTokens)) || state.computedTokens > state.sequenceTokens
                || state.generatedTokens > state.outputTokens {
                problems.append("\(spec.name): R-1: running request \(id) holds \(state.blocks) blocks for \(state.computedTokens) computed tokens, generated \(state.generatedTokens) of \(state.outputTokens)")
            }
        }
        if held != pool.usedBlocks {
            problems.append("\(spec.name): KV-2: requests hold \(held) blocks, pool says \(pool.usedBlocks)")
        }
        for id in waiting {
            let state = requests.states[Int(id)]
            if state.phase != .waiting || state.blocks != 0 || state.computedTokens != 0 {
                problems.append("\(spec.name): Q-2: waiting request \(id) is \(state.phase) with \(state.blocks) blocks, \(state.computedTokens) computed tokens")
            }
        }
        return problems
    }
}
