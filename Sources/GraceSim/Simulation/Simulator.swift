/// The discrete-event simulation of one experiment: arrivals, iterations, transfers on the CPU–GPU link and
/// their completions on one GPU.
///
/// Under temporal sharing one iteration runs at a time and a ``GPUScheduler`` picks whose. Under MPS and MIG every
/// instance runs its own iterations back to back: with MIG each on its own slice, undisturbed; with MPS all on the
/// whole GPU, sharing it as ``GPUShare`` describes.
///
/// Drive it with ``run()`` for a whole experiment, or ``step()`` / ``run(until:)`` to watch it event by
/// event. All randomness comes from the experiment's seed, so a run is reproducible bit for bit.
/// Single-threaded: the hot state is `@exclusivity(unchecked)` (see ``ServingInstance``).
public final class Simulator {
    /// What can happen. Events carry ids only; the simulator and instances own the state.
    enum Event {
        /// The next request of the workload arrives.
        case arrival(RequestSpec)
        /// The iteration of instance `instance` that began at `startNs` ends.
        case iterationDone(instance: Int, startNs: Int64)
        /// A flow on the link may have finished or started moving; stale unless `generation` is current.
        case linkChange(generation: Int)
        /// Under MPS, an iteration may have finished its host part or its GPU work; stale unless `generation`
        /// is current.
        case gpuChange(generation: Int)
    }

    /// An iteration that has the GPU but waits for transfers before it computes.
    struct PendingIteration {
        var instance: Int
        var startNs: Int64
        var waitFor: Set<TransferID>
        var duration: SimTime
        var overlappedStall: SimTime
        /// The GPU part of `duration` (the rest is host time), ns; shared under MPS.
        var gpuNs: Int64
    }

    public let experiment: Experiment
    public let requests: RequestTable
    public let instances: [ServingInstance]
    public let strategy: MemoryStrategy
    /// The current simulated time.
    @exclusivity(unchecked) public private(set) var now = SimTime.zero
    /// The CPU–GPU link and the transfers on it.
    @exclusivity(unchecked) public private(set) var link: SharedLink

    @exclusivity(unchecked) private var queue = EventQueue<Event>()
    /// The source of arrivals: the experiment's workload, or a fixed list.
    @exclusivity(unchecked) private var nextRequest: () -> RequestSpec?
    /// A closed-loop workload's next request once a request on an instance ends at a time; nil for open arrivals.
    @exclusivity(unchecked) private var nextAfterEnd: ((Int, SimTime) -> RequestSpec?)?
    /// Under a closed loop: requests finished per instance that ``sendFollowUps()`` has answered.
    @exclusivity(unchecked) private var finishedAnswered: [Int] = []
    @exclusivity(unchecked) private var gpuScheduler: GPUScheduler
    @exclusivity(unchecked) private var gpuBusy = false
    /// Under MPS and MIG: whether each instance has an iteration started and not yet done.
    @exclusivity(unchecked) private var instanceBusy: [Bool]
    /// Iterations that wait for transfers before computing, by instance (at most one under temporal sharing).
    @exclusivity(unchecked) private var pending: [PendingIteration?]
    /// Under MPS: the iterations running together on the GPU.
    @exclusivity(unchecked) private var gpuShare = GPUShare()
    /// Bumped whenever `gpuShare` changes; older `gpuChange` events are ignored.
    @exclusivity(unchecked) private var gpuGeneration = 0
    /// How the instances share the GPU.
    public let sharingMode: SharingMode
    /// Bumped whenever the link's flows change; older `linkChange` events are ignored.
    @exclusivity(unchecked) private var linkGeneration = 0
    /// Transfers that finished while a strategy was starting another; reported at the next link event.
    private var unreportedTransfers: [Transfer] = []
    private let endTime: SimTime
    /// Watches the run (for traces); nil, the default, costs one check per hook. Set it before the first step.
    @exclusivity(unchecked) public var observer: (any SimulationObserver)? {
        didSet { for instance in instances { instance.observer = observer } }
    }
    /// Invariant violations found so far (only checked when the experiment asks for it).
    public private(set) var invariantViolations: [String] = []

    /// Builds the instances and their memory partition; the experiment must have been validated by its loader.
    /// - Parameters:
    ///   - requests: when given, these requests arrive instead of the experiment's workload (for tests and
    ///     replays); they must be in nondecreasing arrival order.
    ///   - strategy: when given, this strategy object serves instead of the experiment's (for tests).
    public init(experiment: Experiment, requests fixedRequests: [RequestSpec]? = nil, strategy custom: MemoryStrategy? = nil) throws {
        self.experiment = experiment
        let partition = try MemoryPartition.plan(experiment.instances, gpu: experiment.hardware.gpu)
        let requests = RequestTable()
        let strategy = custom ?? experiment.strategy.makeStrategy()
        self.requests = requests
        self.strategy = strategy
        sharingMode = experiment.sharing
        instances = experiment.instances.enumerated().map { index, spec in
            // Under MIG an instance computes on its slice alone.
            let gpu = experiment.sharing == .mig ? spec.migProfile.map { experiment.hardware.gpu.slice($0) } : nil
            return ServingInstance(index: index, spec: spec, kvCapacityBlocks: partition.kvBlocks[index],
                            timeModel: IterationTimeModel(model: spec.model, gpu: gpu ?? experiment.hardware.gpu),
                            requests: requests, strategy: strategy, sampleIntervalNs: experiment.sampleIntervalNs)
        }
        link = SharedLink(spec: experiment.hardware.link, hostMemoryBytesPerSecond: experiment.hardware.cpu.memoryBytesPerSecond,
                          sampleIntervalNs: experiment.sampleIntervalNs)
        if let fixedRequests {
            var iterator = fixedRequests.makeIterator()
            nextRequest = { iterator.next() }
        } else {
            var generator = experiment.workload.makeGenerator(seed: experiment.seed)
            nextRequest = { generator.next() }
            if generator.isClosedLoop {
                nextAfterEnd = { generator.next(afterRequestOn: $0, endedAt: $1) }
                finishedAnswered = Array(repeating: 0, count: experiment.instances.count)
            }
        }
        gpuScheduler = GPUScheduler(kind: experiment.gpuScheduler)
        instanceBusy = Array(repeating: false, count: experiment.instances.count)
        pending = Array(repeating: nil, count: experiment.instances.count)
        endTime = experiment.maxTimeNs.map { SimTime(ns: $0) } ?? .infinity
        strategy.attach(to: self)
        scheduleNextArrival()
    }

    /// Runs to the end (every request done, or the time limit) and returns the report.
    public func run() -> RunReport {
        while step() {}
        return report()
    }

    /// Runs every event up to and including `time`.
    public func run(until time: SimTime) {
        while let next = queue.nextTime, next <= time, step() {}
    }

    /// Handles the next event. Returns false when there is none left or the time limit is reached.
    @discardableResult
    public func step() -> Bool {
        guard let (time, event) = queue.pop(), time <= endTime else { return false }
        now = time
        switch event {
        case .arrival(let spec):
            handleArrival(spec)
        case .iterationDone(let index, let startNs):
            let instance = instances[index]
            instance.completeIteration(now: now, startedAt: SimTime(ns: startNs))
            strategy.iterationFinished(instance: instance, now: now)
            gpuBusy = false
            instanceBusy[index] = false
            if let observer { Self.noteKV(of: instance, to: observer, now: now) }
        case .linkChange(let generation):
            if generation == linkGeneration { advanceLink() }
        case .gpuChange(let generation):
            if generation == gpuGeneration { advanceGPU() }
        }
        if nextAfterEnd != nil { sendFollowUps() }
        // Start the next iteration once every event of this instant has been seen, so that requests
        // arriving exactly when a step ends join the next step.
        if queue.nextTime != now { dispatch() }
        if experiment.checkInvariants { checkInvariants() }
        return true
    }

    private func scheduleNextArrival() {
        if let spec = nextRequest() {
            queue.push(.arrival(spec), at: spec.arrival, rank: .arrival)
        }
    }

    private func handleArrival(_ spec: RequestSpec) {
        let state = RequestState(arrivalNs: spec.arrival.ns, instance: Int16(spec.instance),
                                 promptTokens: spec.promptTokens, outputTokens: spec.outputTokens)
        let id = requests.append(state)
        if instances[spec.instance].arrive(id) != nil, let nextAfterEnd, let next = nextAfterEnd(spec.instance, now) {
            queue.push(.arrival(next), at: next.arrival, rank: .arrival)
        }
        scheduleNextArrival()
    }

    /// Closed loop: schedules the next request of each client whose request finished in this event, instance
    /// by instance in index order.
    private func sendFollowUps() {
        guard let nextAfterEnd else { return }
        for (index, instance) in instances.enumerated() {
            while finishedAnswered[index] < instance.metrics.finished {
                finishedAnswered[index] += 1
                if let next = nextAfterEnd(index, now) { queue.push(.arrival(next), at: next.arrival, rank: .arrival) }
            }
        }
    }

    /// Starts the next iterations: under temporal sharing gives the idle GPU to the next instance that can run
    /// one; under MPS and MIG starts one on every idle instance that has work, in instance order.
    private func dispatch() {
        if sharingMode.isSpatial {
            for (index, instance) in instances.enumerated() where !instanceBusy[index] {
                guard instance.scheduleIteration(now: now) else { continue }
                instanceBusy[index] = true
                begin(instance: index)
            }
            return
        }
        guard !gpuBusy else { return }
        for index in gpuScheduler.order(of: instances, requests: requests) {
            let instance = instances[index]
            guard instance.scheduleIteration(now: now) else { continue }
            gpuScheduler.didRun(index)
            gpuBusy = true
            if let observer { Self.noteKV(of: instance, to: observer, now: now) }
            begin(instance: index)
            return
        }
    }

    /// Plans the iteration `index` has just scheduled and starts it, or parks it until its transfers finish.
    private func begin(instance index: Int) {
        let instance = instances[index]
        let compute = instance.timeModel.duration(of: instance.batch.shape)
        let plan = strategy.planIteration(instance: instance, computeTime: compute, now: now)
        let waiting = Set(plan.waitFor.filter { id in link.flows.contains { $0.id == id } })
        var iteration = PendingIteration(instance: index, startNs: now.ns, waitFor: waiting, duration: plan.duration,
                                         overlappedStall: plan.overlappedStall, gpuNs: 0)
        if sharingMode == .mps {
            iteration.gpuNs = Int64((instance.timeModel.computeSeconds(of: instance.batch.shape) * 1e9).rounded())
        }
        if waiting.isEmpty {
            startCompute(iteration)
        } else {
            pending[index] = iteration
        }
    }

    private func startCompute(_ iteration: PendingIteration) {
        let index = iteration.instance
        instances[index].metrics.transferStallNs += (now.ns - iteration.startNs) + iteration.overlappedStall.ns
        if sharingMode == .mps {
            gpuShare.advance(to: now.ns)
            let gpuNs = min(iteration.gpuNs, iteration.duration.ns)
            gpuShare.start(instance: index, startNs: iteration.startNs, hostNs: iteration.duration.ns - gpuNs, gpuNs: gpuNs)
            scheduleGPUChange()
        } else {
            queue.push(.iterationDone(instance: index, startNs: iteration.startNs), at: now + iteration.duration, rank: .iterationDone)
            noteIteration(index, startNs: iteration.startNs, endNs: (now + iteration.duration).ns,
                          stallNs: (now.ns - iteration.startNs) + iteration.overlappedStall.ns)
        }
    }

    /// Tells the observer about an iteration whose end is known.
    private func noteIteration(_ index: Int, startNs: Int64, endNs: Int64, stallNs: Int64) {
        guard let observer else { return }
        let shape = instances[index].batch.shape
        observer.iterationStarted(IterationRecord(
            instance: index, startNs: startNs, endNs: endNs, batchSize: instances[index].batch.count,
            prefillTokens: shape.prefillTokens, decodeSequences: shape.decodeSequences + shape.hostDecodeSequences,
            stallNs: stallNs))
    }

    private static func noteKV(of instance: ServingInstance, to observer: any SimulationObserver, now: SimTime) {
        observer.kvBlocks(instance: instance.index, usedBlocks: instance.pool.usedBlocks,
                          capacityBlocks: instance.pool.capacityBlocks, atNs: now.ns)
    }

    // MARK: The GPU under MPS

    /// Moves the shared GPU to now, ends the iterations whose work is done, and schedules the next change.
    private func advanceGPU() {
        gpuShare.advance(to: now.ns)
        for flight in gpuShare.takeFinished() {
            let instance = instances[flight.instance]
            // Under MPS an iteration's end is known only when it comes: report it then, before the batch is cleared.
            noteIteration(flight.instance, startNs: flight.startNs, endNs: now.ns, stallNs: 0)
            instance.completeIteration(now: now, startedAt: SimTime(ns: flight.startNs))
            strategy.iterationFinished(instance: instance, now: now)
            instanceBusy[flight.instance] = false
        }
        scheduleGPUChange()
    }

    private func scheduleGPUChange() {
        gpuGeneration += 1
        if let next = gpuShare.nextEventNs {
            queue.push(.gpuChange(generation: gpuGeneration), at: SimTime(ns: max(next, now.ns)), rank: .iterationDone)
        }
    }

    // MARK: The link

    /// Moves the link to now, tells the strategy about finished transfers, releases an iteration that was
    /// waiting for them, and schedules the link's next change.
    private func advanceLink() {
        let finished = unreportedTransfers + link.advance(to: now.ns)
        unreportedTransfers.removeAll()
        for transfer in finished {
            observer?.transferFinished(transfer, endNs: min(transfer.finishNs, now.ns))
            strategy.transferFinished(transfer, now: now)
            for index in pending.indices {
                guard var waiting = pending[index], waiting.waitFor.remove(transfer.id) != nil else { continue }
                pending[index] = waiting
                if waiting.waitFor.isEmpty {
                    pending[index] = nil
                    startCompute(waiting)
                }
            }
        }
        scheduleLinkChange()
    }

    private func scheduleLinkChange() {
        linkGeneration += 1
        if !unreportedTransfers.isEmpty {
            queue.push(.linkChange(generation: linkGeneration), at: now, rank: .transferDone)
        } else if let next = link.nextEventNs {
            queue.push(.linkChange(generation: linkGeneration), at: SimTime(ns: max(next, now.ns)), rank: .transferDone)
        }
    }

    /// Records violations of the invariants (KV-1, KV-2, Q-1...Q-4, R-1 per instance; T-1 time never goes
    /// backwards; HBM-1 resident weights + GPU KV + buffers + activation reserves ≤ HBM; MIG-1 the same within
    /// each instance's MIG slice; the strategy's own).
    private func checkInvariants() {
        var gpuBytes = strategy.unassignedGPUBytes
        for instance in instances {
            invariantViolations.append(contentsOf: instance.checkInvariants().map { "t=\(now.ns): \($0)" })
            let use = strategy.gpuMemory(instance: instance)
            let instanceBytes = use.weightBytes + use.kvBytes + use.bufferBytes + instance.spec.activationReserveBytes
            gpuBytes += instanceBytes
            if sharingMode == .mig, let profile = instance.spec.migProfile {
                let sliceBytes = experiment.hardware.gpu.slice(profile).hbmBytes
                let held = instanceBytes + strategy.unassignedGPUBytes(instance: instance)
                if held > sliceBytes {
                    invariantViolations.append("t=\(now.ns): MIG-1: \(instance.spec.name) holds \(held) bytes of its slice's \(sliceBytes)")
                }
            }
        }
        if gpuBytes > experiment.hardware.gpu.hbmBytes {
            invariantViolations.append("t=\(now.ns): HBM-1: weights, KV, buffers and reserves take \(gpuBytes) bytes of \(experiment.hardware.gpu.hbmBytes)")
        }
        invariantViolations.append(contentsOf: strategy.checkInvariants().map { "t=\(now.ns): \($0)" })
        if let next = queue.nextTime, next < now {
            invariantViolations.append("t=\(now.ns): T-1: next event at \(next.ns) is in the past")
        }
    }
}

extension Simulator: SimulationContext {
    public var hardware: HardwareSpec { experiment.hardware }

    public func startTransfer(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose, instance: Int) -> TransferID {
        unreportedTransfers += link.advance(to: now.ns)
        let id = link.start(bytes: bytes, direction: direction, purpose: purpose, instance: instance, now: now.ns)
        if let observer, let transfer = link.flows.last { observer.transferStarted(transfer) }
        scheduleLinkChange()
        return id
    }

    public func note(_ event: StrategyEvent) {
        observer?.strategyEvent(event, atNs: now.ns)
    }

    public func reserveHostBandwidth(_ bytesPerSecond: Double) {
        unreportedTransfers += link.advance(to: now.ns)
        link.reserveHostBandwidth(bytesPerSecond, now: now.ns)
        scheduleLinkChange()
    }
}
