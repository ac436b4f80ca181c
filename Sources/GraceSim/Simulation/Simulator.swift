/// The discrete-event simulation of one experiment: arrivals, iterations and their completions on one GPU.
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
    }

    public let experiment: Experiment
    public let requests: RequestTable
    public let instances: [ServingInstance]
    public let strategy: MemoryStrategy
    /// The current simulated time.
    @exclusivity(unchecked) public private(set) var now = SimTime.zero

    @exclusivity(unchecked) private var queue = EventQueue<Event>()
    /// The source of arrivals: the experiment's workload, or a fixed list.
    @exclusivity(unchecked) private var nextRequest: () -> RequestSpec?
    @exclusivity(unchecked) private var gpuScheduler: GPUScheduler
    @exclusivity(unchecked) private var gpuBusy = false
    private let endTime: SimTime
    /// Invariant violations found so far (only checked when the experiment asks for it).
    public private(set) var invariantViolations: [String] = []

    /// Builds the instances and their memory partition; the experiment must have been validated by its loader.
    /// - Parameter requests: when given, these requests arrive instead of the experiment's workload (for tests
    ///   and replays); they must be in nondecreasing arrival order.
    public init(experiment: Experiment, requests fixedRequests: [RequestSpec]? = nil) throws {
        self.experiment = experiment
        let partition = try MemoryPartition.plan(experiment.instances, gpu: experiment.hardware.gpu)
        let requests = RequestTable()
        let strategy = experiment.strategy.makeStrategy()
        self.requests = requests
        self.strategy = strategy
        instances = experiment.instances.enumerated().map { index, spec in
            ServingInstance(index: index, spec: spec, kvCapacityBlocks: partition.kvBlocks[index],
                            timeModel: IterationTimeModel(model: spec.model, gpu: experiment.hardware.gpu),
                            requests: requests, strategy: strategy, sampleIntervalNs: experiment.sampleIntervalNs)
        }
        if let fixedRequests {
            var iterator = fixedRequests.makeIterator()
            nextRequest = { iterator.next() }
        } else {
            var generator = experiment.workload.makeGenerator(seed: experiment.seed)
            nextRequest = { generator.next() }
        }
        gpuScheduler = GPUScheduler(kind: experiment.gpuScheduler)
        endTime = experiment.maxTimeNs.map { SimTime(ns: $0) } ?? .infinity
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
        }
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
        instances[spec.instance].arrive(id)
        scheduleNextArrival()
    }

    /// Gives the idle GPU to the next instance that can run an iteration.
    private func dispatch() {
        guard !gpuBusy else { return }
        for index in gpuScheduler.order(of: instances, requests: requests) {
            let instance = instances[index]
            guard instance.scheduleIteration(now: now) else { continue }
            let compute = instance.timeModel.duration(of: instance.batch.shape)
            let duration = strategy.adjustIteration(compute, instance: instance, now: now)
            gpuScheduler.didRun(index)
            gpuBusy = true
            queue.push(.iterationDone(instance: index, startNs: now.ns), at: now + duration, rank: .iterationDone)
            return
        }
    }

    /// Records violations of the invariants (KV-1, KV-2, Q-1, Q-2, Q-3, R-1 per instance; T-1 time never goes backwards).
    private func checkInvariants() {
        for instance in instances {
            invariantViolations.append(contentsOf: instance.checkInvariants().map { "t=\(now.ns): \($0)" })
        }
        if let next = queue.nextTime, next < now {
            invariantViolations.append("t=\(now.ns): T-1: next event at \(next.ns) is in the past")
        }
    }
}
