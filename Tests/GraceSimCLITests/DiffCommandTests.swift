import GraceSimTestSupport
import Foundation
import Testing

/// `gracesim diff --match axes`: a policy A/B, two sweeps of one grid whose base experiments differ, compared point
/// by point by their axis values (matched by config hash, every run would be missing and added).
@Suite struct DiffCommandTests {
    static func experiment(_ instance: String) -> String {
        """
        hardware: gh200-96gb
        instances: [{model: llama-3-8b\(instance)}]
        workload: {max_requests: 60, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 256, output: 64}}

        """
    }

    static func sweep(_ name: String, base: String) -> String {
        "name: \(name)\nbase: \(base)\naxes:\n  workload.arrivals.rate: [2, 8]\nseeds: [1, 2]\n"
    }

    /// Sweeps `a.yaml` (policy A) and `b.yaml` (policy B, the instance changed by `change`) into two databases.
    static func abDatabases(_ change: String, in folder: ScratchFolder) async throws -> (String, String) {
        try folder.write("a.yaml", experiment(""))
        try folder.write("b.yaml", experiment(change))
        try folder.write("sweep-a.yaml", sweep("policy-a", base: "a.yaml"))
        try folder.write("sweep-b.yaml", sweep("policy-b", base: "b.yaml"))
        let (a, b) = (folder.path("a.sqlite"), folder.path("b.sqlite"))
        expectSuccess(try await GraceSimProcess.run(["sweep", folder.path("sweep-a.yaml"), "--db", a, "--quiet"]))
        expectSuccess(try await GraceSimProcess.run(["sweep", folder.path("sweep-b.yaml"), "--db", b, "--quiet"]))
        return (a, b)
    }

    /// A change that moves nothing: every point matches, the one config key that differs is named, exit 0. By
    /// config hash the same databases share no run.
    @Test func aChangeThatMovesNothingPasses() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let (a, b) = try await Self.abDatabases(", watermark: 0.02", in: folder)
        let byAxes = try await GraceSimProcess.run(["diff", a, b, "--match", "axes", "--tolerance", "0%"])
        expectSuccess(byAxes)
        let lines = byAxes.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "runs matched by axis values and seed; their configs differ in 1 keys:")
        #expect(lines.contains("  instances.0.watermark: absent -> 0.02"))
        #expect(byAxes.stdoutText.contains("4 runs compared, 0 metrics moved beyond 0%, 0 regressions, 0 runs missing, 0 only in NEW"))
        let byConfig = try await GraceSimProcess.run(["diff", a, b])
        #expect(byConfig.status == 1)
        #expect(byConfig.stdoutText.contains("0 runs compared") && byConfig.stdoutText.contains("4 runs missing, 4 only in NEW"))
    }

    /// A policy that serves two sequences at a time instead of 256: TTFT rises at every point, each listed as WORSE,
    /// exit 1 as for any regression.
    @Test func aWorsePolicyIsARegressionAtEveryPoint() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let (a, b) = try await Self.abDatabases(", max_num_seqs: 2", in: folder)
        let result = try await GraceSimProcess.run(["diff", a, b, "--match", "axes", "--metrics", "ttft_mean_ms"])
        #expect(result.status == 1, "\(result.stdoutText)\(result.stderrText)")
        #expect(result.stdoutText.contains("  instances.0.max_num_seqs: absent -> 2"))
        let lines = result.stdoutText.split(separator: "\n")
        let worse = lines.filter { $0.hasPrefix("  WORSE") && $0.contains(" overall ttft_mean_ms:") }
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(result.stdoutText)")
        #expect(worse.count == 4, "\(result.stdoutText)")
    }

    @Test func anUnknownMatchIsOneLine() async throws {
        let result = try await GraceSimProcess.run(["diff", "a.sqlite", "b.sqlite", "--match", "hash"])
        #expect(result.status == 2)
        #expect(result.stderrLines.count == 1 && result.stderrText.contains("--match"), "\(result.stderrText)")
    }
}
