import Foundation
@testable import GraceSimStore

/// Paths and small sweeps shared by the store tests.
enum StoreFixtures {
    /// The repository root: two levels above this file's folder.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

    /// The default experiment, shortened, with `axes` (YAML text of the `axes:` mapping's body).
    static func sweepText(name: String = "tiny", axes: String, extra: String = "") -> String {
        """
        name: \(name)
        base: \(path("Configs/experiments/default.yaml"))
        set: {workload.max_requests: 60}
        axes:
        \(axes)
        \(extra)
        """
    }

    /// Parses a sweep given as text.
    static func spec(_ text: String) throws -> SweepSpec {
        try SweepSpec.parse(text, file: "test-sweep.yaml")
    }
}

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct ScratchFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gracesim-store-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension StoredRun {
    /// The overall value of `metric`.
    func overall(_ metric: String) -> Double? { metrics["overall"]?[metric] }
}

/// The finished runs of a store as (config hash → metrics), for comparing two stores.
func resultsByHash(_ store: ResultStore) throws -> [String: [String: [String: Double]]] {
    var out: [String: [String: [String: Double]]] = [:]
    for run in try store.runs() where run.run.status == .finished { out[run.run.configHash] = run.metrics }
    return out
}
