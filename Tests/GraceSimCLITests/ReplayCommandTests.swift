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

    static let rtx4090 = "Workloads/vllm-runs/llmservingsim-rtx4090-vllm-0.19.0-llama-3.1-8b"

    /// A result gracesim saved replays on the same experiment to the same numbers: the same requests at the same
    /// times, so every row's error is zero. Its `model_id` is the model as the experiment names it.
    @Test func itsOwnSavedResultReplaysExactly() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let experiment = try folder.write("hf.yaml", """
            hardware: gh200-96gb
            instances: [{model: meta-llama/Meta-Llama-3-8B, gpu_memory_utilization: 0.9, max_num_seqs: 64}]
            workload:
              max_requests: 120
              arrivals: {kind: gamma, rate: 12, cv: 2}
              lengths: {kind: file, path: Workloads/lengths/sharegpt-first-turn.csv, sampling: shuffled}

            """)
        let saved = folder.path("saved.json")
        expectSuccess(try await GraceSimProcess.run(["run", experiment, "--save-result", saved]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        #expect(json["model_id"] as? String == "meta-llama/Meta-Llama-3-8B")
        let gracesim = try #require(json["gracesim"] as? [String: Any])
        #expect((gracesim["arrival_times"] as? [Double])?.count == 120)
        #expect(gracesim["hardware"] as? String == "gh200-96gb")

        let replayed = try await GraceSimProcess.run(["replay", saved, "--experiment", experiment, "--json"])
        expectSuccess(replayed)
        #expect(replayed.stderrText.isEmpty, "\(replayed.stderrText)")
        let comparison = try #require(try JSONSerialization.jsonObject(with: replayed.stdout) as? [String: Any])
        let rows = try #require(comparison["rows"] as? [[String: Any]])
        #expect(rows.count == 13)  // TTFT, TPOT, ITL, E2E at three statistics each, and output throughput
        for row in rows {
            let real = try #require(row["real"] as? Double), simulated = try #require(row["simulated"] as? Double)
            #expect(abs(real - simulated) <= 1e-9 * abs(real), "\(row)")
        }
    }

    /// Replaying the RTX 4090 run on the GH200 default experiment says, in one line, each way they differ.
    @Test func aDifferentExperimentIsNamedInOneWarning() async throws {
        let result = try await GraceSimProcess.run(["replay", Self.rtx4090, "--experiment", CLI.defaultExperiment])
        expectSuccess(result)
        let lines = result.stderrLines.filter { $0.hasPrefix("warning: ") }
        #expect(lines.count == 1)
        for text in ["model llama-3-8b (the run: meta-llama/Llama-3.1-8B)", "GPU gh200-96gb (the run: NVIDIA GeForce RTX 4090",
                     "max_num_batched_tokens 8192 (the run: 2048)", "enable_chunked_prefill false (the run: true)"] {
            #expect(lines.first?.contains(text) == true, "\(text) in \(lines)")
        }
    }

    /// Without an experiment, the run's meta.json gives the mirror: its model, the preset of its GPU and its engine
    /// arguments, as its validation experiment has them, so the two replays agree.
    @Test func theMirrorOfARunIsItsValidationExperiment() async throws {
        let mirror = try await GraceSimProcess.run(["replay", Self.rtx4090, "--json"])
        let validation = try await GraceSimProcess.run(["replay", Self.rtx4090, "--experiment",
                                                        "Configs/experiments/validation-rtx4090-llama-3.1-8b.yaml", "--json"])
        expectSuccess(mirror)
        expectSuccess(validation)
        #expect(!mirror.stderrText.contains("differs from the run"))
        func rows(_ result: GraceSimProcess.Result) throws -> [Double] {
            let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            return (object["rows"] as? [[String: Any]] ?? []).compactMap { $0["simulated"] as? Double }
        }
        #expect(try rows(mirror) == rows(validation))
        #expect(try !rows(mirror).isEmpty)
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
