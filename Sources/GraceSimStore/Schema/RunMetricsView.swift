import GRDB

/// The view `run_metrics`: one row per run, one column per metric of scope `overall`, for reading a database
/// with SQL or pandas without pivoting.
///
/// Columns: `run_id`, `sweep` (the sweep's name), `point_index`, one column per axis of any sweep (named by its
/// key, e.g. `workload.arrivals.rate_scale`; the value typed as stored, so numbers sort as numbers; NULL for runs
/// of sweeps without that axis), `seed`, `strategy`, `hardware`, `status`, then one column per metric name found
/// in scope `overall`, in name order (NULL for a failed run). Rows are ordered by sweep and grid index. Axes and
/// metrics differ between databases, so the view is rebuilt from what the database holds: by the migration that
/// adds it, whenever the database is opened for writing, and at the end of `sweep` and `merge`.
public enum RunMetricsView {
    public static let name = "run_metrics"

    /// The run columns that come before the axes and metrics.
    static let runColumns = ["run_id", "sweep", "point_index", "seed", "strategy", "hardware", "status"]

    /// The view's `CREATE VIEW` statement for what `db` holds.
    static func definition(_ db: Database) throws -> String {
        let axes = try String.fetchAll(db, sql: """
            SELECT DISTINCT j.key FROM \(RunRecord.databaseTableName) AS r, json_each(r.point) AS j
            WHERE json_valid(r.point) ORDER BY j.key
            """).filter { !runColumns.contains($0) && !$0.contains("\"") }
        let metrics = try String.fetchAll(db, sql: """
            SELECT DISTINCT metric FROM \(MetricRecord.databaseTableName) WHERE scope = 'overall' ORDER BY metric
            """).filter { !runColumns.contains($0) && !axes.contains($0) }
        var columns = ["r.id AS run_id", "s.name AS sweep", "r.point_index AS point_index"]
        for axis in axes {
            columns.append("json_extract(r.point, \(literal("$.\"" + axis + "\""))) AS \(identifier(axis))")
        }
        columns += ["r.seed AS seed", "r.strategy AS strategy", "r.hardware AS hardware", "r.status AS status"]
        for metric in metrics {
            columns.append("MAX(CASE WHEN m.metric = \(literal(metric)) THEN m.value END) AS \(identifier(metric))")
        }
        return """
            CREATE VIEW \(name) AS SELECT \(columns.joined(separator: ", ")) \
            FROM \(RunRecord.databaseTableName) AS r JOIN \(SweepRecord.databaseTableName) AS s ON s.id = r.sweep_id \
            LEFT JOIN \(MetricRecord.databaseTableName) AS m ON m.run_id = r.id AND m.scope = 'overall' \
            GROUP BY r.id ORDER BY s.id, r.point_index
            """
    }

    /// Recreates the view when the axes or metrics it should have changed (and only then, so that other
    /// connections' prepared statements stay valid).
    static func refresh(_ db: Database) throws {
        let sql = try definition(db)
        let current = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", arguments: [name])
        guard current != sql else { return }
        try db.execute(sql: "DROP VIEW IF EXISTS \(name)")
        try db.execute(sql: sql)
    }

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
    static func identifier(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

extension ResultStore {
    /// Rebuilds the view `run_metrics` (see ``RunMetricsView``) from the axes and metrics the database now holds.
    public func refreshRunMetricsView() throws {
        try Self.translating(path) { try writer.write { db in try RunMetricsView.refresh(db) } }
    }
}
