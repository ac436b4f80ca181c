import GRDB

/// One row of the `claims` table (named so since the schema's second migration; "claims" in the paper's sense are
/// the paper's findings, elsewhere): a sweep process's lease on one point, taken before the point runs.
///
/// Several `gracesim sweep` processes on one database share its points through these rows: a point is simulated
/// only by the process that holds its lease. The lease stays `running` while its owner simulates the point and
/// refreshes `heartbeat_s`; it turns `ended` in the transaction that stores the run. A `running` lease is taken
/// over when its owner is gone (see ``LeasePolicy``). `attempts` counts how many times the point was leased,
/// i.e. how many simulations of it were started.
public struct LeaseRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "claims"

    /// Whether the lease's owner is still at work on the point.
    public enum State: String, Codable, Sendable {
        case running, ended
    }

    public var sweepId: Int64
    public var configHash: String
    /// Identifies one sweep runner (host, process id and a random part), so two runners in one process differ.
    public var owner: String
    public var host: String
    public var pid: Int64
    /// When the lease was taken, ISO 8601 in UTC.
    public var claimedAt: String
    /// The owner's last sign of life, in seconds since 1970 (wall clock, shared by processes on one host).
    public var heartbeatSeconds: Double
    public var state: State
    public var attempts: Int

    public enum Columns {
        public static let sweepId = Column(CodingKeys.sweepId)
        public static let configHash = Column(CodingKeys.configHash)
        public static let owner = Column(CodingKeys.owner)
        public static let heartbeatSeconds = Column(CodingKeys.heartbeatSeconds)
        public static let state = Column(CodingKeys.state)
        public static let attempts = Column(CodingKeys.attempts)
    }

    enum CodingKeys: String, CodingKey {
        case owner, host, pid, state, attempts
        case sweepId = "sweep_id", configHash = "config_hash", claimedAt = "claimed_at", heartbeatSeconds = "heartbeat_s"
    }
}
