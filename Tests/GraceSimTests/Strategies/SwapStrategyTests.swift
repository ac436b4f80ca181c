import GraceSimTestSupport
import Testing
@testable import GraceSim

/// vLLM V0 swap mode over whole simulations: what crosses the link, what the steps wait for, and when the
/// bounded swap space sends victims back to recompute.
@Suite struct SwapStrategyTests {
    /// 40 requests of 200 + 300 tokens within 40 ms on a 64-block pool (1,024 tokens): at most two fit at
    /// their full length, so decodes keep running out of blocks.
    static let pressure = PreemptionTests.burst(40, prompt: 200, output: 300)

    static func run(strategy: String, blocks: Int = 64, requests: [RequestSpec] = pressure) throws -> (Simulator, RunReport) {
        let simulator = try Simulator(experiment: try TestExperiments.singleInstance(blocks: blocks, strategy: strategy), requests: requests)
        let report = simulator.run()
        #expect(simulator.invariantViolations.isEmpty, "\(strategy): \(simulator.invariantViolations.prefix(3))")
        return (simulator, report)
    }

    static func counter(_ name: String, _ report: RunReport) -> Double? {
        report.instances[0].strategy?.counters[name]
    }

    /// With no swap space every victim falls back to recompute, so the run is recompute's, number for number;
    /// only the strategy's name and its own section (which counts the fallbacks) differ.
    @Test func zeroSwapSpaceIsRecompute() throws {
        let (_, recompute) = try Self.run(strategy: "recompute")
        let (_, swap) = try Self.run(strategy: "{kind: swap, swap_space_gib: 0}")
        #expect(recompute.overall.preemptions > 0, "the case must preempt to mean anything")
        #expect(try StrategyComparison.differences(swap, from: recompute) == [])
        #expect(swap.strategy == "swap")
        #expect(Self.counter("recompute_fallbacks", swap) == Double(recompute.overall.preemptions))
        #expect(Self.counter("swap_space_peak_gib", swap) == 0)
    }

    /// Under KV pressure with the default 4 GiB (far more than the 64 blocks × 2 MiB = 128 MiB pool), every
    /// preemption is a swap: KV goes out and comes back, nothing is recomputed, and the steps wait for the copies.
    @Test func swapMovesKVBothWays() throws {
        let (simulator, report) = try Self.run(strategy: "swap")
        let overall = report.overall
        let transfers = overall.transfers
        #expect(overall.requests.finished == 40)
        #expect(overall.preemptions > 0)
        #expect(transfers.swapsOut == overall.preemptions, "every victim swapped")
        #expect(transfers.swapsIn == transfers.swapsOut, "every swapped request came back")
        #expect(Self.counter("recompute_fallbacks", report) == 0)
        #expect(overall.recomputedTokens == 0)
        #expect(report.link.bytesHostToDevice > 0 && report.link.bytesDeviceToHost > 0)
        // A swapped request's computed KV does not change while it is out, so what comes back is what went out,
        // in whole blocks.
        let blockBytes = Double(simulator.instances[0].pool.blockBytes)
        #expect(report.link.bytesHostToDevice == report.link.bytesDeviceToHost)
        #expect(report.link.bytesDeviceToHost.truncatingRemainder(dividingBy: blockBytes) == 0)
        #expect(Set(transfers.bytesByPurpose.keys) == ["swap-in", "swap-out"])
        #expect(transfers.bytesByPurpose["swap-out"] == report.link.bytesDeviceToHost)
        #expect(transfers.bytesByPurpose["swap-in"] == report.link.bytesHostToDevice)
        #expect(transfers.bytesHostToDevice == report.link.bytesHostToDevice)
        #expect(transfers.stallMs > 0, "V0 steps wait for their swaps")
        #expect(report.link.hostToDeviceBusyFraction > 0 && report.link.deviceToHostBusyFraction > 0)
        let peak = try #require(Self.counter("swap_space_peak_gib", report))
        #expect(peak > 0 && peak <= 128.0 / 1024, "never more than the whole pool is out at once")
        #expect(simulator.instances[0].swapped.isEmpty)
    }

    /// A swap space smaller than most victims' KV sends them back to recompute: 0.04 GiB = 40.96 MiB holds 20
    /// blocks, and a victim here has computed 200 to 500 tokens, 13 to 32 blocks. Every preemption is one or the other.
    @Test func smallSwapSpaceFallsBackToRecompute() throws {
        let (_, report) = try Self.run(strategy: "{kind: swap, swap_space_gib: 0.04}")
        let overall = report.overall
        let fallbacks = try #require(Self.counter("recompute_fallbacks", report))
        #expect(fallbacks > 0)
        #expect(overall.transfers.swapsOut > 0, "victims that fit still swap")
        #expect(overall.preemptions == overall.transfers.swapsOut + Int(fallbacks))
        #expect(overall.recomputedTokens > 0)
        #expect(overall.requests.finished == 40)
        let peak = try #require(Self.counter("swap_space_peak_gib", report))
        #expect(peak > 0 && peak <= 0.04)
    }

    /// One swap-out and its swap-in, by hand. llama-3-8b keeps 32 layers × 2 (K, V) × 8 heads × 128 × 2 B
    /// = 131,072 B of KV per token, 2,097,152 B per 16-token block. The pool holds 12 blocks.
    ///
    /// A (64 + 100 tokens, at most 11 blocks) arrives at 0; B (112 + 10 tokens, at most 8 blocks) at 1 ms. After
    /// B's prefill A holds 5 blocks and B 7: all 12. B's first decode needs an 8th block, so B, the latest
    /// arrived, is swapped out: its 112 computed tokens are 7 blocks, 14,680,064 B device to host. The step
    /// (A's decode) waits for the copy: 2,000 ns latency + 14,680,064 B / 333 B/ns = 44,084.28 → 44,085 ns,
    /// 46,085 ns in all. B cannot come back (it needs 8 free blocks) until A finishes; then its 7 blocks
    /// return at 427 B/ns: 2,000 + ⌈34,379.54⌉ = 36,380 ns.
    @Test func oneSwapByHand() throws {
        let requests = [TestExperiments.request(at: 0, prompt: 64, output: 100), TestExperiments.request(at: 0.001, prompt: 112, output: 10)]
        let simulator = try Simulator(experiment: try TestExperiments.singleInstance(blocks: 12, strategy: "swap"), requests: requests)
        let link = simulator.experiment.hardware.link
        try #require(link.deviceToHostBytesPerSecond == 333e9 && link.hostToDeviceBytesPerSecond == 427e9 && link.latency == .nanoseconds(2_000))
        try #require(simulator.instances[0].pool.capacityBlocks == 12 && simulator.instances[0].pool.blockBytes == 2_097_152)
        var stalls: [Int64] = []
        var stall: Int64 = 0
        while simulator.step() {
            let now = simulator.instances[0].metrics.transferStall.ns
            if now != stall { stalls.append(now - stall) }
            stall = now
        }
        let report = simulator.report()
        #expect(simulator.invariantViolations.isEmpty, "\(simulator.invariantViolations.prefix(3))")
        #expect(report.overall.requests.finished == 2)
        #expect(report.overall.preemptions == 1)
        #expect(report.overall.transfers.swapsOut == 1 && report.overall.transfers.swapsIn == 1)
        #expect(report.link.bytesDeviceToHost == 14_680_064 && report.link.bytesHostToDevice == 14_680_064)
        #expect(stalls == [46_085, 36_380])
        #expect(report.overall.transfers.stallMs == 82_465 / 1e6)
    }
}
