import GraceSimTestSupport
import Foundation
import Testing
import Yams
@testable import GraceSim

/// vLLM's engine-argument names in experiment files: what each maps to, one spelling per setting, `--set` and
/// `base:` across spellings, and "did you mean" for a near miss.
@Suite struct VLLMEngineArgumentTests {
    static func yaml(instance: String, top: String = "") -> String {
        """
        name: vocab
        hardware: gh200-96gb
        \(top)
        instances: [{model: llama-3-8b, \(instance)}]
        workload: {max_requests: 20, arrivals: {kind: poisson, rate: 4}, lengths: {kind: fixed, prompt: 100, output: 100}}

        """
    }

    @Test func vllmNamesMeanTheEarlierOnes() throws {
        let vllm = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, enable_chunked_prefill: true"))
        let earlier = try TestExperiments.experiment(Self.yaml(instance: "memory_fraction: 0.5, chunked_prefill: true"))
        #expect(vllm.instances[0].gpuMemoryUtilization == 0.5)
        #expect(vllm.instances[0].chunkedPrefill)
        #expect(vllm.instances[0].maxNumBatchedTokens == earlier.instances[0].maxNumBatchedTokens)
        #expect(vllm.instances[0].activationReserveBytes == earlier.instances[0].activationReserveBytes)
    }

    @Test func bothSpellingsInOneMappingAreOneError() {
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, memory_fraction: 0.5")) }
        #expect(error?.description == "test.yaml: instances.0.memory_fraction: memory_fraction and gpu_memory_utilization are one setting; give only one of them")
        let both = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5", top: "strategy: swap\npreemption_mode: swap")) }
        #expect(both?.key == "preemption_mode")
        #expect(both?.message.contains("strategy") == true)
    }

    @Test func preemptionModeAndSwapSpaceChooseTheSwapStrategy() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5", top: "preemption_mode: swap\nswap_space: 16"))
        #expect(experiment.strategy.kind == .swap)
        guard let options = experiment.strategy.options(of: SwapStrategy.self) else { Issue.record("not swap options"); return }
        #expect(options.swapSpaceBytes == 16 << 30)
        let nested = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5", top: "strategy: {kind: swap, swap_space: 2}"))
        guard let nestedOptions = nested.strategy.options(of: SwapStrategy.self) else { Issue.record("not swap options"); return }
        #expect(nestedOptions.swapSpaceBytes == 2 << 30)
        let recompute = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5", top: "preemption_mode: recompute"))
        #expect(recompute.strategy.kind == .recompute)
    }

    @Test(arguments: [
        ("preemption_mode: pie", "preemption_mode", "expected recompute or swap"),
        ("swap_space: 8", "swap_space", "applies with preemption_mode: swap"),
        ("strategy: {kind: swap, swap_space_gib: 2}\nswap_space: 8", "swap_space", "is also given at strategy.swap_space_gib"),
        ("strategy: {kind: swap, swap_space: 2, swap_space_gib: 2}", "strategy.swap_space_gib", "one setting"),
    ])
    func badPreemptionSettingsAreOneLine(top: String, key: String, mention: String) {
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5", top: top)) }
        #expect(error?.key == key)
        #expect(error?.message.contains(mention) == true, "\(error?.description ?? "no error")")
    }

    @Test func aNearMissSuggestsTheKnownKey() {
        let misspelt = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilisation: 0.5")) }
        #expect(misspelt?.key == "instances.0.gpu_memory_utilisation")
        #expect(misspelt?.message.hasPrefix("unknown key (did you mean \"gpu_memory_utilization\"? allowed here:") == true)
        let optional = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, max_model_length: 100")) }
        #expect(optional?.key == "instances.0.max_model_length")
        #expect(optional?.message.hasPrefix("unknown key (did you mean \"max_model_len\"? allowed here:") == true)
        let dashed = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, max-num-seqs: 8")) }
        #expect(dashed?.message.contains("did you mean \"max_num_seqs\"?") == true)
        let far = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, colour: red")) }
        #expect(far?.message.hasPrefix("unknown key (allowed here:") == true)
    }

    @Test func nearestNameIsCloseOnlyAndIndependentOfOrder() {
        #expect(NearestName.suggestion(for: "max_num_seq", among: ["max_num_seqs", "max_num_batched_tokens"]) == "max_num_seqs")
        #expect(NearestName.suggestion(for: "max_num_seq", among: ["max_num_batched_tokens", "max_num_seqs"]) == "max_num_seqs")
        #expect(NearestName.suggestion(for: "itl_ms", among: ["ttft_ms", "tpot_ms", "e2el_ms"]) == nil)
        #expect(NearestName.suggestion(for: "ab", among: ["ba", "ab"]) == nil)  // the name itself is known
        #expect(NearestName.editDistance(Array("kitten"), Array("sitting")) == 3)
    }

    @Test func setAndBaseReplaceTheOtherSpelling() throws {
        let root = try ConfigNode.parse(Self.yaml(instance: "memory_fraction: 0.9"), file: "test.yaml")
        let overridden = try ConfigOverride(parsing: "instances.0.gpu_memory_utilization=0.3").apply(to: root)
        let experiment = try Experiment.load(overridden, baseDirectory: TestExperiments.repositoryRoot, catalog: TestExperiments.catalog)
        #expect(experiment.instances[0].gpuMemoryUtilization == 0.3)
        let strategy = try ConfigOverride(parsing: "strategy=swap").apply(
            to: try ConfigNode.parse(Self.yaml(instance: "memory_fraction: 0.9", top: "preemption_mode: recompute"), file: "test.yaml"))
        #expect(try Experiment.load(strategy, baseDirectory: TestExperiments.repositoryRoot, catalog: TestExperiments.catalog).strategy.kind == .swap)
        let merged = ConfigNode.merge(try Yams.compose(yaml: "{gpu_memory_utilization: 0.4}")!, over: try Yams.compose(yaml: "{memory_fraction: 0.9, max_num_seqs: 8}")!)
        #expect(merged == (try Yams.compose(yaml: "{max_num_seqs: 8, gpu_memory_utilization: 0.4}")!))
    }

    @Test func hashedFormUsesTheEarlierSpellings() throws {
        let vllm = try Yams.compose(yaml: "{preemption_mode: swap, instances: [{gpu_memory_utilization: 0.5, enable_chunked_prefill: true}]}")!
        let earlier = try Yams.compose(yaml: "{strategy: swap, instances: [{memory_fraction: 0.5, chunked_prefill: true}]}")!
        #expect(SettingSpellings.earlierSpellings(vllm) == earlier)
    }

    static func rejections(_ instance: String, prompt: Int = 100, output: Int = 100) throws -> (finished: Int, byReason: [String: Int], truncated: Int) {
        let yaml = Self.yaml(instance: instance).replacingOccurrences(of: "prompt: 100, output: 100", with: "prompt: \(prompt), output: \(output)")
        let report = try Simulator(experiment: try TestExperiments.experiment(yaml)).run()
        return (report.overall.requests.finished, report.overall.requests.rejectedByReason, report.overall.requests.truncated)
    }

    @Test func maxModelLenRejectsLongerRequestsAtArrival() throws {
        let tight = try Self.rejections("gpu_memory_utilization: 0.5, max_model_len: 199")
        #expect(tight.finished == 0)
        #expect(tight.byReason == ["exceeds-max-model-len": 20])
        let exact = try Self.rejections("gpu_memory_utilization: 0.5, max_model_len: 200")
        #expect(exact.finished == 20)
        #expect(exact.byReason.isEmpty)
        let longPrompt = try Self.rejections("gpu_memory_utilization: 0.5, max_model_len: 100")
        #expect(longPrompt.byReason == ["prompt-too-long": 20])
        // Without max_model_len the model's context applies and an output that does not fit is shortened.
        let unset = try Self.rejections("gpu_memory_utilization: 0.5", prompt: 8000, output: 500)
        #expect(unset.finished == 20)
        #expect(unset.truncated == 20)
    }

    @Test func maxModelLenSetsTheDefaultTokenBudgetAndIsBoundedByTheModel() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, max_model_len: 4096"))
        #expect(experiment.instances[0].maxNumBatchedTokens == 4096)
        #expect(experiment.instances[0].maxModelLen == 4096)
        let small = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, max_model_len: 512"))
        #expect(small.instances[0].maxNumBatchedTokens == 2048)
        let tooLong = configError { _ = try TestExperiments.experiment(Self.yaml(instance: "gpu_memory_utilization: 0.5, max_model_len: 8193")) }
        #expect(tooLong?.description == "test.yaml: instances.0.max_model_len: expected a positive integer up to llama-3-8b's context of 8192 tokens, found 8193")
    }
}
