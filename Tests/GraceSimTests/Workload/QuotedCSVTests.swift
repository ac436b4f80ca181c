import GraceSimTestSupport
import Testing
@testable import GraceSim

/// CSV files written by spreadsheets and pandas (`quoting=csv.QUOTE_ALL`) quote headers and fields.
@Suite struct QuotedCSVTests {
    static func fields(_ line: String) -> [String] {
        let text = DelimitedText(line)
        return text.fields(0..<text.bytes.count).map { text.string($0) }
    }

    @Test func quotedFieldsLoseTheirQuotesAndKeepCommasAndDoubledQuotes() {
        #expect(Self.fields(#""a","b c", d ,"""x"", y",,"" "#) == ["a", "b c", "d", #""x", y"#, "", ""])
        #expect(Self.fields("a,b,") == ["a", "b", ""])
        #expect(Self.fields(#" "num_prefill_tokens" ,12"#) == ["num_prefill_tokens", "12"])
        #expect(Self.fields(#""open,to the end"#) == ["open,to the end"])
    }

    @Test func aLengthFileWithAQuotedHeaderAndFieldsIsRead() throws {
        let text = "\"num_prefill_tokens\",\"num_decode_tokens\",\"note\"\r\n\"42\",\"7\",\"a, b\"\r\n5,\"6\",\"say \"\"hi\"\"\"\r\n"
        let table = try LengthTable(csv: text)
        #expect(table.promptTokens == [42, 5])
        #expect(table.outputTokens == [7, 6])
        #expect(throws: DataFileError(line: 2, "column num_decode_tokens: expected an integer token count, found \"x\"")) {
            _ = try LengthTable(csv: "\"num_prefill_tokens\",\"num_decode_tokens\"\n\"1\",\"x\"\n")
        }
    }

    @Test func anAzureTraceWithQuotesIsRead() throws {
        let quoted = """
            "TIMESTAMP","ContextTokens","GeneratedTokens"
            "2023-11-16 18:17:03.9799600","4808","10"
            "2023-11-16 18:17:04.0799600","100","20"
            """
        let plain = """
            TIMESTAMP,ContextTokens,GeneratedTokens
            2023-11-16 18:17:03.9799600,4808,10
            2023-11-16 18:17:04.0799600,100,20
            """
        let table = try TraceTable(text: quoted, format: .azure)
        #expect(table.arrivalNs == [0, 100_000_000])
        #expect(table.promptTokens == [4808, 100] && table.outputTokens == [10, 20])
        let reference = try TraceTable(text: plain, format: .azure)
        #expect(table.arrivalNs == reference.arrivalNs)
        #expect(LengthTable.traceFormat(path: "t.csv", text: quoted) == .azure)
    }
}
