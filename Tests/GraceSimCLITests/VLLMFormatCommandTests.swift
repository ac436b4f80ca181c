import GraceSimTestSupport
import Foundation
import Testing

/// `gracesim run --format vllm` and `--save-result`: the block agrees with gracesim's own report, the saved
/// JSON with the block, `gracesim replay` reads the saved file back, and several instances print one block each.
@Suite struct VLLMFormatCommandTests {
    /// The value printed after a label of the block.
    static func value(_ label: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(label) }.flatMap { Double($0.dropFirst(40).trimmingCharacters(in: .whitespaces)) }
    }

    @Test func theBlockAndTheSavedResultAgreeWithTheReportAndReplay() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let saved = folder.path("result.json")
        let block = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--format", "vllm", "--save-result", saved] + CLI.quick)
        expectSuccess(block)
        let text = block.stdoutText
        #expect(text.hasPrefix("============ Serving Benchmark Result ============\nSuccessful requests:                     200       \n"))
        #expect(text.hasSuffix("\n==================================================\n"))
        #expect(text.split(separator: "\n").count == 25)
        #expect(text.contains("\nFailed requests:                         0         \nRequest rate configured (RPS):           6.00      \n"))

        let report = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--json"] + CLI.quick)
        let overall = try #require((try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any])?["overall"] as? [String: Any])
        let duration = try #require(overall["duration_s"] as? Double)
        #expect(Self.value("Benchmark duration (s):", in: text) == (duration * 100).rounded() / 100)
        let ttft = try #require((overall["ttft"] as? [String: Any])?["mean_ms"] as? Double)
        #expect(abs(try #require(Self.value("Mean TTFT (ms):", in: text)) - ttft) <= 0.005 + 1e-9)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        #expect(json["completed"] as? Int == 200)
        #expect((json["input_lens"] as? [Any])?.count == 200)
        #expect((json["itls"] as? [[Double]])?.count == 200)
        #expect(abs(try #require(json["duration"] as? Double) - duration) < 1e-9)
        #expect(Self.value("P99 ITL (ms):", in: text) == ((try #require(json["p99_itl_ms"] as? Double)) * 100).rounded() / 100)

        let replayed = try await GraceSimProcess.run(["replay", saved, "--experiment", CLI.defaultExperiment, "--json"])
        expectSuccess(replayed)
        let comparison = try #require(try JSONSerialization.jsonObject(with: replayed.stdout) as? [String: Any])
        #expect(comparison["requests"] as? Int == 200)
    }

    @Test func severalInstancesPrintABlockEachAndAnOverallOne() async throws {
        let result = try await GraceSimProcess.run(["run", "Configs/experiments/c1-temporal.yaml", "--format", "vllm",
                                                    "--set", "workload.arrivals.end_s=30"])
        expectSuccess(result)
        let headers = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("Instance: ") }
        #expect(headers == ["Instance: opt-13b", "Instance: llama-2-13b", "Instance: llama-3-8b", "Instance: overall"])
        #expect(result.stdoutText.components(separatedBy: "Serving Benchmark Result").count == 5)
    }

    @Test func theSameRunWritesTheSameBytesInTwoProcesses() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        var outputs: [Data] = []
        for name in ["a.json", "b.json"] {
            let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--format", "vllm", "--save-result", folder.path(name),
                                                        "--set", "workload.max_requests=60"])
            expectSuccess(result)
            outputs += [result.stdout, try Data(contentsOf: URL(fileURLWithPath: folder.path(name)))]
        }
        #expect(outputs[0] == outputs[2])
        #expect(outputs[1] == outputs[3])
    }

    /// With `max_model_len: 1024`, the requests that do not fit are rejected at arrival: failed requests, as the
    /// benchmark counts a request the server refuses. The legacy block names successful requests only.
    @Test func rejectedRequestsAreFailedOnesAndTheLegacyBlockIsThere() async throws {
        let arguments = ["run", CLI.defaultExperiment, "--set", "instances.0.max_model_len=1024", "--set", "workload.max_requests=100"]
        let current = try await GraceSimProcess.run(arguments + ["--format", "vllm"])
        let report = try await GraceSimProcess.run(arguments + ["--json"])
        let legacy = try await GraceSimProcess.run(arguments + ["--format", "vllm-legacy"])
        expectSuccess(current)
        expectSuccess(legacy)
        let overall = try #require((try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any])?["overall"] as? [String: Any])
        let requests = try #require(overall["requests"] as? [String: Any])
        let rejected = try #require(requests["rejected"] as? Int)
        #expect(rejected > 0)
        #expect(Self.value("Failed requests:", in: current.stdoutText) == Double(rejected))
        #expect(Self.value("Successful requests:", in: current.stdoutText) == Double(100 - rejected))
        #expect(Self.value("Peak concurrent requests:", in: current.stdoutText).map { $0 >= 1 } == true)
        #expect(!legacy.stdoutText.contains("Failed requests:") && !legacy.stdoutText.contains("Peak"))
        #expect(legacy.stdoutText.contains("Total Token throughput (tok/s):"))
        #expect(Self.value("Successful requests:", in: legacy.stdoutText) == Double(100 - rejected))
    }

    @Test func formatAndJSONTogetherAreOneLine() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--format", "vllm", "--json"] + CLI.quick)
        #expect(result.status == 2)
        #expect(result.stderrText == "error: <command line>: --format: vllm conflicts with --json; give one of them\n")
    }
}
