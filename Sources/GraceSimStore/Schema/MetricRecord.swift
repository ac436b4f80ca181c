import GRDB

/// One row of `metrics`: one summary number of one run, for one instance or for all of them (`overall`).
public struct MetricRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "metrics"

    public var runId: Int64
    /// An instance name, or `overall`.
    public var scope: String
    /// A name from ``MetricCatalog``, with its unit as suffix (`tbt_p99_ms`, `output_tokens_per_s`).
    public var metric: String
    public var value: Double

    public enum Columns {
        public static let runId = Column(CodingKeys.runId)
        public static let scope = Column(CodingKeys.scope)
        public static let metric = Column(CodingKeys.metric)
        public static let value = Column(CodingKeys.value)
    }

    enum CodingKeys: String, CodingKey {
        case scope, metric, value
        case runId = "run_id"
    }

    public init(runId: Int64, scope: String, metric: String, value: Double) {
        self.runId = runId
        self.scope = scope
        self.metric = metric
        self.value = value
    }
}
