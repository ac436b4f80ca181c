import Foundation
import Testing
@testable import GraceSimStore

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
        let claims = try store.claims()
        #expect(claims.count == 6 && claims.allSatisfy { $0.attempts == 1 && $0.state == .ended })
        let reference = try ResultStore.inMemory()
        _ = try SweepRunner(spec: spec, store: reference, jobs: 1, version: "test").run()
        #expect(try resultsByHash(store) == resultsByHash(reference))
    }

    /// A claim left `running` by an owner that is gone: a dead process on this host (taken over at once), or a
    /// silent owner on another host (taken over once its heartbeat is older than the stale limit).
    @Test(arguments: ["dead process", "silent host"])
    func anAbandonedClaimIsTakenOver(owner: String) throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: "test", specFile: spec.file)
        let hash = try spec.prepare(points: spec.grid(), jobs: 1)[0].configHash
        let policy = ClaimPolicy()
        let dead: Int64 = 999_999_999  // above any pid_max: no such process
        let claim = ClaimRecord(sweepId: sweepId, configHash: hash, owner: "gone", host: owner == "dead process" ? policy.host : "elsewhere",
                                pid: dead, claimedAt: "then", heartbeatSeconds: ClaimPolicy.now() - (owner == "dead process" ? 0 : 120),
                                state: .running, attempts: 1)
        try store.writer.write { try claim.insert($0) }
        let summary = try SweepRunner(spec: spec, store: store, jobs: 2, version: "test").run()
        #expect(summary.finished == 6 && summary.elsewhere == 0)
        let taken = try store.claims().first { $0.configHash == hash }
        #expect(taken?.attempts == 2 && taken?.state == .ended && taken?.owner != "gone")
    }

    @Test func aLiveClaimIsLeftToItsOwner() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(Self.sixPoints)
        let sweepId = try store.sweepId(name: spec.name, spec: spec.text, version: "test")
        let hash = try spec.prepare(points: spec.grid(), jobs: 1)[0].configHash
        let other = ClaimPolicy()
        #expect(try store.claim(sweepId: sweepId, configHash: hash, policy: other) == .claimed)
        let mine = ClaimPolicy()
        #expect(try store.claim(sweepId: sweepId, configHash: hash, policy: mine) == .busy)
        #expect(try store.claim(sweepId: sweepId, configHash: hash, policy: other) == .busy, "one runner's threads do not share a point either")
        var silent = mine
        silent.staleAfterSeconds = -1
        #expect(try store.claim(sweepId: sweepId, configHash: hash, policy: silent) == .claimed)
    }

    @Test func aRunningClaimsHeartbeatIsRefreshedWhileThePointRuns() throws {
        let store = try ResultStore.inMemory()
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1]"))
        let beats = Counter()
        var runner = SweepRunner(spec: spec, store: store, jobs: 1, version: "test") { point, requests, series in
            let before = try store.claims().first?.heartbeatSeconds ?? 0
            Thread.sleep(forTimeInterval: 0.4)
            let after = try store.claims().first?.heartbeatSeconds ?? 0
            if after > before { beats.add("refreshed") }
            return try PointSimulation.simulate(point, requests: requests, series: series)
        }
        runner.heartbeatSeconds = 0.05
        #expect(try runner.run().finished == 1)
        #expect(beats.all["refreshed"] == 1)
    }
}
