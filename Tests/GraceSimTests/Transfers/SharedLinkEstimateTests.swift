import Testing
@testable import GraceSim

/// The link's estimator against the link itself: a lone transfer finishes exactly when the estimate says. The
/// numbers are those of ``SharedLinkTests``' made-up link (H2D 400 B/ns, D2H 300 B/ns, 350 B/ns mixed, 2,000 ns
/// latency). `RemapAmountRuleTests` checks the same estimate inside whole simulated passes.
@Suite struct SharedLinkEstimateTests {
    /// Starts `bytes` (in `streams` equal flows) at 0 on a fresh link and returns when the last one finished, ns.
    static func measured(_ bytes: Int64, _ direction: LinkDirection, streams: Int = 1,
                         hostBytesPerSecond: Double = SharedLinkTests.plentyOfHostBandwidth) -> Int64? {
        var link = SharedLinkTests.link(hostBytesPerSecond: hostBytesPerSecond)
        for _ in 0..<streams { _ = SharedLinkTests.start(&link, bytes, direction, at: 0) }
        return SharedLinkTests.drain(&link).values.max()
    }

    static func estimated(_ bytes: Int64, _ direction: LinkDirection, streams: Int = 1,
                          hostBytesPerSecond: Double = SharedLinkTests.plentyOfHostBandwidth) -> Int64 {
        SharedLinkTests.link(hostBytesPerSecond: hostBytesPerSecond)
            .loneTransferTime(bytes: bytes, direction: direction, streams: streams).ns
    }

    /// 1,000,001 B H2D: 2,000 ns latency + ⌈2,500.0025⌉ ns = 4,501 ns. 900,000 B D2H: 2,000 + 3,000 = 5,000 ns.
    /// Host memory at 100 B/ns caps H2D: 1,000,000 B take 2,000 + 10,000 = 12,000 ns. Two streams of 800,000 B
    /// H2D share 400 B/ns: 2,000 + 4,000 = 6,000 ns. A 1-byte load still takes 1 ns after its latency.
    @Test func aLoneTransferTakesTheEstimatedTime() {
        #expect(Self.estimated(1_000_001, .hostToDevice) == 4_501)
        #expect(Self.measured(1_000_001, .hostToDevice) == 4_501)
        #expect(Self.estimated(900_000, .deviceToHost) == 5_000)
        #expect(Self.measured(900_000, .deviceToHost) == 5_000)
        #expect(Self.estimated(1_000_000, .hostToDevice, hostBytesPerSecond: 100e9) == 12_000)
        #expect(Self.measured(1_000_000, .hostToDevice, hostBytesPerSecond: 100e9) == 12_000)
        #expect(Self.estimated(800_000, .hostToDevice, streams: 2) == 6_000)
        #expect(Self.measured(800_000, .hostToDevice, streams: 2) == 6_000)
        #expect(Self.estimated(1, .hostToDevice) == 2_001)
        #expect(Self.measured(1, .hostToDevice) == 2_001)
    }

    /// A new pair of flows on an idle link gets the mixed total split 400 : 300: 200 and 150 B/ns. With one H2D
    /// flow already moving, the H2D share of 200 B/ns is split between two flows: 100 and 150 B/ns.
    @Test func aNewPairOfFlowsGetsTheMixedShares() {
        var link = SharedLinkTests.link()
        var rates = link.ratesForNewFlowPair(now: .zero)
        #expect(rates.hostToDevice == 200e9 && rates.deviceToHost == 150e9)
        _ = SharedLinkTests.start(&link, 10_000_000, .hostToDevice, at: 0)
        #expect(link.advance(to: .nanoseconds(3_000)).isEmpty)
        rates = link.ratesForNewFlowPair(now: .nanoseconds(3_000))
        #expect(rates.hostToDevice == 100e9 && rates.deviceToHost == 150e9)
        #expect(link.transferTime(bytes: 1_000_000, bytesPerSecond: rates.hostToDevice).ns == 12_000)
    }
}
