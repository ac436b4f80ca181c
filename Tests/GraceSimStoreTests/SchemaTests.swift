import Foundation
import GRDB
import Testing
@testable import GraceSimStore

/// The schema and its migrations, on in-memory databases; refusal of newer schemas; faulty files left untouched.
@Suite struct SchemaTests {
    @Test func migrationsCreateTheDocumentedTables() throws {
        let store = try ResultStore.inMemory()
        let (applied, columnsByTable) = try store.writer.read { db in
            (try StoreSchema.migrator.appliedIdentifiers(db),
             try Dictionary(uniqueKeysWithValues: ["sweeps", "runs", "metrics", "requests", "series"].map { ($0, try db.columns(in: $0).map(\.name)) }))
        }
        #expect(applied == Set(StoreSchema.knownMigrations))
        do {
            let expected: [String: [String]] = [
                "sweeps": ["id", "name", "spec", "created", "gracesim_version"],
                "runs": ["id", "sweep_id", "point_index", "point", "config", "config_hash", "seed", "strategy", "hardware",
                         "status", "wall_s", "simulated_s", "error", "finished_at"],
                "metrics": ["run_id", "scope", "metric", "value"],
                "requests": ["run_id", "request", "instance", "arrival_s", "first_token_s", "finish_s", "prompt_tokens",
                             "output_tokens", "generated_tokens", "preemptions", "max_tbt_ms", "status"],
                "series": ["run_id", "scope", "series", "t_s", "value"],
            ]
            for (table, columns) in expected {
                #expect(columnsByTable[table] == columns, "\(table)")
            }
        }
    }

    @Test func aRunAndItsRowsRoundTrip() throws {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "name: s", version: "test")
        #expect(try store.sweepId(name: "s", spec: "other", version: "test") == sweep)
        let run = RunRecord(id: nil, sweepId: sweep, pointIndex: 0, point: #"{"strategy":"recompute"}"#, config: "{}",
                            configHash: "00000000000000aa", seed: 1, strategy: "recompute", hardware: "gh200-96gb",
                            status: .finished, wallSeconds: 0.5, simulatedSeconds: 10, error: nil, finishedAt: "now")
        let metrics = [MetricRecord(runId: 0, scope: "overall", metric: "tbt_p99_ms", value: 42)]
        let series = [SeriesRecord(runId: 0, scope: "a", series: "kv_utilization", timeSeconds: 1, value: 0.5)]
        #expect(try store.record(RunOutcome(run: run, metrics: metrics, series: series)))
        // A second finished run of the same config is dropped: no duplicates.
        #expect(try store.record(RunOutcome(run: run, metrics: metrics)) == false)
        let runs = try store.runs()
        #expect(runs.count == 1)
        #expect(runs[0].overall("tbt_p99_ms") == 42)
        #expect(runs[0].point == ["strategy": "recompute"])
        #expect(try store.rowCounts() == ["sweeps": 1, "runs": 1, "metrics": 1, "requests": 0, "series": 1])
    }

    @Test func aFailedRunIsReplacedByAFinishedOne() throws {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "", version: "test")
        var run = RunRecord(id: nil, sweepId: sweep, pointIndex: 0, point: "{}", config: "{}", configHash: "h", seed: 1,
                            strategy: "recompute", hardware: "x", status: .failed, wallSeconds: 0, simulatedSeconds: nil,
                            error: "boom", finishedAt: "now")
        try store.record(RunOutcome(run: run, metrics: []))
        run.status = .finished
        run.error = nil
        try store.record(RunOutcome(run: run, metrics: [MetricRecord(runId: 0, scope: "overall", metric: "m", value: 1)]))
        let runs = try store.runs()
        #expect(runs.count == 1 && runs[0].run.status == .finished && runs[0].overall("m") == 1)
    }

    @Test func aDatabaseFromANewerSchemaIsRefused() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("newer.sqlite")
        do {
            let store = try ResultStore.openForWriting(path: path)
            try store.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
            try store.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let opens: [(String) throws -> ResultStore] = [{ try ResultStore.openForWriting(path: $0) }, { try ResultStore.openForReading(path: $0) }]
        for open in opens {
            #expect {
                _ = try open(path)
            } throws: { error in
                let message = (error as? StoreError)?.description ?? ""
                return message.contains("newer gracesim") && message.contains("v99-from-the-future")
            }
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after == before, "bytes changed at \(zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset).prefix(20)) of \(before.count)/\(after.count)")
    }

    @Test func aFileThatIsNotADatabaseIsLeftUntouched() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("notes.sqlite")
        let text = Data(String(repeating: "not a database\n", count: 100).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try ResultStore.openForWriting(path: path) }
        #expect(throws: StoreError.self) { _ = try ResultStore.openForReading(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test func missingDatabasesAndFoldersAreReportedClearly() throws {
        #expect(throws: StoreError(file: "/nonexistent/x.sqlite", "no such database")) {
            _ = try ResultStore.openForReading(path: "/nonexistent/x.sqlite")
        }
        #expect(throws: StoreError(file: "/nonexistent/x.sqlite", "the folder /nonexistent does not exist")) {
            _ = try ResultStore.openForWriting(path: "/nonexistent/x.sqlite")
        }
    }
}

/// Databases that cannot be written now: locked by another connection, or opened read-only.
@Suite struct BusyAndReadOnlyTests {
    @Test func aLockedDatabaseGetsAClearMessageAndKeepsItsRows() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("locked.sqlite")
        let first = try ResultStore.openForWriting(path: path)
        _ = try first.sweepId(name: "kept", spec: "", version: "test")
        try first.close()

        var holding = Configuration()
        holding.allowsUnsafeTransactions = true  // keep the lock across accesses, as another process would
        let holder = try DatabaseQueue(path: path, configuration: holding)
        try holder.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        #expect {
            let store = try ResultStore.openForWriting(path: path, busyTimeoutSeconds: 0.2)
            _ = try store.sweepId(name: "other", spec: "", version: "test")
        } throws: { error in
            (error as? StoreError)?.message.contains("locked by another process") == true
        }
        try holder.inDatabase { try $0.execute(sql: "ROLLBACK") }
        try holder.close()
        let store = try ResultStore.openForReading(path: path)
        #expect(try store.rowCounts()["sweeps"] == 1)
    }

    @Test func writingThroughAReadOnlyStoreIsRefusedClearly() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("ro.sqlite")
        try ResultStore.openForWriting(path: path).close()
        let store = try ResultStore.openForReading(path: path)
        #expect(throws: StoreError(file: path, "the database is read-only")) {
            _ = try store.sweepId(name: "x", spec: "", version: "test")
        }
    }
}
