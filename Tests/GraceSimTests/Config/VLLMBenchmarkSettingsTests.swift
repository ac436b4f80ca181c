import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// vLLM's engine-argument defaults and its benchmark settings in an experiment: what each maps to, and the one line
/// that names gracesim's equivalent, or says what is not modelled yet.
@Suite struct VLLMBenchmarkSettingsTests {
    static func yaml(instance: String = "", workload: String = "num_prompts: 40",
                     arrivals: String = "{kind: poisson, rate: 4}", lengths: String = "{kind: fixed, prompt: 100, output: 20}",
                     top: String = "") -> String {
        """
        name: bench
        hardware: gh200-96gb
        \(top)
        instances: [{model: llama-3-8b\(instance)}]
        workload: {\(workload), arrivals: \(arrivals), lengths: \(lengths)}

        """
    }

    static func run(_ yaml: String) throws -> Simulator {
        let simulator = try Simulator(experiment: try TestExperiments.experiment(yaml))
        _ = simulator.run()
        return simulator
    }

    @Test func engineArgumentsTakeVLLMsDefaults() throws {
        let experiment = try TestExperiments.experiment(Self.yaml(instance: ", tensor_parallel_size: 1, enable_prefix_caching: false"))
        #expect(experiment.instances[0].gpuMemoryUtilization == 0.9)
        #expect(experiment.workload.maxRequests == 40)
    }

    /// More GPUs than the preset has is one line naming the key and the preset's GPUs.
    @Test func tensorParallelBeyondThePresetIsOneLine() {
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(instance: ", tensor_parallel_size: 2")) }
        #expect(error?.key == "instances.0.tensor_parallel_size")
        #expect(error?.message.contains("expected 1 to 1, the GPUs of gh200-96gb, found 2") == true, "\(error?.description ?? "no error")")
    }

    /// Three instances at vLLM's default share take 2.7 GPUs: the message says where the 0.9 comes from.
    @Test func defaultSharesThatDoNotFitSaySo() {
        let error = configError {
            _ = try TestExperiments.experiment(Self.yaml().replacingOccurrences(of: "[{model: llama-3-8b}]",
                                                                              with: "[{model: opt-6.7b}, {model: opt-6.7b}]"))
        }
        #expect(error?.message.contains("0.9 (vLLM's default) unless it gives gpu_memory_utilization") == true, "\(error?.description ?? "")")
    }

    /// `rate: inf` sends every request at time 0; with `max_concurrency` it is a closed loop of that many clients.
    @Test func rateInfSendsEverythingAtOnce() throws {
        let all = try Self.run(Self.yaml(arrivals: "{kind: poisson, rate: inf}"))
        #expect(all.requests.states.allSatisfy { $0.arrivalNs == 0 })
        #expect(all.benchmarkTraffic().requestRate == nil)
        let limited = try TestExperiments.experiment(Self.yaml(arrivals: "{kind: poisson, rate: .inf, max_concurrency: 3}"))
        guard case .closed(3, .zero) = limited.workload.sources[0].arrivals else {
            Issue.record("expected a closed loop of 3 clients, found \(limited.workload.sources[0].arrivals)")
            return
        }
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(workload: "duration_s: 10", arrivals: "{kind: poisson, rate: inf}")) }
        #expect(error?.key == "workload.arrivals.rate")
        #expect(error?.message.contains("set max_requests (vLLM's num_prompts)") == true)
    }

    /// vLLM's burstiness is the Gamma shape: cv = 1/√burstiness, and 1 is Poisson.
    @Test func burstinessIsTheGammaShape() throws {
        let bursty = try TestExperiments.experiment(Self.yaml(arrivals: "{kind: poisson, rate: 4, burstiness: 0.25}"))
        guard case let .gamma(rate, cv) = bursty.workload.sources[0].arrivals else {
            Issue.record("expected Gamma arrivals")
            return
        }
        #expect(rate == 4 && cv == 2)
        let poisson = try TestExperiments.experiment(Self.yaml(arrivals: "{kind: poisson, rate: 4, burstiness: 1}"))
        guard case .poisson(4) = poisson.workload.sources[0].arrivals else {
            Issue.record("expected Poisson arrivals")
            return
        }
        let traffic = try Self.run(Self.yaml(arrivals: "{kind: gamma, rate: 4, burstiness: 4}")).benchmarkTraffic()
        #expect(traffic.burstiness == 4 && traffic.requestRate == 4)
    }

    /// With a rate and a limit, at most `max_concurrency` requests are in flight at any time; each is sent at its own
    /// time or, when it had to wait, when one ended; the sends keep their order.
    @Test func maxConcurrencyBesideARateLimitsRequestsInFlight() throws {
        let open = try Self.run(Self.yaml(workload: "num_prompts: 200", arrivals: "{kind: poisson, rate: 50}",
                                          lengths: "{kind: fixed, prompt: 200, output: 200}"))
        let limited = try Self.run(Self.yaml(workload: "num_prompts: 200", arrivals: "{kind: poisson, rate: 50, max_concurrency: 4}",
                                             lengths: "{kind: fixed, prompt: 200, output: 200}"))
        let states = limited.requests.states
        #expect(states.count == 200 && states.allSatisfy { $0.outcome == .finished })
        var events: [(Int64, Int)] = []
        for state in states { events += [(state.arrivalNs, 1), (state.finishNs, -1)] }
        var inFlight = 0, most = 0
        for event in events.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            inFlight += event.1
            most = max(most, inFlight)
        }
        #expect(most == 4)
        let openArrivals = open.requests.states.map(\.arrivalNs)
        for (index, state) in states.enumerated() {
            #expect(state.arrivalNs >= openArrivals[index], "request \(index) sent before its time")
            if index > 0 { #expect(state.arrivalNs >= states[index - 1].arrivalNs) }
        }
        #expect(Array(states.prefix(4).map(\.arrivalNs)) == Array(openArrivals.prefix(4)))
        #expect(states.last!.arrivalNs > openArrivals.last!)  // the limit held requests back
        #expect(limited.benchmarkTraffic().maxConcurrency == 4 && limited.benchmarkTraffic().requestRate == 50)
    }

    /// vLLM's random dataset: lengths uniform within the range ratio of the means, a fixed prefix added to prompts.
    @Test func randomLengthsFollowTheRangeRatio() throws {
        let spec = try TestExperiments.experiment(Self.yaml(
            workload: "num_prompts: 500", lengths: "{kind: random, random_input_len: 100, output_len: 10, range_ratio: 0.25, prefix_len: 7}"))
        guard case let .uniform(prompt, output) = spec.workload.sources[0].lengths else {
            Issue.record("expected uniform lengths")
            return
        }
        #expect(prompt == 82...132)  // 7 + ⌊75⌋ to 7 + ⌈125⌉
        #expect(output == 7...13)    // ⌊7.5⌋ to ⌈12.5⌉
        let defaults = try TestExperiments.experiment(Self.yaml(lengths: "{kind: random}"))
        guard case let .uniform(defaultPrompt, defaultOutput) = defaults.workload.sources[0].lengths else {
            Issue.record("expected uniform lengths")
            return
        }
        #expect(defaultPrompt == 1024...1024 && defaultOutput == 128...128)
        for (lengths, key) in [("{kind: random, range_ratio: 1}", "workload.lengths.range_ratio"),
                               ("{kind: random, input_len: 0}", "workload.lengths.input_len")] {
            #expect(configError { _ = try TestExperiments.experiment(Self.yaml(lengths: lengths)) }?.key == key)
        }
    }

    /// SLOs in vLLM's `--goodput` form mean the same as gracesim's; its names as keys point to gracesim's.
    @Test func goodputSLOsInVLLMsForm() throws {
        let ours = try TestExperiments.experiment(Self.yaml(top: "slo: {ttft_ms: 200, tpot_ms: 50}"))
        #expect(ours.slo == ServiceLevelObjective(ttft: .milliseconds(200), tpot: .milliseconds(50)))
        for form in ["slo: \"ttft:200 tpot:50\"", "slo: [\"ttft:200\", \"tpot:50\"]", "slo: \"ttft:200,tpot:50\""] {
            #expect(try TestExperiments.experiment(Self.yaml(top: form)).slo == ours.slo, "\(form)")
        }
        let key = configError { _ = try TestExperiments.experiment(Self.yaml(top: "slo: {ttft: 200}")) }
        #expect(key?.key == "slo.ttft")
        #expect(key?.message.contains("ttft_ms: VALUE") == true)
        let bad = configError { _ = try TestExperiments.experiment(Self.yaml(top: "slo: \"ttft:fast\"")) }
        #expect(bad?.key == "slo")
        #expect(bad?.message.contains("\"ttft:fast\"") == true)
    }

    /// A vLLM benchmark name in the wrong place, or under vLLM's spelling, names gracesim's equivalent.
    @Test(arguments: [
        ("{kind: poisson, request_rate: 4, rate: 4}", "", "workload.arrivals.request_rate", "vLLM's request_rate is workload.arrivals.rate"),
        ("{kind: poisson, rate: 4}", ", max_concurrency: 8", "workload.max_concurrency", "workload.arrivals.max_concurrency, beside a rate"),
        ("{kind: poisson, rate: 4}", ", dataset_name: random", "workload.dataset_name", "workload.lengths: {kind: random"),
    ])
    func vllmNamesPointToTheirEquivalents(arrivals: String, extra: String, key: String, mention: String) {
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(workload: "num_prompts: 40" + extra, arrivals: arrivals)) }
        #expect(error?.key == key)
        #expect(error?.message.contains(mention) == true, "\(error?.description ?? "no error")")
    }

    @Test func numPromptsAndMaxRequestsAreOneSetting() {
        let error = configError { _ = try TestExperiments.experiment(Self.yaml(workload: "num_prompts: 40, max_requests: 40")) }
        #expect(error?.message == "num_prompts and max_requests are one setting; give only one of them")
    }

    /// A Hugging Face snapshot folder (a folder with config.json) names a model; a folder without one is one line.
    @Test func aSnapshotFolderIsAModel() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let snapshot = "models--Qwen--Qwen2.5-7B-Instruct/snapshots/0123abcd"
        try folder.write("\(snapshot)/config.json", """
            {"model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944, "num_attention_heads": 28,
             "num_hidden_layers": 28, "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 32768,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16"}
            """)
        try folder.write("empty/readme.txt", "no config here")
        let file = folder.path("experiment.yaml")
        let model = try Repository.catalog.model(named: snapshot, file: file, key: "instances.0.model")
        #expect(model.name == "Qwen2.5-7B-Instruct")
        #expect(model.totalWeightBytes == (try Repository.catalog.model(named: "qwen2.5-7b", file: file, key: "m")).totalWeightBytes)
        let error = configError { _ = try Repository.catalog.model(named: "empty/", file: file, key: "instances.0.model") }
        #expect(error?.key == "instances.0.model")
        #expect(error?.message.contains("is a folder without a config.json") == true)
    }
}
