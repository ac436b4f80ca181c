import GraceSimStoreTestSupport
import GraceSimTestSupport
import Foundation
import GRDB
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

/// The schema and its migrations, on in-memory databases; refusal of newer schemas; faulty files left untouched.
@Suite struct SchemaTests {
    @Test func migrationsCreateTheDocumentedTables() throws {
        let store = try ResultStore.inMemory()
        let (applied, columnsByTable) = try store.writer.read { db in
            (try StoreSchema.migrator.appliedIdentifiers(db),
             try Dictionary(uniqueKeysWithValues: ["sweeps", "runs", "metrics", "requests", "series", "claims"].map { ($0, try db.columns(in: $0).map(\.name)) }))
        }
        #expect(applied == Set(StoreSchema.knownMigrations))
        do {
            let expected: [String: [String]] = [
                "sweeps": ["id", "name", "spec", "created", "gracesim_version", "spec_file"],
                "runs": ["id", "sweep_id", "point_index", "point", "config", "config_hash", "seed", "strategy", "hardware",
                         "status", "wall_s", "simulated_s", "error", "finished_at"],
                "metrics": ["run_id", "scope", "metric", "value"],
                "requests": ["run_id", "request", "instance", "arrival_s", "first_token_s", "finish_s", "prompt_tokens",
                             "output_tokens", "generated_tokens", "preemptions", "max_tbt_ms", "status"],
                "series": ["run_id", "scope", "series", "t_s", "value"],
                "claims": ["sweep_id", "config_hash", "owner", "host", "pid", "claimed_at", "heartbeat_s", "state", "attempts"],
            ]
            for (table, columns) in expected {
                #expect(columnsByTable[table] == columns, "\(table)")
            }
        }
    }

    @Test func aRunAndItsRowsRoundTrip() throws {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "name: s", version: "test")
        // The same spec (comments and layout aside) is the same sweep; another spec under its name is refused.
        #expect(try store.sweepId(name: "s", spec: "# again\nname:   s\n", version: "test") == sweep)
        #expect(throws: StoreError.self) { _ = try store.sweepId(name: "s", spec: "name: s\nseeds: [2]", version: "test") }
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

/// Databases gracesim must not mistake for its own, or read wrongly: foreign SQLite files, older schemas,
/// two sweeps under one name, hand-edited values.
@Suite struct NoMixUpTests {
    @Test func aForeignSQLiteFileIsRefusedAndLeftUntouched() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("other.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('a')")
            }
            try queue.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let opens: [(String) throws -> ResultStore] = [{ try ResultStore.openForWriting(path: $0) }, { try ResultStore.openForReading(path: $0) }]
        for open in opens {
            #expect {
                _ = try open(path)
            } throws: { error in
                let message = (error as? StoreError)?.message ?? ""
                return message.contains("not a gracesim results database") && message.contains("customers")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aCleanCloseLeavesNoWALFilesAndNeitherDoesAReader() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("results.sqlite")
        let companions = { [path + "-wal", path + "-shm"].filter { FileManager.default.fileExists(atPath: $0) } }
        let store = try ResultStore.openForWriting(path: path)
        #expect(!companions().isEmpty, "a pool in WAL mode has its -wal and -shm files while open")
        try store.close()
        #expect(companions().isEmpty, "left after close: \(companions())")
        do {
            let reader = try ResultStore.openForReading(path: path)
            _ = try reader.runs()
            #expect(!companions().isEmpty, "a reader of a WAL database makes its -shm file")
        }
        #expect(companions().isEmpty, "left by a reader: \(companions())")
        // While another connection holds the database, its files stay.
        let holder = try ResultStore.openForWriting(path: path)
        try ResultStore.openForWriting(path: path).close()
        #expect(!companions().isEmpty, "the WAL was removed under another connection")
        try holder.close()
        #expect(companions().isEmpty)
    }

    @Test func aDatabaseOfTheFirstSchemaOpensAndMigrates() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("v1.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v1-sweeps-runs-metrics")
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO sweeps (name, spec, created, gracesim_version) VALUES ('old', 'name: old', 'then', 'v0');
                    INSERT INTO runs (sweep_id, point_index, point, config, config_hash, seed, strategy, hardware, status, wall_s, finished_at)
                    VALUES (1, 0, '{}', '{}', 'h', 1, 'recompute', 'x', 'finished', 1, 'then');
                    INSERT INTO metrics VALUES (1, 'overall', 'tbt_p99_ms', 42);
                    """)
            }
            try queue.close()
        }
        let read = try ResultStore.openForReading(path: path)
        #expect(try read.runs().first?.overall("tbt_p99_ms") == 42)
        try read.close()
        let store = try ResultStore.openForWriting(path: path)
        let applied = try store.writer.read { try StoreSchema.migrator.appliedIdentifiers($0) }
        #expect(applied == Set(StoreSchema.knownMigrations))
        #expect(try store.runs().first?.overall("tbt_p99_ms") == 42)
        #expect(try store.sweepId(name: "old", spec: "name: old", version: "test", specFile: "old.yaml") == 1)
        #expect(try store.leases().isEmpty)
    }

    @Test func aSweepNameTakenByAnotherSpecNamesBothFiles() throws {
        let store = try ResultStore.inMemory()
        _ = try store.sweepId(name: "s", spec: "name: s\nseeds: [1]", version: "test", specFile: "a.yaml")
        #expect(throws: StoreError(file: "b.yaml", ":memory: already holds a sweep named \"s\" from a.yaml, with a different spec; store this one under another name with --as NAME, or use another --db")) {
            _ = try store.sweepId(name: "s", spec: "name: s\nseeds: [2]", version: "test", specFile: "b.yaml")
        }
    }

    @Test func mergeRefusesASweepNameHeldByAnotherSpec() throws {
        let target = try ResultStore.inMemory()
        _ = try target.sweepId(name: "s", spec: "name: s\nseeds: [1]", version: "test", specFile: "a.yaml")
        let source = try ResultStore.inMemory()
        _ = try source.sweepId(name: "s", spec: "name: s\nseeds: [2]", version: "test", specFile: "b.yaml")
        #expect {
            _ = try target.merge(from: source)
        } throws: { error in
            let message = (error as? StoreError)?.description ?? ""
            return message.hasPrefix("b.yaml: ") && message.contains("from a.yaml") && message.contains("merge it into another database")
        }
        #expect(try target.rowCounts()["sweeps"] == 1)
    }

    @Test func aMetricThatIsNotANumberIsReportedNotReadAsZero() throws {
        let store = try ResultStore.inMemory()
        let sweep = try store.sweepId(name: "s", spec: "", version: "test")
        let run = RunRecord.finished(sweep: sweep, pointIndex: 3, configHash: "abc")
        try store.record(RunOutcome(run: run, metrics: [MetricRecord(runId: 0, scope: "overall", metric: "tbt_p99_ms", value: 1)]))
        try store.writer.write { try $0.execute(sql: "UPDATE metrics SET value = 'fast' WHERE metric = 'tbt_p99_ms'") }
        #expect {
            _ = try store.runs()
        } throws: { error in
            let message = (error as? StoreError)?.message ?? ""
            return message.contains("s[3]") && message.contains("tbt_p99_ms") && message.contains("not a number")
        }
    }

    /// Reading one sweep reads only its runs' metrics: another sweep's hand-edited metric does not stop it.
    @Test func readingOneSweepReadsOnlyItsRunsMetrics() throws {
        let store = try ResultStore.inMemory()
        for (name, value) in [("a", 1.0), ("b", 2.0)] {
            let sweep = try store.sweepId(name: name, spec: name, version: "test")
            let run = RunRecord.finished(sweep: sweep, configHash: name)
            try store.record(RunOutcome(run: run, metrics: [MetricRecord(runId: 0, scope: "overall", metric: "tbt_p99_ms", value: value)]))
        }
        try store.writer.write { try $0.execute(sql: "UPDATE metrics SET value = 'fast' WHERE value = 2.0") }
        let a = try store.runs(sweep: "a")
        #expect(a.count == 1 && a[0].sweep == "a" && a[0].metrics == ["overall": ["tbt_p99_ms": 1]])
        #expect(throws: StoreError.self) { _ = try store.runs(sweep: "b") }
    }
}

/// Databases that cannot be written now (locked by another connection, or opened read-only), and several writers
/// opening one at once.
@Suite struct BusyAndReadOnlyTests {
    /// Several writers creating one new database at once (as two sweep processes do) all open it, whichever of them
    /// applies each migration: one that loses the race to a migration tries again from where the schema is now.
    @Test func writersCreatingOneNewDatabaseAtOnceAllOpenIt() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let writers = 6
        for round in 0..<15 {
            let path = folder.path("race-\(round).sqlite")
            let lock = NSLock()
            nonisolated(unsafe) var failed: [String] = []
            DispatchQueue.concurrentPerform(iterations: writers) { _ in
                do {
                    try ResultStore.openForWriting(path: path).close()
                } catch {
                    lock.withLock { failed.append("\(error)") }
                }
            }
            #expect(failed.isEmpty, "round \(round): \(failed)")
            let store = try ResultStore.openForReading(path: path)
            let applied = try store.writer.read { try StoreSchema.migrator.appliedIdentifiers($0) }
            #expect(applied == Set(StoreSchema.knownMigrations))
        }
    }

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

    /// Opening must migrate a v1 database while another connection holds the write lock: the wait ends after the
    /// busy timeout (wall time), not after the timeout once per retry.
    @Test func theWaitToMigrateALockedDatabaseEndsAfterTheBusyTimeout() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("v1.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            try StoreSchema.migrator.migrate(queue, upTo: "v1-sweeps-runs-metrics")
            try queue.close()
        }
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: path, configuration: holding)
        try holder.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        let started = Date()
        #expect {
            _ = try ResultStore.openForWriting(path: path, busyTimeoutSeconds: 0.5)
        } throws: { error in
            (error as? StoreError)?.message == "the database is locked by another process; try again when it finishes"
        }
        #expect(Date().timeIntervalSince(started) < 3, "waited \(Date().timeIntervalSince(started)) s")
        try holder.inDatabase { try $0.execute(sql: "ROLLBACK") }
        try holder.close()
        let store = try ResultStore.openForWriting(path: path)
        #expect(try store.writer.read { try StoreSchema.migrator.appliedIdentifiers($0) } == Set(StoreSchema.knownMigrations))
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

    /// A v2 database whose points are strings: (rate scale, strategy, tbt_p99_ms) per run, in grid order.
    static func writeV2Database(at path: String, runs: [(rate: String, strategy: String, tbt: Double)]) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreSchema.migrator.migrate(queue, upTo: "v2-claims-spec-file")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO sweeps (id, name, spec, created, gracesim_version) VALUES (1, 'rates', 'name: rates', 'now', 'old')")
            for (index, run) in runs.enumerated() {
                let point = #"{"strategy":"\#(run.strategy)","workload.arrivals.rate_scale":"\#(run.rate)"}"#
                try db.execute(sql: """
                    INSERT INTO runs (id, sweep_id, point_index, point, config, config_hash, seed, strategy, hardware, status, wall_s, finished_at)
                    VALUES (?, 1, ?, ?, '{}', ?, 1, ?, 'gh200-96gb', 'finished', 1, 'now')
                    """, arguments: [index + 1, index, point, "h\(index)", run.strategy])
                try db.execute(sql: "INSERT INTO metrics VALUES (?, 'overall', 'tbt_p99_ms', ?), (?, 'overall', 'output_tokens_per_s', ?), (?, 'gpu0', 'tbt_p99_ms', 1)",
                               arguments: [index + 1, run.tbt, index + 1, 100 + Double(index), index + 1])
            }
        }
        try queue.close()
    }

    @Test func v3TypesOldPointsAndAddsTheRunMetricsView() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("old.sqlite")
        try Self.writeV2Database(at: path, runs: [("2", "recompute", 10), ("2", "remap", 8), ("10", "recompute", 30), ("0.5", "remap", 1)])
        // Read as it is: the all-string points decode, and nothing is migrated.
        let reader = try ResultStore.openForReading(path: path)
        #expect(try reader.runs().map { $0.point["workload.arrivals.rate_scale"] } == ["2", "2", "10", "0.5"])
        try reader.close()
        let store = try ResultStore.openForWriting(path: path)
        let (points, rows, columns) = try store.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT point FROM runs ORDER BY id"),
             try Row.fetchAll(db, sql: #"SELECT sweep, "workload.arrivals.rate_scale" AS rate, typeof("workload.arrivals.rate_scale") AS type, strategy, tbt_p99_ms FROM run_metrics ORDER BY rate"#),
             try db.columns(in: RunMetricsView.name).map(\.name))
        }
        #expect(points[0] == #"{"strategy":"recompute","workload.arrivals.rate_scale":2}"#)
        #expect(points[3] == #"{"strategy":"remap","workload.arrivals.rate_scale":0.5}"#)
        #expect(columns == ["run_id", "sweep", "point_index", "workload.arrivals.rate_scale", "seed", "strategy", "hardware", "status",
                            "output_tokens_per_s", "tbt_p99_ms"])
        #expect(rows.map { $0["rate"] as Double } == [0.5, 2, 2, 10], "numbers sort as numbers")
        #expect(rows.map { $0["type"] as String } == ["real", "integer", "integer", "integer"])
        #expect(rows.map { $0["tbt_p99_ms"] as Double } == [1, 10, 8, 30], "scope overall only")
        #expect(try store.runs().map { $0.point["workload.arrivals.rate_scale"] } == ["2", "2", "10", "0.5"])
        // A new metric gets its column when the view is refreshed (as sweep and merge do when they end).
        let sweep = try store.sweepId(name: "rates", spec: "name: rates", version: "test")
        let run = RunRecord.finished(sweep: sweep, pointIndex: 9, point: PointJSON.encode([("strategy", "pie"), ("workload.arrivals.rate_scale", "4")]),
                                     configHash: "h9", seed: 2, strategy: "pie")
        try store.record(RunOutcome(run: run, metrics: [MetricRecord(runId: 0, scope: "overall", metric: "preemptions", value: 3)]))
        try store.refreshRunMetricsView()
        let refreshed = try store.writer.read { db in try db.columns(in: RunMetricsView.name).map(\.name) }
        #expect(refreshed.suffix(3) == ["output_tokens_per_s", "preemptions", "tbt_p99_ms"])
        try store.close()
    }

    @Test func mergingAnOldDatabaseCopiesItsPointsTyped() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let old = folder.path("old.sqlite")
        try Self.writeV2Database(at: old, runs: [("256", "recompute", 1), ("1024", "recompute", 2), ("512", "recompute", 3)])
        let source = try ResultStore.openForReading(path: old)
        let target = try ResultStore.openForWriting(path: folder.path("new.sqlite"))
        #expect(try target.merge(from: source).runsAdded == 3)
        let (points, rates) = try target.writer.read { db in
            (try String.fetchAll(db, sql: "SELECT point FROM runs ORDER BY point_index"),
             try Int.fetchAll(db, sql: #"SELECT "workload.arrivals.rate_scale" FROM run_metrics ORDER BY 1"#))
        }
        #expect(points.first == #"{"strategy":"recompute","workload.arrivals.rate_scale":256}"#)
        #expect(rates == [256, 512, 1024])
        // The source, opened for reading only, is left as it was.
        let unchanged = try source.writer.read { db in try String.fetchOne(db, sql: "SELECT point FROM runs ORDER BY id") }
        #expect(unchanged == #"{"strategy":"recompute","workload.arrivals.rate_scale":"256"}"#)
        try source.close()
        try target.close()
    }

    /// The README's pandas snippet, run on a small database: with pandas when it is installed, else with a stand-in
    /// for `pd.read_sql` built on Python's own `sqlite3`. The rates must come out in numeric order.
    @Test func theReadmeSnippetSortsByANumericAxis() throws {
        let readme = try String(contentsOfFile: StoreFixtures.path("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "**The view `run_metrics`**"))
        let start = try #require(readme.range(of: "```python\n", range: section.upperBound..<readme.endIndex))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.path("c1.sqlite")
        try Self.writeV2Database(at: path, runs: [("2", "recompute", 10), ("2", "remap", 8), ("10", "recompute", 30), ("10", "remap", 20),
                                                  ("0.5", "recompute", 1), ("0.5", "remap", 1)])
        let store = try ResultStore.openForWriting(path: path)
        // Newer databases store the same figure under vLLM's name too, which the snippet reads.
        try store.writer.write { db in
            try db.execute(sql: "INSERT INTO metrics SELECT run_id, scope, 'itl_p99_ms', value FROM metrics WHERE metric = 'tbt_p99_ms'")
            try RunMetricsView.refresh(db)
        }
        try store.close()
        let snippet = String(readme[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "Results/c1-strategy-rate.sqlite", with: path)
        #expect(snippet.contains("pd.read_sql") && snippet.contains("run_metrics"))
        try snippet.write(toFile: folder.path("snippet.py"), atomically: true, encoding: .utf8)
        let standIn = folder.path("stand-in")
        try FileManager.default.createDirectory(atPath: standIn, withIntermediateDirectories: true)
        try """
            import sqlite3

            class DataFrame:
                def __init__(self, columns, rows):
                    self.columns, self.rows = list(columns), [tuple(row) for row in rows]

                def sort_values(self, by):
                    keys = [self.columns.index(name) for name in by]
                    return DataFrame(self.columns, sorted(self.rows, key=lambda row: tuple(row[k] for k in keys)))

                def __getitem__(self, names):
                    keys = [self.columns.index(name) for name in names]
                    return DataFrame(names, [tuple(row[k] for k in keys) for row in self.rows])

                def to_string(self, index=True):
                    return "\\n".join(" ".join(str(value) for value in line) for line in [self.columns] + self.rows)

            def read_sql(sql, con, params=None):
                cursor = con.execute(sql, params or ())
                return DataFrame([column[0] for column in cursor.description], cursor.fetchall())

            """.write(toFile: standIn + "/pandas.py", atomically: true, encoding: .utf8)
        func python(_ arguments: [String], path: String? = nil) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
            if let path { process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": path]) { $1 } }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let hasPandas = try python(["-c", "import pandas"]).status == 0
        let result = try python([folder.path("snippet.py")], path: hasPandas ? nil : standIn)
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["sweep", "workload.arrivals.rate_scale", "strategy", "seed", "itl_p99_ms", "output_tokens_per_s"])
        #expect(lines.dropFirst().map { Double($0[1]) } == [0.5, 0.5, 2, 2, 10, 10], "\(result.output)")
        #expect(lines.dropFirst().map { $0[2] } == ["recompute", "remap", "recompute", "remap", "recompute", "remap"])
    }
}
