import GraceSimTestSupport
import Foundation
@testable import GraceSim

/// Shared helpers for the workload tests: the repository root, YAML loading and scratch data files.
enum WorkloadFixtures {
    /// The repository root.
    static var repoRoot: String { Repository.root.path }

    /// Parses `yaml` as the experiment file `exp.yaml` and loads its `workload:` section.
    static func spec(_ yaml: String, instances: Int = 1, base: String = "/nonexistent-base") throws -> WorkloadSpec {
        let root = try ConfigNode.parse(yaml, file: "exp.yaml")
        let node = try root.object().required("workload")
        return try WorkloadSpec.load(from: node, instanceCount: instances, projectRoot: repoRoot, baseDirectory: base)
    }

    /// The first `count` requests (or all, if fewer) of `spec` under `seed`.
    static func requests(_ spec: WorkloadSpec, seed: UInt64 = 1, count: Int = .max) -> [RequestSpec] {
        var generator = spec.makeGenerator(seed: seed)
        var result: [RequestSpec] = []
        while result.count < count, let request = generator.next() { result.append(request) }
        return result
    }

    /// A fresh directory holding `files` (name → contents).
    static func directory(with files: [String: String]) throws -> String {
        let folder = try ScratchFolder()
        for (name, contents) in files.sorted(by: { $0.key < $1.key }) { try folder.write(name, contents) }
        return folder.url.path
    }

    /// The trace file `name` under Workloads/traces, parsed in `format`.
    static func trace(_ name: String, format: TraceTable.Format) throws -> TraceTable {
        let text = try String(contentsOfFile: "\(repoRoot)/Workloads/traces/\(name)", encoding: .utf8)
        return try TraceTable(text: text, format: format)
    }
}
