import GRDB

/// One row of `series`: one sample of a time series of one run (written only with `store.series: true`).
///
/// Today the only series is `kv_utilization` (fraction of an instance's KV pool in use) per instance.
public struct SeriesRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "series"

    public var runId: Int64
    /// An instance name, or `overall`.
    public var scope: String
    public var series: String
    /// Simulated time of the sample, in seconds.
    public var timeSeconds: Double
    public var value: Double

    public enum Columns {
        public static let runId = Column(CodingKeys.runId)
        public static let scope = Column(CodingKeys.scope)
        public static let series = Column(CodingKeys.series)
        public static let timeSeconds = Column(CodingKeys.timeSeconds)
        public static let value = Column(CodingKeys.value)
    }

    enum CodingKeys: String, CodingKey {
        case scope, series, value
        case runId = "run_id", timeSeconds = "t_s"
    }
}
