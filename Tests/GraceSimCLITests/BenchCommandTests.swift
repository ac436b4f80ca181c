import GraceSimTestSupport
import Foundation
import Testing

/// Guards `gracesim bench`'s output: one header line, then label and value lines whose values share a column.
@Suite struct BenchCommandTests {
    @Test func valuesStartInOneColumn() async throws {
        let result = try await GraceSimProcess.run(["bench", "--runs", "1", "--requests", "100"])
        expectSuccess(result)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("benchmark: bench-reference") == true, "\(lines)")
        let rows = Array(lines.dropFirst())
        #expect(rows.map { $0.split(separator: "  ", omittingEmptySubsequences: true).first.map(String.init) ?? "" }
                == ["wall time", "simulated", "requests per wall-second", "iterations per wall-second", "peak memory"])
        // The value starts after the label's padding: the first non-space after two spaces past the longest label.
        let column = "  iterations per wall-second  ".count
        for row in rows {
            let index = row.index(row.startIndex, offsetBy: column, limitedBy: row.endIndex) ?? row.endIndex
            #expect(row[..<index].hasSuffix("  ") && index < row.endIndex && row[index] != " ", "misaligned: \(row)")
        }
    }
}
