import GraceSimTestSupport
import Testing
@testable import GraceSim

/// docs/architecture.md ("Time is an integer"): integer nanoseconds, converted only at the edges.
@Suite struct SimTimeTests {
    @Test func conversionsRoundToWholeNanoseconds() {
        #expect(SimTime.seconds(1.5).ns == 1_500_000_000)
        #expect(SimTime.milliseconds(2.5).ns == 2_500_000)
        #expect(SimTime.microseconds(3).ns == 3_000)
        #expect(SimTime.seconds(0.6e-9).ns == 1)
        #expect(SimTime.seconds(0.4e-9).ns == 0)
        #expect(SimTime.milliseconds(0.0000015).ns == 2)
        #expect(SimTime.seconds(0.1).ns == 100_000_000)
    }

    @Test func backToSecondsAndMilliseconds() {
        let t = SimTime(ns: 1_234_567_890)
        #expect(t.seconds == 1.23456789)
        #expect(t.milliseconds == 1234.56789)
        #expect(SimTime.seconds(t.seconds) == t)
    }

    @Test func arithmeticAndOrder() {
        var t = SimTime.milliseconds(1) + SimTime.microseconds(500)
        #expect(t.ns == 1_500_000)
        t += SimTime(ns: 1)
        #expect((t - SimTime.milliseconds(1)).ns == 500_001)
        #expect(SimTime.zero < t && t < SimTime.infinity)
    }

    @Test func descriptionPicksAUnit() {
        #expect(SimTime(ns: 12).description == "12 ns")
        #expect(SimTime.milliseconds(2.5).description == "2.5 ms")
        #expect(SimTime.seconds(3).description == "3.0 s")
    }
}
