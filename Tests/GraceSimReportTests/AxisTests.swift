import GraceSimTestSupport
import Testing
@testable import GraceSimReport

/// Nice numbers, ticks and the mapping of values to positions.
@Suite struct AxisTests {
    @Test func niceNumbersAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(NiceNumbers.nice(0.73, round: true) == 1)
        #expect(NiceNumbers.nice(0.43, round: true) == 0.5)
        #expect(NiceNumbers.nice(0.73, round: false) == 1)
        #expect(NiceNumbers.nice(1.7, round: true) == 2)
        #expect(NiceNumbers.nice(380, round: true) == 500)
        #expect(NiceNumbers.nice(380, round: false) == 500)
        #expect(NiceNumbers.nice(120, round: false) == 200)
    }

    @Test func linearTicksCoverTheDataAtWholeSteps() {
        let ticks = NiceNumbers.linearTicks(0.1, 0.4, count: 6)
        #expect(ticks.step == 0.1)
        #expect(ticks.lower == 0.1 && ticks.upper == 0.4)
        #expect(ticks.ticks == [0.1, 0.2, 0.3, 0.4])
        let quarters = NiceNumbers.linearTicks(0.1, 0.4, count: 11)
        #expect(quarters.ticks.map { SVGText.tick($0, step: quarters.step) } == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35", "0.40"])

        let latency = NiceNumbers.linearTicks(0, 147, count: 6)
        #expect(latency.ticks == [0, 50, 100, 150])
        // A step of 0.1 prints without binary noise: 0.30000000000000004 would be a bad label.
        let tenths = NiceNumbers.linearTicks(0, 0.95, count: 11)
        #expect(tenths.ticks.map { SVGText.tick($0, step: tenths.step) } == ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
    }

    @Test func aZeroWidthRangeIsWidenedAroundItsValue() {
        let flat = Axis(label: "x", dataMin: 5, dataMax: 5)
        #expect(flat.lower < 5 && flat.upper > 5)
        let negative = Axis(label: "x", dataMin: -2, dataMax: -2)
        #expect(negative.lower < -2 && negative.upper > -2)
        let zero = Axis(label: "x", dataMin: 0, dataMax: 0)
        #expect(zero.lower == 0 && zero.upper == 1)
    }

    @Test func includeZeroExtendsTheAxisToZero() {
        let axis = Axis(label: "tokens/s", dataMin: 380, dataMax: 820, includeZero: true)
        #expect(axis.lower == 0)
        #expect(axis.upper >= 820)
        #expect(axis.ticks.first == 0)
    }

    @Test func logAxesEndAtTheDataRoundedToOneTwoOrFive() {
        let wide = Axis(label: "ms", scale: .log, dataMin: 12, dataMax: 180_000)
        #expect(wide.lower == 10 && wide.upper == 200_000, "not a whole decade past the data")
        #expect(wide.ticks == [10, 100, 1000, 10_000, 100_000])
        #expect(wide.ticks.map(wide.tickLabel) == ["10", "100", "1000", "10k", "100k"])

        let narrow = NiceNumbers.logTicks(3, 70)
        #expect(narrow.lower == 2 && narrow.upper == 100)
        #expect(narrow.ticks == [2, 5, 10, 20, 50, 100])

        let small = Axis(label: "s", scale: .log, dataMin: 0.004, dataMax: 0.08)
        #expect(small.ticks.map(small.tickLabel) == ["0.002", "0.005", "0.01", "0.02", "0.05", "0.1"])
    }

    /// A CCDF's fraction axis: from 1 down to its smallest nonzero value, labelled 1, 0.1, 0.01, 0.001.
    @Test func fractionAxesOfCCDFsHaveReadableDecadeLabels() {
        let ccdf = Axis(label: "fraction above", scale: .log, dataMin: 1.0 / 1500, dataMax: 1)
        #expect(ccdf.lower == 0.0005 && ccdf.upper == 1)
        #expect(ccdf.ticks.map(ccdf.tickLabel) == ["0.001", "0.01", "0.1", "1"])
        let percentiles = Axis(label: "fraction above", scale: .log, dataMin: 0.01, dataMax: 1)
        #expect(percentiles.lower == 0.01 && percentiles.ticks.map(percentiles.tickLabel) == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"])
        let tiny = Axis(label: "fraction above", scale: .log, dataMin: 2e-6, dataMax: 1)
        #expect(tiny.ticks.map(tiny.tickLabel) == ["1e-5", "0.0001", "0.001", "0.01", "0.1", "1"])
        #expect(Axis.logLabel(2e-6) == "2e-6" && Axis.logLabel(5e-5) == "5e-5")
    }

    /// Linear axes end at the data: at a whole step when that adds at most a tenth of the range, else at a fifth
    /// of a step, so no axis (time axes included) runs far past its data.
    @Test func linearAxesEndNearTheData() {
        let time = NiceNumbers.linearTicks(0, 61.3)
        #expect(time.upper == 65 && time.ticks == [0, 20, 40, 60])
        let whole = NiceNumbers.linearTicks(0, 0.95, count: 6)
        #expect(whole.upper == 1)
        let offset = NiceNumbers.linearTicks(3.3, 9.7)
        #expect(offset.lower == 3 && offset.upper == 10)
        for high in [1.01, 1.3, 7.7, 12.5, 61.3, 101, 147, 222, 480, 999, 1234, 31_000] {
            let axis = Axis(label: "x", dataMin: 0, dataMax: high, includeZero: true)
            #expect(axis.upper >= high && axis.upper - high <= 0.1 * high, "0...\(high) ends at \(axis.upper)")
            #expect(axis.ticks.allSatisfy { $0 >= axis.lower && $0 <= axis.upper } && axis.ticks.count >= 2)
        }
    }

    @Test func aLogAxisWithoutPositiveDataFallsBackToLinear() {
        #expect(Axis(label: "x", scale: .log, dataMin: 0, dataMax: 10).scale == .linear)
    }

    @Test func fractionsMapTheEndsToZeroAndOne() {
        let linear = Axis(label: "x", dataMin: 0, dataMax: 100)
        #expect(linear.fraction(linear.lower) == 0)
        #expect(linear.fraction(linear.upper) == 1)
        #expect(linear.fraction(50) == 0.5)
        let log = Axis(label: "x", scale: .log, dataMin: 1, dataMax: 100)
        #expect(abs(log.fraction(10) - 0.5) < 1e-12)
        #expect(!log.accepts(0) && !log.accepts(-1) && log.accepts(0.5))
        #expect(!linear.accepts(.nan) && linear.accepts(-3))
    }
}
