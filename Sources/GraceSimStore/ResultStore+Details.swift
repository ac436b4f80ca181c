import GRDB

extension ResultStore {
    /// The per-request rows of one run, ordered by request id; empty when the sweep did not store them.
    public func requests(runId: Int64) throws -> [RequestRecord] {
        try Self.translating(path) {
            try writer.read { db in
                try RequestRecord.filter(RequestRecord.Columns.runId == runId).order(RequestRecord.Columns.request).fetchAll(db)
            }
        }
    }

    /// The time-series samples of one run, ordered by scope, series and time; empty when none were stored.
    public func series(runId: Int64) throws -> [SeriesRecord] {
        try Self.translating(path) {
            try writer.read { db in
                try SeriesRecord.filter(SeriesRecord.Columns.runId == runId)
                    .order(SeriesRecord.Columns.scope, SeriesRecord.Columns.series, SeriesRecord.Columns.timeSeconds).fetchAll(db)
            }
        }
    }

    /// The ids of the runs that have per-request rows, and of those that have series.
    public func runsWithDetails() throws -> (requests: Set<Int64>, series: Set<Int64>) {
        try Self.translating(path) {
            try writer.read { db in
                let requests = try Int64.fetchAll(db, sql: "SELECT DISTINCT run_id FROM \(RequestRecord.databaseTableName)")
                let series = try Int64.fetchAll(db, sql: "SELECT DISTINCT run_id FROM \(SeriesRecord.databaseTableName)")
                return (Set(requests), Set(series))
            }
        }
    }
}
