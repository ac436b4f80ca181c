import Foundation

/// Files a process has parsed into `Value`s, so that the experiments and sweep points that name one file share one
/// parse. A file is known by its path, size and modification time, so one changed between two loads is read again.
/// Only files that parsed are kept: a bad one is read, and reported, at every load. Safe to use from several threads
/// (a sweep loads points on each of its jobs); two threads that miss at once may both parse, and either result is
/// kept.
final class ParsedFileCache<Value>: @unchecked Sendable {
    /// A file as it is on disk now.
    struct Version: Hashable {
        var path: String
        var size: UInt64
        var modified: Date
    }

    private let lock = NSLock()
    private var entries: [String: (version: Version, value: Value)] = [:]

    /// The file at `path` as it is now; nil when it cannot be looked at (reading it then reports why).
    static func version(of path: String) -> Version? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.uint64Value,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return Version(path: path, size: size, modified: modified)
    }

    /// The value stored under `key` for the file at `path`, parsed by `parse` unless this version of the file was
    /// parsed before. `key` is the path, or the path with whatever else changes the parse (such as a format).
    func value(key: String, path: String, parse: () throws -> Value) rethrows -> Value {
        guard let version = Self.version(of: path) else { return try parse() }
        lock.lock()
        if let entry = entries[key], entry.version == version {
            lock.unlock()
            return entry.value
        }
        lock.unlock()
        let value = try parse()
        lock.lock()
        entries[key] = (version, value)
        lock.unlock()
        return value
    }
}
