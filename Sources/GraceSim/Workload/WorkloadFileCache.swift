import Foundation

/// The trace and length files a process has parsed: the points of a sweep that name one file share one parse. A
/// file is known by its path, size and modification time, so one changed between two loads is read again. Safe to
/// use from several threads (a sweep loads points on each of its jobs). Only files that parsed are kept; a bad one
/// is read, and reported, at every load.
final class WorkloadFileCache: @unchecked Sendable {
    /// The process's cache.
    static let shared = WorkloadFileCache()

    /// A file as it is on disk now.
    struct Version: Hashable {
        var path: String
        var size: UInt64
        var modified: Date
    }

    private let lock = NSLock()
    private var traces: [String: (version: Version, table: TraceTable)] = [:]
    private var lengthTables: [String: (version: Version, table: LengthTable)] = [:]

    /// The file at `path` as it is now; nil when it cannot be looked at (reading it then reports why).
    static func version(of path: String) -> Version? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.uint64Value,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return Version(path: path, size: size, modified: modified)
    }

    /// The trace at `path` in `format`, parsed by `parse` unless this version of the file was parsed before.
    func trace(path: String, format: TraceTable.Format, parse: () throws -> TraceTable) rethrows -> TraceTable {
        try cached(in: \.traces, key: "\(format.rawValue):\(path)", path: path, parse: parse)
    }

    /// The length table at `path`, parsed by `parse` unless this version of the file was parsed before.
    func lengthTable(path: String, parse: () throws -> LengthTable) rethrows -> LengthTable {
        try cached(in: \.lengthTables, key: path, path: path, parse: parse)
    }

    private func cached<Table>(in store: ReferenceWritableKeyPath<WorkloadFileCache, [String: (version: Version, table: Table)]>,
                               key: String, path: String, parse: () throws -> Table) rethrows -> Table {
        guard let version = Self.version(of: path) else { return try parse() }
        lock.lock()
        if let entry = self[keyPath: store][key], entry.version == version {
            lock.unlock()
            return entry.table
        }
        lock.unlock()
        let table = try parse()
        lock.lock()
        self[keyPath: store][key] = (version, table)
        lock.unlock()
        return table
    }
}
