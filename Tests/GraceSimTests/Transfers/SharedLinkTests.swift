import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The fluid, processor-sharing link, worked by hand.
///
/// Every case uses one made-up link whose numbers divide evenly: H2D 400 GB/s, D2H 300 GB/s, 350 GB/s in total
/// when both directions carry traffic, 2 µs start-up latency. In bytes per nanosecond that is 400, 300 and 350,
/// so a flow of `b` bytes alone takes `b / 400` ns H2D after its 2,000 ns of latency. Host memory is 1 PB/s
/// (never the limit) unless a case says otherwise.
@Suite struct SharedLinkTests {
    static let spec = LinkSpec(kind: "test", hostToDeviceBytesPerSecond: 400e9, deviceToHostBytesPerSecond: 300e9,
                               mixedTotalBytesPerSecond: 350e9, latency: .nanoseconds(2_000))
    static let plentyOfHostBandwidth = 1e15

    static func link(hostBytesPerSecond: Double = plentyOfHostBandwidth) -> SharedLink {
        SharedLink(spec: spec, hostMemoryBytesPerSecond: hostBytesPerSecond)
    }

    /// Runs the link from event to event (as the simulator does) up to `end`; returns when each flow finished,
    /// in ns, by id. Gives up after 1,000 events, so a link that never settles fails instead of hanging.
    static func drain(_ link: inout SharedLink, until end: SimTime = .infinity) -> [Int: Int64] {
        var finished: [Int: Int64] = [:]
        var events = 0
        while let next = link.nextEvent, next <= end {
            for transfer in link.advance(to: next) { finished[transfer.id.raw] = next.ns }
            events += 1
            if events > 1_000 {
                Issue.record("the link did not settle: next event still at \(next) ns after 1,000 events")
                break
            }
        }
        return finished
    }

    /// Equal to within a relative 1e-12 (shares like 280 × 300/700 are not exact in binary).
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

    /// Starts a flow at `nowNs` ns.
    static func start(_ link: inout SharedLink, _ bytes: Int64, _ direction: LinkDirection, at nowNs: Int64,
                      purpose: TransferPurpose = .swapIn, instance: Int = 0) -> TransferID {
        let now = SimTime.nanoseconds(nowNs)
        #expect(link.advance(to: now).isEmpty, "no flow was due to finish before \(nowNs) ns")
        return link.start(bytes: bytes, direction: direction, purpose: purpose, instance: instance, now: now)
    }

    /// Traffic over time: 4,000,000 B H2D from 2,000 ns to 12,000 ns, in 5,000 ns intervals: 3,000 ns of it
    /// (1,200,000 B) fall in the first interval, 5,000 ns (2,000,000 B) in the second, 2,000 ns (800,000 B) in
    /// the third, which the run ends half way through (so its rate is over 2,500 ns).
    @Test func trafficSeriesSpreadsBytesOverIntervals() {
        var link = SharedLink(spec: Self.spec, hostMemoryBytesPerSecond: Self.plentyOfHostBandwidth, sampleInterval: .nanoseconds(5_000))
        _ = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        _ = Self.drain(&link)
        #expect(link.bytesPerInterval[1].isEmpty)
        let series = link.trafficSeries(end: .nanoseconds(12_500))
        #expect(series.count == 3)
        #expect(series.map { $0[0] } == [0, 5e-6, 10e-6])
        let expected = [1_200_000 / 5e-6, 2_000_000 / 5e-6, 800_000 / 2.5e-6]
        for (sample, rate) in zip(series, expected) {
            #expect(Self.close(sample[1], rate), "\(sample[1]) against \(rate)")
            #expect(sample[2] == 0)
        }
        #expect(link.trafficSeries(end: .nanoseconds(0)).isEmpty)
        // Idle intervals after the first repeat its rates and are left out, all but the last.
        #expect(link.trafficSeries(end: .nanoseconds(40_000)).map { $0[0] } == [0, 5e-6, 10e-6, 15e-6, 35e-6])
        // A run that then idles up to the time horizon still ends with one sample where traffic stops and one
        // for the last interval, at once (2 × 10¹⁴ intervals are not visited one by one).
        let idle = link.trafficSeries(end: .nanoseconds(SimTime.horizon.ns))
        #expect(idle.map { $0[0] } == [0, 5e-6, 10e-6, 15e-6, Double(SimTime.horizon.ns - 5_000) / 1e9])
        #expect(idle.suffix(2).allSatisfy { $0[1] == 0 && $0[2] == 0 })
        #expect(SharedLink(spec: Self.spec, hostMemoryBytesPerSecond: 1, sampleInterval: .nanoseconds(1_000_000)).trafficSeries(end: .nanoseconds(SimTime.horizon.ns))
                    == [[0, 0, 0], [Double(SimTime.horizon.ns - 1_000_000) / 1e9, 0, 0]])
    }

    /// One flow alone: nothing moves during the latency, then the full one-way bandwidth.
    /// 4,000,000 B at 400 B/ns = 10,000 ns, so it finishes at 2,000 + 10,000 = 12,000 ns.
    @Test func oneFlowAlone() {
        var link = Self.link()
        let id = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        #expect(link.nextEvent == .nanoseconds(2_000), "the next change is the flow becoming active")
        #expect(link.flows[0].bytesPerSecond == 0 && link.flows[0].finish == .infinity)
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.flows[0].bytesPerSecond == 400e9)
        #expect(link.nextEvent == .nanoseconds(12_000))
        // Half way: 5,000 ns × 400 B/ns = 2,000,000 B moved.
        #expect(link.advance(to: .nanoseconds(7_000)).isEmpty)
        #expect(link.flows[0].remainingBytes == 2_000_000)
        #expect(link.bytesMoved == [2_000_000, 0])
        let finished = link.advance(to: .nanoseconds(12_000))
        #expect(finished.map(\.id) == [id])
        #expect(link.flows.isEmpty && link.nextEvent == nil)
        #expect(link.bytesMoved == [4_000_000, 0])
        // Busy only while bytes move: 12,000 − 2,000.
        #expect(link.busy.map(\.ns) == [10_000, 0] && link.bothBusy.ns == 0)
    }

    /// Same flow D2H: 3,000,000 B at 300 B/ns = 10,000 ns, finishing at 12,000 ns; idle time before a start
    /// is not busy time.
    @Test func oneFlowAloneDeviceToHost() {
        var link = Self.link()
        _ = Self.start(&link, 3_000_000, .deviceToHost, at: 5_000)
        // Active at 7,000; 3,000,000 / 300 = 10,000 ns; done at 17,000.
        #expect(Self.drain(&link) == [0: 17_000])
        #expect(link.busy.map(\.ns) == [0, 10_000])
        #expect(link.bytesMoved == [0, 3_000_000])
    }

    /// Two flows one way share it equally; the first to finish frees its share for the other.
    /// A = 2,000,000 B and B = 6,000,000 B, both H2D at 0, active at 2,000, 200 B/ns each.
    /// A: 2,000,000 / 200 = 10,000 ns → 12,000. B has moved 2,000,000 by then; its 4,000,000 left go at
    /// 400 B/ns: 10,000 ns → 22,000.
    @Test func twoFlowsOneDirection() {
        var link = Self.link()
        let a = Self.start(&link, 2_000_000, .hostToDevice, at: 0)
        let b = Self.start(&link, 6_000_000, .hostToDevice, at: 0)
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.flows.map(\.bytesPerSecond) == [200e9, 200e9])
        #expect(link.flows.map(\.finish.ns) == [12_000, 32_000], "each at half rate: 2e6/200 and 6e6/200 after 2,000")
        let finished = Self.drain(&link)
        #expect(finished == [a.raw: 12_000, b.raw: 22_000])
        #expect(link.bytesMoved == [8_000_000, 0])
        #expect(link.busy.map(\.ns) == [20_000, 0])
    }

    /// One flow each way: the pair gets the mixed 350 B/ns, split 400:300, so H2D 200 and D2H 150 B/ns.
    /// X = 2,000,000 B H2D: 10,000 ns → 12,000. Y = 3,000,000 B D2H has moved 150 × 10,000 = 1,500,000 by then;
    /// the other 1,500,000 go at the full 300 B/ns: 5,000 ns → 17,000.
    @Test func oneFlowEachWay() {
        var link = Self.link()
        let x = Self.start(&link, 2_000_000, .hostToDevice, at: 0)
        let y = Self.start(&link, 3_000_000, .deviceToHost, at: 0)
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.flows.map(\.bytesPerSecond) == [200e9, 150e9])
        #expect(link.advance(to: .nanoseconds(12_000)).map(\.id) == [x])
        #expect(link.flows[0].remainingBytes == 1_500_000)
        #expect(link.flows[0].bytesPerSecond == 300e9, "alone again, D2H speeds up to its one-way bandwidth")
        #expect(Self.drain(&link) == [y.raw: 17_000])
        #expect(link.busy.map(\.ns) == [10_000, 15_000])
        #expect(link.bothBusy.ns == 10_000)
        #expect(link.bytesMoved == [2_000_000, 3_000_000])
    }

    /// A flow added mid-transfer. A = 4,000,000 B H2D from 0 (active at 2,000, 400 B/ns); at 7,000 it has moved
    /// 5,000 × 400 = 2,000,000. B = 1,000,000 B H2D starts at 7,000 and waits out its latency until 9,000, while A
    /// keeps the whole link: 2,000 × 400 = 800,000 more, 1,200,000 left. From 9,000 both get 200 B/ns:
    /// B needs 1,000,000 / 200 = 5,000 ns → 14,000, by when A has 1,200,000 − 1,000,000 = 200,000 left, which at
    /// 400 B/ns take 500 ns → 14,500.
    @Test func flowAddedMidTransfer() {
        var link = Self.link()
        let a = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        _ = Self.drain(&link, until: .nanoseconds(2_000))
        #expect(link.advance(to: .nanoseconds(7_000)).isEmpty)
        #expect(link.flows[0].remainingBytes == 2_000_000)
        let b = Self.start(&link, 1_000_000, .hostToDevice, at: 7_000)
        #expect(link.flows[0].bytesPerSecond == 400e9, "B moves nothing during its latency, so A keeps full rate")
        #expect(link.nextEvent == .nanoseconds(9_000), "B becomes active before A (alone) would finish at 12,000")
        #expect(link.advance(to: .nanoseconds(9_000)).isEmpty)
        #expect(link.flows.map(\.remainingBytes) == [1_200_000, 1_000_000])
        #expect(link.flows.map(\.bytesPerSecond) == [200e9, 200e9])
        #expect(Self.drain(&link) == [a.raw: 14_500, b.raw: 14_000])
        #expect(link.bytesMoved == [5_000_000, 0])
        #expect(link.busy.map(\.ns) == [12_500, 0])
    }

    /// Host memory below the direction's bandwidth caps it: at 250 B/ns, 2,500,000 B H2D take 10,000 ns → 12,000.
    @Test func hostMemoryCapsOneDirection() {
        var link = Self.link(hostBytesPerSecond: 250e9)
        _ = Self.start(&link, 2_500_000, .hostToDevice, at: 0)
        #expect(link.rateForNewFlow(direction: .deviceToHost) == 250e9, "alone, D2H is capped too: min(300, 250)")
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.flows[0].bytesPerSecond == 250e9)
        #expect(Self.close(link.rateForNewFlow(direction: .deviceToHost), 250e9 * 3 / 7),
                "beside the H2D flow, D2H gets 300/700 of min(350, 700, 250) = 250 B/ns")
        #expect(Self.drain(&link) == [0: 12_000])
    }

    /// Host memory below the mixed total caps both directions: min(350, 700, 280) = 280 B/ns, split 400:300 into
    /// 160 and 120 B/ns. H2D 1,600,000 B: 10,000 ns → 12,000. D2H 2,600,000 B has moved 1,200,000 by then; the rest,
    /// 1,400,000, goes at min(300, 280) = 280 B/ns: 5,000 ns → 17,000.
    @Test func hostMemoryCapsBothDirections() {
        var link = Self.link(hostBytesPerSecond: 280e9)
        _ = Self.start(&link, 1_600_000, .hostToDevice, at: 0)
        _ = Self.start(&link, 2_600_000, .deviceToHost, at: 0)
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(Self.close(link.flows[0].bytesPerSecond, 160e9) && Self.close(link.flows[1].bytesPerSecond, 120e9))
        #expect(Self.drain(&link) == [0: 12_000, 1: 17_000])
    }

    /// CPU work holding host bandwidth slows the link, and releasing it speeds it up again. Host memory 500 B/ns;
    /// A = 4,000,000 B H2D at 400 B/ns from 2,000 has moved 2,000,000 by 7,000. Reserving 300 B/ns leaves 200:
    /// 5,000 ns later (12,000) another 1,000,000 have moved. Releasing at 12,000 restores 400 B/ns for the last
    /// 1,000,000: 2,500 ns → 14,500.
    @Test func hostReservationSlowsTheLink() {
        var link = Self.link(hostBytesPerSecond: 500e9)
        _ = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        _ = Self.drain(&link, until: .nanoseconds(2_000))
        #expect(link.advance(to: .nanoseconds(7_000)).isEmpty)
        link.reserveHostBandwidth(300e9, now: .nanoseconds(7_000))
        #expect(link.hostReservedBytesPerSecond == 300e9)
        #expect(link.flows[0].bytesPerSecond == 200e9)
        #expect(link.nextEvent == .nanoseconds(17_000), "2,000,000 B at 200 B/ns")
        #expect(link.rateForNewFlow(direction: .hostToDevice) == 100e9, "two H2D flows share the 200 B/ns left")
        #expect(link.advance(to: .nanoseconds(12_000)).isEmpty)
        #expect(link.flows[0].remainingBytes == 1_000_000)
        link.reserveHostBandwidth(0, now: .nanoseconds(12_000))
        #expect(link.flows[0].bytesPerSecond == 400e9)
        #expect(Self.drain(&link) == [0: 14_500])
    }

    /// `rateForNewFlow` is the per-flow rate a flow started now would get once active, given the active flows.
    @Test func rateForNewFlow() {
        var link = Self.link()
        #expect(link.rateForNewFlow(direction: .hostToDevice) == 400e9)
        #expect(link.rateForNewFlow(direction: .deviceToHost) == 300e9)
        _ = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        #expect(link.rateForNewFlow(direction: .hostToDevice) == 400e9, "a flow in its latency takes no bandwidth yet")
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.rateForNewFlow(direction: .hostToDevice) == 200e9, "two H2D flows: 400 / 2")
        #expect(link.rateForNewFlow(direction: .deviceToHost) == 150e9, "both ways: 350 × 300/700")
        _ = Self.start(&link, 4_000_000, .deviceToHost, at: 2_000)
        #expect(link.advance(to: .nanoseconds(4_000)).isEmpty)
        #expect(link.rateForNewFlow(direction: .deviceToHost) == 75e9, "two D2H flows share 150")
        #expect(link.rateForNewFlow(direction: .hostToDevice) == 100e9, "two H2D flows share 200")
    }

    /// Bytes by instance, direction and purpose, and busy times, with three flows.
    /// At 2,000 all are active: H2D has one flow (200 B/ns of the mixed 350), D2H two (75 B/ns each of 150).
    /// - swap-in of instance 0, 2,000,000 B H2D: 10,000 ns → 12,000. Each D2H flow has moved 750,000 by then.
    /// - D2H alone then gets 300, 150 B/ns each: the write-back's 750,000 left take 5,000 ns → 17,000, by when the
    ///   swap-out has 3,000,000 − 1,500,000 = 1,500,000 left, alone at 300 B/ns: 5,000 ns → 22,000.
    @Test func bytesAndBusyTimeAccounting() {
        var link = Self.link()
        _ = Self.start(&link, 2_000_000, .hostToDevice, at: 0, purpose: .swapIn, instance: 0)
        _ = Self.start(&link, 3_000_000, .deviceToHost, at: 0, purpose: .swapOut, instance: 1)
        _ = Self.start(&link, 1_500_000, .deviceToHost, at: 0, purpose: .kvWriteback, instance: 0)
        #expect(Self.drain(&link) == [0: 12_000, 1: 22_000, 2: 17_000])
        #expect(link.bytesMoved == [2_000_000, 4_500_000])
        #expect(link.bytesByInstance[0]?[.hostToDevice] == [.swapIn: 2_000_000])
        #expect(link.bytesByInstance[0]?[.deviceToHost] == [.kvWriteback: 1_500_000])
        #expect(link.bytesByInstance[1]?[.deviceToHost] == [.swapOut: 3_000_000])
        #expect(link.bytesByInstance[1]?[.hostToDevice] == nil)
        // H2D busy 2,000–12,000; D2H busy 2,000–22,000; both 2,000–12,000.
        #expect(link.busy.map(\.ns) == [10_000, 20_000])
        #expect(link.bothBusy.ns == 10_000)
    }

    /// Bytes are all counted when rates do not divide evenly: 1,000,000 B at 150 B/ns takes 6,666.67 ns, so
    /// the flow ends on the next whole ns, 2,000 + 6,667 = 8,667, having moved exactly its bytes.
    @Test func unevenRatesStillCountEveryByte() {
        var link = Self.link()
        _ = Self.start(&link, 1_000_000, .deviceToHost, at: 0, purpose: .swapOut, instance: 3)
        _ = Self.start(&link, 7_000_000, .hostToDevice, at: 0, purpose: .swapIn, instance: 3)
        // D2H at 150 B/ns: 1,000,000 / 150 = 6,666.67 → 8,667. H2D has moved 200 × 6,667 = 1,333,400 by then
        // (its rate holds for whole ns), leaving 5,666,600 at 400 B/ns: 14,166.5 ns → 8,667 + 14,167 = 22,834.
        #expect(Self.drain(&link) == [0: 8_667, 1: 22_834])
        #expect(link.bytesMoved == [7_000_000, 1_000_000])
        #expect(link.bytesByInstance[3]?[.deviceToHost]?[.swapOut] == 1_000_000)
        #expect(link.bytesByInstance[3]?[.hostToDevice]?[.swapIn] == 7_000_000)
    }

    /// A zero-byte transfer finishes when its latency is over and moves nothing.
    @Test func zeroByteTransfer() {
        var link = Self.link()
        let id = Self.start(&link, 0, .hostToDevice, at: 1_000)
        #expect(link.nextEvent == .nanoseconds(3_000))
        #expect(link.advance(to: .nanoseconds(3_000)).map(\.id) == [id])
        #expect(link.flows.isEmpty && link.nextEvent == nil)
        #expect(link.bytesMoved == [0, 0])
    }

    /// A zero-byte transfer beside a real one leaves the real one's rate alone once it is done.
    /// A = 4,000,000 B H2D alone would finish at 12,000; the empty flow started at 1,000 is active at 3,000 and
    /// done at once, so A still finishes at 12,000.
    @Test func zeroByteTransferBesideAnother() {
        var link = Self.link()
        _ = Self.start(&link, 4_000_000, .hostToDevice, at: 0)
        _ = Self.start(&link, 0, .hostToDevice, at: 1_000)
        #expect(Self.drain(&link) == [0: 12_000, 1: 3_000])
    }

    /// With no latency, a zero-byte transfer is finished as soon as the link is advanced to its start.
    @Test func zeroByteTransferWithoutLatency() {
        var spec = Self.spec
        spec.latency = .nanoseconds(0)
        var link = SharedLink(spec: spec, hostMemoryBytesPerSecond: Self.plentyOfHostBandwidth)
        let id = link.start(bytes: 0, direction: .deviceToHost, purpose: .swapOut, instance: 0, now: .zero)
        #expect(link.nextEvent == .nanoseconds(0))
        #expect(link.advance(to: .nanoseconds(0)).map(\.id) == [id])
        #expect(link.nextEvent == nil)
    }
}

extension SharedLinkTests {
    /// CPU work holding all host bandwidth leaves a flow the 1 B/s floor, so a large flow would take longer than
    /// an Int64 of ns can hold: it waits with no finish event until the bandwidth comes back, instead of trapping.
    /// A = 20,000,000,000 B H2D, active at 2,000 at 400 B/ns, has moved 4,000,000 by 12,000. All 500 B/ns of host
    /// memory are then held until 1,000,000 (moving 1 B/s × 988 µs ≈ 0.001 B); the 19,996,000,000 B left then take
    /// 49,990,000 ns at 400 B/ns → 50,990,000.
    @Test func exhaustedHostBandwidthStallsAFlow() {
        var link = Self.link(hostBytesPerSecond: 500e9)
        _ = Self.start(&link, 20_000_000_000, .hostToDevice, at: 0)
        #expect(link.advance(to: .nanoseconds(2_000)).isEmpty)
        #expect(link.advance(to: .nanoseconds(12_000)).isEmpty)
        link.reserveHostBandwidth(500e9, now: .nanoseconds(12_000))
        #expect(link.flows[0].bytesPerSecond == 1)
        #expect(link.nextEvent == nil, "no finish within an Int64 of ns")
        #expect(link.advance(to: .nanoseconds(1_000_000)).isEmpty)
        link.reserveHostBandwidth(0, now: .nanoseconds(1_000_000))
        #expect(Self.drain(&link) == [0: 50_990_000])
    }
}
