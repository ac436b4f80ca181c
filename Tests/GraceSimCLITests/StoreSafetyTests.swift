import GraceSimTestSupport
import Foundation
import GRDB
import GraceSimStore
import Testing

/// Guards the results database against silent mix-ups, as a user meets them: two sweep files under one name,
/// diffs of databases that do not hold the same runs, unknown compare options, foreign SQLite files, hand-edited
/// values, a database locked by another process, and several sweep processes sharing one database.
@Suite(.serialized) struct StoreSafetyTests {
    static let baseline = GraceSimProcess.repositoryRoot.appendingPathComponent("Results/regression/baseline.sqlite").path

    /// A copy of the regression baseline (never the committed file itself).
    static func baselineCopy(in folder: ScratchFolder, _ name: String = "copy.sqlite") throws -> String {
        let path = folder.path(name)
        try FileManager.default.copyItem(atPath: baseline, toPath: path)
        return path
    }

    @Test func aSweepNameHeldByAnotherSweepFileIsRefusedUnlessStoredUnderAnotherName() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("x.sqlite")
        let first = try folder.write("first.yaml", SweepCommandTests.sweepText.replacingOccurrences(of: "[1, 2, 3, 4, 5, 6]", with: "[1]")
            .replacingOccurrences(of: "max_requests: 1000", with: "max_requests: 50"))
        let second = try folder.write("second.yaml", SweepCommandTests.sweepText.replacingOccurrences(of: "[1, 2, 3, 4, 5, 6]", with: "[2]")
            .replacingOccurrences(of: "max_requests: 1000", with: "max_requests: 50"))
        expectSuccess(try await GraceSimProcess.run(["sweep", first, "--db", db, "--quiet"]))
        let refused = try await GraceSimProcess.run(["sweep", second, "--db", db, "--quiet"])
        expectBadInput(refused, file: second, key: "", mentions: [db, "\"cli-test\"", first, "--as"])
        #expect(try SweepCommandTests.rowCounts(db)["runs"] == 2)
        let renamed = try await GraceSimProcess.run(["sweep", second, "--db", db, "--quiet", "--as", "cli-test-seed-2"])
        expectSuccess(renamed)
        let store = try ResultStore.openForReading(path: db)
        defer { try? store.close() }
        #expect(Set(try store.runs().map(\.sweep)) == ["cli-test", "cli-test-seed-2"])
        // Rerunning the first file is still the same sweep.
        expectSuccess(try await GraceSimProcess.run(["sweep", first, "--db", db, "--quiet"]))
    }

    @Test func diffFailsWhenRunsAreMissingOnEitherSideUnlessAllowed() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let old = try Self.baselineCopy(in: folder)
        let fewer = try Self.baselineCopy(in: folder, "fewer.sqlite")
        try SweepCommandTests.execute("DELETE FROM runs WHERE point_index = 0", in: fewer)
        for (a, b, tag) in [(old, fewer, "MISSING"), (fewer, old, "ADDED")] {
            let strict = try await GraceSimProcess.run(["diff", a, b])
            #expect(strict.status == 1 && strict.stdoutText.contains(tag), "\(strict.stdoutText)")
            #expect(strict.stderrText.contains("--allow-missing"))
            let allowed = try await GraceSimProcess.run(["diff", a, b, "--allow-missing"])
            expectSuccess(allowed)
            #expect(allowed.stdoutText.contains(tag))
        }
    }

    @Test func compareAndReportRefuseUnknownOptionsWithTheKnownValues() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = try Self.baselineCopy(in: folder)
        expectBadInput(try await GraceSimProcess.run(["compare", "--db", db, "--baseline", "recompte"]), file: db, key: "",
                       mentions: ["--baseline \"recompte\"", "known: offload, pie, recompute, remap, swap"])
        expectBadInput(try await GraceSimProcess.run(["compare", "--db", db, "--scope", "gpu0"]), file: db, key: "",
                       mentions: ["--scope \"gpu0\"", "overall"])
        expectBadInput(try await GraceSimProcess.run(["compare", "--db", db, "--metric", "tbt_p99"]), file: db, key: "",
                       mentions: ["--metric \"tbt_p99\"", "tbt_p99_ms"])
        expectBadInput(try await GraceSimProcess.run(["report", "--db", db, "--out", folder.path("report"), "--baseline", "nope"]),
                       file: db, key: "", mentions: ["--baseline \"nope\"", "recompute"])
        expectSuccess(try await GraceSimProcess.run(["compare", "--db", db, "--baseline", "swap", "--metric", "ttft_p99_ms"]))
    }

    @Test func aForeignSQLiteFileIsRefusedAndLeftAsItWas() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("notes.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { try $0.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep')") }
            try queue.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let sweep = try folder.write("sweep.yaml", SweepCommandTests.sweepText)
        expectBadInput(try await GraceSimProcess.run(["sweep", sweep, "--db", path]), file: path, key: "",
                       mentions: ["not a gracesim results database", "notes"])
        expectBadInput(try await GraceSimProcess.run(["compare", "--db", path]), file: path, key: "", mentions: ["not a gracesim results database"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aMetricEditedToTextIsNamedNotShownAsZero() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = try Self.baselineCopy(in: folder)
        try SweepCommandTests.execute("UPDATE metrics SET value = 'n/a' WHERE metric = 'tbt_p99_ms' AND scope = 'overall' AND run_id = (SELECT MIN(id) FROM runs)", in: db)
        let result = try await GraceSimProcess.run(["compare", "--db", db])
        expectBadInput(result, file: db, key: "", mentions: ["tbt_p99_ms", "not a number", "regression["])
        #expect(!result.stdoutText.contains("0.000"))
        #expect(try await GraceSimProcess.run(["diff", db, Self.baseline]).status == 2)
    }

    @Test func aLockedDatabaseEndsTheWaitWithOneLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("locked.sqlite")
        try ResultStore.openForWriting(path: db).close()
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true  // keep the lock across accesses, as another process would
        let holder = try DatabaseQueue(path: db, configuration: holding)
        try holder.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        defer {
            try? holder.inDatabase { try $0.execute(sql: "ROLLBACK") }
            try? holder.close()
        }
        let sweep = try folder.write("sweep.yaml", SweepCommandTests.sweepText)
        let started = Date()
        let result = try await GraceSimProcess.run(["sweep", sweep, "--db", db, "--quiet"], environment: ["GRACESIM_BUSY_TIMEOUT_S": "1"])
        expectBadInput(result, file: db, key: "", mentions: ["locked by another process"])
        #expect(Date().timeIntervalSince(started) < 20, "the wait is bounded by the busy timeout")
    }

    /// Two processes (one with two jobs) on one database: every point simulated once (each lease taken once),
    /// and the results equal one process's.
    @Test func twoSweepProcessesShareThePointsAndSimulateEachOnce() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", SweepCommandTests.sweepText)
        let reference = folder.path("reference.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", reference, "--jobs", "1", "--quiet"]))
        let shared = folder.path("shared.sqlite")
        try ResultStore.openForWriting(path: shared).close()
        async let first = GraceSimProcess.run(["sweep", sweep, "--db", shared, "--jobs", "2", "--quiet"])
        async let second = GraceSimProcess.run(["sweep", sweep, "--db", shared, "--jobs", "1", "--quiet"])
        let results = try await [first, second]
        for result in results { expectSuccess(result) }
        let store = try ResultStore.openForReading(path: shared)
        defer { try? store.close() }
        let leases = try store.leases()
        #expect(leases.count == 12 && leases.allSatisfy { $0.attempts == 1 && $0.state == .ended }, "\(leases.map(\.attempts))")
        #expect(Set(leases.map(\.pid)).count == 2, "both processes ran points")
        #expect(try SweepCommandTests.rowCounts(shared)["runs"] == 12)
        #expect(try SweepCommandTests.finishedResults(shared) == SweepCommandTests.finishedResults(reference))
    }

    /// One of two sweep processes killed with SIGKILL mid-sweep: the other takes over its lease (its process is
    /// gone) and finishes the grid, which equals one process's results.
    @Test func aPartnerKilledMidSweepLosesNothing() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", SweepCommandTests.sweepText)
        let reference = folder.path("reference.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", reference, "--quiet"]))
        let shared = folder.path("shared.sqlite")
        try ResultStore.openForWriting(path: shared).close()
        let victim = Process()
        victim.executableURL = try #require(GraceSimProcess.executable) as URL
        victim.arguments = ["sweep", sweep, "--db", shared, "--jobs", "1", "--quiet"]
        victim.currentDirectoryURL = GraceSimProcess.repositoryRoot
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        async let survivor = GraceSimProcess.run(["sweep", sweep, "--db", shared, "--jobs", "1", "--quiet"])
        pollBlocking(every: 0.01, timeout: 60) {
            guard victim.isRunning else { return true }
            guard let leases = try? ResultStore.openForReading(path: shared).leases() else { return false }
            return leases.contains(where: { $0.pid == Int64(victim.processIdentifier) && $0.state == .ended })
                && leases.contains(where: { $0.pid == Int64(victim.processIdentifier) && $0.state == .running })
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal, "the victim ended before it could be killed")
        expectSuccess(try await survivor)
        #expect(try SweepCommandTests.rowCounts(shared)["runs"] == 12)
        #expect(try SweepCommandTests.finishedResults(shared) == SweepCommandTests.finishedResults(reference))
        let leases = try ResultStore.openForReading(path: shared).leases()
        #expect(leases.allSatisfy { $0.state == .ended } && leases.map(\.attempts).reduce(0, +) <= 13)
    }
}
