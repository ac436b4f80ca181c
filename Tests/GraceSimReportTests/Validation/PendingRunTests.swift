import Foundation
import GraceSimTestSupport
import Testing
import GraceSim
import GraceSimReport

/// The real runs gracesim cannot replay yet are listed with the reasons their `meta.json` gives and their own medians.
@Suite struct PendingRunTests {
    @Test func qwen3TensorParallelRunSaysWhy() throws {
        let run = try PendingRun.load(path: Repository.path("Workloads/vllm-runs/llmservingsim-rtxpro6000-vllm-0.19.0-qwen3-32b-tp2"))
        #expect(run.model == "Qwen/Qwen3-32B")
        #expect(run.reasons == ["tensor parallel 2"])
        // The run's medians as its source states them: TTFT 40.7 s from the engine's queueing (gracesim counts from
        // the arrival, a little earlier, so a little more), TPOT 84.3 ms.
        #expect(run.medianTTFTSeconds >= 40.7 && run.medianTTFTSeconds < 41.2, "\(run.medianTTFTSeconds)")
        #expect(abs(run.medianTPOTMs - 84.3) < 0.1, "\(run.medianTPOTMs)")
    }

    @Test func mixtureOfExpertsRunSaysWhy() throws {
        let run = try PendingRun.load(path: Repository.path("Workloads/vllm-runs/llmservingsim-rtxpro6000-vllm-0.19.0-qwen3-30b-a3b"))
        #expect(run.reasons == ["data parallel 2", "expert parallel (mixture of experts)"])
    }

    @Test func aFolderWithoutMetaIsOneMessage() {
        #expect(throws: ConfigError.self) { try PendingRun.load(path: "/nonexistent/run") }
    }

    @Test func everyRunFolderIsReplayedOrListed() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Repository.path("Workloads/vllm-runs"))
            .filter { !$0.hasSuffix(".txt") && !$0.hasSuffix(".md") }.sorted()
        let covered = (ValidationPage.cases.map(\.run) + ValidationPage.pending).map { ($0 as NSString).lastPathComponent }.sorted()
        #expect(folders == covered)
    }
}
