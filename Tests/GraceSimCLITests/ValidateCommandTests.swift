import GraceSimTestSupport
import Foundation
import Testing

/// Guards `gracesim validate` on good input: every preset and experiment in Configs passes, and so does
/// an experiment outside the repository that names a workload file relative to the repository root.
@Suite struct ValidateCommandTests {
    /// Every YAML file under Configs/models, Configs/hardware and Configs/experiments, relative to the root.
    static let shippedFiles: [String] = ["models", "hardware", "experiments"].flatMap { folder -> [String] in
        let directory = GraceSimProcess.repositoryRoot.appendingPathComponent("Configs/\(folder)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "Configs/\(folder)/\($0)" }
    }

    @Test func theShippedFilesAreFound() {
        #expect(Self.shippedFiles.count >= 18, "\(Self.shippedFiles)")
    }

    @Test(arguments: shippedFiles)
    func shippedFileIsValid(path: String) async throws {
        let result = try await GraceSimProcess.run(["validate", path])
        expectSuccess(result)
        #expect(result.stdoutText.hasPrefix("\(path): valid "), "\(result.stdoutText)")
        #expect(result.stderr.isEmpty, "\(result.stderrText)")
    }

    /// A downloaded model's folder (or a Hugging Face cache snapshot) is checked by its config.json.
    @Test func aModelFolderValidatesByItsConfig() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        try folder.write("Qwen2.5-7B-Instruct/config.json", """
            {"model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944, "num_attention_heads": 28,
             "num_hidden_layers": 28, "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 32768}
            """)
        let path = folder.path("Qwen2.5-7B-Instruct")
        let result = try await GraceSimProcess.run(["validate", path])
        expectSuccess(result)
        #expect(result.stdoutText == "\(path): valid Hugging Face model config\n")
    }

    @Test func experimentInATemporaryFolderValidatesAndRuns() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = try folder.write("experiment.yaml", BadInput.baseExperiment)
        let validated = try await GraceSimProcess.run(["validate", path])
        expectSuccess(validated)
        #expect(validated.stdoutText == "\(path): valid experiment\n")
        let ran = try await GraceSimProcess.run(["run", path])
        expectSuccess(ran)
        #expect(ran.stdoutText.contains("llama-3-8b"))
    }

    @Test func validateListsEveryProblemAndRunOnlyTheFirst() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let text = BadInput.base(replacing: "    memory_fraction: 0.9\n", with: "    gpu_memory_utilisation: 0.9\n    max_num_seqs: 0\n    colour: red\n")
            + "metrics: {sample_interval_z: 1}\n"
        let path = try folder.write("experiment.yaml", text)
        let validated = try await GraceSimProcess.run(["validate", path])
        #expect(validated.status == 2)
        #expect(validated.stdout.isEmpty)
        let allowed: String = ["activation_reserve_gb", "block_size", "chunked_prefill", "data_parallel_size", "devices", "dtype",
                               "enable_chunked_prefill", "enable_expert_parallel", "enable_prefix_caching", "engine",
                               "engine_overhead", "expert_routing", "gpu_memory_utilization", "group_size", "kv_cache_dtype",
                               "max_model_len", "max_num_batched_tokens", "max_num_seqs", "memory_fraction", "mig_profile",
                               "model", "name", "quantization", "quantized_modules", "tensor_parallel_size", "watermark",
                               "weight_block_size"].joined(separator: ", ")
        let expected: [String] = [
            "error: \(path): instances.0.max_num_seqs: expected a positive integer, found 0",
            "error: \(path): instances.0.gpu_memory_utilisation: unknown key (did you mean \"gpu_memory_utilization\"? allowed here: \(allowed))",
            "error: \(path): instances.0.colour: unknown key (allowed here: \(allowed))",
            "error: \(path): metrics.sample_interval_z: unknown key (did you mean \"sample_interval_s\"? allowed here: sample_interval_s)",
        ]
        let lines: [String] = validated.stderrText.split(separator: "\n").map(String.init)
        #expect(lines == expected)
        let ran = try await GraceSimProcess.run(["run", path])
        #expect(ran.status == 2)
        #expect(ran.stderrText.split(separator: "\n").count == 1)
        #expect(ran.stderrText.hasPrefix("error: \(path): instances.0.max_num_seqs: expected a positive integer, found 0"))
    }
}
