import DequeModule

/// One model instance on the GPU: its KV pool, its queues, and the batch it is running.
///
/// The instance decides *what* runs (``scheduleIteration(now:)``, through its engine's ``StepScheduler``) and
/// applies the results
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
    /// Requests preempted by swapping, FCFS; they resume before new prompts are admitted.
    @exclusivity(unchecked) public internal(set) var swapped = Deque<Int32>()
    /// Requests holding KV: in arrival order under vLLM V0 (so the last one is the latest-arrived), in the order
    /// they were scheduled from waiting under V1 (so the last one is the latest-admitted).
    @exclusivity(unchecked) public internal(set) var running: [Int32] = []
    @exclusivity(unchecked) public internal(set) var metrics: InstanceMetrics
    /// The batch of the iteration in flight, if any.
    @exclusivity(unchecked) public internal(set) var batch = Batch()
    /// The simulation's observer, if any (set by the ``Simulator``, which holds it); told of preemptions. Unowned,
    /// not weak: a weak reference costs a runtime call at every check, even when there is no observer.
    @exclusivity(unchecked) unowned var observer: (any SimulationObserver)?

    let requests: RequestTable
    let strategy: MemoryStrategy
    let watermarkBlocks: Int
    /// The engine's scheduler.
    let scheduler: any StepScheduler
    /// Which blocks hold which tokens, when the instance caches prefixes (vLLM V1's `enable_prefix_caching`).
    let prefixCache: PrefixCache?

    public init(index: Int, spec: InstanceSpec, kvCapacityBlocks: Int, timeModel: IterationTimeModel,
                requests: RequestTable, strategy: MemoryStrategy, sampleInterval: SimTime) {
        self.index = index
        self.spec = spec
        self.timeModel = timeModel
        self.requests = requests
        self.strategy = strategy
        let blockBytes = Int64(spec.blockTokens) * spec.model.kvBytesPerToken
        pool = KVBlockPool(capacityBlocks: kvCapacityBlocks, blockTokens: Int32(spec.blockTokens), blockBytes: blockBytes)
        watermarkBlocks = Int(spec.watermark * Double(kvCapacityBlocks))
        metrics = InstanceMetrics(sampleInterval: sampleInterval)
        scheduler = spec.engine.scheduler
        prefixCache = spec.prefixCaching
            ? PrefixCache(blockTokens: Int32(spec.blockTokens), instance: index, hostTier: strategy.hostPrefixTier) : nil
    }

    /// Whether any request is queued or running.
    public var hasWork: Bool { !waiting.isEmpty || !running.isEmpty || !swapped.isEmpty }

    /// Whether an iteration of this instance is in flight.
    public var isBusy: Bool { !batch.isEmpty }

    // MARK: Arrival

    /// Admits a new request to the waiting queue, or rejects it with a reason.
    /// - Returns: the rejection reason, or nil when the request was queued.
    @discardableResult
    public func arrive(_ id: Int32) -> RejectionReason? {
        metrics.arrived += 1
        var state = requests.states[Int(id)]
        if metrics.firstArrival == nil { metrics.firstArrival = SimTime(ns: state.arrivalNs) }
        // In Int: a prompt plus an output of any Int32 lengths cannot overflow, and a context beyond Int32
        // clips nothing.
        let context = spec.contextTokens
        if Int(state.promptTokens) >= context
            || (!spec.chunkedPrefill && Int(state.promptTokens) > spec.maxNumBatchedTokens) {
            return reject(id, .promptTooLong)
        }
        if spec.maxModelLen != nil && Int(state.promptTokens) + Int(state.outputTokens) > context {
            return reject(id, .exceedsMaxModelLen)
        }
        if Int(state.promptTokens) + Int(state.outputTokens) > context {
            state.outputTokens = Int32(context - Int(state.promptTokens))
            metrics.truncated += 1
        }
        let fullBlocks = Int(pool.blocks(forTokens: state.promptTokens + state.outputTokens))
        if fullBlocks > strategy.potentialKVBlocks(instance: self) - watermarkBlocks {
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
        if let window = metrics.window, let group = window.group(id: id, arrivalNs: requests.states[Int(id)].arrivalNs) {
            metrics.windowRejected[group][reason, default: 0] += 1
        }
        return reason
    }

    // MARK: Preemption

    /// Takes the last running request that holds GPU blocks off the GPU (or `current`, when no later one holds
    /// any); returns its id. That is the latest-arrived under V0 and the latest-admitted under V1 (V1's
    /// `running.pop()` under FCFS).
    func preemptLatest(before current: Int32, now: SimTime) -> Int32 {
        var index = running.count - 1
        while running[index] != current && requests.states[Int(running[index])].kvOnHost { index -= 1 }
        let victim = running.remove(at: index)
        let state = requests.states[Int(victim)]
        releaseBlocks(of: victim)
        requests.states[Int(victim)].preemptions += 1
        metrics.preemptions += 1
        let mode: PreemptionMode = state.kvOnHost || state.phase == .prefilling ? .recompute
            : strategy.preemptionMode(request: victim, instance: self)
        switch mode {
        case .recompute:
            metrics.recomputedTokens += Int(state.computedTokens)
            requests.states[Int(victim)].computedTokens = 0
            requests.states[Int(victim)].kvOnHost = false
            requests.states[Int(victim)].phase = .waiting
            waiting.prepend(victim)
        case .swap:
            batch.swapOutBlocks += Int(pool.blocks(forTokens: state.computedTokens))
            metrics.swapsOut += 1
            requests.states[Int(victim)].phase = .swapped
            swapped.prepend(victim)
        }
        observer?.preempted(request: victim, instance: self.index, mode: mode, at: now)
        return victim
    }

    /// Lets every GPU block of `id` go: to the prefix cache when there is one, else back to the pool.
    func releaseBlocks(of id: Int32) {
        let blocks = requests.states[Int(id)].blocks
        if let prefixCache {
            prefixCache.release(id, blocks: blocks, pool: &pool)
        } else {
            pool.release(Int(blocks))
        }
        requests.states[Int(id)].blocks = 0
    }

    /// Asks the strategy for `blocks` more free blocks to admit the request at the front of waiting (nothing is
    /// preempted for an admission).
    func makeRoomToAdmit(_ blocks: Int, now: SimTime) {
        apply(strategy.makeRoomToAdmit(blocks: blocks, instance: self, now: now))
    }

    /// Makes `needed` blocks free, first by asking the strategy, then by preempting the latest-arrived
    /// running requests. Stops early when `current` itself is preempted.
    /// - Returns: false when `current` was preempted.
    func makeFree(_ needed: Int, for current: Int32, now: SimTime) -> Bool {
        if pool.freeBlocks < needed {
            apply(strategy.makeRoom(blocks: needed - pool.freeBlocks, instance: self, now: now))
        }
        while pool.freeBlocks < needed {
            if preemptLatest(before: current, now: now) == current { return false }
        }
        return true
    }

    /// Moves a running request's KV to CPU memory: its GPU blocks are freed and its decode attention runs on the
    /// CPU from now on. The blocks' bytes cross the link in this step (``Batch/movedToHostBlocks``). Strategies
    /// ask for it through a ``MemoryDecision``.
    func moveToHost(_ id: Int32) {
        let state = requests.states[Int(id)]
        guard !state.kvOnHost, state.phase == .decoding else { return }
        releaseBlocks(of: id)
        batch.movedToHostBlocks += Int(pool.blocks(forTokens: state.computedTokens))
        requests.states[Int(id)].kvOnHost = true
        metrics.movedToHost += 1
    }

    /// Records the pool's use for the KV-utilisation series.
    func noteKVUsage(now: SimTime) {
        metrics.kvUsage.update(now: now, used: pool.usedBlocks, capacity: pool.capacityBlocks)
    }

    /// Invariants KV-1 (pool within bounds), KV-2 (blocks held by requests, a shared cached block once, add up to
    /// the pool's used count), PC-1 and PC-2 (the prefix cache's, see ``PrefixCache``),
    /// Q-1 (running requests hold blocks and are in a running phase), Q-2 (waiting requests are waiting and
    /// hold neither blocks nor computed KV, so no request is both waiting and running), Q-3 (running holds
    /// no request twice; under V0 it is in strictly increasing id order), Q-4 (swapped requests are swapped, hold no GPU
    /// blocks and keep their computed KV) and R-1 (a running request's GPU blocks cover its computed KV unless
    /// its KV is in CPU memory, and it has generated no more than its output).
    public func checkInvariants() -> [InvariantViolation] {
        var problems = pool.checkInvariants().map { $0.within(spec.name) }
        if let prefixCache { problems += prefixCache.checkInvariants(pool: pool).map { $0.within(spec.name) } }
        var held = 0
        var previous: Int32 = -1
        for id in running {
            let state = requests.states[Int(id)]
            held += Int(state.blocks)
            if state.phase != .decoding && state.phase != .prefilling {
                problems.append(InvariantViolation("Q-1", "\(spec.name): running request \(id) is \(state.phase)"))
            }
            if id <= previous && spec.engine == .vllmV0 {
                problems.append(InvariantViolation("Q-3", "\(spec.name): running request \(id) follows \(previous)"))
            }
            previous = id
            let coveredTokens = state.kvOnHost ? 0 : state.computedTokens
            if Int(state.blocks) < Int(pool.blocks(forTokens: coveredTokens)) || state.computedTokens > state.sequenceTokens
                || state.generatedTokens > state.outputTokens {
                problems.append(InvariantViolation("R-1", "\(spec.name): running request \(id) holds \(state.blocks) blocks for \(state.computedTokens) computed tokens, generated \(state.generatedTokens) of \(state.outputTokens)"))
            }
        }
        if spec.engine != .vllmV0 && Set(running).count != running.count {
            problems.append(InvariantViolation("Q-3", "\(spec.name): a request is running twice"))
        }
        held -= prefixCache?.sharedReferences ?? 0
        if held != pool.usedBlocks {
            problems.append(InvariantViolation("KV-2", "\(spec.name): requests hold \(held) blocks, pool says \(pool.usedBlocks)"))
        }
        for id in waiting {
            let state = requests.states[Int(id)]
            if state.phase != .waiting || state.blocks != 0 || state.computedTokens != 0 {
                problems.append(InvariantViolation("Q-2", "\(spec.name): waiting request \(id) is \(state.phase) with \(state.blocks) blocks, \(state.computedTokens) computed tokens"))
            }
        }
        for id in swapped {
            let state = requests.states[Int(id)]
            if state.phase != .swapped || state.blocks != 0 || state.computedTokens == 0 {
                problems.append(InvariantViolation("Q-4", "\(spec.name): swapped request \(id) is \(state.phase) with \(state.blocks) blocks, \(state.computedTokens) computed tokens"))
            }
        }
        return problems
    }
}
