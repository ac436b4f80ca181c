import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// A length file is parsed once per process however many loads name it, and read again once it changes.
@Suite struct WorkloadFileCacheTests {
    static func workload(path: String) -> String {
        """
        workload:
          max_requests: 20
          arrivals: {kind: poisson, rate: 10}
          lengths: {kind: file, path: \(path)}
        """
    }

    @Test func twoLoadsShareOneParseUntilTheFileChanges() throws {
        let folder = try WorkloadFixtures.directory(with: ["rows.csv": "num_prefill_tokens,num_decode_tokens\n7,70\n"])
        let path = folder + "/rows.csv"
        var parses = 0
        let first = DataFiles.lengthTables.value(key: path, path: path) { parses += 1; return LengthTable(promptTokens: [7], outputTokens: [70]) }
        let second = DataFiles.lengthTables.value(key: path, path: path) { parses += 1; return LengthTable(promptTokens: [], outputTokens: []) }
        #expect(parses == 1)
        #expect(first.promptTokens == [7] && second.promptTokens == [7])

        // Through the loader: the experiment sees the file as it is at each load.
        let spec = try WorkloadFixtures.spec(Self.workload(path: "rows.csv"), base: folder)
        #expect(WorkloadFixtures.requests(spec, seed: 1).allSatisfy { $0.promptTokens == 7 && $0.outputTokens == 70 })
        try "num_prefill_tokens,num_decode_tokens\n123,456\n".write(toFile: path, atomically: false, encoding: .utf8)
        let changed = try WorkloadFixtures.spec(Self.workload(path: "rows.csv"), base: folder)
        #expect(WorkloadFixtures.requests(changed, seed: 1).allSatisfy { $0.promptTokens == 123 && $0.outputTokens == 456 })
    }

    @Test func aBadFileIsReportedAtEveryLoad() throws {
        let folder = try WorkloadFixtures.directory(with: ["bad.csv": "num_prefill_tokens,num_decode_tokens\nx,1\n"])
        for _ in 0..<2 {
            #expect(throws: ConfigError.self) { try WorkloadFixtures.spec(Self.workload(path: "bad.csv"), base: folder) }
        }
    }
}
