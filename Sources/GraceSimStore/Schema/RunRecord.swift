import GRDB

/// One row of `runs`: one grid point of a sweep, finished or failed.
///
/// A run is written only when it has ended, together with its metrics, in one transaction; there are no rows
/// for runs in progress, so a killed sweep leaves nothing half-written.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"

    /// Whether a run produced metrics.
    public enum Status: String, Codable, Sendable {
        case finished, failed
    }

    public var id: Int64?
    public var sweepId: Int64
    /// The point's position in the sweep's grid (0-based, in expansion order).
    public var pointIndex: Int
    /// The point's axis values as a JSON object (axis key → value), e.g. `{"strategy":"recompute"}`.
    public var point: String
    /// The experiment after the point's overrides, as canonical JSON (see ``ConfigHash``).
    public var config: String
    /// ``ConfigHash`` of `config`: 16 hex digits of FNV-1a 64.
    public var configHash: String
    public var seed: Int64
    public var strategy: String
    public var hardware: String
    public var status: Status
    /// Wall-clock time of the simulation, in seconds.
    public var wallSeconds: Double
    /// Simulated time, in seconds (nil for a failed run).
    public var simulatedSeconds: Double?
    /// Why a failed run failed.
    public var error: String?
    /// When the run ended, ISO 8601 in UTC.
    public var finishedAt: String

    /// A record with every column given.
    public init(id: Int64?, sweepId: Int64, pointIndex: Int, point: String, config: String, configHash: String, seed: Int64, strategy: String, hardware: String, status: Status, wallSeconds: Double, simulatedSeconds: Double?, error: String?, finishedAt: String) {
        self.id = id
        self.sweepId = sweepId
        self.pointIndex = pointIndex
        self.point = point
        self.config = config
        self.configHash = configHash
        self.seed = seed
        self.strategy = strategy
        self.hardware = hardware
        self.status = status
        self.wallSeconds = wallSeconds
        self.simulatedSeconds = simulatedSeconds
        self.error = error
        self.finishedAt = finishedAt
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let sweepId = Column(CodingKeys.sweepId)
        public static let pointIndex = Column(CodingKeys.pointIndex)
        public static let point = Column(CodingKeys.point)
        public static let config = Column(CodingKeys.config)
        public static let configHash = Column(CodingKeys.configHash)
        public static let seed = Column(CodingKeys.seed)
        public static let strategy = Column(CodingKeys.strategy)
        public static let hardware = Column(CodingKeys.hardware)
        public static let status = Column(CodingKeys.status)
        public static let wallSeconds = Column(CodingKeys.wallSeconds)
        public static let simulatedSeconds = Column(CodingKeys.simulatedSeconds)
        public static let error = Column(CodingKeys.error)
        public static let finishedAt = Column(CodingKeys.finishedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, point, config, seed, strategy, hardware, status, error
        case sweepId = "sweep_id", pointIndex = "point_index", configHash = "config_hash"
        case wallSeconds = "wall_s", simulatedSeconds = "simulated_s", finishedAt = "finished_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
