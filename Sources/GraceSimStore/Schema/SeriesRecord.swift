import GRDB

/// One row of `series`: one sample of a time series of one run (written only with `store.series: true`).
///
/// Per instance: `kv_utilization` (fraction of the KV pool in use), `kv_capacity_tokens` and the strategy's own
/// series (`remapped_layers`, ...). Per run (scope `overall`): `link_h2d_bytes_per_s` and `link_d2h_bytes_per_s`
/// (link traffic per sample interval), and `tbt_cdf_ms`, which is not over time: the pooled distribution of the
/// gaps between tokens, with the fraction 0–1 in `time_s` and the gap in ms in `value`.
public struct SeriesRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "series"

    public var runId: Int64
    /// An instance name, or `overall`.
    public var scope: String
    public var series: String
    /// Simulated time of the sample, in seconds.
    public var timeSeconds: Double
    public var value: Double

    /// A record with every column given.
    public init(runId: Int64, scope: String, series: String, timeSeconds: Double, value: Double) {
        self.runId = runId
        self.scope = scope
        self.series = series
        self.timeSeconds = timeSeconds
        self.value = value
    }

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
