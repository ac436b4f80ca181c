import Foundation
import GRDB

/// Who is claiming points, and when another owner's claim counts as abandoned.
///
/// A `running` claim of another owner is taken over when its owner's process no longer exists on this host
/// (checked with `kill(pid, 0)` and, on Linux, the process's state: a `kill -9`ed sweep is taken over at once, reaped
/// or not), or when its heartbeat is older than
/// `staleAfterSeconds` (an owner on another host, or a process id reused by an unrelated process).
public struct ClaimPolicy: Sendable {
    /// This runner: `host:pid:random`.
    public var owner: String
    public var host: String
    public var pid: Int64
    /// When this runner started, in seconds since 1970: a failed run ended by another owner after this moment
    /// is not tried again by this runner.
    public var startedSeconds: Double
    /// A heartbeat older than this, in seconds, marks a claim as abandoned.
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

    /// Whether `claim`, held by another owner, is abandoned.
    func isAbandoned(_ claim: ClaimRecord, now: Double) -> Bool {
        if now - claim.heartbeatSeconds > staleAfterSeconds { return true }
        if claim.host == host, claim.pid != pid, !Self.isRunning(pid: claim.pid) { return true }
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
    /// What an attempt to claim a point found.
    public enum ClaimResult: Sendable, Equatable {
        /// The point is this runner's to simulate.
        case claimed
        /// A finished run of the point is stored.
        case finished
        /// A run of the point failed (stored as failed) since this runner started; it is not tried again now.
        case failedMeanwhile
        /// Another live owner (or another thread of this runner) is simulating it.
        case busy
        /// This runner already ran a point of this config since it started (a grid with two points of one config).
        case endedHere
    }

    /// Claims the point of `configHash` in the sweep for `policy.owner`, in one write transaction.
    public func claim(sweepId: Int64, configHash: String, policy: ClaimPolicy) throws -> ClaimResult {
        try Self.translating(path) {
            try writer.write { db in
                let finished = try RunRecord.filter(RunRecord.Columns.sweepId == sweepId && RunRecord.Columns.configHash == configHash
                                                    && RunRecord.Columns.status == RunRecord.Status.finished.rawValue).fetchCount(db)
                let now = ClaimPolicy.now()
                let existing = try ClaimRecord.filter(ClaimRecord.Columns.sweepId == sweepId && ClaimRecord.Columns.configHash == configHash).fetchOne(db)
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
                let claim = ClaimRecord(sweepId: sweepId, configHash: configHash, owner: policy.owner, host: policy.host,
                                        pid: policy.pid, claimedAt: Self.timestamp(), heartbeatSeconds: now, state: .running,
                                        attempts: (existing?.attempts ?? 0) + 1)
                try claim.save(db)
                return .claimed
            }
        }
    }

    /// Refreshes the heartbeat of every running claim of `owner`.
    public func heartbeat(owner: String) throws {
        try Self.translating(path) {
            try writer.write { db in
                try ClaimRecord.filter(ClaimRecord.Columns.owner == owner && ClaimRecord.Columns.state == ClaimRecord.State.running.rawValue)
                    .updateAll(db, ClaimRecord.Columns.heartbeatSeconds.set(to: ClaimPolicy.now()))
            }
        }
    }

    /// Every claim, for tests and inspection.
    public func claims() throws -> [ClaimRecord] {
        try Self.translating(path) {
            try writer.read { db in try ClaimRecord.order(ClaimRecord.Columns.sweepId, ClaimRecord.Columns.configHash).fetchAll(db) }
        }
    }

    /// Ends the claim on the run's point, in the transaction that stores the run.
    static func endClaim(sweepId: Int64, configHash: String, _ db: Database) throws {
        try ClaimRecord.filter(ClaimRecord.Columns.sweepId == sweepId && ClaimRecord.Columns.configHash == configHash)
            .updateAll(db, ClaimRecord.Columns.state.set(to: ClaimRecord.State.ended.rawValue),
                       ClaimRecord.Columns.heartbeatSeconds.set(to: ClaimPolicy.now()))
    }
}
