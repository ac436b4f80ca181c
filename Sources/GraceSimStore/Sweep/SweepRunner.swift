import Foundation
import GraceSim

/// Where a sweep is, for a progress bar.
public struct SweepProgress: Sendable {
    /// Points of this shard ended in this process (finished or failed).
    public var done: Int
    public var failed: Int
    /// Points of this shard to run in this process (already finished ones excluded).
    public var total: Int
    /// Points skipped because the database already holds them finished.
    public var skipped: Int
    /// Points of this shard that another process (or runner) ran while this one was running.
    public var elsewhere: Int = 0
    public var elapsedSeconds: Double
}

/// What a sweep did, and where its time went.
public struct SweepSummary: Sendable {
    public var points: Int
    public var skipped: Int
    public var finished: Int
    public var failed: Int
    /// Points ran (finished or failed) by another process on the same database while this one was running.
    public var elsewhere: Int
    public var wallSeconds: Double
    /// Time spent expanding the grid and loading and validating every point's experiment, in seconds of wall time.
    public var preparationSeconds: Double
    /// Time spent simulating, summed over jobs, in seconds.
    public var simulationSeconds: Double
    /// Time spent writing to the database (waiting for the writer included), summed over jobs, in seconds.
    public var storageSeconds: Double
}

/// Runs a sweep's grid on `jobs` threads, one `Simulator` per point, each run stored in its own transaction.
///
/// Every finished or failed run is written as soon as it ends; points already finished in the database are
/// skipped, so a killed sweep resumes where it stopped. Writes go through the store's single serialized writer.
/// Each point is claimed in the database before it runs (``ResultStore/claim(sweepId:configHash:policy:)``), so
/// several processes on one database share the grid: a point claimed by a live owner is left to it, and waited
/// for at the end; a claim whose owner died is taken over. A heartbeat thread refreshes this runner's claims.
public struct SweepRunner: Sendable {
    public typealias Simulate = @Sendable (PreparedPoint, _ requests: Bool, _ series: Bool) throws -> PointResult

    public var spec: SweepSpec
    public var store: ResultStore
    public var jobs: Int
    public var shard: Shard
    /// Stored with the sweep.
    public var version: String
    public var simulate: Simulate
    /// This runner's identity and the rule for taking over abandoned claims.
    public var claims = ClaimPolicy()
    /// How often running claims are refreshed, in seconds.
    public var heartbeatSeconds: Double = 10
    /// How long to wait before asking again about a point another owner is running, in seconds.
    public var pollSeconds: Double = 0.25

    public init(spec: SweepSpec, store: ResultStore, jobs: Int, shard: Shard = .whole, version: String,
                simulate: @escaping Simulate = PointSimulation.simulate) {
        self.spec = spec
        self.store = store
        self.jobs = max(1, jobs)
        self.shard = shard
        self.version = version
        self.simulate = simulate
    }

    /// Expands, validates and runs this shard's points; `progress` is called after each run is stored.
    public func run(progress: @escaping @Sendable (SweepProgress) -> Void = { _ in }) throws -> SweepSummary {
        let started = DispatchTime.now().uptimeNanoseconds
        let mine = try spec.grid().filter { shard.owns($0.index) }
        let prepared = try spec.prepare(points: mine, jobs: jobs)
        let preparation = Self.seconds(since: started)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: version, specFile: spec.file)
        let finished = try store.finishedHashes(sweepId: sweepId)
        var seen = finished
        let todo = prepared.filter { seen.insert($0.configHash).inserted }
        let state = RunState(todo: todo, skipped: prepared.count - todo.count, started: started, preparation: preparation)
        progress(state.progress())

        let heartbeat = Heartbeat(store: store, owner: claims.owner, intervalSeconds: heartbeatSeconds)
        defer { heartbeat.stop() }
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(todo.count, 1)) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                work(state: state, sweepId: sweepId, progress: progress)
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = state.storeError { throw error }
        try store.refreshRunMetricsView()
        return state.summary(points: prepared.count, wallSeconds: Self.seconds(since: started))
    }

    private func work(state: RunState, sweepId: Int64, progress: @Sendable (SweepProgress) -> Void) {
        while let (point, waited) = state.next() {
            let claim: ResultStore.ClaimResult
            do {
                claim = try store.claim(sweepId: sweepId, configHash: point.configHash, policy: claims)
            } catch {
                state.fail(error)
                return
            }
            switch claim {
            case .claimed:
                break
            case .finished, .failedMeanwhile:
                state.endedElsewhere()
                progress(state.progress())
                continue
            case .busy:
                state.requeue(point)
                if waited { Thread.sleep(forTimeInterval: pollSeconds) }
                continue
            }
            let simulationStart = DispatchTime.now().uptimeNanoseconds
            var outcome: RunOutcome
            do {
                let result = try simulate(point, spec.storeRequests, spec.storeSeries)
                outcome = makeOutcome(point, sweepId: sweepId, status: .finished, result: result, error: nil,
                                      wall: Self.seconds(since: simulationStart))
            } catch {
                outcome = makeOutcome(point, sweepId: sweepId, status: .failed, result: nil, error: "\(error)",
                                      wall: Self.seconds(since: simulationStart))
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

    private func makeOutcome(_ point: PreparedPoint, sweepId: Int64, status: RunRecord.Status, result: PointResult?,
                             error: String?, wall: Double) -> RunOutcome {
        let run = RunRecord(id: nil, sweepId: sweepId, pointIndex: point.point.index, point: PointJSON.encode(point.point.values),
                            config: point.configJSON, configHash: point.configHash, seed: Int64(point.experiment.seed),
                            strategy: point.experiment.strategy.kind.rawValue, hardware: point.experiment.hardware.name,
                            status: status, wallSeconds: wall, simulatedSeconds: result?.report.simulatedSeconds,
                            error: error, finishedAt: ResultStore.timestamp())
        let metrics = result.map { MetricCatalog.rows($0.report).map { MetricRecord(runId: 0, scope: $0.scope, metric: $0.metric, value: $0.value) } } ?? []
        return RunOutcome(run: run, metrics: metrics, requests: result?.requests ?? [], series: result?.series ?? [])
    }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// The shared state of one sweep's worker threads, behind a lock.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    /// Points not yet claimed, in grid order, then points left to another owner, to ask about again.
    private var queue: [PreparedPoint]
    private var fresh: Int
    private var elsewhere = 0
    private let skipped: Int
    private let started: UInt64
    private let preparation: Double
    private var done = 0
    private var failed = 0
    private var simulationSeconds = 0.0
    private var storageSeconds = 0.0
    private(set) var storeError: Error?

    init(todo: [PreparedPoint], skipped: Int, started: UInt64, preparation: Double) {
        self.preparation = preparation
        self.total = todo.count
        self.queue = todo
        self.fresh = todo.count
        self.skipped = skipped
        self.started = started
    }

    /// The next point to claim, and whether it is one already found busy (the caller then waits a little).
    func next() -> (PreparedPoint, Bool)? {
        lock.withLock {
            guard storeError == nil, !queue.isEmpty else { return nil }
            let waited = fresh == 0
            if fresh > 0 { fresh -= 1 }
            return (queue.removeFirst(), waited)
        }
    }

    /// `point` is run by another owner: ask again after the others.
    func requeue(_ point: PreparedPoint) {
        lock.withLock { queue.append(point) }
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

    func summary(points: Int, wallSeconds: Double) -> SweepSummary {
        lock.withLock {
            SweepSummary(points: points, skipped: skipped, finished: done - failed, failed: failed, elsewhere: elsewhere, wallSeconds: wallSeconds,
                         preparationSeconds: preparation, simulationSeconds: simulationSeconds, storageSeconds: storageSeconds)
        }
    }
}

/// Refreshes a runner's claims every `intervalSeconds` on its own thread, until stopped.
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
