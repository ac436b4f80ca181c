import GraceSimTestSupport
import Testing
@testable import GraceSim

/// `engine:` and `enable_prefix_caching`: V1's defaults, and the warning when prefix caching has nothing to share.
@Suite struct EngineSettingsTests {
    static func yaml(instance: String, lengths: String = "{kind: fixed, prompt: 100, output: 20}") -> String {
        VLLMBenchmarkSettingsTests.yaml(instance: instance, lengths: lengths)
    }

    /// On a 96 GB GH200 (at least 70 GiB, not an A100) V1 takes 8,192 tokens and 1,024 sequences, chunks prefills,
    /// caches prefixes and keeps no watermark; V0 keeps its own defaults.
    @Test func v1TakesItsDefaults() throws {
        let v1 = try TestExperiments.experiment(Self.yaml(instance: ", engine: vllm-v1")).instances[0]
        #expect((v1.maxNumBatchedTokens, v1.maxNumSeqs, v1.chunkedPrefill, v1.prefixCaching, v1.watermark) == (8192, 1024, true, true, 0))
        #expect(v1.engineOverhead == .vllmV1)
        let v0 = try TestExperiments.experiment(Self.yaml(instance: "")).instances[0]
        #expect((v0.maxNumSeqs, v0.chunkedPrefill, v0.prefixCaching, v0.watermark, v0.engine) == (256, false, false, 0.01, .vllmV0))
        #expect(v0.engineOverhead == .vllmV0)
        // A budget below V1's default sequences caps them, as vLLM's min of the two does.
        let small = try TestExperiments.experiment(Self.yaml(instance: ", engine: vllm-v1, max_num_batched_tokens: 512")).instances[0]
        #expect(small.maxNumSeqs == 512)
    }

    /// Prefix caching by V1's default on a workload that says nothing about shared tokens is a warning naming the
    /// key; asked for explicitly, or on a workload with a prompt pool, it is not.
    @Test func prefixCachingWithoutSharedTokensWarns() throws {
        let defaulted = try TestExperiments.experiment(Self.yaml(instance: ", engine: vllm-v1"))
        #expect(defaulted.warnings.map(\.key) == ["instances.0.enable_prefix_caching"])
        #expect(defaulted.warnings.first?.message.contains("shared prompt tokens") == true)
        let explicit = try TestExperiments.experiment(Self.yaml(instance: ", engine: vllm-v1, enable_prefix_caching: true"))
        #expect(explicit.warnings.isEmpty)
        let pooled = try TestExperiments.experiment(Self.yaml(instance: ", engine: vllm-v1",
                                                              lengths: "{kind: fixed, prompt: 100, output: 20, num_dataset_entries: 10}"))
        #expect(pooled.warnings.isEmpty)
    }
}
