import Foundation
import GRDB

/// Everything a finished (or failed) run writes: the run row and its metric, request and series rows.
public struct RunOutcome: Sendable {
    public var run: RunRecord
    public var metrics: [MetricRecord]
    public var requests: [RequestRecord]
    public var series: [SeriesRecord]

    public init(run: RunRecord, metrics: [MetricRecord], requests: [RequestRecord] = [], series: [SeriesRecord] = []) {
        self.run = run
        self.metrics = metrics
        self.requests = requests
        self.series = series
    }
}

extension ResultStore {
    /// The id of the sweep named `name`, creating its row when missing (with `spec` and `version`).
    public func sweepId(name: String, spec: String, version: String) throws -> Int64 {
        try Self.translating(path) {
            try writer.write { db in
                if let existing = try SweepRecord.filter(SweepRecord.Columns.name == name).fetchOne(db), let id = existing.id {
                    return id
                }
                var record = SweepRecord(name: name, spec: spec, created: Self.timestamp(), gracesimVersion: version)
                try record.insert(db)
                return record.id!
            }
        }
    }

    /// The config hashes of the sweep's finished runs.
    public func finishedHashes(sweepId: Int64) throws -> Set<String> {
        try Self.translating(path) {
            try writer.read { db in
                Set(try String.fetchAll(db, RunRecord.select(RunRecord.Columns.configHash)
                    .filter(RunRecord.Columns.sweepId == sweepId && RunRecord.Columns.status == RunRecord.Status.finished.rawValue)))
            }
        }
    }

    /// Writes one run and all its rows in one transaction. A finished run of the same config already in the sweep
    /// (written by a concurrent sweep) wins and `outcome` is dropped; an earlier failed run of it is replaced.
    /// - Returns: whether `outcome` was written.
    @discardableResult
    public func record(_ outcome: RunOutcome) throws -> Bool {
        try Self.translating(path) {
            try writer.write { db in try Self.insert(outcome, db) }
        }
    }

    static func insert(_ outcome: RunOutcome, _ db: Database) throws -> Bool {
        let sameConfig = RunRecord.filter(RunRecord.Columns.sweepId == outcome.run.sweepId
                                          && RunRecord.Columns.configHash == outcome.run.configHash)
        if let existing = try sameConfig.fetchOne(db) {
            if existing.status == .finished { return false }
            try existing.delete(db)
        }
        var run = outcome.run
        run.id = nil
        try run.insert(db)
        let runId = run.id!
        for var metric in outcome.metrics { metric.runId = runId; try metric.insert(db) }
        for var request in outcome.requests { request.runId = runId; try request.insert(db) }
        for var sample in outcome.series { sample.runId = runId; try sample.insert(db) }
        return true
    }

    /// Now, ISO 8601 in UTC.
    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
