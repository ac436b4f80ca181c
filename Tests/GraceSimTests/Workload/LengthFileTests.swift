import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// The ShareGPT length files and sampling rows without replacement, as vLLM's benchmark does.
@Suite struct LengthFileTests {
    static func table(_ name: String) throws -> LengthTable {
        try LengthTable(csv: String(contentsOfFile: "\(Repository.root.path)/Workloads/lengths/\(name)", encoding: .utf8))
    }

    static func mean(_ values: [Int32]) -> Double { Double(values.reduce(0) { $0 + Int($1) }) / Double(values.count) }

    /// Workloads/SOURCES.md: 15,485 rows that pass vLLM's filter, prompt mean 247.7, output mean 233.3.
    @Test func firstTurnFileMatchesItsSources() throws {
        let table = try Self.table("sharegpt-first-turn.csv")
        #expect(table.count == 15_485)
        #expect((Self.mean(table.promptTokens) * 10).rounded() / 10 == 247.7)
        #expect((Self.mean(table.outputTokens) * 10).rounded() / 10 == 233.3)
        // vLLM's filter: prompt and output at least 4, prompt at most 1,024, total at most 2,048.
        #expect(zip(table.promptTokens, table.outputTokens).allSatisfy { $0 >= 4 && $1 >= 4 && $0 <= 1024 && $0 + $1 <= 2048 })
    }

    /// The multi-turn file under its new name: 30,731 rows, prompt mean 2,340 (the accumulated conversation).
    @Test func multiturnFileKeepsItsContent() throws {
        let table = try Self.table("sharegpt-multiturn.csv")
        #expect(table.count == 30_731)
        #expect(Self.mean(table.promptTokens).rounded() == 2340)
    }

    static func workload(_ lengths: String, requests: Int) -> String {
        """
        workload:
          max_requests: \(requests)
          arrivals: {kind: poisson, rate: 10}
          lengths: \(lengths)
        """
    }

    /// Shuffled sampling takes every row once, in a seed-dependent order, then starts over in the same order.
    @Test func shuffledSamplingCoversDistinctRowsThenWraps() throws {
        let rows = (1...50).map { "\($0),\($0 + 1000)" }.joined(separator: "\n")
        let folder = try WorkloadFixtures.directory(with: ["rows.csv": "num_prefill_tokens,num_decode_tokens\n\(rows)\n"])
        let spec = try WorkloadFixtures.spec(Self.workload("{kind: file, path: rows.csv, sampling: shuffled}", requests: 120), base: folder)
        let requests = WorkloadFixtures.requests(spec, seed: 3)
        let prompts = requests.map(\.promptTokens)
        #expect(Set(prompts.prefix(50)) == Set(1...50))
        #expect(prompts.prefix(50) != ArraySlice(1...50))  // shuffled, not in file order
        #expect(Array(prompts[50..<100]) == Array(prompts[0..<50]))
        #expect(requests.allSatisfy { $0.outputTokens == $0.promptTokens + 1000 })
        let other = WorkloadFixtures.requests(spec, seed: 4).map(\.promptTokens)
        #expect(other.prefix(50) != prompts.prefix(50))
        #expect(WorkloadFixtures.requests(spec, seed: 3).map(\.promptTokens) == prompts)
        // The default still draws with replacement: 50 draws from 50 rows repeat some.
        let random = try WorkloadFixtures.spec(Self.workload("{kind: file, path: rows.csv}", requests: 50), base: folder)
        #expect(Set(WorkloadFixtures.requests(random, seed: 3).map(\.promptTokens)).count < 50)
    }

    /// Over the real file, one pass of shuffled sampling is the file's rows exactly, as a multiset.
    @Test func shuffledSamplingOfTheFirstTurnFileUsesEveryRowOnce() throws {
        let table = try Self.table("sharegpt-first-turn.csv")
        let spec = try WorkloadFixtures.spec(Self.workload(
            "{kind: file, path: Workloads/lengths/sharegpt-first-turn.csv, sampling: shuffled}", requests: table.count))
        let requests = WorkloadFixtures.requests(spec, seed: 1)
        func pairs(_ p: [Int32], _ o: [Int32]) -> [Int64] { zip(p, o).map { Int64($0) << 32 | Int64($1) }.sorted() }
        #expect(pairs(requests.map(\.promptTokens), requests.map(\.outputTokens)) == pairs(table.promptTokens, table.outputTokens))
    }

    @Test func unknownSamplingIsAnError() throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try WorkloadFixtures.spec(Self.workload("{kind: file, path: Workloads/lengths/sharegpt-first-turn.csv, sampling: sorted}", requests: 5))
        }
        #expect(error?.key == "workload.lengths.sampling")
        #expect(error?.description.contains("random, shuffled") == true)
    }

    @Test func firstTurnExperimentLoads() throws {
        let experiment = try Experiment.load(path: "\(Repository.root.path)/Configs/experiments/c1-temporal-sharegpt-first-turn.yaml")
        #expect(experiment.name == "c1-temporal-sharegpt-first-turn")
        guard case let .shuffledTable(table) = experiment.workload.sources[0].lengths else {
            Issue.record("expected shuffled rows of a length file")
            return
        }
        #expect(table.count == 15_485)
        #expect(experiment.instances.count == 3)
    }
}
