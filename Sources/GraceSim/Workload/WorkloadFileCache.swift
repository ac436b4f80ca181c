/// The trace and length files a process has parsed: the points of a sweep that name one file share one parse, and a
/// file changed between two loads is read again (``ParsedFileCache``).
final class WorkloadFileCache: Sendable {
    /// The process's cache.
    static let shared = WorkloadFileCache()

    private let traces = ParsedFileCache<TraceTable>()
    private let lengthTables = ParsedFileCache<LengthTable>()

    /// The trace at `path` in `format`, parsed by `parse` unless this version of the file was parsed before.
    func trace(path: String, format: TraceTable.Format, parse: () throws -> TraceTable) rethrows -> TraceTable {
        try traces.value(key: "\(format.rawValue):\(path)", path: path, parse: parse)
    }

    /// The length table at `path`, parsed by `parse` unless this version of the file was parsed before.
    func lengthTable(path: String, parse: () throws -> LengthTable) rethrows -> LengthTable {
        try lengthTables.value(key: path, path: path, parse: parse)
    }
}
