import Foundation

/// The kernel tables a process has read: each `.kernels` file (about 1.5 MB) is parsed once however many experiments
/// name it, and again only if it changes (``ParsedFileCache``). Safe to use from several threads (a sweep loads
/// points on each of its jobs).
public final class KernelTableCache: Sendable {
    /// The process's cache.
    public static let shared = KernelTableCache()

    private let tables = ParsedFileCache<KernelTables>()

    /// The tables called `name` in the first of `directories` that holds `<name>.kernels`.
    /// - Throws: ``ConfigError`` naming `file` and `key` (where the name was written) when no folder has them or
    ///   the file is not a valid table file.
    public func tables(named name: String, in directories: [String], file: String, key: String) throws -> KernelTables {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ConfigError(file: file, key: key, "expected the name of a kernel table file in Configs/kernels, such as h100-sxm")
        }
        guard let path = directories.map({ "\($0)/\(name).kernels" }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            let known = directories.flatMap { (try? FileManager.default.contentsOfDirectory(atPath: $0)) ?? [] }
                .filter { $0.hasSuffix(".kernels") }.map { String($0.dropLast(8)) }
            let names = Array(Set(known)).sorted()
            throw ConfigError(file: file, key: key, "unknown kernel tables \"\(name)\" (\(NearestName.hint(for: name, among: names))"
                              + "known: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
        }
        return try tables.value(key: path, path: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, key: "", "cannot read the kernel table file as UTF-8 text")
            }
            return try KernelTables.load(text: text, file: path, name: name)
        }
    }
}
