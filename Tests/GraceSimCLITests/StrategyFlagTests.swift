import GraceSimTestSupport
import Foundation
import Testing

/// `--strategy` beside `--set strategy=...` in every command that takes both (run, trace, capacity, bench): the
/// `--set` options apply to the strategy `--strategy` names, and a `--set` naming another strategy is refused in
/// one line naming both. A bad option value shows that the options reach the loader: it used to be dropped silently.
@Suite struct StrategyFlagTests {
    static let badBuffers = ["--strategy", "remap", "--set", "strategy={kind: remap, buffers: 3}"]
    static let otherKind = ["--strategy", "remap", "--set", "strategy={kind: pie, buffers: 2}"]

    /// Each command with the default experiment and whatever else it needs to get as far as loading it.
    static let commands: [[String]] = [
        ["run", CLI.defaultExperiment] + CLI.quick,
        ["trace", CLI.defaultExperiment, "--out", "/tmp/gracesim-strategy-flag-unused.json"] + CLI.quick,
        ["capacity", CLI.defaultExperiment, "--slo", "ttft_p99_ms=500"] + CLI.quick,
        ["bench", CLI.defaultExperiment, "--runs", "1", "--requests", "20"],
    ]

    @Test(arguments: commands)
    func optionsOfTheSameStrategyReachTheLoader(command: [String]) async throws {
        let result = try await GraceSimProcess.run(command + Self.badBuffers)
        expectBadInput(result, file: CLI.defaultExperiment, key: "strategy.buffers", mentions: ["expected 1, 2 or auto", "\"3\""])
    }

    @Test(arguments: commands)
    func anotherStrategyIsRefusedNamingBoth(command: [String]) async throws {
        let result = try await GraceSimProcess.run(command + Self.otherKind)
        expectBadInput(result, file: "<command line>", key: "strategy",
                       mentions: ["--strategy remap", "--set strategy={kind: pie, buffers: 2}", "name different strategies"])
    }

    @Test func optionsApplyWhicheverComesFirst() async throws {
        let before = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "strategy.buffers=3", "--strategy", "remap"] + CLI.quick)
        expectBadInput(before, file: CLI.defaultExperiment, key: "strategy.buffers", mentions: ["\"3\""])
        let good = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "strategy={kind: remap, buffers: 2}",
                                                  "--strategy", "remap", "--json"] + CLI.quick)
        expectSuccess(good)
        let root = try #require(try JSONSerialization.jsonObject(with: good.stdout) as? [String: Any])
        #expect(root["strategy"] as? String == "remap")
    }
}
