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
        /// The iteration of instance `instance` that began at `startedAt` ends.
        case iterationDone(instance: Int, startedAt: SimTime)
        /// A flow on the link may have finished or started moving; stale unless `generation` is current.
        case linkChange(generation: Int)
        /// Under MPS, a GPU segment of some pass may have finished; stale unless `generation` is current.
        case gpuChange(generation: Int)
        /// A timed part (host part, GPU segment, CPU work) of pass `serial` of instance `instance` may have
        /// ended; stale unless that pass is still running.
        case passStep(instance: Int, serial: Int)
    }

    public let experiment: Experiment
    /// The machine as one GPU of the instances sees it (``Experiment/gpuView``): its HBM, its link and its share
    /// of the CPU.
    public let hardware: HardwareSpec
    public let requests: RequestTable
    public let instances: [ServingInstance]
    public let strategy: MemoryStrategy
    /// The current simulated time.
    @exclusivity(unchecked) public private(set) var now = SimTime.zero
    /// The CPU–GPU link and the transfers on it.
    @exclusivity(unchecked) public private(set) var link: SharedLink

    @exclusivity(unchecked) var queue = EventQueue<Event>()
    /// The source of arrivals: the experiment's workload, or a fixed list.
    @exclusivity(unchecked) private var nextRequest: () -> RequestSpec?
    /// A closed-loop workload's next request once a request (on an instance, with its content) ends at a time; nil
    /// for open arrivals.
    @exclusivity(unchecked) private var nextAfterEnd: ((Int, SimTime, RequestContent?) -> RequestSpec?)?
    /// Whether the workload needs an ended request's content (sessions): admitted requests with content are then
    /// kept in their instance's ``InstanceRuntime/awaitingEnd`` until they finish.
    private var tracksEndedContent = false
    @exclusivity(unchecked) private var gpuScheduler: GPUScheduler
    @exclusivity(unchecked) private var gpuBusy = false
    /// The simulator's record of each instance (``InstanceRuntime``), by index.
    @exclusivity(unchecked) var runtime: [InstanceRuntime]
    /// Numbers passes, so that a timer of a finished pass is recognised as stale.
    @exclusivity(unchecked) var passSerial = 0
    /// Under MPS: the GPU segments running together on the GPU.
    @exclusivity(unchecked) var gpuShare = GPUShare()
    /// Bumped whenever `gpuShare` changes; older `gpuChange` events are ignored.
    @exclusivity(unchecked) private var gpuGeneration = 0
    /// How the instances share the GPU.
    public let sharingMode: SharingMode
    /// Bumped whenever the link's flows change; older `linkChange` events are ignored.
    @exclusivity(unchecked) private var linkGeneration = 0
    /// Transfers that finished while a strategy was starting another; reported at the next link event.
    var unreportedTransfers: [Transfer] = []
    /// The buffer the link's finished transfers are collected in, kept between link events.
    private var finishedTransfers: [Transfer] = []
    private let endTime: SimTime
    /// Watches the run (for traces); nil, the default, costs one check per hook. Set it before the first step.
    @exclusivity(unchecked) public var observer: (any SimulationObserver)? {
        didSet { for instance in instances { instance.observer = observer } }
    }
    /// Invariant violations found so far (only checked when the experiment asks for it).
    public private(set) var invariantViolations: [InvariantViolation] = []
    /// Why the run stopped before its end, when it could not go on (see ``checkHalt()``); nil otherwise.
    public private(set) var halt: ConfigError?
    /// Closed loop: requests rejected at arrival one after another at the instant `rejectedInARowAt`, with none
    /// admitted between them.
    private var rejectedInARow = 0
    private var rejectedInARowAt = SimTime.zero

    /// Requests rejected at arrival in a row, at one instant and with none admitted, after which a closed loop is
    /// taken to be stuck: each client sends its next request at once (`think_time_s: 0`), it is rejected again, and
    /// simulated time never advances. Every request rejected, not a rare run of them: were even one request in a
    /// thousand admitted, 100,000 rejections in a row would have a chance of e⁻¹⁰⁰.
    static let stuckRejectionLimit = 100_000

    /// Builds the instances and their memory partition; the experiment must have been validated by its loader.
    /// - Parameters:
    ///   - requests: when given, these requests arrive instead of the experiment's workload (for tests and
    ///     replays); they must be in nondecreasing arrival order.
    ///   - strategy: when given, this strategy object serves instead of the experiment's (for tests).
    public init(experiment: Experiment, requests fixedRequests: [RequestSpec]? = nil, strategy custom: MemoryStrategy? = nil) throws {
        self.experiment = experiment
        let machine = experiment.gpuView
        hardware = machine
        let partition = try MemoryPartition.plan(experiment.instances, gpu: machine.gpu)
        let requests = RequestTable()
        let strategy = custom ?? experiment.strategy.makeStrategy()
        self.requests = requests
        self.strategy = strategy
        sharingMode = experiment.sharing
        instances = experiment.instances.enumerated().map { index, spec in
            // Under MIG an instance computes on its slice alone.
            let gpu = experiment.sharing == .mig ? spec.migProfile.map { machine.gpu.slice($0) } : nil
            let allReduce = AllReduceTime(gpus: spec.tensorParallelSize, gpu: machine.gpu, fabric: machine.fabric,
                                          elementBytes: spec.model.bytesPerElement)
            let expertExchange = AllReduceTime(gpus: spec.tensorParallelSize * spec.dataParallelSize, gpu: machine.gpu,
                                               fabric: machine.fabric, elementBytes: spec.model.bytesPerElement)
            // Data-parallel ranks each hold the KV their GPU leaves; the instance schedules them as one pool.
            return ServingInstance(index: index, spec: spec, kvCapacityBlocks: partition.kvBlocks[index] * spec.dataParallelSize,
                            timeModel: IterationTimeModel(model: spec.model, gpu: gpu ?? machine.gpu,
                                                           engineOverhead: spec.engineOverhead, allReduce: allReduce,
                                                           expertExchange: expertExchange),
                            requests: requests, strategy: strategy, sampleInterval: experiment.sampleInterval)
        }
        link = SharedLink(spec: machine.link, hostMemoryBytesPerSecond: machine.cpu.memoryBytesPerSecond,
                          sampleInterval: experiment.sampleInterval)
        if let fixedRequests {
            var iterator = fixedRequests.makeIterator()
            nextRequest = { iterator.next() }
        } else {
            var generator = experiment.workload.makeGenerator(seed: experiment.seed)
            nextRequest = { generator.next() }
            if generator.isClosedLoop {
                nextAfterEnd = { generator.next(afterRequestOn: $0, endedAt: $1, content: $2) }
                tracksEndedContent = generator.needsEndedContent
            }
        }
        gpuScheduler = GPUScheduler(kind: experiment.gpuScheduler)
        runtime = Array(repeating: InstanceRuntime(), count: experiment.instances.count)
        endTime = min(experiment.maxTime ?? .infinity, .horizon)
        strategy.attach(to: self)
        scheduleNextArrival()
    }

    /// Runs to the end (every request done, or the time limit) and returns the report.
    /// Keeps every token gap of every request from now on (``InstanceMetrics/tokenGapLog``): what a per-request
    /// benchmark result needs. Costs 16 bytes per generated token.
    public func recordTokenGaps() {
        for instance in instances where instance.metrics.tokenGapLog == nil { instance.metrics.tokenGapLog = [] }
    }

    public func run() -> RunReport {
        while step() {}
        return report()
    }

    /// Runs to the end like ``run()``, and calls `progress` after every `interval` events with where the run
    /// is. The loop pays one counter decrement per event, so a progress display costs nothing measurable.
    public func run(progressEvery interval: Int, _ progress: (SimulationProgress) -> Void) -> RunReport {
        let interval = max(interval, 1)
        var countdown = interval
        var events = 0
        while step() {
            countdown -= 1
            if countdown == 0 {
                countdown = interval
                events += interval
                progress(currentProgress(events: events))
            }
        }
        return report()
    }

    /// Where the run is after `events` events.
    private func currentProgress(events: Int) -> SimulationProgress {
        var ended = 0
        for instance in instances {
            ended += instance.metrics.finished
            for reason in RejectionReason.allCases { ended += instance.metrics.rejected[reason, default: 0] }
        }
        return SimulationProgress(events: events, simulated: now, arrived: requests.count, ended: ended)
    }

    /// Runs every event up to and including `time`.
    public func run(until time: SimTime) {
        while let next = nextEventTime(), next <= time, step() {}
    }

    /// Handles the next event. Returns false when there is none left or the time limit is reached.
    ///
    /// Stale events (tombstones of rescheduled link changes, GPU changes and pass timers) are dropped before
    /// the clock moves, never handled: one scheduled far ahead, for a flow that was starved when it was
    /// scheduled, would otherwise carry the clock to its time after the last request has finished.
    @discardableResult
    public func step() -> Bool {
        guard halt == nil, nextEventTime() != nil, let (time, event) = queue.pop(), time <= endTime else { return false }
        now = time
        switch event {
        case .arrival(let spec):
            handleArrival(spec)
        case .iterationDone(let index, let start):
            let instance = instances[index]
            instance.completeIteration(now: now, startedAt: start)
            strategy.iterationFinished(instance: instance, now: now)
            gpuBusy = false
            runtime[index].busy = false
            if let observer { Self.noteKV(of: instance, to: observer, now: now) }
        case .linkChange:
            advanceLink()
        case .gpuChange:
            advanceGPU()
        case .passStep(let index, _):
            progress(index)
        }
        if nextAfterEnd != nil { sendFollowUps() }
        // Start the next iteration once every event of this instant has been seen, so that requests
        // arriving exactly when a step ends join the next step.
        if nextEventTime() != now { dispatch() }
        if experiment.checkInvariants { checkInvariants() }
        return true
    }

    /// The time of the next event that is not stale, after dropping the stale ones before it.
    private func nextEventTime() -> SimTime? {
        queue.dropStale { isStale($0) }
        return queue.nextTime
    }

    /// Whether `event` was superseded after it was scheduled: a link or GPU change of an older generation, or a
    /// timer of a pass that has ended. Once stale, an event stays stale.
    private func isStale(_ event: Event) -> Bool {
        switch event {
        case .arrival, .iterationDone: return false
        case .linkChange(let generation): return generation != linkGeneration
        case .gpuChange(let generation): return generation != gpuGeneration
        case .passStep(let index, let serial): return runtime[index].pass?.serial != serial
        }
    }

    private func scheduleNextArrival() {
        if let spec = nextRequest() {
            queue.push(.arrival(spec), at: spec.arrival, rank: .arrival)
        }
    }

    private func handleArrival(_ spec: RequestSpec) {
        let state = RequestState(arrivalNs: spec.arrival.ns, instance: Int16(spec.instance),
                                 promptTokens: spec.promptTokens, outputTokens: spec.outputTokens)
        let id = requests.append(state, content: spec.content)
        if let reason = instances[spec.instance].arrive(id) {
            if let nextAfterEnd {
                noteRejectedInARow(reason, instance: spec.instance)
                if halt == nil, let next = nextAfterEnd(spec.instance, now, spec.content) {
                    queue.push(.arrival(next), at: next.arrival, rank: .arrival)
                }
            }
        } else {
            rejectedInARow = 0
            if tracksEndedContent, spec.content != nil { runtime[spec.instance].awaitingEnd.append(id) }
        }
        scheduleNextArrival()
    }

    /// Closed loop: counts a request rejected at arrival now; past ``stuckRejectionLimit`` in a row at this instant
    /// the run halts, naming the source's think time.
    private func noteRejectedInARow(_ reason: RejectionReason, instance: Int) {
        if now != rejectedInARowAt {
            rejectedInARowAt = now
            rejectedInARow = 0
        }
        rejectedInARow += 1
        guard rejectedInARow >= Self.stuckRejectionLimit else { return }
        let key = experiment.workload.sources.count == 1 ? "workload.arrivals.think_time_s"
            : "workload.tenants.\(instance).arrivals.think_time_s"
        halt = ConfigError(file: experiment.file, key: key, String(
            format: "%d requests in a row were rejected at arrival at %.9g s (%@, on %@) and each client sends its next one at once, "
                + "so simulated time cannot advance; expected requests the instance can serve, or a think time above 0",
            rejectedInARow, now.seconds, reason.rawValue, instances[instance].spec.name))
    }

    /// Throws ``halt`` when the run stopped because it could not go on: a closed loop whose every request is
    /// rejected at arrival with no think time, which would otherwise spin at one instant and fill memory.
    public func checkHalt() throws {
        if let halt { throw halt }
    }

    /// Closed loop: schedules the next request of each client whose request finished in this event, instance
    /// by instance in index order; when the workload needs their content, those with content first, in arrival order.
    private func sendFollowUps() {
        guard let nextAfterEnd else { return }
        for (index, instance) in instances.enumerated() where runtime[index].finishedAnswered < instance.metrics.finished {
            var ended = instance.metrics.finished - runtime[index].finishedAnswered
            runtime[index].finishedAnswered = instance.metrics.finished
            if tracksEndedContent {
                var kept = 0
                for position in runtime[index].awaitingEnd.indices {
                    let id = runtime[index].awaitingEnd[position]
                    if requests.states[Int(id)].phase == .finished {
                        ended -= 1
                        follow(nextAfterEnd(index, now, requests.contents[id]))
                    } else {
                        runtime[index].awaitingEnd[kept] = id
                        kept += 1
                    }
                }
                runtime[index].awaitingEnd.removeLast(runtime[index].awaitingEnd.count - kept)
            }
            for _ in 0..<max(ended, 0) { follow(nextAfterEnd(index, now, nil)) }
        }
    }

    /// Schedules the arrival of a closed loop's next request, if there is one.
    private func follow(_ next: RequestSpec?) {
        if let next { queue.push(.arrival(next), at: next.arrival, rank: .arrival) }
    }

    /// Starts the next iterations: under temporal sharing gives the idle GPU to the next instance that can run
    /// one; under MPS and MIG starts one on every idle instance that has work, in instance order.
    private func dispatch() {
        if sharingMode.isSpatial {
            for (index, instance) in instances.enumerated() where !runtime[index].busy {
                guard instance.scheduleIteration(now: now) else { continue }
                runtime[index].busy = true
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

    static func noteKV(of instance: ServingInstance, to observer: any SimulationObserver, now: SimTime) {
        observer.kvBlocks(instance: instance.index, usedBlocks: instance.pool.usedBlocks,
                          capacityBlocks: instance.pool.capacityBlocks, at: now)
    }

    // MARK: The GPU under MPS

    /// Moves the shared GPU to now, lets the passes whose segments are done go on, and schedules the next change.
    private func advanceGPU() {
        gpuShare.advance(to: now)
        for index in gpuShare.takeFinished() { segmentFinished(index) }
        scheduleGPUChange()
    }

    func scheduleGPUChange() {
        gpuGeneration += 1
        if let next = gpuShare.nextEvent {
            queue.push(.gpuChange(generation: gpuGeneration), at: max(next, now), rank: .iterationDone)
        }
    }

    // MARK: The link

    /// Moves the link to now, tells the strategy and the passes about finished transfers, and schedules the
    /// link's next change.
    private func advanceLink() {
        // Reuse the buffers: `finished` takes the transfers already reported as finished, and the emptied buffer
        // collects those that finish while strategies start new ones below.
        var finished: [Transfer] = []
        swap(&finished, &finishedTransfers)
        finished.removeAll(keepingCapacity: true)
        swap(&finished, &unreportedTransfers)
        link.advance(to: now, appendingFinishedTo: &finished)
        defer { finishedTransfers = finished }
        for transfer in finished {
            observer?.transferFinished(transfer, end: min(transfer.finish, now))
            strategy.transferFinished(transfer, now: now)
            transferArrived(transfer.id, instance: transfer.instance)
        }
        scheduleLinkChange()
    }

    func scheduleLinkChange() {
        linkGeneration += 1
        if !unreportedTransfers.isEmpty {
            queue.push(.linkChange(generation: linkGeneration), at: now, rank: .transferDone)
        } else if let next = link.nextEvent {
            queue.push(.linkChange(generation: linkGeneration), at: max(next, now), rank: .transferDone)
        }
    }

    /// Records violations of the invariants (KV-1, KV-2, Q-1...Q-4, R-1 per instance; T-1 time never goes
    /// backwards; HBM-1 resident weights + GPU KV + buffers + activation reserves ≤ HBM; MIG-1 the same within
    /// each instance's MIG slice; the strategy's own).
    private func checkInvariants() {
        var gpuBytes = strategy.unassignedGPUBytes(instance: nil)
        for instance in instances {
            invariantViolations.append(contentsOf: instance.checkInvariants().map { $0.at(now) })
            let use = strategy.gpuMemory(instance: instance)
            // Data-parallel ranks each hold their share of the instance's pooled KV on their own GPU.
            let kvPerGPU = use.kvBytes / Int64(instance.spec.dataParallelSize)
            let instanceBytes = use.weightBytes + kvPerGPU + use.bufferBytes + instance.spec.activationReserveBytes
            gpuBytes += instanceBytes
            if sharingMode == .mig, let profile = instance.spec.migProfile {
                let sliceBytes = hardware.gpu.slice(profile).hbmBytes
                let held = instanceBytes + strategy.unassignedGPUBytes(instance: instance)
                if held > sliceBytes {
                    invariantViolations.append(InvariantViolation("MIG-1", "\(instance.spec.name) holds \(held) bytes of its slice's \(sliceBytes)").at(now))
                }
            }
        }
        if gpuBytes > hardware.gpu.hbmBytes {
            invariantViolations.append(InvariantViolation("HBM-1", "weights, KV, buffers and reserves take \(gpuBytes) bytes of \(hardware.gpu.hbmBytes)").at(now))
        }
        invariantViolations.append(contentsOf: strategy.checkInvariants().map { $0.at(now) })
        if let next = queue.nextTime, next < now {
            invariantViolations.append(InvariantViolation("T-1", "next event at \(next.ns) is in the past").at(now))
        }
    }
}

extension Simulator: SimulationContext {
    public func startTransfer(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose, instance: Int) -> TransferID {
        link.advance(to: now, appendingFinishedTo: &unreportedTransfers)
        let id = link.start(bytes: bytes, direction: direction, purpose: purpose, instance: instance, now: now)
        if let observer, let transfer = link.flows.last { observer.transferStarted(transfer) }
        scheduleLinkChange()
        return id
    }

    public func prefetch(_ loads: Int, of stream: LayerStream, instance: Int) {
        startEarlyLoads(loads, of: stream, instance: instance)
    }

    public func lastPassStall(instance: Int) -> SimTime { runtime[instance].lastStall }

    public func note(_ event: StrategyEvent) {
        observer?.strategyEvent(event, at: now)
    }

    public func reserveHostBandwidth(_ bytesPerSecond: Double) {
        link.advance(to: now, appendingFinishedTo: &unreportedTransfers)
        link.reserveHostBandwidth(bytesPerSecond, now: now)
        scheduleLinkChange()
    }
}

/// Where a running simulation is, for a progress display.
public struct SimulationProgress: Sendable, Equatable {
    /// Events handled so far.
    public var events: Int
    /// The simulated time reached.
    public var simulated: SimTime
    /// Requests that have arrived.
    public var arrived: Int
    /// Requests that have finished or were rejected.
    public var ended: Int
}
