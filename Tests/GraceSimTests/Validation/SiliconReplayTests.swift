import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The replay of one small hand-made row: a warm-up phase and a measured phase, each a closed loop that keeps exactly
/// `concurrency` requests in flight, and statistics from the measured phase only.
@Suite struct SiliconReplayTests {
    /// Llama-3.1-8B on one H100, 4 clients, 64-token prompts, 8-token outputs: 8 warm-up and 80 measured requests.
    static let row = SiliconRow(id: "tiny", modelPath: "meta-llama/Llama-3.1-8B-Instruct", system: "h100_sxm",
                                inputTokens: 64, outputTokens: 8, concurrency: 4, ttftMs: 20, tpotMs: 5)

    static func replay() throws -> SiliconReplay.Result {
        let classifier = SiliconClassifier(catalog: Repository.catalog)
        let setup = try #require(classifier.classify(row).setup)
        return try SiliconReplay.run(row, setup: setup, catalog: classifier.catalog)
    }

    @Test func warmupThenMeasuredRequestsAllFinish() throws {
        let result = try Self.replay()
        #expect(result.requests.count == 88)
        #expect(result.requests.filter(\.isWarmup).count == 8)
        #expect(result.requests.prefix(8).allSatisfy { $0.isWarmup })
        #expect(result.measuredFinished == 80)
        #expect(result.unfinished == 0)
        #expect(result.requests.allSatisfy { $0.generatedTokens == 8 })
    }

    /// At every arrival exactly 4 requests are in flight, and never more at any moment; the warm-up has ended
    /// entirely when the measured phase's first requests (all 4 at once) arrive.
    @Test func closedLoopKeepsConcurrencyInFlight() throws {
        let result = try Self.replay()
        for request in result.requests {
            #expect(result.inFlight(atNs: request.arrivalNs) == 4, "at \(request.arrivalNs) ns")
        }
        let instants = Set(result.requests.flatMap { [$0.arrivalNs, $0.firstTokenNs, $0.finishNs] }).sorted()
        #expect(instants.allSatisfy { result.inFlight(atNs: $0) <= 4 })
        let warmupEnd = result.requests.filter(\.isWarmup).map(\.finishNs).max()!
        let measured = result.requests.filter { !$0.isWarmup }
        #expect(measured.prefix(4).allSatisfy { $0.arrivalNs == warmupEnd })
        #expect(measured.allSatisfy { $0.arrivalNs >= warmupEnd })
        #expect(result.requests.filter(\.isWarmup).allSatisfy { $0.finishNs <= warmupEnd })
    }

    /// The means are over the 80 measured requests alone.
    @Test func statisticsLeaveTheWarmupOut() throws {
        let result = try Self.replay()
        let measured = result.requests.filter { !$0.isWarmup }
        let ttft = measured.map { Double($0.firstTokenNs - $0.arrivalNs) / 1e6 }.reduce(0, +) / 80
        let tpot = measured.map { Double($0.finishNs - $0.firstTokenNs) / 1e6 / 7 }.reduce(0, +) / 80
        let simulatedTTFT = try #require(result.ttftMs)
        let simulatedTPOT = try #require(result.tpotMs)
        #expect(abs(simulatedTTFT - ttft) < 1e-9)
        #expect(abs(simulatedTPOT - tpot) < 1e-9)
        #expect(simulatedTTFT > 0)
        #expect(simulatedTPOT > 0)
        #expect(abs(result.ttftError! - (simulatedTTFT - 20) / 20) < 1e-12)
        #expect(abs(result.tpotError! - (simulatedTPOT - 5) / 5) < 1e-12)
    }

    @Test func sameRowSameResult() throws {
        let first = try Self.replay()
        let second = try Self.replay()
        #expect(first.requests == second.requests)
        #expect(first.ttftMs == second.ttftMs && first.tpotMs == second.tpotMs)
    }

    /// A report of one replayed and one unexpressible row: the per-GPU errors, the counts and both tables.
    @Test func reportOfBothKinds() throws {
        var fp8 = Self.row
        fp8.id = "fp8-tp16"
        fp8.gemmQuantMode = "fp8"
        fp8.tensorParallel = 16
        let classifier = SiliconClassifier(catalog: Repository.catalog)
        let report = try SiliconReport.build(file: "t.csv", rows: [Self.row, fp8], classifier: classifier)
        #expect(report.rowCount == 2)
        #expect(report.replays.map(\.row.id) == ["tiny"])
        #expect(report.reasonCombinations.map(\.combination) == ["tensor parallel"])
        #expect(report.groups == [SiliconReport.Group(system: "h100_sxm", model: "meta-llama/Llama-3.1-8B-Instruct",
                                                      precision: "fp8", tensorParallel: 16, rows: 1,
                                                      reasons: [.tensorParallel(16)])])
        let gpu = try #require(report.errorsByGPU.first)
        #expect(gpu.name == "h100_sxm" && gpu.rows == 1)
        #expect(gpu.ttftMedian == abs(report.replays[0].ttftError!))
        #expect(gpu.ttftBias == report.replays[0].ttftError)
        #expect(report.errorsByModel.map(\.name) == ["h100_sxm, meta-llama/Llama-3.1-8B-Instruct, bf16, TP 1"])
        let text = report.text()
        #expect(text.contains("t.csv: 2 rows, 1 expressible, 1 not expressible yet"))
        #expect(text.contains("tensor parallel 16"))
        let page = report.markdown(heading: "H")
        #expect(page.hasPrefix("## H\n"))
        #expect(page.contains("| h100_sxm | 1 |"))
        #expect(page.contains("| all | 1 |"))
        #expect(page.contains("| 1 | tensor parallel |"))
    }

    @Test func reportWithNothingExpressibleSaysSo() throws {
        var moe = Self.row
        moe.modelPath = "MiniMaxAI/MiniMax-M2.5"
        moe.isMoE = true
        let report = try SiliconReport.build(file: "t.csv", rows: [moe], classifier: SiliconClassifier(catalog: Repository.catalog))
        #expect(report.errorsByGPU.isEmpty)
        #expect(report.text().contains("No row is expressible yet."))
        #expect(report.markdown(heading: "H").contains("None of the 1 rows is expressible yet"))
    }
}
