import GraceSimTestSupport
import Foundation
import Testing

/// `gracesim replay`: a real run against its experiment, and bad input as one line with exit status 2.
@Suite struct ReplayCommandTests {
    static let run = "Workloads/vllm-runs/llmservingsim-rtxpro6000-vllm-0.19.0-llama-3.1-8b"
    static let experiment = "Configs/experiments/validation-rtxpro6000-llama-3.1-8b.yaml"

    @Test func printsEveryRow() async throws {
        let result = try await GraceSimProcess.run(["replay", Self.run, "--experiment", Self.experiment])
        expectSuccess(result)
        for label in ["TTFT median", "TPOT P90", "E2E P99", "output throughput"] {
            #expect(result.stdoutText.contains(label), "\(label) in \(result.stdoutText)")
        }
    }

    @Test func missingRun() async throws {
        let result = try await GraceSimProcess.run(["replay", "no-such-run", "--experiment", Self.experiment])
        expectBadInput(result, file: "no-such-run", key: "")
    }

    @Test func malformedLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("requests.jsonl", """
            {"input_toks": 10, "output_toks": 2, "arrival_time": 5, "queued_ts": 1, "first_token_ts": 2, "last_token_ts": 3}
            not json

            """)
        let result = try await GraceSimProcess.run(["replay", file, "--experiment", Self.experiment])
        expectBadInput(result, file: file, key: "line 2", mentions: ["JSON object"])
    }

    @Test func saveResultWithMismatchedLengths() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("bench.json", """
            {"request_rate": 1, "input_lens": [10, 20], "output_lens": [2], "ttfts": [0.1, 0.2], "itls": [[0.01], [0.02]]}
            """)
        let result = try await GraceSimProcess.run(["replay", file, "--experiment", Self.experiment])
        expectBadInput(result, file: file, key: "output_lens", mentions: ["(2)"])
    }
}
