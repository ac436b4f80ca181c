import GraceSimTestSupport
import Foundation
import GraceSimStore
import GraceSimSweeps
import Testing

/// Guards `gracesim sweep`, `merge`, `compare` and `diff` as a user runs them: a sweep killed with SIGKILL and
/// rerun equals an uninterrupted one, shards merged equal the whole, diff's exit codes, compare's formats, bad input.
@Suite(.serialized) struct SweepCommandTests {
    /// Twelve short points of the default experiment, each long enough (1,000 requests) that the kill test can
    /// catch the sweep between its third and last run.
    static let sweepText = """
        name: cli-test
        base: \(GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/experiments/default.yaml").path)
        set: {workload.max_requests: 1000}
        axes:
          strategy: [recompute]
          workload.arrivals.rate: [2, 6]
        seeds: [1, 2, 3, 4, 5, 6]
        """

    static func finishedResults(_ path: String) throws -> [String: [String: [String: Double]]] {
        let store = try ResultStore.openForReading(path: path)
        defer { try? store.close() }
        var out: [String: [String: [String: Double]]] = [:]
        for run in try store.runs() where run.run.status == .finished { out[run.run.configHash] = run.metrics }
        return out
    }

    static func rowCounts(_ path: String) throws -> [String: Int] {
        let store = try ResultStore.openForReading(path: path)
        defer { try? store.close() }
        return try store.rowCounts()
    }

    /// Runs `sql` in one transaction on the database at `path`.
    static func execute(_ sql: String, in path: String) throws {
        let store = try ResultStore.openForWriting(path: path)
        try store.writer.write { try $0.execute(sql: sql) }
        try store.close()
    }

    /// Starts `gracesim sweep SWEEP --db DB --jobs 1 --quiet` in the background, standard error to `stderr` (or
    /// nowhere), and returns once it has stored `runs` runs, ended, or run for 60 s; returns the process and the
    /// runs stored by then.
    static func sweepUntilStored(_ runs: Int, sweep: String, db: String, stderr: String? = nil) throws -> (Process, stored: Int) {
        let process = Process()
        process.executableURL = try #require(GraceSimProcess.executable) as URL
        process.arguments = ["sweep", sweep, "--db", db, "--jobs", "1", "--quiet"]
        process.currentDirectoryURL = GraceSimProcess.repositoryRoot
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        var stored = 0
        pollBlocking(every: 0.02, timeout: 60) {
            if FileManager.default.fileExists(atPath: db), let count = try? rowCounts(db)["runs"] { stored = count }
            return stored >= runs || !process.isRunning
        }
        return (process, stored)
    }

    @Test func aSweepKilledMidRunResumesToTheSameResults() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", Self.sweepText)
        let reference = folder.path("reference.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", reference, "--jobs", "2"]))

        let killed = folder.path("killed.sqlite")
        // Kill it once a few runs are stored, mid-way through the grid.
        let (process, stored) = try Self.sweepUntilStored(3, sweep: sweep, db: killed)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the sweep ended before it could be killed (\(stored) runs stored)")
        let partial = try Self.rowCounts(killed)["runs"] ?? 0
        #expect(partial >= 3 && partial < 12, "killed with \(partial) of 12 runs stored")

        let resumed = try await GraceSimProcess.run(["sweep", sweep, "--db", killed, "--jobs", "2"])
        expectSuccess(resumed)
        #expect(resumed.stderrText.contains("\(partial) already finished"), "\(resumed.stderrText)")
        #expect(try Self.rowCounts(killed) == Self.rowCounts(reference))
        #expect(try Self.finishedResults(killed) == Self.finishedResults(reference))
        // A third run finds everything done.
        let again = try await GraceSimProcess.run(["sweep", sweep, "--db", killed])
        expectSuccess(again)
        #expect(again.stderrText.contains("0 run, 0 failed, 12 already finished"), "\(again.stderrText)")
    }

    /// Ctrl-C stops a sweep cleanly: the runs that ended are stored (none failed), it exits 130 saying how to
    /// resume, and running the command again completes the same results as an uninterrupted sweep.
    @Test func anInterruptedSweepStopsCleanlyAndResumes() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", Self.sweepText)
        let reference = folder.path("reference.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", reference, "--jobs", "2", "--quiet"]))

        let interrupted = folder.path("interrupted.sqlite")
        let stderrPath = folder.path("stderr.txt")
        let (process, _) = try Self.sweepUntilStored(2, sweep: sweep, db: interrupted, stderr: stderrPath)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "status \(process.terminationStatus): \(stderr)")
        #expect(stderr.contains("run the same command again to resume"), "\(stderr)")
        let store = try ResultStore.openForReading(path: interrupted)
        let runs = try store.runs()
        try store.close()
        #expect(runs.count >= 2 && runs.count < 12 && runs.allSatisfy { $0.run.status == .finished }, "\(runs.count) runs stored")

        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", interrupted, "--quiet"]))
        #expect(try Self.finishedResults(interrupted) == Self.finishedResults(reference))
    }

    @Test func shardsMergedEqualTheWholeSweep() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", Self.sweepText)
        let whole = folder.path("whole.sqlite")
        expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", whole, "--quiet"]))
        var shards: [String] = []
        for index in 0..<3 {
            let shard = folder.path("shard-\(index).sqlite")
            shards.append(shard)
            expectSuccess(try await GraceSimProcess.run(["sweep", sweep, "--db", shard, "--shard", "\(index)/3", "--quiet"]))
            #expect(try Self.rowCounts(shard)["runs"] == 4)
        }
        let merged = folder.path("merged.sqlite")
        let merge = try await GraceSimProcess.run(["merge", merged] + shards)
        expectSuccess(merge)
        #expect(merge.stdoutText.contains("4 runs added"))
        #expect(try Self.rowCounts(merged) == Self.rowCounts(whole))
        #expect(try Self.finishedResults(merged) == Self.finishedResults(whole))
        let diff = try await GraceSimProcess.run(["diff", whole, merged, "--tolerance", "0%"])
        expectSuccess(diff)
        #expect(diff.stdoutText.contains("12 runs compared, 0 metrics moved"))
    }

    @Test func twoSweepProcessesOnOneDatabaseBothComplete() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let sweep = try folder.write("sweep.yaml", Self.sweepText)
        let shared = folder.path("shared.sqlite")
        async let first = GraceSimProcess.run(["sweep", sweep, "--db", shared, "--jobs", "1", "--quiet"])
        async let second = GraceSimProcess.run(["sweep", sweep, "--db", shared, "--jobs", "1", "--quiet"])
        let results = try await [first, second]
        for result in results { expectSuccess(result) }
        let counts = try Self.rowCounts(shared)
        #expect(counts["runs"] == 12 && counts["sweeps"] == 1)
        #expect(try Self.finishedResults(shared).count == 12)
    }

    @Test func diffExitsOneOnlyWhenAMetricMovedTheBadWay() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let baseline = GraceSimProcess.repositoryRoot.appendingPathComponent("Results/regression/baseline.sqlite").path
        let old = folder.path("old.sqlite")
        try FileManager.default.copyItem(atPath: baseline, toPath: old)
        expectSuccess(try await GraceSimProcess.run(["diff", old, old]))

        func variant(_ name: String, _ sql: String) throws -> String {
            let path = folder.path(name)
            try FileManager.default.copyItem(atPath: baseline, toPath: path)
            try Self.execute(sql, in: path)
            return path
        }
        let slower = try variant("slower.sqlite", "UPDATE metrics SET value = value * 1.10 WHERE metric = 'tbt_p99_ms' AND scope = 'overall'")
        let result = try await GraceSimProcess.run(["diff", old, slower])
        #expect(result.status == 1, "\(result.stdoutText)")
        #expect(result.stdoutText.contains("WORSE") && result.stdoutText.contains("overall tbt_p99_ms") && result.stdoutText.contains("(+10.00%)"))
        #expect(try await GraceSimProcess.run(["diff", old, slower, "--tolerance", "15%"]).status == 0)
        #expect(try await GraceSimProcess.run(["diff", old, slower, "--metrics", "ttft_*", "output_tokens_per_s"]).status == 0)

        let faster = try variant("faster.sqlite", "UPDATE metrics SET value = value * 1.10 WHERE metric LIKE '%_per_s'")
        let better = try await GraceSimProcess.run(["diff", old, faster])
        #expect(better.status == 0 && better.stdoutText.contains("BETTER"), "\(better.stdoutText)")
        let poorer = try variant("poorer.sqlite", "UPDATE metrics SET value = value * 0.9 WHERE metric = 'output_tokens_per_s'")
        #expect(try await GraceSimProcess.run(["diff", old, poorer]).status == 1)
        let broken = try variant("broken.sqlite", "UPDATE runs SET status = 'failed', error = 'boom' WHERE point_index = 0")
        let failed = try await GraceSimProcess.run(["diff", old, broken])
        #expect(failed.status == 1 && failed.stdoutText.contains("FAILED"))
        let badTolerance = try await GraceSimProcess.run(["diff", old, old, "--tolerance", "lots"])
        #expect(badTolerance.status == 64 || badTolerance.status == 2)
    }

    @Test func compareShowsEachStrategyAgainstTheBaselineInEveryFormat() async throws {
        let baseline = GraceSimProcess.repositoryRoot.appendingPathComponent("Results/regression/baseline.sqlite").path
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: baseline, toPath: db)
        // Pretend a sixth strategy ran: copy the recompute runs (one per rate scale) as "other", with 20% lower P99 ITL
        // (stored as itl_p99_ms and, under its earlier name, tbt_p99_ms).
        try Self.execute("""
                INSERT INTO runs (sweep_id, point_index, point, config, config_hash, seed, strategy, hardware, status, wall_s, simulated_s, error, finished_at)
                SELECT sweep_id, point_index + 100, replace(point, '"recompute"', '"other"'), config, config_hash || '-other', seed, 'other', hardware, status, wall_s, simulated_s, error, finished_at FROM runs WHERE strategy = 'recompute';
                INSERT INTO metrics (run_id, scope, metric, value)
                SELECT o.id, m.scope, m.metric, CASE WHEN m.metric IN ('tbt_p99_ms', 'itl_p99_ms') THEN m.value * 0.8 ELSE m.value END
                FROM metrics m JOIN runs r ON r.id = m.run_id JOIN runs o ON o.config_hash = r.config_hash || '-other';
                """, in: db)
        let table = try await GraceSimProcess.run(["compare", "--db", db])
        expectSuccess(table)
        // The regression grid: 5 strategies × 2 rate scales on one machine and seed, plus "other": 12 rows, one table.
        let lines = table.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("sweep regression: hardware=gh200-96gb; one seed;") == true, "\(table.stdoutText)")
        let strategies: Set<String> = ["recompute", "swap", "pie", "offload", "remap", "other"]
        let rows: [String] = lines.filter { line in
            let words: [Substring] = line.split(separator: " ")
            return words.count > 2 && strategies.contains(String(words[1]))
        }
        #expect(rows.count == 12, "\(table.stdoutText)")
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(table.stdoutText)")
        #expect(rows.filter { $0.contains(" other ") && $0.contains("-20.0%") }.count == 2, "\(table.stdoutText)")
        #expect(!table.stdoutText.contains("-0.0%") && !table.stdoutText.contains("n/a"))
        // A narrow terminal: the metrics continue in further blocks, each with the rows' keys again.
        let narrow = try await GraceSimProcess.run(["compare", "--db", db], environment: ["COLUMNS": "60"])
        let narrowLines = narrow.stdoutText.split(separator: "\n").map(String.init)
        #expect(narrowLines.allSatisfy { $0.count <= 60 }, "\(narrow.stdoutText)")
        #expect(narrowLines.filter { $0.split(separator: " ").count > 2 && $0.split(separator: " ")[1] == "other" }.count == 2 * 2,
                "two blocks at 60 columns (P99 ITL and TTFT, then throughput): \(narrow.stdoutText)")
        let markdown = try await GraceSimProcess.run(["compare", "--db", db, "--format", "markdown"])
        #expect(markdown.stdoutText.hasPrefix("### regression\n"))
        #expect(markdown.stdoutText.contains("| workload.arrivals.rate_scale | strategy | n | itl_p99_ms | vs recompute | ttft_p99_ms |"))

        // CSV: numbers at full precision and numeric types, empty where there is none.
        let csv = try await GraceSimProcess.run(["compare", "--db", db, "--format", "csv", "--metric", "tbt_p99_ms"])
        let csvLines: [[String]] = csv.stdoutText.split(separator: "\n").map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(csvLines.first == ["sweep", "strategy", "hardware", "workload.arrivals.rate_scale", "compared_axis", "baseline", "n",
                                   "tbt_p99_ms", "tbt_p99_ms_min", "tbt_p99_ms_max", "tbt_p99_ms_change_percent"])
        #expect(csvLines.count == 13)
        for cells in csvLines.dropFirst() {
            #expect(cells[7...].allSatisfy { $0.isEmpty || Double($0) != nil }, "\(cells)")
        }
        let stored = try ResultStore.openForReading(path: db).runs()
        let recompute = try #require(stored.first { $0.run.strategy == "recompute" && $0.point["workload.arrivals.rate_scale"] == "1" })
        let recomputeRow = try #require(csvLines.first { $0[1] == "recompute" && $0[3] == "1" })
        #expect(Double(recomputeRow[7]) == recompute.metrics["overall"]?["tbt_p99_ms"], "the mean of one seed is the stored value, bit for bit")
        #expect(recomputeRow[10] == "", "the baseline has no change")
        let otherChanges = csvLines.filter { $0[1] == "other" }.compactMap { Double($0[10]) }
        #expect(otherChanges.count == 2 && otherChanges.allSatisfy { abs($0 + 20) < 1e-9 })

        let json = try await GraceSimProcess.run(["compare", "--db", db, "--format", "json"])
        let root = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let tables = try #require(root["tables"] as? [[String: Any]])
        #expect(tables.count == 1 && tables[0]["baseline"] as? String == "recompute" && tables[0]["sweep"] as? String == "regression")
        let jsonRows = try #require(tables[0]["rows"] as? [[String: Any]])
        #expect(jsonRows.count == 12)
        let point = try #require(jsonRows[0]["point"] as? [String: Any])
        #expect(point["workload.arrivals.rate_scale"] is NSNumber && point["hardware"] as? String == "gh200-96gb", "axis values are typed")
        let first = try #require((jsonRows[0]["metrics"] as? [String: Any])?["itl_p99_ms"] as? [String: Any])
        #expect(first["change_percent"] is NSNull && first["n"] as? Int == 1)
    }

    /// A sweep of many varying axes (the committed parallel sweep: hardware, model, engine keys of two instances,
    /// rate): each point's axis values head its rows instead of filling columns, and every line fits 100 columns.
    @Test func compareOfManyAxesHeadsEachPointAndFits100Columns() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("parallel.sqlite")
        try FileManager.default.copyItem(atPath: Repository.path("Results/parallel/parallel.sqlite"), toPath: db)
        let result = try await GraceSimProcess.run(["compare", "--db", db])
        expectSuccess(result)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(lines.filter { $0.count > 100 })")
        #expect(lines.contains { $0.hasPrefix("description=") && $0.contains("hardware=gh200-nvl2") })
        #expect(lines.contains { $0.hasPrefix("strategy ") && $0.contains("mean") })
        #expect(lines.contains { $0.hasPrefix("remap ") && $0.contains("%") })
    }

    @Test func badSweepsAndDatabasesGetOneLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let db = folder.path("x.sqlite")
        let unknown = try folder.write("unknown.yaml", Self.sweepText.replacingOccurrences(of: "workload.arrivals.rate:", with: "workload.arrivals.speed:"))
        let result = try await GraceSimProcess.run(["sweep", unknown, "--db", db])
        expectBadInput(result, file: unknown, key: "", mentions: ["axis workload.arrivals.speed = 2", "unknown key"])
        let empty = try folder.write("empty.yaml", Self.sweepText.replacingOccurrences(of: "[2, 6]", with: "[]"))
        expectBadInput(try await GraceSimProcess.run(["sweep", empty, "--db", db]), file: empty, key: "axes.workload.arrivals.rate", mentions: ["at least one value"])
        let malformed = try folder.write("malformed.yaml", "axes: [")
        expectBadInput(try await GraceSimProcess.run(["sweep", malformed, "--db", db]), file: malformed, key: "", mentions: ["not valid YAML"])
        let notDB = try folder.write("notes.sqlite", String(repeating: "text\n", count: 400))
        let sweep = try folder.write("sweep.yaml", Self.sweepText)
        expectBadInput(try await GraceSimProcess.run(["sweep", sweep, "--db", notDB]), file: notDB, key: "", mentions: ["not an SQLite database"])
        #expect(try String(contentsOfFile: notDB, encoding: .utf8) == String(repeating: "text\n", count: 400))
        expectBadInput(try await GraceSimProcess.run(["compare", "--db", folder.path("missing.sqlite")]), file: folder.path("missing.sqlite"), key: "", mentions: ["no such database"])
        expectBadInput(try await GraceSimProcess.run(["sweep", sweep, "--db", db, "--shard", "3/3"]), file: "--shard", key: "", mentions: ["0 ≤ i < N"])
    }
}
