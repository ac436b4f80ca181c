import Foundation

/// The presets (`Configs/hardware`, `Configs/models`) and workload files (`Workloads/lengths`, `Workloads/traces`)
/// built into the executable (the `BundleDataFiles` plugin generates `files` and `digest` from the package's
/// folders), for a `gracesim` that runs away from the repository.
///
/// The files are read through paths like every other input, so the first use writes them once to
/// `$XDG_CACHE_HOME/gracesim/bundled-<digest>` (default `~/.cache`; the temporary folder when neither is
/// writable), a folder named after their content: a newer build gets its own folder, and nothing is rewritten.
enum BundledDataFiles {
    /// The folder holding `Configs/` and `Workloads/` with the bundled files, written when missing.
    static func extracted(environment: [String: String]) throws -> String {
        var parents: [String] = []
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            parents.append(cache + "/gracesim")
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            parents.append(home + "/.cache/gracesim")
        }
        parents.append(FileManager.default.temporaryDirectory.appendingPathComponent("gracesim-\(getuid())").path)
        var failure = ""
        for parent in parents {
            let folder = "\(parent)/bundled-\(digest)"
            if FileManager.default.fileExists(atPath: folder + "/Configs") { return folder }
            do {
                try write(into: folder)
                return folder
            } catch {
                failure = "\(parent): \(error.localizedDescription)"
            }
        }
        throw ConfigError(file: "Configs", key: "", "cannot write the bundled presets to a folder (\(failure)); set GRACESIM_CONFIGS to a Configs folder")
    }

    /// Writes every file into a fresh sibling of `folder`, then renames it to `folder` in one step, so that a
    /// process never sees a half-written folder; when another process renamed its copy first, that one is kept.
    private static func write(into folder: String) throws {
        let manager = FileManager.default
        let parent = (folder as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = "\(folder).partial-\(getpid())-\(UUID().uuidString)"
        defer { try? manager.removeItem(atPath: staging) }
        for file in files {
            let path = "\(staging)/\(file.path)"
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: URL(fileURLWithPath: path))
        }
        if rename(staging, folder) != 0 && !manager.fileExists(atPath: folder + "/Configs") {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: folder])
        }
    }
}
