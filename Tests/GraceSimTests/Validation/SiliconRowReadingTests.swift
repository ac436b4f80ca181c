import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The reader of NVIDIA's silicon table: values as written, unset sizes as 1, and bad input naming line and column.
@Suite struct SiliconRowReadingTests {
    static let header = SiliconRow.columns.joined(separator: ",")

    /// A table with a header and `lines`.
    static func table(_ lines: String...) -> String {
        ([header] + lines).joined(separator: "\n") + "\n"
    }

    static let dense = "llama_c8,0.12.0,meta-llama/Llama-3.1-8B-Instruct,h100_sxm,,,,1024,128,8,1,1,,0,1,60.5,8.25,0"
    static let moe = "oss_c16,,openai/gpt-oss-120b,h200_sxm,fp4,nvfp4,nvfp4,1000.0,2000,16,4.0,1,2,2,4,120,12,1"

    @Test func readsValuesAsWritten() throws {
        let rows = try SiliconRow.parse(text: Self.table(Self.dense, Self.moe), file: "t.csv")
        #expect(rows.count == 2)
        let dense = rows[0]
        #expect(dense == SiliconRow(id: "llama_c8", backendVersion: "0.12.0", modelPath: "meta-llama/Llama-3.1-8B-Instruct",
                                    system: "h100_sxm", inputTokens: 1024, outputTokens: 128, concurrency: 8,
                                    ttftMs: 60.5, tpotMs: 8.25, line: 2))
        #expect(dense.weightPrecision == "bf16")
        #expect(dense.hasSixteenBitWeights)
        let moe = rows[1]
        #expect(moe.backendVersion == nil)
        #expect(moe.precision == "fp4" && moe.gemmQuantMode == "nvfp4" && moe.moeQuantMode == "nvfp4")
        #expect(moe.inputTokens == 1000)
        #expect(moe.tensorParallel == 4 && moe.pipelineParallel == 1 && moe.attentionDataParallel == 2)
        #expect(moe.moeTensorParallel == 2 && moe.moeExpertParallel == 4)
        #expect(moe.isMoE)
        #expect(moe.weightPrecision == "nvfp4")
        #expect(!moe.hasSixteenBitWeights)
        #expect(moe.line == 3)
    }

    @Test func columnsInAnyOrderAndExtraColumnsIgnored() throws {
        let columns = ["extra"] + SiliconRow.columns.reversed()
        let values = ["x"] + Self.dense.split(separator: ",", omittingEmptySubsequences: false).map(String.init).reversed()
        let text = columns.joined(separator: ",") + "\n" + values.joined(separator: ",") + "\n"
        let rows = try SiliconRow.parse(text: text, file: "t.csv")
        #expect(rows.map(\.id) == ["llama_c8"])
        #expect(rows[0].ttftMs == 60.5)
    }

    /// Each bad field is reported as `file: line N: column C: ...`.
    @Test(arguments: [
        ("isl", "abc", "expected a whole number from 1"),
        ("isl", "0", "expected a whole number from 1"),
        ("osl", "12.5", "expected a whole number"),
        ("concurrency", "", "found \"\""),
        ("tp_size", "-1", "expected a whole number from 0 to 4096"),
        ("silicon_ttft_ms", "0", "above 0"),
        ("silicon_tpot_ms", "nan", "above 0"),
        ("is_moe", "yes", "expected 0 or 1"),
        ("model_path", "", "blank"),
        ("id", "", "blank"),
    ])
    func badFieldNamesLineAndColumn(column: String, value: String, expected: String) {
        var fields = Self.dense.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[SiliconRow.columns.firstIndex(of: column)!] = value
        let text = Self.table(Self.moe, fields.joined(separator: ","))
        let error = configError { _ = try SiliconRow.parse(text: text, file: "t.csv") }
        #expect(error?.file == "t.csv")
        #expect(error?.key == "line 3")
        #expect(error?.message.hasPrefix("column \(column): ") == true, "\(String(describing: error))")
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("t.csv: line 3: column \(column): ") == true)
    }

    @Test func duplicateIDNamesTheEarlierLine() {
        let error = configError { _ = try SiliconRow.parse(text: Self.table(Self.dense, Self.moe, Self.dense), file: "t.csv") }
        #expect(error?.key == "line 4")
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func missingColumnNamesTheHeader() {
        let text = Self.header.replacingOccurrences(of: ",is_moe", with: "") + "\n" + Self.dense + "\n"
        let error = configError { _ = try SiliconRow.parse(text: text, file: "t.csv") }
        #expect(error?.key == "line 1")
        #expect(error?.message.contains("missing column is_moe") == true)
    }

    @Test func tooFewFieldsOnALine() {
        let error = configError { _ = try SiliconRow.parse(text: Self.table("only,three,fields"), file: "t.csv") }
        #expect(error?.key == "line 2")
        #expect(error?.message.contains("comma-separated fields") == true)
    }

    @Test func emptyFilesAndFilesWithoutRows() {
        let empty = configError { _ = try SiliconRow.parse(text: "", file: "t.csv") }
        #expect(empty?.key == "")
        #expect(empty?.message.contains("empty") == true)
        let headerOnly = configError { _ = try SiliconRow.parse(text: Self.header + "\n", file: "t.csv") }
        #expect(headerOnly?.message.contains("no data rows") == true)
        let missing = configError { _ = try SiliconRow.load(path: "/no/such/silicon.csv") }
        #expect(missing?.file == "/no/such/silicon.csv")
    }

    /// The committed table reads, and its ids are unique (the reader checks).
    @Test func theCommittedTableReads() throws {
        let rows = try SiliconRow.load(path: Repository.path("Workloads/silicon/vllm-agg.csv"))
        #expect(rows.count == 1328)
        #expect(rows.allSatisfy { $0.concurrency >= 1 && $0.ttftMs > 0 && $0.tpotMs > 0 })
    }
}
