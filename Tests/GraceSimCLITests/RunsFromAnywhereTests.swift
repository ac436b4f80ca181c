import GraceSimTestSupport
import Foundation
import Testing

/// A copy of the `gracesim` binary alone, run from a folder outside the repository on an experiment kept there,
/// finds its presets and workload files in itself, and gives the bytes it gives in the repository.
@Suite struct RunsFromAnywhereTests {
    static let experiment = """
        name: elsewhere
        hardware: gh200-96gb
        instances:
          - {model: llama-3-8b, memory_fraction: 0.9}
        workload:
          max_requests: 200
          arrivals: {kind: trace, path: Workloads/traces/azure-conv-2023.csv, rate_scale: 0.5}
          lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv, max_prompt: 7168}
        """

    @Test func aCopiedBinaryRunsAnExperimentInAnyFolder() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let built = try #require(GraceSimProcess.executable)
        try FileManager.default.createDirectory(atPath: folder.path("bin"), withIntermediateDirectories: true)
        let copy = URL(fileURLWithPath: folder.path("bin/gracesim"))
        try FileManager.default.copyItem(at: built, to: copy)
        let experiment = try folder.write("elsewhere.yaml", Self.experiment)
        let cache = ["XDG_CACHE_HOME": folder.path("cache")]

        let away = try await GraceSimProcess.run(["run", experiment, "--json"], environment: cache, directory: folder.url, executable: copy)
        expectSuccess(away)
        #expect(FileManager.default.fileExists(atPath: folder.path("cache/gracesim")), "the bundled copy was not used")
        let home = try await GraceSimProcess.run(["run", experiment, "--json"])
        expectSuccess(home)
        #expect(away.stdout == home.stdout)
        let root = try #require(try JSONSerialization.jsonObject(with: away.stdout) as? [String: Any])
        #expect(root["experiment"] as? String == "elsewhere")

        let listed = try await GraceSimProcess.run(["list", "hardware"], environment: cache, directory: folder.url, executable: copy)
        expectSuccess(listed)
        #expect(listed.stdoutText.contains("gh200-96gb"))

        let wrong = try await GraceSimProcess.run(["run", experiment], environment: ["GRACESIM_CONFIGS": folder.path("nowhere")],
                                                  directory: folder.url, executable: copy)
        expectBadInput(wrong, file: "GRACESIM_CONFIGS", key: "", mentions: ["hardware/ and models/"])
    }
}
