import GraceSimTestSupport
import PropertyBased
@testable import GraceSim

/// A small random serving scenario for the property tests: 1–3 small-model instances with tiny KV pools
/// on a GH200, random scheduler limits and a random list of requests.
///
/// Its description is the experiment YAML plus the request list, so a failing case printed by
/// `propertyCheck` can be replayed by hand with `TestExperiments.experiment(_:)` and `Simulator(experiment:requests:)`.
struct RandomWorkload: Sendable, CustomStringConvertible {
    struct Instance: Sendable {
        var model: String
        /// KV blocks the memory fraction is sized for.
        var blocks: Int
        var maxNumSeqs: Int
        var chunkedPrefill: Bool
        /// nil: the model's default token budget.
        var maxNumBatchedTokens: Int?
        var watermark: Double
    }

    static let hardware = "gh200-96gb"
    static let models = ["llama-3-8b", "opt-6.7b", "llama-2-7b"]

    var instances: [Instance]
    var scheduler: GPUSchedulerKind
    /// `simulation.max_time_s`, or nil to run until every request is done.
    var maxTimeS: Double?
    /// In nondecreasing arrival order.
    var requests: [RequestSpec]
    /// The memory strategy, with its default options; not drawn at random, set by the test.
    var strategy: StrategyKind = .recompute
    /// Options of the strategy as flow YAML entries (`amount_rule: pipeline`), or empty for its defaults.
    var strategyOptions = ""
    /// How the instances share the GPU; not drawn at random, set by the test. Under MIG the instances get
    /// slices that fit together (7g; 4g + 3g; 3g + 2g + 2g) and the same KV blocks as otherwise.
    var sharing: SharingMode = .temporal
    /// The engine of every instance; not drawn at random, set by the test. Under V1 prefix caching is on, and the
    /// requests' drawn content shares prefixes.
    var engine: ServingEngine = .vllmV0

    static func migProfiles(count: Int) -> [String] {
        [["7g.96gb"], ["4g.48gb", "3g.48gb"], ["3g.48gb", "2g.24gb", "2g.24gb"]][count - 1]
    }

    /// The generator for `propertyCheck` (no shrinking: a case is printed whole instead).
    static var generator: Generator<RandomWorkload, Shrink.None<RandomWorkload>> {
        Generator { rng in RandomWorkload.random(using: &rng) }
    }

    static func random<R: RandomNumberGenerator>(using rng: inout R) -> RandomWorkload {
        let instanceCount = Int.random(in: 1...3, using: &rng)
        let instances = (0..<instanceCount).map { _ in
            let seqs = Int.random(in: 1...64, using: &rng)
            let chunked = Bool.random(using: &rng)
            // Small budgets make chunked prefill split prompts, and without it reject long prompts.
            let budget = Bool.random(using: &rng) ? Int.random(in: max(seqs, 32)...1024, using: &rng) : nil
            return Instance(model: models.randomElement(using: &rng)!, blocks: Int.random(in: 8...200, using: &rng),
                            maxNumSeqs: seqs, chunkedPrefill: chunked, maxNumBatchedTokens: budget,
                            watermark: Bool.random(using: &rng) ? 0 : 0.01)
        }
        let scheduler = GPUSchedulerKind.allCases.randomElement(using: &rng)!
        let maxTimeS = Int.random(in: 0..<10, using: &rng) < 3 ? Double(Int.random(in: 100...6000, using: &rng)) / 1000 : nil
        let spanMs = Int.random(in: 1...5000, using: &rng)
        // Sometimes arrivals fall on a coarse grid, so that several arrive at the same instant.
        let gridMs = [1, 1, 100].randomElement(using: &rng)!
        let count = Int.random(in: 1...150, using: &rng)
        let arrivalsMs = (0..<count).map { _ in Int.random(in: 0...spanMs, using: &rng) / gridMs * gridMs }.sorted()
        var requests = arrivalsMs.map { ms in
            RequestSpec(arrival: .milliseconds(Double(ms)), instance: Int.random(in: 0..<instanceCount, using: &rng),
                        promptTokens: Int32.random(in: 1...600, using: &rng), outputTokens: Int32.random(in: 1...300, using: &rng))
        }
        // What the tokens are (read under V1 only): half the prompts start with one of three shared prefixes, some
        // followed by one of two shared second parts, so that blocks are shared, evicted and found again.
        for i in requests.indices where Bool.random(using: &rng) {
            let prompt = requests[i].promptTokens
            let first = PromptSegment(content: UInt64.random(in: 1...3, using: &rng), tokens: Int32.random(in: 1...prompt, using: &rng))
            var segments = [first]
            if first.tokens < prompt && Bool.random(using: &rng) {
                segments.append(PromptSegment(content: UInt64.random(in: 10...11, using: &rng), tokens: prompt - first.tokens))
            }
            requests[i].content = RequestContent(segments: segments, output: UInt64(100 + i))
        }
        return RandomWorkload(instances: instances, scheduler: scheduler, maxTimeS: maxTimeS, requests: requests)
    }

    /// The experiment as YAML, with memory fractions that give each pool exactly its block count.
    var yaml: String {
        let hardware = TestExperiments.hardware(Self.hardware)
        var lines = ["name: random", "hardware: \(Self.hardware)", "sharing: {mode: \(sharing.rawValue), scheduler: \(scheduler.rawValue)}",
                     strategyOptions.isEmpty ? "strategy: \(strategy.rawValue)" : "strategy: {kind: \(strategy.rawValue), \(strategyOptions)}",
                     "instances:"]
        for (index, instance) in instances.enumerated() {
            // V1 always chunks; its budget is given, so that the activation reserve is the one computed here.
            let v1 = engine == .vllmV1
            let budget = v1 ? instance.maxNumBatchedTokens ?? max(instance.maxNumSeqs, 2048) : instance.maxNumBatchedTokens
            var fraction = TestExperiments.gpuMemoryUtilization(forBlocks: instance.blocks, model: TestExperiments.model(instance.model),
                                                          hardware: hardware, chunkedPrefill: instance.chunkedPrefill || v1,
                                                          maxNumSeqs: instance.maxNumSeqs,
                                                          maxNumBatchedTokens: budget)
            lines.append("  - model: \(instance.model)   # \(instance.blocks) KV blocks")
            if sharing == .mig {
                let profile = Self.migProfiles(count: instances.count)[index]
                lines.append("    mig_profile: \(profile)")
                fraction *= Double(hardware.gpu.hbmBytes) / Double(hardware.gpu.slice(MIGProfile.parse(profile, on: hardware.gpu)!).hbmBytes)
            }
            lines.append("    memory_fraction: \(fraction)")
            lines.append("    max_num_seqs: \(instance.maxNumSeqs)")
            if v1 {
                lines.append("    engine: vllm-v1")
            } else {
                lines.append("    chunked_prefill: \(instance.chunkedPrefill)")
            }
            if let budget { lines.append("    max_num_batched_tokens: \(budget)") }
            lines.append("    watermark: \(instance.watermark)")
        }
        lines += ["workload:", "  max_requests: 1", "  arrivals: {kind: poisson, rate: 1}", "  lengths: {kind: fixed, prompt: 16, output: 16}"]
        if instances.count > 1 { lines.append("  shares: [\(instances.map { _ in "1" }.joined(separator: ", "))]") }
        lines += ["simulation:", "  check_invariants: true"]
        if let maxTimeS { lines.append("  max_time_s: \(maxTimeS)") }
        return lines.joined(separator: "\n")
    }

    func experiment() throws -> Experiment {
        try TestExperiments.experiment(yaml, file: "random.yaml")
    }

    var description: String {
        let list = requests.map { "(\($0.arrival.ns / 1_000_000), \($0.instance), \($0.promptTokens), \($0.outputTokens))" }
        return "\n\(yaml)\n# \(requests.count) requests as (arrival ms, instance, prompt, output):\n# "
            + list.joined(separator: " ") + "\n"
    }
}

/// One simulation of a ``RandomWorkload``, stepped event by event so that per-step properties can be checked.
struct RandomRun {
    let simulator: Simulator
    let report: RunReport
    /// Violations of the per-step checks made here (the simulator keeps its own in `invariantViolations`).
    let stepProblems: [String]

    init(_ workload: RandomWorkload) throws {
        simulator = try Simulator(experiment: try workload.experiment(), requests: workload.requests)
        var problems: [String] = []
        var generated: [Int32] = []
        var last = SimTime.zero
        while simulator.step() {
            let now = simulator.now
            if now < last { problems.append("T-1: time went from \(last.ns) to \(now.ns) ns") }
            last = now
            let states = simulator.requests.states
            for id in 0..<states.count {
                let tokens = states[id].generatedTokens
                guard id < generated.count else { generated.append(tokens); continue }
                // Preemption drops KV, never generated tokens; one iteration emits at most one token per request.
                if tokens < generated[id] { problems.append("t=\(now.ns): request \(id) lost tokens: \(generated[id]) → \(tokens)") }
                if tokens > generated[id] + 1 { problems.append("t=\(now.ns): request \(id) got \(tokens - generated[id]) tokens in one step") }
                generated[id] = tokens
            }
            if problems.count > 20 { break }
        }
        report = simulator.report()
        stepProblems = problems
    }
}
