import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Mooncake's `hash_ids`: each id one 512-token block of the prompt, read into the requests' prompt segments.
@Suite struct MooncakeBlocksTests {
    static let threeRows = """
        {"timestamp": 0, "input_length": 1100, "output_length": 5, "hash_ids": [7, 8, 9]}
        {"timestamp": 0, "input_length": 600, "output_length": 6, "hash_ids": [7, 10]}
        {"timestamp": 3000, "input_length": 40, "output_length": 7}
        {"timestamp": 6000, "input_length": 1500, "output_length": 8, "hash_ids": [ 7 ,11 ]}
        """

    @Test func idsAreReadPerRowAndRowsWithoutThemHaveNone() throws {
        let table = try TraceTable(text: Self.threeRows, format: .mooncake)
        #expect(table.hasBlocks)
        #expect(table.blockIds == [7, 8, 9, 7, 10, 7, 11])
        #expect(table.blockStart == [0, 3, 5, 5, 7])
        #expect(Array(table.blocks(row: 2)).isEmpty)
        #expect(Array(table.blocks(row: 3)) == [7, 11])
    }

    /// The two rows at 0 ms are spread over the 3 s tick (0 and 1.5 s); from 2 s on come the rows at 3 and 6 s.
    @Test func aWindowKeepsItsRowsBlocks() throws {
        let window = try TraceTable(text: Self.threeRows, format: .mooncake).window(start: .seconds(2), end: .seconds(10))
        #expect(window.count == 2)
        #expect(window.blockStart == [0, 0, 2])
        #expect(Array(window.blocks(row: 1)) == [7, 11])
    }

    @Test func aTraceWithoutIdsAllocatesNoBlocks() throws {
        let table = try TraceTable(text: "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n", format: .mooncake)
        #expect(!table.hasBlocks && table.blockStart.isEmpty && table.blockIds.isEmpty)
        let spec = try traceWorkload("plain.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n")
        #expect(WorkloadFixtures.requests(spec).map(\.content) == [nil])
    }

    /// Worked by hand: 1100 tokens are blocks of 512, 512 and 76; 600 are 512 and 88; a row without ids has no
    /// content; 1500 tokens with two ids share their first 1024 and keep the last 476 as their own.
    @Test func segmentsAreBlocksCutToThePrompt() throws {
        let requests = WorkloadFixtures.requests(try traceWorkload("blocks.jsonl", Self.threeRows))
        #expect(requests[2].content == nil)
        let contents = [0, 1, 3].map { requests[$0].content! }
        #expect(contents.map { $0.segments.map(\.tokens) } == [[512, 512, 76], [512, 88], [512, 512]])
        let first = contents.map { $0.segments.first?.content }
        #expect(first[0] == first[1] && first[1] == first[2], "hash id 7 is one block wherever it appears")
        #expect(Set(contents.flatMap { $0.segments.map(\.content) }).count == 5, "ids 7, 8, 9, 10, 11")
        #expect(Set(contents.map(\.output)).count == 3, "every request's output is its own")
        #expect(Set(contents.map(\.output)).isDisjoint(with: contents.flatMap { $0.segments.map(\.content) }))
    }

    @Test func aPromptClippedShorterCutsItsSegments() throws {
        let spec = try traceWorkload("blocks.jsonl", Self.threeRows, lengths: "{kind: trace, max_prompt: 600}")
        let tokens = WorkloadFixtures.requests(spec).map { $0.content?.segments.map(\.tokens) }
        #expect(tokens == [[512, 88], [512, 88], nil, [512, 88]])
    }

    @Test func theRepositoryTraceHasOneIdPerBlock() throws {
        let table = try WorkloadFixtures.trace("mooncake-conversation.jsonl", format: .mooncake)
        #expect(table.count == 12_031)
        #expect(table.blockIds.count == 288_500)
        #expect(Set(table.blockIds).count == 182_790)
        for row in 0..<table.count {
            let blocks = table.blocks(row: row).count
            #expect(blocks == (Int(table.promptTokens[row]) + 511) / 512, "row \(row)")
            if blocks != (Int(table.promptTokens[row]) + 511) / 512 { break }
        }
    }

    @Test func sameSeedSameContents() throws {
        let yaml = "workload: {max_requests: 300, arrivals: {kind: trace, path: Workloads/traces/mooncake-conversation.jsonl}}"
        let first = WorkloadFixtures.requests(try WorkloadFixtures.spec(yaml))
        let second = WorkloadFixtures.requests(try WorkloadFixtures.spec(yaml))
        #expect(first == second)
        #expect(first.allSatisfy { request in request.content?.segmentTokens == Int(request.promptTokens) })
    }

    @Test(arguments: [
        ("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2, 3]}", "more than the 2 blocks"),
        ("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, -2]}", "non-negative integers"),
        ("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": 3}", "list of non-negative"),
        ("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2}", "list of non-negative"),
        ("{\"timestamp\": 0, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [99999999999999999999]}", "non-negative integers"),
    ])
    func badIdsNameTheLine(_ line: String, _ expected: String) throws {
        let error = #expect(throws: ConfigError.self) { _ = try traceWorkload("bad.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n\(line)\n") }
        let description = error?.description ?? ""
        #expect(error?.key == "workload.arrivals.path", "\(description)")
        #expect(description.contains("line 2") && description.contains(expected), "\(description)")
    }

    /// A workload replaying `text` as the trace file `name`.
    private func traceWorkload(_ name: String, _ text: String, lengths: String? = nil) throws -> WorkloadSpec {
        let folder = try WorkloadFixtures.directory(with: [name: text])
        let lengthsLine = lengths.map { ", lengths: \($0)" } ?? ""
        return try WorkloadFixtures.spec("workload: {arrivals: {kind: trace, path: \(name)}\(lengthsLine)}", base: folder)
    }
}
