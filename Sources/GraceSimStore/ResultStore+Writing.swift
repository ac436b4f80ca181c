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
    /// The id of the sweep named `name`, creating its row when missing (with `spec`, `version` and `specFile`).
    ///
    /// - Throws: ``StoreError`` when the database already holds a sweep of that name from a different spec (two
    ///   different sweep files with the same `name:`): their runs would mix under one name.
    /// - Parameter conflictHint: what the user can do about such a conflict, for the message.
    public func sweepId(name: String, spec: String, version: String, specFile: String? = nil,
                        conflictHint: String = "store this one under another name with --as NAME, or use another --db") throws -> Int64 {
        try Self.translating(path) {
            try writer.write { db in
                if let existing = try SweepRecord.filter(SweepRecord.Columns.name == name).fetchOne(db), let id = existing.id {
                    guard ConfigHash.sweepSpec(existing.spec) == ConfigHash.sweepSpec(spec) else {
                        let stored = existing.specFile.map { "from \($0)" } ?? "from another sweep file"
                        let holder = specFile == nil ? "the database" : path
                        throw StoreError(file: specFile ?? path,
                                         "\(holder) already holds a sweep named \"\(name)\" \(stored), with a different spec; \(conflictHint)")
                    }
                    if existing.specFile == nil, let specFile {
                        try SweepRecord.filter(SweepRecord.Columns.id == id).updateAll(db, SweepRecord.Columns.specFile.set(to: specFile))
                    }
                    return id
                }
                var record = SweepRecord(name: name, spec: spec, created: Self.timestamp(), gracesimVersion: version, specFile: specFile)
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
        try endLease(sweepId: run.sweepId, configHash: run.configHash, db)
        return true
    }

    /// Now, ISO 8601 in UTC.
    public static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
