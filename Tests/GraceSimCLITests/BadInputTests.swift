import GraceSimTestSupport
import Foundation
import Testing

/// Guards docs/architecture.md ("Bad input is a message"): each broken experiment (and each broken `--set`) makes `validate` and
/// `run` exit with status 2 and print one line naming the file, the key and what was expected, never a
/// trap or a stack trace.
@Suite struct BadInputTests {
    @Test(arguments: ["validate", "run"], BadInput.all)
    func badInputIsOneLineAndExitStatus2(command: String, input: BadInput) async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let expand = { (text: String) in text.replacingOccurrences(of: "$DIR", with: folder.url.path) }
        for (name, text) in input.files { try folder.write(name, expand(text)) }
        let experiment = folder.path("experiment.yaml")
        let result = try await GraceSimProcess.run([command, experiment])
        expectBadInput(result, file: input.reportedFile.map(expand) ?? experiment, key: expand(input.key),
                       mentions: input.mentions.map(expand))
    }

    @Test(arguments: ["validate", "run"])
    func missingFileGivenRelative(command: String) async throws {
        let result = try await GraceSimProcess.run([command, "Configs/experiments/no-such-experiment.yaml"])
        expectBadInput(result, file: "Configs/experiments/no-such-experiment.yaml", key: "", mentions: ["no such file"])
    }

    @Test func setWithoutEquals() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "workload.arrivals.rate"])
        expectBadInput(result, file: "<command line>", key: "workload.arrivals.rate", mentions: ["key.path=value"])
    }

    @Test func setWithAnIndexOutOfRange() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "instances.5.memory_fraction=0.1"])
        expectBadInput(result, file: "<command line>", key: "instances.5.memory_fraction", mentions: ["list of 1", "\"5\""])
    }

    @Test func setWithARateOfZero() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", "workload.arrivals.rate=0"])
        expectBadInput(result, file: CLI.defaultExperiment, key: "workload.arrivals.rate", mentions: ["greater than 0"])
    }

    @Test(arguments: [
        ("instances.0.activation_reserve_gb=1e300", "instances.0.activation_reserve_gb"),
        ("simulation.max_time_s=1e300", "simulation.max_time_s"),
        ("metrics.sample_interval_s=1e300", "metrics.sample_interval_s"),
        ("instances.0.max_num_seqs=1000000000000000", "instances.0.max_num_seqs"),
        ("instances.0.block_size=1000000000000000", "instances.0.block_size"),
    ])
    func setWithAHugeValue(assignment: String, key: String) async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--set", assignment])
        expectBadInput(result, file: CLI.defaultExperiment, key: key)
    }
}
