import GraceSim
import GraceSimTestSupport
import Testing

/// `gracesim replay --silicon`: a tiny silicon table in a scratch folder, and a bad one as one line with exit status 2.
@Suite struct SiliconReplayCommandTests {
    static let header = SiliconRow.columns.joined(separator: ",")
    /// One row gracesim can express (small, so that it replays quickly) and one it cannot (attention data parallel, experts over its ranks).
    static let rows = [
        "tiny_c2,0.12.0,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,,,,32,4,2,1,1,,1,1,15.0,4.0,0",
        "oss_dp2,0.12.0,openai/gpt-oss-120b,h200_sxm,fp4,nvfp4,nvfp4,1000,2000,16,2,1,2,1,2,120.0,12.0,1",
    ]

    @Test func printsTheTableAndTheSummary() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("silicon.csv", ([Self.header] + Self.rows).joined(separator: "\n") + "\n")
        let result = try await GraceSimProcess.run(["replay", "--silicon", file])
        expectSuccess(result)
        let out = result.stdoutText
        for text in ["2 rows, 1 expressible, 1 not expressible yet", "tiny_c2", "TTFT real",
                     "Not expressible yet, by reasons:", "expert parallel",
                     "openai/gpt-oss-120b"] {
            #expect(out.contains(text), "\(text) in \(out)")
        }
        let markdown = try await GraceSimProcess.run(["replay", "--silicon", file, "--markdown"])
        expectSuccess(markdown)
        #expect(markdown.stdoutText.contains("| h100_sxm | 1 |"))
    }

    @Test func badTableIsOneLine() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let bad = Self.rows[0].replacingOccurrences(of: ",32,4,2,", with: ",thirty-two,4,2,")
        let file = try folder.write("silicon.csv", [Self.header, bad].joined(separator: "\n") + "\n")
        let result = try await GraceSimProcess.run(["replay", "--silicon", file])
        expectBadInput(result, file: file, key: "line 2", mentions: ["column isl", "thirty-two"])
    }

    @Test func missingTableIsOneLine() async throws {
        let result = try await GraceSimProcess.run(["replay", "--silicon", "no-such-silicon.csv"])
        expectBadInput(result, file: "no-such-silicon.csv", key: "")
    }
}
