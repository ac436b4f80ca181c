import GraceSimTestSupport
import Testing
@testable import GraceSim

/// vLLM V1's CPU KV offloading (`kv-offload`) on a multi-turn workload whose sessions overflow GPU memory.
@Suite struct KVOffloadStrategyTests {
    /// 48 sessions of 4 turns on a KV pool of 1,000 blocks (16,000 tokens). Every prompt starts with one 1,024-token
    /// system prompt; each turn adds a 300-token message and a 100-token answer, and repeats the session so far.
    /// Sessions start every 0.25 s and their turns come 12 s apart, by which time the pool has long been taken by
    /// other sessions, so their earlier turns' blocks have been evicted from the GPU.
    static func sessions() -> [RequestSpec] {
        var requests: [RequestSpec] = []
        let system = PromptSegment(content: 1, tokens: 1024)
        for session in 0..<48 {
            var segments = [system]
            for turn in 0..<4 {
                let message = PromptSegment(content: UInt64(1000 + session * 10 + turn), tokens: 300)
                segments.append(message)
                let output = UInt64(5000 + session * 10 + turn)
                let prompt = segments.reduce(0) { $0 + $1.tokens }
                requests.append(RequestSpec(arrival: .seconds(Double(session) * 0.25 + Double(turn) * 12), instance: 0,
                                            promptTokens: prompt, outputTokens: 100,
                                            content: RequestContent(segments: segments, output: output)))
                segments.append(PromptSegment(content: output, tokens: 100))
            }
        }
        return requests.sorted { $0.arrival < $1.arrival }
    }

    static func run(strategy: String) throws -> (RunReport, [InvariantViolation]) {
        let experiment = try TestExperiments.singleInstance(blocks: 1000, extra: "engine: vllm-v1", strategy: strategy)
        let simulator = try Simulator(experiment: experiment, requests: sessions())
        return (simulator.run(), simulator.invariantViolations)
    }

    /// With a CPU tier, turns find their session's earlier blocks in CPU memory after the GPU has evicted them:
    /// fewer prompt tokens are computed than with prefix caching alone, and the link carries blocks both ways.
    @Test func savesPrefillWorkOverPrefixCachingAlone() throws {
        let (alone, aloneProblems) = try Self.run(strategy: "recompute")
        let (offload, offloadProblems) = try Self.run(strategy: "{kind: kv-offload, kv_offloading_size: 8}")
        #expect(aloneProblems.isEmpty, "\(aloneProblems.prefix(3))")
        #expect(offloadProblems.isEmpty, "\(offloadProblems.prefix(3))")
        #expect(alone.overall.requests.finished == 192)
        #expect(offload.overall.requests.finished == 192)
        let aloneHits = try #require(alone.overall.prefixCache).hitTokens
        let gpuHits = try #require(offload.overall.prefixCache).hitTokens
        let cpuHits = Int(offload.instances[0].strategy?.counters["cpu_hit_tokens"] ?? 0)
        #expect(cpuHits > 0)
        #expect(gpuHits + cpuHits > aloneHits + 10_000, "alone \(aloneHits), offload \(gpuHits) + \(cpuHits)")
        let bytes = offload.overall.transfers.bytesByPurpose
        #expect((bytes["kv-offload-store"] ?? 0) > 0)
        #expect((bytes["kv-offload-load"] ?? 0) > 0)
        #expect(offload.overall.transfers.bytesHostToDevice > 0 && offload.overall.transfers.bytesDeviceToHost > 0)
        #expect(alone.overall.transfers.bytesHostToDevice == 0)
    }

    /// A pool too small for one block stores nothing and finds nothing: the run is prefix caching alone.
    @Test func tinyPoolIsPrefixCachingAlone() throws {
        let (alone, _) = try Self.run(strategy: "recompute")
        let (tiny, problems) = try Self.run(strategy: "{kind: kv-offload, kv_offloading_size: 0.001}")
        #expect(problems.isEmpty)
        #expect(tiny.overall.prefixCache == alone.overall.prefixCache)
        #expect(tiny.overall.ttft.meanMs == alone.overall.ttft.meanMs)
    }

    /// Offloading without prefix caching (V0, or V1 with it off) is refused in one line naming the strategy.
    @Test(arguments: ["", "engine: vllm-v1\nenable_prefix_caching: false"])
    func needsPrefixCaching(extra: String) {
        let error = configError { _ = try TestExperiments.singleInstance(extra: extra, strategy: "kv-offload") }
        #expect(error?.key == "strategy")
        #expect(error?.message.contains("enable_prefix_caching") == true, "\(error?.description ?? "no error")")
    }
}
