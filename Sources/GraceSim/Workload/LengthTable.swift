/// Prompt and output lengths of real requests, read from a CSV file, to draw rows from at random.
///
/// The file needs the columns `num_prefill_tokens` and `num_decode_tokens` (the vidur/etalon format);
/// other columns are ignored. Memory: 8 bytes per row.
struct LengthTable: Sendable {
    /// Prompt length of each row, in tokens.
    var promptTokens: [Int32]
    /// Output length of each row, in tokens.
    var outputTokens: [Int32]

    var count: Int { promptTokens.count }

    static let promptColumn = "num_prefill_tokens"
    static let outputColumn = "num_decode_tokens"

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
