/// Prompt and output lengths of real requests, read from a CSV file, to draw rows from at random.
///
/// The file needs the columns `num_prefill_tokens` and `num_decode_tokens` (the vidur/etalon format);
/// other columns are ignored. A request trace (Azure CSV or Mooncake JSONL) may also serve as a length
/// file: its own prompt and output columns are used. Memory: 8 bytes per row.
struct LengthTable: Sendable {
    /// Prompt length of each row, in tokens.
    var promptTokens: [Int32]
    /// Output length of each row, in tokens.
    var outputTokens: [Int32]

    var count: Int { promptTokens.count }

    static let promptColumn = "num_prefill_tokens"
    static let outputColumn = "num_decode_tokens"

    init(promptTokens: [Int32], outputTokens: [Int32]) {
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }

    /// The trace format of a file given as a length file, or nil for a vidur/etalon length CSV.
    static func traceFormat(path: String, text: String) -> TraceTable.Format? {
        if path.lowercased().hasSuffix(".jsonl") { return .mooncake }
        // Bytes, not Characters: "\r\n" is one Character, so a Character scan would not stop at it.
        let header = String(decoding: text.utf8.prefix { $0 != 10 && $0 != 13 }, as: UTF8.self)
        return header.contains("ContextTokens") && header.contains("GeneratedTokens") ? .azure : nil
    }

    /// Parses the text of a length file.
    init(csv text: String) throws(DataFileError) {
        let table = DelimitedText(text)
        var prompts: [Int32] = [], outputs: [Int32] = []
        try table.forEachCSVRow(columns: [Self.promptColumn, Self.outputColumn]) { (line, fields) throws(DataFileError) in
            prompts.append(try table.tokenCount(fields[0], column: Self.promptColumn, line: line))
            outputs.append(try table.tokenCount(fields[1], column: Self.outputColumn, line: line))
        }
        promptTokens = prompts
        outputTokens = outputs
    }
}
