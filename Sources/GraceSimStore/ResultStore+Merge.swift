import GRDB

extension ResultStore {
    /// What a merge did.
    public struct MergeSummary: Sendable, Equatable {
        public var runsAdded = 0
        /// Runs already finished in this database (or duplicated across inputs), kept as they were.
        public var runsSkipped = 0
    }

    /// Copies the sweeps and runs of `other` into this store: sweeps are matched by name, runs by config hash
    /// within their sweep; a finished run here is never replaced, a failed one is replaced by a finished one.
    /// Axis values are copied typed (``PointJSON``), whatever version wrote `other`.
    /// A sweep of `other` whose name is held here by a different spec is refused (``StoreError``) before any run
    /// of it is copied.
    /// Each run is copied in its own transaction with all its rows.
    public func merge(from other: ResultStore) throws -> MergeSummary {
        var summary = MergeSummary()
        let (sweeps, runs) = try Self.translating(other.path) {
            try other.writer.read { db in (try SweepRecord.fetchAll(db), try RunRecord.fetchAll(db)) }
        }
        var sweepIds: [Int64: Int64] = [:]
        for sweep in sweeps {
            sweepIds[sweep.id!] = try sweepId(name: sweep.name, spec: sweep.spec, version: sweep.gracesimVersion, specFile: sweep.specFile,
                                               conflictHint: "merging \(other.path) would mix their runs; merge it into another database")
        }
        for run in runs {
            let rows = try Self.translating(other.path) {
                try other.writer.read { db in
                    (try MetricRecord.filter(MetricRecord.Columns.runId == run.id!).fetchAll(db),
                     try RequestRecord.filter(RequestRecord.Columns.runId == run.id!).fetchAll(db),
                     try SeriesRecord.filter(SeriesRecord.Columns.runId == run.id!).fetchAll(db))
                }
            }
            var copy = run
            guard let sweepId = sweepIds[run.sweepId] else {
                throw StoreError(file: other.path, "table \(RunRecord.databaseTableName), row id \(run.id.map(String.init) ?? "?"): sweep_id \(run.sweepId) names no row of table \(SweepRecord.databaseTableName)")
            }
            copy.sweepId = sweepId
            copy.point = PointJSON.retyped(run.point)  // an input written before v3 holds its axis values as strings
            let outcome = RunOutcome(run: copy, metrics: rows.0, requests: rows.1, series: rows.2)
            let added = try Self.translating(path) {
                try writer.write { db -> Bool in
                    if run.status == .failed,
                       try RunRecord.filter(RunRecord.Columns.sweepId == copy.sweepId && RunRecord.Columns.configHash == copy.configHash).fetchCount(db) > 0 {
                        return false
                    }
                    return try Self.insert(outcome, db)
                }
            }
            if added { summary.runsAdded += 1 } else { summary.runsSkipped += 1 }
        }
        try refreshRunMetricsView()
        return summary
    }
}
