import GRDB

/// A run read back with its metrics.
public struct StoredRun: Sendable {
    public var run: RunRecord
    /// The sweep's name.
    public var sweep: String
    /// Metric values by scope (`overall` or an instance name), then by metric name.
    public var metrics: [String: [String: Double]]

    /// The run's axis values, decoded from `run.point` (axis key → value as text).
    public var point: [String: String] { PointJSON.decode(run.point) }
}

extension ResultStore {
    /// Every run (finished and failed), ordered by sweep and grid index; `sweep` restricts to one sweep by name.
    public func runs(sweep: String? = nil) throws -> [StoredRun] {
        try Self.translating(path) {
            try writer.read { db in
                let sweeps = try SweepRecord.fetchAll(db)
                let names = Dictionary(uniqueKeysWithValues: sweeps.compactMap { s in s.id.map { ($0, s.name) } })
                var request = RunRecord.order(RunRecord.Columns.sweepId, RunRecord.Columns.pointIndex)
                // Only the metrics of the runs asked for: one sweep's, or all.
                var metricsSQL = "SELECT run_id, scope, metric, value FROM metrics"
                var metricsArguments = StatementArguments()
                if let sweep {
                    guard let id = sweeps.first(where: { $0.name == sweep })?.id else {
                        throw StoreError(file: path, "no sweep named \"\(sweep)\" (found: \(sweeps.map(\.name).joined(separator: ", ")))")
                    }
                    request = request.filter(RunRecord.Columns.sweepId == id)
                    metricsSQL += " WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?)"
                    metricsArguments = [id]
                }
                let runs = try request.fetchAll(db)
                var metrics: [Int64: [String: [String: Double]]] = [:]
                let rows = try Row.fetchCursor(db, sql: metricsSQL, arguments: metricsArguments)
                while let row = try rows.next() {
                    let runId: Int64 = row[0], scope: String = row[1], metric: String = row[2]
                    guard let value = Self.number(row[3] as DatabaseValue) else {
                        let run = try RunRecord.filter(RunRecord.Columns.id == runId).fetchOne(db)
                        let label = run.map { "run \(runId) (\(names[$0.sweepId] ?? "?")[\($0.pointIndex)], \($0.configHash))" } ?? "run \(runId)"
                        throw StoreError(file: path, "\(label): metric \(metric) (scope \(scope)) is \(row[3] as DatabaseValue), not a number")
                    }
                    metrics[runId, default: [:]][scope, default: [:]][metric] = value
                }
                return runs.map { StoredRun(run: $0, sweep: names[$0.sweepId] ?? "", metrics: metrics[$0.id ?? -1] ?? [:]) }
            }
        }
    }

    /// A stored metric value as a number: nil for text, blobs and NULL (a hand-edited row), never 0.
    static func number(_ value: DatabaseValue) -> Double? {
        switch value.storage {
        case .double(let number): return number
        case .int64(let number): return Double(number)
        case .null, .string, .blob: return nil
        }
    }

    /// Row counts per table, for tests and the merge summary.
    public func rowCounts() throws -> [String: Int] {
        try Self.translating(path) {
            try writer.read { db in
                var counts: [String: Int] = [:]
                for table in [SweepRecord.databaseTableName, RunRecord.databaseTableName, MetricRecord.databaseTableName,
                              RequestRecord.databaseTableName, SeriesRecord.databaseTableName] {
                    counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                }
                return counts
            }
        }
    }
}
