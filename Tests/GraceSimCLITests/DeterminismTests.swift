import GraceSimTestSupport
import Testing

/// Guards docs/architecture.md ("Determinism") at the command line: the same experiment and seed give byte-identical standard
/// output, a different seed gives different output, and wall-clock figures go to standard error only.
@Suite struct DeterminismTests {
    @Test(arguments: [[], ["--json"]])
    func sameSeedGivesIdenticalOutput(format: [String]) async throws {
        let arguments = ["run", CLI.defaultExperiment, "--seed", "7"] + format + CLI.quick
        let first = try await GraceSimProcess.run(arguments)
        let second = try await GraceSimProcess.run(arguments)
        expectSuccess(first)
        expectSuccess(second)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout, "two runs of \(arguments) differ")
    }

    /// Every strategy under every sharing mode: two `run --json` processes (each with its own randomly seeded
    /// `Hasher`) print the same bytes. A sum or an order taken from a dictionary would differ between them.
    @Test(arguments: ["temporal", "mps", "mig"], ["recompute", "swap", "pie", "offload", "remap"])
    func twoProcessesPrintTheSameBytes(sharing: String, strategy: String) async throws {
        let arguments = ["run", "Configs/experiments/c1-\(sharing).yaml", "--strategy", strategy, "--json",
                         "--set", "workload.arrivals.end_s=60", "--set", "workload.arrivals.rate_scale=1"]
        let first = try await GraceSimProcess.run(arguments)
        let second = try await GraceSimProcess.run(arguments)
        expectSuccess(first)
        expectSuccess(second)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout, "two processes of \(arguments) differ")
    }

    @Test(arguments: [[], ["--json"]])
    func differentSeedGivesDifferentOutput(format: [String]) async throws {
        let one = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--seed", "1"] + format + CLI.quick)
        let two = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--seed", "2"] + format + CLI.quick)
        expectSuccess(one)
        expectSuccess(two)
        #expect(one.stdout != two.stdout)
    }

    @Test func wallClockTimeGoesToStandardErrorOnly() async throws {
        for format in [[], ["--json"]] {
            let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment] + format + CLI.quick)
            expectSuccess(result)
            #expect(!result.stdoutText.lowercased().contains("wall"), "wall-clock text on stdout")
            #expect(result.stderrText.contains("wall"), "no wall time on stderr: \(result.stderrText)")
        }
    }
}
