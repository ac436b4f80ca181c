import GRDB

/// One row of `sweeps`: a named grid of runs, with the sweep file's text and the gracesim that ran it.
public struct SweepRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "sweeps"

    public var id: Int64?
    /// The sweep's name (unique in a database); reruns and shards of one sweep share its row.
    public var name: String
    /// The sweep file as written (YAML).
    public var spec: String
    /// When the row was created, ISO 8601 in UTC.
    public var created: String
    public var gracesimVersion: String
    /// The path of the sweep file as it was given to `gracesim sweep` (nil for databases written before it was
    /// recorded, and for sweeps not read from a file).
    public var specFile: String?

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let spec = Column(CodingKeys.spec)
        public static let created = Column(CodingKeys.created)
        public static let gracesimVersion = Column(CodingKeys.gracesimVersion)
        public static let specFile = Column(CodingKeys.specFile)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, spec, created
        case gracesimVersion = "gracesim_version", specFile = "spec_file"
    }

    public init(id: Int64? = nil, name: String, spec: String, created: String, gracesimVersion: String,
                specFile: String? = nil) {
        self.id = id
        self.name = name
        self.spec = spec
        self.created = created
        self.gracesimVersion = gracesimVersion
        self.specFile = specFile
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
