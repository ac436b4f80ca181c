import Foundation
import GraceSim
import GraceSimStore

/// Where a sweep is, for a progress bar.
public struct SweepProgress: Sendable {
    /// Points of this shard simulated in this process (finished or failed).
    public var done: Int
    public var failed: Int
    /// Points of this shard: the whole share of the grid this process works through.
    public var total: Int
    /// Points reached so far whose config is already finished in the database (or is another point's, run here).
    public var skipped: Int
    /// Points of this shard that another process (or runner) ran while this one was running.
    public var elsewhere: Int = 0
    public var elapsedSeconds: Double

    /// Points of this shard that need nothing more from this process: simulated, skipped or run elsewhere.
    public var ended: Int { done + skipped + elsewhere }
}

/// What a sweep did, and where its time went.
public struct SweepSummary: Sendable {
    /// Points of this shard.
    public var points: Int
    public var skipped: Int
    public var finished: Int
    public var failed: Int
    /// Points ran (finished or failed) by another process on the same database while this one was running.
    public var elsewhere: Int
    /// Whether the run ended early because its ``SweepStop`` was requested (some points were not reached).
    public var stopped: Bool
    public var wallSeconds: Double
    /// Time spent before the first run: counting the grid and checking points' experiments, in seconds of wall time.
    public var preparationSeconds: Double
    /// Time spent loading each point's experiment as it is taken, summed over jobs, in seconds.
    public var loadingSeconds: Double
    /// Time spent simulating, summed over jobs, in seconds.
    public var simulationSeconds: Double
    /// Time spent writing to the database (waiting for the writer included), summed over jobs, in seconds.
    public var storageSeconds: Double
}

/// Asks a running sweep to stop: its workers store the points they are running and take no more. Callable from
/// any thread, a progress callback included.
public final class SweepStop: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    public func request() { lock.withLock { requested = true } }

    public var isRequested: Bool { lock.withLock { requested } }
}

/// Runs a sweep's grid on `jobs` threads, one `Simulator` per point, each run stored in its own transaction.
///
/// The grid is never built: workers take this shard's points in grid order and compute each from its index.
/// Before any run, points' experiments are checked so that a broken base file or a bad axis value stops the sweep
/// (``StoreError``): every point of a shard of at most ``fullCheckPoints`` (kept for the run), else the first point
/// of each axis value, the others being loaded as workers take them, so that memory does not grow with the grid
/// and the first points run at once. Such a later point whose experiment does not load is stored as a failed run
/// with the loader's message.
///
/// Every finished or failed run is written as soon as it ends; points already finished in the database are
/// skipped, so a killed sweep resumes where it stopped. Writes go through the store's single serialized writer.
/// Each point is leased in the database before it runs (``ResultStore/lease(sweepId:configHash:policy:)``), so
/// several processes on one database share the grid: a point leased by a live owner is left to it, and asked about
/// again later; a lease whose owner died is taken over. A heartbeat thread refreshes this runner's leases.
public struct SweepRunner: Sendable {
    public typealias Simulate = @Sendable (PreparedPoint, _ requests: Bool, _ series: Bool) throws -> PointResult

    /// The default ``fullCheckPoints``. Shards up to this size are loaded and checked whole before any runs and
    /// the loaded points are kept for the run (each is loaded once). Loading reads the workload's length or trace
    /// file (10⁴–10⁵ rows: about 6 ms and 0.1–0.5 MB per point in a release build), so this bound keeps the wait
    /// before the first run to seconds and the loaded points to about 100 MB; every shipped sweep is below it. Larger shards check the first
    /// point of each axis value (which finds a broken base file or a bad value just as well) and load each point as a
    /// worker takes it, so memory stays at one experiment per job; a point that only a combination of values breaks
    /// is then stored as a failed run with the loader's message.
    public static let defaultFullCheckPoints = 256

    public var spec: SweepSpec
    public var store: ResultStore
    public var jobs: Int
    public var shard: Shard
    /// Stored with the sweep.
    public var version: String
    public var simulate: Simulate
    /// This runner's identity and the rule for taking over abandoned leases.
    public var leases = LeasePolicy()
    /// How often running leases are refreshed, in seconds.
    public var heartbeatSeconds: Double = 10
    /// How long to wait before asking again about a point another owner is running, in seconds.
    public var pollSeconds: Double = 0.25
    /// Request it to end the run after the points being run are stored.
    public var stop = SweepStop()
    /// Shards of at most this many points are loaded and checked whole before any runs.
    public var fullCheckPoints = defaultFullCheckPoints

    public init(spec: SweepSpec, store: ResultStore, jobs: Int, shard: Shard = .whole, version: String,
                simulate: @escaping Simulate = PointSimulation.simulate) {
        self.spec = spec
        self.store = store
        self.jobs = max(1, jobs)
        self.shard = shard
        self.version = version
        self.simulate = simulate
    }

    /// Checks, then runs this shard's points; `progress` is called after each run is stored.
    public func run(progress: @escaping @Sendable (SweepProgress) -> Void = { _ in }) throws -> SweepSummary {
        let started = DispatchTime.now().uptimeNanoseconds
        let grid = try spec.grid()
        let shard = self.shard
        let total = shard.pointCount(inGridOf: grid.count)
        var prepared: [PreparedPoint]?
        if total <= fullCheckPoints {
            prepared = try spec.prepare(points: (0..<total).lazy.map { grid.point(at: shard.pointIndex($0)) }, jobs: jobs)
        } else {
            try spec.check(points: grid.firstPointOfEachValue.lazy.map { grid.point(at: $0) }, jobs: jobs)
        }
        let context = try PointLoader.context(for: spec)
        let preparation = Self.seconds(since: started)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: version, specFile: spec.file)
        let state = RunState(grid: grid, shard: shard, total: total, prepared: prepared, finished: try store.finishedHashes(sweepId: sweepId),
                             stop: stop, pollSeconds: pollSeconds, started: started, preparation: preparation)
        prepared = nil  // the state holds them now, and lets each go once it is taken
        progress(state.progress())

        let heartbeat = Heartbeat(store: store, owner: leases.owner, intervalSeconds: heartbeatSeconds)
        defer { heartbeat.stop() }
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(total, 1)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                work(state: state, loader: PointLoader(spec: spec, context: context), sweepId: sweepId, progress: progress)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = state.storeError { throw error }
        try store.refreshRunMetricsView()
        return state.summary(wallSeconds: Self.seconds(since: started))
    }

    private func work(state: RunState, loader: PointLoader, sweepId: Int64, progress: @Sendable (SweepProgress) -> Void) {
        while let task = state.next() {
            let job: Job
            let waited: Bool
            switch task {
            case .retry(let retried, let afterAll):
                (job, waited) = (retried, afterAll)
            case .fresh(let index, let prepared):
                waited = false
                let taken: Job?
                if let prepared {
                    taken = state.finished.contains(prepared.configHash) ? nil : .ready(prepared)
                } else {
                    let loadStart = DispatchTime.now().uptimeNanoseconds
                    taken = load(state.grid.point(at: index), loader: loader, state: state)
                    state.loaded(seconds: Self.seconds(since: loadStart))
                }
                guard let taken else {
                    if state.skip() { progress(state.progress()) }
                    continue
                }
                job = taken
            }
            let lease: ResultStore.LeaseResult
            do {
                lease = try store.lease(sweepId: sweepId, configHash: job.configHash, policy: leases)
            } catch {
                state.fail(error)
                return
            }
            switch lease {
            case .leased:
                break
            case .finished, .failedMeanwhile:
                state.endedElsewhere()
                progress(state.progress())
                continue
            case .endedHere:
                if state.skip() { progress(state.progress()) }
                continue
            case .busy:
                state.requeue(job)
                if waited { Thread.sleep(forTimeInterval: pollSeconds) }
                continue
            }
            let simulationStart = DispatchTime.now().uptimeNanoseconds
            let outcome: RunOutcome
            switch job {
            case .ready(let point):
                do {
                    let result = try simulate(point, spec.storeRequests, spec.storeSeries)
                    outcome = makeOutcome(point, sweepId: sweepId, result: result, error: nil, wall: Self.seconds(since: simulationStart))
                } catch {
                    outcome = makeOutcome(point, sweepId: sweepId, result: nil, error: "\(error)", wall: Self.seconds(since: simulationStart))
                }
            case .broken(let broken):
                outcome = makeOutcome(broken, sweepId: sweepId)
            }
            let simulation = Self.seconds(since: simulationStart)
            let storageStart = DispatchTime.now().uptimeNanoseconds
            do {
                try store.record(outcome)
            } catch {
                state.fail(error)
                return
            }
            state.ended(failed: outcome.run.status == .failed, simulation: simulation, storage: Self.seconds(since: storageStart))
            progress(state.progress())
        }
    }

    /// The point's job: ready to run, or broken with the loader's message; nil when its config is already finished
    /// in the database (its experiment is then not loaded).
    private func load(_ point: SweepPoint, loader: PointLoader, state: RunState) -> Job? {
        let configured: PointLoader.Configured
        do {
            configured = try loader.configure(point)
        } catch {
            // The overrides do not apply, so there is no experiment to hash: the point's values stand for it.
            let values = PointJSON.encode(point.values)
            return .broken(BrokenPoint(point: point, configJSON: values, configHash: ConfigHash.hash(values), error: Self.message(error)))
        }
        guard !state.finished.contains(configured.configHash) else { return nil }
        do {
            return .ready(try loader.load(configured))
        } catch {
            return .broken(BrokenPoint(point: point, configJSON: configured.configJSON, configHash: configured.configHash,
                                       error: Self.message(error)))
        }
    }

    /// A loader error as stored in a run: its message without the sweep file's name.
    private static func message(_ error: Error) -> String {
        (error as? StoreError)?.message ?? "\(error)"
    }

    private func makeOutcome(_ point: PreparedPoint, sweepId: Int64, result: PointResult?, error: String?, wall: Double) -> RunOutcome {
        let run = RunRecord(id: nil, sweepId: sweepId, pointIndex: point.point.index, point: PointJSON.encode(point.point.values),
                            config: point.configJSON, configHash: point.configHash, seed: Int64(point.experiment.seed),
                            strategy: point.experiment.strategy.kind.rawValue, hardware: point.experiment.hardware.name,
                            status: result == nil ? .failed : .finished, wallSeconds: wall, simulatedSeconds: result?.report.simulatedSeconds,
                            error: error, finishedAt: ResultStore.timestamp())
        let metrics = result.map { MetricCatalog.rows($0.report).map { MetricRecord(runId: 0, scope: $0.scope, metric: $0.metric, value: $0.value) } } ?? []
        return RunOutcome(run: run, metrics: metrics, requests: result?.requests ?? [], series: result?.series ?? [])
    }

    /// A point whose experiment did not load, as a failed run: seed, strategy and hardware are its axis values when it
    /// has those axes (else 0 and empty).
    private func makeOutcome(_ broken: BrokenPoint, sweepId: Int64) -> RunOutcome {
        func value(_ axis: String) -> String? { broken.point.values.first { $0.axis == axis }?.value }
        let run = RunRecord(id: nil, sweepId: sweepId, pointIndex: broken.point.index, point: PointJSON.encode(broken.point.values),
                            config: broken.configJSON, configHash: broken.configHash, seed: value("seed").flatMap { Int64($0) } ?? 0,
                            strategy: value("strategy") ?? "", hardware: value("hardware") ?? "", status: .failed, wallSeconds: 0,
                            simulatedSeconds: nil, error: broken.error, finishedAt: ResultStore.timestamp())
        return RunOutcome(run: run, metrics: [], requests: [], series: [])
    }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// A point whose experiment did not load: what its failed run stores.
private struct BrokenPoint: Sendable {
    var point: SweepPoint
    var configJSON: String
    var configHash: String
    var error: String
}

/// A point a worker has taken: loaded and ready to run, or broken.
private enum Job: Sendable {
    case ready(PreparedPoint)
    case broken(BrokenPoint)

    var configHash: String {
        switch self {
        case .ready(let point): point.configHash
        case .broken(let point): point.configHash
        }
    }
}

/// The shared state of one sweep's worker threads, behind a lock.
private final class RunState: @unchecked Sendable {
    /// What a worker does next: take the shard's point at a grid index, or ask again about a point found busy
    /// (`waited`: the shard's points are all taken, so the worker waits a little when it is still busy).
    enum Next {
        /// `prepared`: the point loaded before the run started, if it was.
        case fresh(index: Int, prepared: PreparedPoint?)
        case retry(Job, waited: Bool)
    }

    let grid: SweepGrid
    let shard: Shard
    /// Config hashes finished in the database when the run started.
    let finished: Set<String>
    private let lock = NSLock()
    private let total: Int
    private let stop: SweepStop
    private let pollSeconds: Double
    /// The shard position of the next point to take.
    private var position = 0
    /// The shard's points loaded before the run (when it is small), by position; each is let go once taken.
    private var prepared: [PreparedPoint?]?
    /// Points found busy, oldest first, with when they were found busy.
    private var retries: [(job: Job, since: UInt64)] = []
    private var elsewhere = 0
    private var skipped = 0
    private let started: UInt64
    private let preparation: Double
    private var lastSkipReport: UInt64 = 0
    private var done = 0
    private var failed = 0
    private var loadingSeconds = 0.0
    private var simulationSeconds = 0.0
    private var storageSeconds = 0.0
    private(set) var storeError: Error?

    init(grid: SweepGrid, shard: Shard, total: Int, prepared: [PreparedPoint]?, finished: Set<String>, stop: SweepStop,
         pollSeconds: Double, started: UInt64, preparation: Double) {
        self.grid = grid
        self.prepared = prepared.map { $0.map(Optional.some) }
        self.shard = shard
        self.total = total
        self.finished = finished
        self.stop = stop
        self.pollSeconds = pollSeconds
        self.started = started
        self.preparation = preparation
    }

    /// The next task: a busy point once it has waited `pollSeconds` (or at once when no fresh point is left), else
    /// the shard's next point in grid order; nil when everything is taken, the store failed or a stop was requested.
    func next() -> Next? {
        lock.withLock {
            guard storeError == nil, !stop.isRequested else { return nil }
            let freshLeft = position < total
            if let oldest = retries.first, !freshLeft || SweepRunner.seconds(since: oldest.since) >= pollSeconds {
                retries.removeFirst()
                return .retry(oldest.job, waited: !freshLeft)
            }
            guard freshLeft else { return nil }
            defer { position += 1 }
            let point = prepared?[position]
            prepared?[position] = nil
            return .fresh(index: shard.pointIndex(position), prepared: point)
        }
    }

    /// `job`'s point is run by another owner: ask again later.
    func requeue(_ job: Job) {
        lock.withLock { retries.append((job, DispatchTime.now().uptimeNanoseconds)) }
    }

    /// Counts a skipped point; returns whether to report progress (at most every 0.2 s, and when it ends the shard).
    func skip() -> Bool {
        lock.withLock {
            skipped += 1
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastSkipReport >= 200_000_000 || done + skipped + elsewhere == total else { return false }
            lastSkipReport = now
            return true
        }
    }

    func loaded(seconds: Double) {
        lock.withLock { loadingSeconds += seconds }
    }

    func endedElsewhere() {
        lock.withLock { elsewhere += 1 }
    }

    func ended(failed isFailure: Bool, simulation: Double, storage: Double) {
        lock.withLock {
            done += 1
            if isFailure { failed += 1 }
            simulationSeconds += simulation
            storageSeconds += storage
        }
    }

    func fail(_ error: Error) {
        lock.withLock { if storeError == nil { storeError = error } }
    }

    func progress() -> SweepProgress {
        lock.withLock {
            SweepProgress(done: done, failed: failed, total: total, skipped: skipped, elsewhere: elsewhere,
                          elapsedSeconds: SweepRunner.seconds(since: started))
        }
    }

    func summary(wallSeconds: Double) -> SweepSummary {
        lock.withLock {
            SweepSummary(points: total, skipped: skipped, finished: done - failed, failed: failed, elsewhere: elsewhere,
                         stopped: done + skipped + elsewhere < total, wallSeconds: wallSeconds, preparationSeconds: preparation,
                         loadingSeconds: loadingSeconds, simulationSeconds: simulationSeconds, storageSeconds: storageSeconds)
        }
    }
}

/// Refreshes a runner's leases every `intervalSeconds` on its own thread, until stopped.
private final class Heartbeat: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private let exited = DispatchSemaphore(value: 0)

    init(store: ResultStore, owner: String, intervalSeconds: Double) {
        let thread = Thread { [self] in
            defer { exited.signal() }
            while true {
                condition.lock()
                if !stopped { _ = condition.wait(until: Date().addingTimeInterval(intervalSeconds)) }
                let done = stopped
                condition.unlock()
                if done { return }
                // A busy database only delays the next heartbeat; the stale rule allows for several missed ones.
                try? store.heartbeat(owner: owner)
            }
        }
        thread.start()
    }

    /// Stops the thread and waits for it to end (a heartbeat being written is finished first).
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
        exited.wait()
    }
}
