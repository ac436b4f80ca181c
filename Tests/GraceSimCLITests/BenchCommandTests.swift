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
        let labels: [String] = rows.map { row in row.split(separator: "  ", omittingEmptySubsequences: true).first.map(String.init) ?? "" }
        #expect(labels == ["wall time", "simulated", "requests per wall-second", "iterations per wall-second", "peak memory"])
        // The value starts after the label's padding: the first non-space after two spaces past the longest label.
        let column = "  iterations per wall-second  ".count
        for row in rows {
            let index = row.index(row.startIndex, offsetBy: column, limitedBy: row.endIndex) ?? row.endIndex
            #expect(row[..<index].hasSuffix("  ") && index < row.endIndex && row[index] != " ", "misaligned: \(row)")
        }
    }
}

/// Guards `gracesim bench --record` and `--check`: the record keeps other machines' figures, and the check sets
/// today's figures beside this machine's.
@Suite struct BenchCheckTests {
    @Test func aRecordKeepsOtherMachinesAndACheckComparesWithIt() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let other = """
            {"machines": [{"machine": "64 cores, another CPU", "recorded": "2026-01-01", "runs": 5,
              "scenarios": [{"name": "reference", "wall_s": 0.5, "requests_per_s": 20000}]}]}
            """
        let figures = try folder.write("recorded.json", other)

        // Cut to 100 requests a scenario: the figures are kept per machine and request count.
        let recorded = try await GraceSimProcess.run(["bench", "--record", "--runs", "1", "--requests", "100", "--figures", figures])
        expectSuccess(recorded)
        #expect(recorded.stdoutText.hasPrefix("recorded "), "\(recorded.stdoutText)")
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: figures))) as? [String: Any]
        let machines = file?["machines"] as? [[String: Any]] ?? []
        #expect(machines.count == 2)
        #expect(machines.first?["machine"] as? String == "64 cores, another CPU", "the other machine's entry comes first, unchanged")
        let names = (machines.last?["scenarios"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        // The reference scenario, then C1 under every strategy on each engine that serves it.
        #expect(names.first == "reference")
        for strategy in ["recompute", "swap", "pie", "offload", "remap"] { #expect(names.contains("c1 v0 \(strategy)"), "\(names)") }
        for strategy in ["kv-offload", "weight-offload"] { #expect(names.contains { $0.hasSuffix(" \(strategy)") }, "\(names)") }

        #expect(machines.last?["requests"] as? Int == 100)
        let checked = try await GraceSimProcess.run(["bench", "--check", "--runs", "1", "--requests", "100", "--figures", figures])
        expectSuccess(checked)
        let lines = checked.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("bench check: this machine") == true, "\(lines)")
        #expect(lines.dropFirst().first?.split(separator: " ").map(String.init) == ["scenario", "recorded", "today", "change"])
        // Every scenario has a recorded figure and a signed change.
        let reference = lines.first { $0.hasPrefix("  reference ") } ?? ""
        #expect(reference.range(of: #"[+-]\d+\.\d%"#, options: .regularExpression) != nil, "\(reference)")
        #expect(!checked.stdoutText.contains(" new"), "\(checked.stdoutText)")

        // At another request count nothing is recorded for this machine yet: today's figures alone, and how to record them.
        let uncut = try await GraceSimProcess.run(["bench", "--check", "--runs", "1", "--requests", "50", "--figures", figures])
        expectSuccess(uncut)
        #expect(uncut.stdoutText.hasPrefix("bench check: no figures are recorded for this machine"), "\(uncut.stdoutText)")
        #expect(uncut.stdoutText.contains("at --requests 50 in ") && uncut.stdoutText.contains("`gracesim bench --record --requests 50` records them"),
                "\(uncut.stdoutText)")
    }

    @Test func aBrokenFigureFileIsOneLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let figures = try folder.write("recorded.json", #"{"machines": [{"machine": "x"}]}"#)
        let result = try await GraceSimProcess.run(["bench", "--check", "--figures", figures])
        expectBadInput(result, file: figures, key: "", mentions: ["gracesim bench --record"])
        let negative = try folder.write("negative.json", """
            {"machines": [{"machine": "x", "recorded": "2026-01-01", "runs": 1,
              "scenarios": [{"name": "reference", "wall_s": -1, "requests_per_s": 1}]}]}
            """)
        expectBadInput(try await GraceSimProcess.run(["bench", "--check", "--figures", negative]), file: negative,
                       key: "machines.0.scenarios.0.wall_s", mentions: ["positive"])
    }
}
