import GraceSimStoreTestSupport
import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

/// Running sweeps: results stored, failures recorded, resuming, shards + merge, concurrent writers.
@Suite struct SweepRunnerTests {
    static let sixPoints = StoreFixtures.sweepText(axes: "  workload.arrivals.rate: [2, 8]\n  seed: [1, 2, 3]")

    @Test func aSweepStoresOneFinishedRunPerPointWithItsMetrics() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints + "\nstore: {requests: true, series: true}")
        let summary = try SweepRunner(spec: spec, store: store, jobs: 2, version: "test").run()
        #expect(summary.finished == 6 && summary.failed == 0 && summary.skipped == 0)
        let runs = try store.runs()
        #expect(runs.count == 6)
        #expect(Set(runs.map(\.run.configHash)).count == 6)
        for run in runs {
            #expect(run.run.status == .finished && run.run.strategy == "recompute" && run.run.hardware == "gh200-96gb")
            #expect(run.overall("requests_finished") == 60)
            #expect(run.metrics["llama-3-8b"]?["tbt_p99_ms"] != nil)
        }
        let counts = try store.rowCounts()
        #expect(counts["requests"] == 6 * 60)
        #expect((counts["series"] ?? 0) > 0)
    }

    @Test func aFailedPointIsRecordedAndTheOthersContinue() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let runner = SweepRunner(spec: spec, store: store, jobs: 2, version: "test") { point, requests, series in
            if point.point.index == 2 { throw PointFailure("injected failure") }
            return try PointSimulation.simulate(point, requests: requests, series: series)
        }
        let summary = try runner.run()
        #expect(summary.finished == 5 && summary.failed == 1)
        let failed = try store.runs().filter { $0.run.status == .failed }
        #expect(failed.count == 1 && failed[0].run.error == "injected failure" && failed[0].metrics.isEmpty)
        // Resuming runs the failed point again and skips the finished ones.
        let again = try SweepRunner(spec: spec, store: store, jobs: 1, version: "test").run()
        #expect(again.skipped == 5 && again.finished == 1)
        #expect(try store.runs().allSatisfy { $0.run.status == .finished })
        #expect(try store.rowCounts()["runs"] == 6)
    }

    @Test func resultsDoNotDependOnJobsOrShards() throws {
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let whole = try ResultStore.inMemory()
        _ = try SweepRunner(spec: spec, store: whole, jobs: 1, version: "test").run()
        let merged = try ResultStore.inMemory()
        for index in 0..<4 {
            let shard = try ResultStore.inMemory()
            let summary = try SweepRunner(spec: spec, store: shard, jobs: 2, shard: Shard(index: index, count: 4), version: "test").run()
            #expect(summary.points == (index < 2 ? 2 : 1))
            _ = try merged.merge(from: shard)
        }
        #expect(try resultsByHash(merged) == resultsByHash(whole))
        #expect(try merged.rowCounts() == whole.rowCounts())
        // Merging again adds nothing.
        let again = try merged.merge(from: whole)
        #expect(again.runsAdded == 0 && again.runsSkipped == 6)
    }

    @Test func twoSweepsWritingOneFileAtOnceBothComplete() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("shared.sqlite")
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let summaries = try await withThrowingTaskGroup(of: SweepSummary.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let store = try ResultStore.openForWriting(path: path)
                    return try SweepRunner(spec: spec, store: store, jobs: 1, version: "test").run()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(summaries.allSatisfy { $0.failed == 0 })
        let store = try ResultStore.openForReading(path: path)
        let runs = try store.runs()
        #expect(runs.count == 6 && Set(runs.map(\.run.configHash)).count == 6)
        #expect(try store.rowCounts()["sweeps"] == 1)
        let reference = try ResultStore.inMemory()
        _ = try SweepRunner(spec: spec, store: reference, jobs: 2, version: "test").run()
        #expect(try resultsByHash(store) == resultsByHash(reference))
    }

    /// Counts simulations across runners (threads of one test).
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ hash: String) { lock.withLock { counts[hash, default: 0] += 1 } }
        var all: [String: Int] { lock.withLock { counts } }
    }

    @Test func twoRunnersOnOneFileShareThePointsAndSimulateEachOnce() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("shared.sqlite")
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let counter = Counter()
        let summaries = try await withThrowingTaskGroup(of: SweepSummary.self) { group in
            for jobs in [2, 1] {
                group.addTask {
                    let store = try ResultStore.openForWriting(path: path)
                    let runner = SweepRunner(spec: spec, store: store, jobs: jobs, version: "test") { point, requests, series in
                        counter.add(point.configHash)
                        return try PointSimulation.simulate(point, requests: requests, series: series)
                    }
                    return try runner.run()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counter.all.count == 6 && counter.all.values.allSatisfy { $0 == 1 }, "\(counter.all)")
        #expect(summaries.map(\.finished).reduce(0, +) == 6)
        #expect(summaries.allSatisfy { $0.finished + $0.elsewhere + $0.skipped == 6 }, "each runner waits for the whole grid")
        let store = try ResultStore.openForReading(path: path)
        let leases = try store.leases()
        #expect(leases.count == 6 && leases.allSatisfy { $0.attempts == 1 && $0.state == .ended })
        let reference = try ResultStore.inMemory()
        _ = try SweepRunner(spec: spec, store: reference, jobs: 1, version: "test").run()
        #expect(try resultsByHash(store) == resultsByHash(reference))
    }

    /// A lease left `running` by an owner that is gone: a dead process on this host (taken over at once), or a
    /// silent owner on another host (taken over once its heartbeat is older than the stale limit).
    @Test(arguments: ["dead process", "silent host"])
    func anAbandonedClaimIsTakenOver(owner: String) throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: "test", specFile: spec.file)
        let hash = try spec.prepare(points: spec.grid(), jobs: 1)[0].configHash
        let policy = LeasePolicy()
        let dead: Int64 = 999_999_999  // above any pid_max: no such process
        let lease = LeaseRecord(sweepId: sweepId, configHash: hash, owner: "gone", host: owner == "dead process" ? policy.host : "elsewhere",
                                pid: dead, claimedAt: "then", heartbeatSeconds: LeasePolicy.now() - (owner == "dead process" ? 0 : 120),
                                state: .running, attempts: 1)
        try store.writer.write { try lease.insert($0) }
        let summary = try SweepRunner(spec: spec, store: store, jobs: 2, version: "test").run()
        #expect(summary.finished == 6 && summary.elsewhere == 0)
        let taken = try store.leases().first { $0.configHash == hash }
        #expect(taken?.attempts == 2 && taken?.state == .ended && taken?.owner != "gone")
    }

    /// A child that has exited but is not yet reaped still answers `kill(pid, 0)`; its leases are abandoned too.
    @Test func aZombieProcessIsNotRunning() throws {
        var spawned: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(arguments[0]) }
        #expect(posix_spawn(&spawned, "/bin/true", nil, nil, arguments, nil) == 0)
        let pid = Int64(spawned)
        // Until waitpid reaps it, the ended child is a zombie; /proc shows state Z once it has exited.
        var state: Character? = nil
        for _ in 0..<500 where state != "Z" {
            Thread.sleep(forTimeInterval: 0.01)
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            state = stat.lastIndex(of: ")").flatMap { stat[stat.index(after: $0)...].first { $0 != " " } }
        }
        #expect(state == "Z")
        #expect(!LeasePolicy.isRunning(pid: pid), "a zombie counts as running")
        var status: Int32 = 0
        #expect(waitpid(spawned, &status, 0) == spawned)
        #expect(!LeasePolicy.isRunning(pid: pid), "a reaped process counts as running")
        #expect(LeasePolicy.isRunning(pid: Int64(getpid())))
        #expect(!LeasePolicy.isRunning(pid: 0) && !LeasePolicy.isRunning(pid: 999_999_999))
    }

    @Test func aLiveClaimIsLeftToItsOwner() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: "test")
        let hash = try spec.prepare(points: spec.grid(), jobs: 1)[0].configHash
        let other = LeasePolicy()
        #expect(try store.lease(sweepId: sweepId, configHash: hash, policy: other) == .leased)
        let mine = LeasePolicy()
        #expect(try store.lease(sweepId: sweepId, configHash: hash, policy: mine) == .busy)
        #expect(try store.lease(sweepId: sweepId, configHash: hash, policy: other) == .busy, "one runner's threads do not share a point either")
        var silent = mine
        silent.staleAfterSeconds = -1
        #expect(try store.lease(sweepId: sweepId, configHash: hash, policy: silent) == .leased)
    }

    @Test func aRunningClaimsHeartbeatIsRefreshedWhileThePointRuns() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1]"))
        let beats = Counter()
        var runner = SweepRunner(spec: spec, store: store, jobs: 1, version: "test") { point, requests, series in
            let before = try store.leases().first?.heartbeatSeconds ?? 0
            Thread.sleep(forTimeInterval: 0.4)
            let after = try store.leases().first?.heartbeatSeconds ?? 0
            if after > before { beats.add("refreshed") }
            return try PointSimulation.simulate(point, requests: requests, series: series)
        }
        runner.heartbeatSeconds = 0.05
        #expect(try runner.run().finished == 1)
        #expect(beats.all["refreshed"] == 1)
    }

    /// Collects what a runner reports, across its threads.
    final class Log<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Value] = []
        func add(_ value: Value) { lock.withLock { values.append(value) } }
        var all: [Value] { lock.withLock { values } }
    }

    /// A grid of 10⁸ points runs its first points at once, in grid order, and stops when asked, without the grid
    /// (or its points' experiments) being built: the points' stub fails each run, and the third asks to stop.
    @Test(arguments: [Shard.whole, Shard(index: 1, count: 3)])
    func aHundredMillionPointGridStartsAtOnceAndStopsWhenAsked(shard: Shard) throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(StoreFixtures.hundredMillionSweep)
        let stop = SweepStop()
        let simulated = Log<Int>()
        var runner = SweepRunner(spec: spec, store: store, jobs: 1, shard: shard, version: "test") { point, _, _ in
            simulated.add(point.point.index)
            if simulated.all.count == 3 { stop.request() }
            throw PointFailure("stub")
        }
        runner.stop = stop
        let reports = Log<SweepProgress>()
        let summary = try runner.run { reports.add($0) }
        let expected = (0..<3).map(shard.pointIndex)
        #expect(simulated.all == expected)
        let shardPoints = shard == .whole ? 100_000_000 : 33_333_333
        #expect(summary.points == shardPoints && summary.failed == 3 && summary.finished == 0 && summary.stopped)
        #expect(reports.all.map(\.total) == Array(repeating: shardPoints, count: 4), "the progress total is the shard's points")
        #expect(reports.all.map(\.ended) == [0, 1, 2, 3])
        let runs = try store.runs().sorted { $0.run.pointIndex < $1.run.pointIndex }
        #expect(runs.map(\.run.pointIndex) == expected)
        #expect(runs.map { PointJSON.decode($0.run.point)["seed"] } == expected.map { StoreFixtures.hundredMillionValues(at: $0).last })
    }

    /// Loading each point as a worker takes it stores the same runs, at the same grid indices, as loading the whole
    /// grid first.
    @Test func loadingPointsAsTheyAreTakenStoresTheSameRuns() throws {
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let whole = try ResultStore.inMemory()
        #expect(try SweepRunner(spec: spec, store: whole, jobs: 2, version: "test").run().finished == 6)
        let lazy = try ResultStore.inMemory()
        var runner = SweepRunner(spec: spec, store: lazy, jobs: 2, version: "test")
        runner.fullCheckPoints = 0
        let summary = try runner.run()
        #expect(summary.finished == 6 && summary.points == 6 && !summary.stopped)
        #expect(try resultsByHash(lazy) == resultsByHash(whole))
        func rows(_ store: ResultStore) throws -> [[String]] {
            try store.runs().map { [String($0.run.pointIndex), $0.run.point, $0.run.config, $0.run.configHash, String($0.run.seed),
                                    $0.run.strategy, $0.run.hardware, $0.run.status.rawValue] }.sorted { $0[0] < $1[0] }
        }
        #expect(try rows(lazy) == rows(whole))
        #expect(try rows(lazy).map { $0[0] } == (0..<6).map(String.init))
        #expect(try lazy.rowCounts() == whole.rowCounts())
    }

    /// Two points of one config (a repeated axis value) run once, and the second counts as skipped, whether the
    /// points are loaded first or as they are taken.
    @Test(arguments: [SweepRunner.defaultFullCheckPoints, 0])
    func aRepeatedConfigRunsOnce(fullCheckPoints: Int) throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1, 1, 2]"))
        var runner = SweepRunner(spec: spec, store: store, jobs: 1, version: "test")
        runner.fullCheckPoints = fullCheckPoints
        let summary = try runner.run()
        #expect(summary.points == 3 && summary.finished == 2 && summary.skipped == 1 && summary.elsewhere == 0)
        #expect(try store.runs().map(\.run.pointIndex).sorted() == [0, 2])
    }

    /// When points are loaded as they are taken, the first point of each value is checked before any runs: a bad
    /// value or a broken base file stops the sweep with the loader's message and nothing stored.
    @Test func aBadValueOrBaseStopsALargeGridBeforeAnyRun() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try Data("name: broken\ninstances: [\n".utf8).write(to: URL(fileURLWithPath: folder.path("base.yaml")))
        let broken = StoreFixtures.sweepText(axes: "  seed: [1, 2, 3]")
            .replacingOccurrences(of: StoreFixtures.path("Configs/experiments/default.yaml"), with: folder.path("base.yaml"))
        let cases: [(text: String, mentions: String)] = [
            (StoreFixtures.sweepText(axes: "  seed: [1, 2, 3]\n  strategy: [recompute, no-such-strategy]"), "axis strategy = no-such-strategy"),
            (broken, "base.yaml"),
        ]
        for (text, mentions) in cases {
            let store = try ResultStore.inMemory()
            let simulated = Log<Int>()
            var runner = SweepRunner(spec: try StoreFixtures.spec(text), store: store, jobs: 2, version: "test") { point, requests, series in
                simulated.add(point.point.index)
                return try PointSimulation.simulate(point, requests: requests, series: series)
            }
            runner.fullCheckPoints = 0
            #expect { _ = try runner.run() } throws: { "\($0)".contains(mentions) }
            #expect(simulated.all.isEmpty, "\(mentions)")
            #expect(try store.rowCounts()["runs"] == 0, "\(mentions)")
        }
    }

    /// A point that only a combination of values breaks (each value loads at the first point of its value) is
    /// stored as a failed run with the loader's message when points are loaded as they are taken; the others run.
    @Test func aPointOnlyACombinationBreaksIsStoredAsAFailedRun() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec("""
            name: combination
            base: \(StoreFixtures.path("Configs/experiments/default.yaml"))
            set: {workload.max_requests: 20, workload.lengths: {kind: fixed, prompt: 64, output: 8}}
            axes:
              instances.0.max_num_seqs: [16, 512]
              instances.0.max_num_batched_tokens: [4096, 256]
              seed: [1, 2]
            """)
        var runner = SweepRunner(spec: spec, store: store, jobs: 2, version: "test")
        runner.fullCheckPoints = 0
        let summary = try runner.run()
        #expect(summary.points == 8 && summary.finished == 6 && summary.failed == 2)
        let failed = try store.runs().filter { $0.run.status == .failed }.sorted { $0.run.pointIndex < $1.run.pointIndex }
        #expect(failed.map(\.run.pointIndex) == [6, 7])
        #expect(failed.allSatisfy {
            $0.run.error == "axis instances.0.max_num_batched_tokens = 256: \(StoreFixtures.path("Configs/experiments/default.yaml")): "
                + "instances.0.max_num_batched_tokens: must be at least max_num_seqs (512), found 256"
        }, "\(failed.map(\.run.error))")
        #expect(failed.map(\.run.seed) == [1, 2] && failed.allSatisfy { $0.metrics.isEmpty })
        // Loading the whole grid first refuses the same sweep before any run.
        #expect { _ = try SweepRunner(spec: spec, store: try ResultStore.inMemory(), jobs: 2, version: "test").run() } throws: {
            "\($0)".contains("axis instances.0.max_num_batched_tokens = 256")
        }
    }
}
