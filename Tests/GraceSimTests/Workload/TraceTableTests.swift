import GraceSimTestSupport
import Testing
@testable import GraceSim

@Suite struct TraceTableTests {
    /// First rows of azure-code-2023.csv, worked by hand:
    /// 18:17:03.9799600 → 0; 18:17:04.0319600 − 03.9799600 = 0.0520000 s; 04.0781490 − 03.9799600 = 0.0981890 s;
    /// 04.1206440 − 03.9799600 = 0.1406840 s.
    @Test func azureCodeFirstRowsParseToExactOffsets() throws {
        let trace = try WorkloadFixtures.trace("azure-code-2023.csv", format: .azure)
        #expect(trace.count == 8_819)
        #expect(Array(trace.arrivalNs.prefix(4)) == [0, 52_000_000, 98_189_000, 140_684_000])
        #expect(Array(trace.promptTokens.prefix(2)) == [4808, 3180])
        #expect(Array(trace.outputTokens.prefix(2)) == [10, 8])
    }

    /// azure-conv-2023.csv: 18:15:50.9951690 − 18:15:46.6805900 = 4.3145790 s.
    @Test func azureConvSecondRowOffset() throws {
        let trace = try WorkloadFixtures.trace("azure-conv-2023.csv", format: .azure)
        #expect(trace.count == 19_366)
        #expect(trace.arrivalNs[1] == 4_314_579_000)
    }

    @Test func timestampsAcrossMidnightAndWithOffsets() throws {
        func ns(_ text: String) -> Int64? { TraceTable.parseTimestampNs(ArraySlice(text.utf8)) }
        let before = try #require(ns("2023-12-31 23:59:59.5"))
        let after = try #require(ns("2024-01-01 00:00:00.25"))
        #expect(after - before == 750_000_000)
        #expect(ns("1970-01-01 00:00:01") == 1_000_000_000)
        #expect(ns("2024-05-10 00:00:00.009930+00:00") == ns("2024-05-10T00:00:00.00993Z"))
        #expect(ns("2024-05-10 02:00:00+02:00") == ns("2024-05-10 00:00:00"))
        for bad in ["2023-13-01 00:00:00", "2023-11-16 18:17", "2023-11-16 18:17:03.", "2023/11/16 18:17:03", "x"] {
            #expect(ns(bad) == nil, "\(bad)")
        }
    }

    /// rate_scale 2 divides every offset by 2, so the span halves (to the nearest ns).
    @Test func rateScaleTwoHalvesTheSpan() throws {
        let path = "Workloads/traces/azure-code-2023.csv"
        let normal = try WorkloadFixtures.spec("workload: {arrivals: {kind: trace, path: \(path)}}")
        let fast = try WorkloadFixtures.spec("workload: {arrivals: {kind: trace, path: \(path), rate_scale: 2}}")
        let span = try #require(normal.sources[0].trace).span.ns
        let fastSpan = try #require(fast.sources[0].trace).span.ns
        #expect(span == 3_435_948_056_000)
        #expect(abs(fastSpan * 2 - span) <= 1)
        let requests = WorkloadFixtures.requests(fast)
        #expect(requests.count == 8_819)
        #expect(requests.last?.arrival.ns == fastSpan)
    }

    /// The window [600 s, 1200 s) of the code trace holds 2,146 requests (counted independently with
    /// Python's datetime); they are rebased so the window starts at 0.
    @Test func windowSelectsTheRightRequests() throws {
        let spec = try WorkloadFixtures.spec("""
            workload:
              arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, start_s: 600, end_s: 1200}
            """)
        let requests = WorkloadFixtures.requests(spec)
        #expect(requests.count == 2_146)
        #expect(requests.allSatisfy { $0.arrival >= .zero && $0.arrival < .seconds(600) })
        let tail = try WorkloadFixtures.spec("""
            workload: {arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, start_s: 3000}}
            """)
        #expect(WorkloadFixtures.requests(tail).count == 719)
    }

    /// Hand example: ticks 3 s apart; three requests at 0, two at 3 s, one at 6 s.
    @Test func tickSpreadingByHand() {
        let s: Int64 = 1_000_000_000
        let spread = TraceTable.spreadTicks([0, 0, 0, 3 * s, 3 * s, 6 * s])
        #expect(spread == [0, s, 2 * s, 3 * s, 4 * s + s / 2, 6 * s])
        #expect(TraceTable.spreadTicks([5, 5]) == [5, 5], "a single tick has no width to spread over")
    }

    /// On the real Mooncake trace, every request stays in [its tick, next tick) and the order is kept.
    @Test func mooncakeTickSpreadingKeepsOrderAndStaysInTick() throws {
        let trace = try WorkloadFixtures.trace("mooncake-conversation.jsonl", format: .mooncake)
        let text = try String(contentsOfFile: "\(Repository.root.path)/Workloads/traces/mooncake-conversation.jsonl",
                              encoding: .utf8)
        let rawNs: [Int64] = text.split(separator: "\n").map { line in
            let value = line.split(separator: ",")[0].split(separator: ":")[1].trimmingPrefix(" ")
            return Int64(value)! * 1_000_000
        }
        #expect(trace.count == 12_031)
        #expect(rawNs.count == trace.count)
        #expect(Array(trace.promptTokens.prefix(3)) == [6758, 7322, 7236])
        let nextTick = rawNs.indices.map { index in rawNs[index...].first { $0 > rawNs[index] } ?? rawNs[index] + 3_000_000_000 }
        for index in trace.arrivalNs.indices {
            #expect(trace.arrivalNs[index] >= rawNs[index] && trace.arrivalNs[index] < nextTick[index])
            if index > 0 { #expect(trace.arrivalNs[index] >= trace.arrivalNs[index - 1]) }
        }
        #expect(Set(trace.arrivalNs).count > 12_000, "ties are spread, not kept")
    }
}
