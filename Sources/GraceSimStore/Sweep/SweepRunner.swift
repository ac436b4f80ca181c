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
    public var elapsedSeconds: Double
}

/// What a sweep did, and where its time went.
public struct SweepSummary: Sendable {
    public var points: Int
    public var skipped: Int
    public var finished: Int
    public var failed: Int
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
public struct SweepRunner: Sendable {
    public typealias Simulate = @Sendable (PreparedPoint, _ requests: Bool, _ series: Bool) throws -> PointResult

    public var spec: SweepSpec
    public var store: ResultStore
    public var jobs: Int
    public var shard: Shard
    /// Stored with the sweep.
    public var version: String
    public var simulate: Simulate

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
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: version)
        let finished = try store.finishedHashes(sweepId: sweepId)
        var seen = finished
        let todo = prepared.filter { seen.insert($0.configHash).inserted }
        let state = RunState(todo: todo, skipped: prepared.count - todo.count, started: started, preparation: preparation)
        progress(state.progress())

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
        return state.summary(points: prepared.count, wallSeconds: Self.seconds(since: started))
    }

    private func work(state: RunState, sweepId: Int64, progress: @Sendable (SweepProgress) -> Void) {
        while let point = state.next() {
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
    private let todo: [PreparedPoint]
    private let skipped: Int
    private let started: UInt64
    private let preparation: Double
    private var nextIndex = 0
    private var done = 0
    private var failed = 0
    private var simulationSeconds = 0.0
    private var storageSeconds = 0.0
    private(set) var storeError: Error?

    init(todo: [PreparedPoint], skipped: Int, started: UInt64, preparation: Double) {
        self.preparation = preparation
        self.todo = todo
        self.skipped = skipped
        self.started = started
    }

    func next() -> PreparedPoint? {
        lock.withLock {
            guard storeError == nil, nextIndex < todo.count else { return nil }
            defer { nextIndex += 1 }
            return todo[nextIndex]
        }
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
            SweepProgress(done: done, failed: failed, total: todo.count, skipped: skipped,
                          elapsedSeconds: SweepRunner.seconds(since: started))
        }
    }

    func summary(points: Int, wallSeconds: Double) -> SweepSummary {
        lock.withLock {
            SweepSummary(points: points, skipped: skipped, finished: done - failed, failed: failed, wallSeconds: wallSeconds,
                         preparationSeconds: preparation, simulationSeconds: simulationSeconds, storageSeconds: storageSeconds)
        }
    }
}
