import Foundation
import GRDB

/// Who is leasing points, and when another owner's lease counts as abandoned.
///
/// A `running` lease of another owner is taken over when its owner's process no longer exists on this host
/// (checked with `kill(pid, 0)` and, on Linux, the process's state: a `kill -9`ed sweep is taken over at once, reaped
/// or not), or when its heartbeat is older than
/// `staleAfterSeconds` (an owner on another host, or a process id reused by an unrelated process).
public struct LeasePolicy: Sendable {
    /// This runner: `host:pid:random`.
    public var owner: String
    public var host: String
    public var pid: Int64
    /// When this runner started, in seconds since 1970: a failed run ended by another owner after this moment
    /// is not tried again by this runner.
    public var startedSeconds: Double
    /// A heartbeat older than this, in seconds, marks a lease as abandoned.
    public var staleAfterSeconds: Double

    public static let defaultStaleAfterSeconds: Double = 60

    public init(staleAfterSeconds: Double = defaultStaleAfterSeconds) {
        host = Self.hostName()
        pid = Int64(getpid())
        owner = "\(host):\(pid):\(UInt32.random(in: .min ... .max))"
        startedSeconds = Self.now()
        self.staleAfterSeconds = staleAfterSeconds
    }

    /// Wall-clock now, in seconds since 1970.
    public static func now() -> Double { Date().timeIntervalSince1970 }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `lease`, held by another owner, is abandoned.
    func isAbandoned(_ lease: LeaseRecord, now: Double) -> Bool {
        if now - lease.heartbeatSeconds > staleAfterSeconds { return true }
        if lease.host == host, lease.pid != pid, !Self.isRunning(pid: lease.pid) { return true }
        return false
    }

    /// Whether process `pid` exists on this host and is not a zombie (ended, waiting for its parent to reap it).
    static func isRunning(pid: Int64) -> Bool {
        guard pid > 0, pid <= Int64(Int32.max) else { return false }
        if kill(pid_t(pid), 0) != 0, errno == ESRCH { return false }
        // /proc/<pid>/stat: "pid (command) state ..."; the command may hold spaces and parentheses, so read the
        // state after the last ")".
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].first { $0 != " " }
        return state != "Z" && state != "X"
    }
}

extension ResultStore {
    /// What an attempt to lease a point found.
    public enum LeaseResult: Sendable, Equatable {
        /// The point is this runner's to simulate.
        case leased
        /// A finished run of the point is stored.
        case finished
        /// A run of the point failed (stored as failed) since this runner started; it is not tried again now.
        case failedMeanwhile
        /// Another live owner (or another thread of this runner) is simulating it.
        case busy
        /// This runner already ran a point of this config since it started (a grid with two points of one config).
        case endedHere
    }

    /// Leases the point of `configHash` in the sweep for `policy.owner`, in one write transaction.
    public func lease(sweepId: Int64, configHash: String, policy: LeasePolicy) throws -> LeaseResult {
        try Self.translating(path) {
            try writer.write { db in
                let finished = try RunRecord.filter(RunRecord.Columns.sweepId == sweepId && RunRecord.Columns.configHash == configHash
                                                    && RunRecord.Columns.status == RunRecord.Status.finished.rawValue).fetchCount(db)
                let now = LeasePolicy.now()
                let existing = try LeaseRecord.filter(LeaseRecord.Columns.sweepId == sweepId && LeaseRecord.Columns.configHash == configHash).fetchOne(db)
                let endedHere = existing.map { $0.state == .ended && $0.owner == policy.owner } ?? false
                if finished > 0 { return endedHere ? .endedHere : .finished }
                if let existing {
                    switch existing.state {
                    case .running:
                        if existing.owner == policy.owner || !policy.isAbandoned(existing, now: now) { return .busy }
                    case .ended:
                        if existing.heartbeatSeconds >= policy.startedSeconds { return endedHere ? .endedHere : .failedMeanwhile }
                    }
                }
                let lease = LeaseRecord(sweepId: sweepId, configHash: configHash, owner: policy.owner, host: policy.host,
                                        pid: policy.pid, claimedAt: Self.timestamp(), heartbeatSeconds: now, state: .running,
                                        attempts: (existing?.attempts ?? 0) + 1)
                try lease.save(db)
                return .leased
            }
        }
    }

    /// Refreshes the heartbeat of every running lease of `owner`.
    public func heartbeat(owner: String) throws {
        try Self.translating(path) {
            try writer.write { db in
                try LeaseRecord.filter(LeaseRecord.Columns.owner == owner && LeaseRecord.Columns.state == LeaseRecord.State.running.rawValue)
                    .updateAll(db, LeaseRecord.Columns.heartbeatSeconds.set(to: LeasePolicy.now()))
            }
        }
    }

    /// Every lease, for tests and inspection.
    public func leases() throws -> [LeaseRecord] {
        try Self.translating(path) {
            try writer.read { db in try LeaseRecord.order(LeaseRecord.Columns.sweepId, LeaseRecord.Columns.configHash).fetchAll(db) }
        }
    }

    /// Ends the lease on the run's point, in the transaction that stores the run.
    static func endLease(sweepId: Int64, configHash: String, _ db: Database) throws {
        try LeaseRecord.filter(LeaseRecord.Columns.sweepId == sweepId && LeaseRecord.Columns.configHash == configHash)
            .updateAll(db, LeaseRecord.Columns.state.set(to: LeaseRecord.State.ended.rawValue),
                       LeaseRecord.Columns.heartbeatSeconds.set(to: LeasePolicy.now()))
    }
}
