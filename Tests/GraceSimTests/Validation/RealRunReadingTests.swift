import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// The readers of real runs: a run's requests.jsonl and a benchmark_serving --save-result file, on small fixtures.
@Suite struct RealRunReadingTests {
    /// Three requests; the client clock is 1000 s ahead of the engine clock, and request 1 reached the engine
    /// 0.1 s after it was sent, so the clock offset is 1000 (the largest arrival − queued).
    static let jsonl = """
        {"request_id": "a", "input_toks": 100, "output_toks": 11, "arrival_time": 1010.0, "queued_ts": 10.0, "scheduled_ts": 10.0, "first_token_ts": 10.5, "last_token_ts": 11.5}
        {"request_id": "b", "input_toks": 200, "output_toks": 1, "arrival_time": 1011.0, "queued_ts": 11.1, "scheduled_ts": 11.2, "first_token_ts": 12.0, "last_token_ts": 12.0}

        {"request_id": "c", "input_toks": 50, "output_toks": 5, "arrival_time": 1010.5, "queued_ts": 10.5, "scheduled_ts": 10.6, "first_token_ts": 10.8, "last_token_ts": 11.2}
        """

    @Test func requestsJSONLOnTheEngineClockInArrivalOrder() throws {
        let run = try RealRun.fromRequestsJSONL(text: Self.jsonl, file: "r.jsonl", name: "r")
        #expect(run.requests.count == 3)
        #expect(run.hasArrivals)
        #expect(!run.hasITL)
        #expect(run.requests.map(\.inputTokens) == [100, 50, 200])
        #expect(run.requests.map(\.arrivalSeconds) == [0, 0.5, 1.0])
        let first = run.requests[0]
        #expect(abs(first.ttftSeconds - 0.5) < 1e-9)
        #expect(abs(first.e2eSeconds - 1.5) < 1e-9)
        // Request b: arrival 1011 − 1000 = 11.0 on the engine clock, first token at 12.0.
        #expect(abs(run.requests[2].ttftSeconds - 1.0) < 1e-9)
        #expect(abs(run.requests[2].waitSeconds! - 0.2) < 1e-9)
        // 17 output tokens from 0 to 2.0 s (b's last token at 12.0 − 10.0).
        #expect(abs(run.outputTokensPerSecond - 8.5) < 1e-9)
    }

    @Test func malformedLineNamesItsNumber() {
        let text = Self.jsonl.replacingOccurrences(of: "{\"request_id\": \"c\"", with: "{\"request_id\": c")
        let error = configError { _ = try RealRun.fromRequestsJSONL(text: text, file: "r.jsonl", name: "r") }
        #expect(error?.file == "r.jsonl")
        #expect(error?.key == "line 4")
    }

    @Test func missingFieldNamesLineAndKey() {
        let text = Self.jsonl.replacingOccurrences(of: "\"output_toks\": 11, ", with: "")
        let error = configError { _ = try RealRun.fromRequestsJSONL(text: text, file: "r.jsonl", name: "r") }
        #expect(error?.key == "line 1.output_toks")
    }

    static let saveResult = """
        {"date": "20250101-000000", "backend": "vllm", "request_rate": 4.0, "duration": 2.0, "completed": 2,
         "output_throughput": 3.5, "mean_ttft_ms": 150.0,
         "input_lens": [10, 20, 30], "output_lens": [3, 0, 4], "ttfts": [0.1, 0, 0.2],
         "itls": [[0.05, 0.06], [], [0.04, 0.04, 0.05]]}
        """

    @Test func saveResultDropsFailedRequestsAndSumsGaps() throws {
        let run = try RealRun.fromSaveResult(text: Self.saveResult, file: "s.json", name: "s")
        #expect(run.requests.map(\.inputTokens) == [10, 30])
        #expect(!run.hasArrivals)
        #expect(run.hasITL)
        #expect(abs(run.requests[0].e2eSeconds - 0.21) < 1e-12)
        #expect(abs(run.requests[1].e2eSeconds - 0.33) < 1e-12)
        #expect(run.recordedRate == .poisson(perSecond: 4))
        #expect(run.outputTokensPerSecond == 3.5)
        let arrivals = run.arrivalSeconds(seed: 7)
        #expect(arrivals.count == 2 && arrivals[0] == 0 && arrivals[1] > 0)
        #expect(arrivals == run.arrivalSeconds(seed: 7))
    }

    @Test func saveResultAtInfiniteRateArrivesAllAtOnce() throws {
        let text = Self.saveResult.replacingOccurrences(of: "\"request_rate\": 4.0", with: "\"request_rate\": \"inf\"")
        let run = try RealRun.fromSaveResult(text: text, file: "s.json", name: "s")
        #expect(run.arrivalSeconds(seed: 1) == [0, 0])
    }

    @Test func saveResultWithMismatchedLengths() {
        let text = Self.saveResult.replacingOccurrences(of: "\"ttfts\": [0.1, 0, 0.2]", with: "\"ttfts\": [0.1, 0]")
        let error = configError { _ = try RealRun.fromSaveResult(text: text, file: "s.json", name: "s") }
        #expect(error?.key == "ttfts")
        #expect(error?.description.contains("(3)") == true)
    }

    @Test func missingFile() {
        let error = configError { _ = try RealRun.load(path: "/no/such/run") }
        #expect(error?.file == "/no/such/run")
    }
}
