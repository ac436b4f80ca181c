/// A problem on one line of a data file (trace or length table), before the loader names the config key.
///
/// `line` is 1-based; 0 means the file as a whole (for example, no data rows at all).
struct DataFileError: Error, Equatable {
    var line: Int
    var message: String

    init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    /// This problem as a ``ConfigError`` on `key` of the config, naming the data file and the line.
    func configError(key node: ConfigNode, dataPath: String) -> ConfigError {
        let location = line > 0 ? "\(dataPath): line \(line)" : dataPath
        return node.error("\(location): \(message)")
    }
}

/// The bytes of a text data file, split into lines and comma-separated fields without copying.
///
/// Handles LF and CRLF endings, a missing final newline, a UTF-8 byte-order mark, blank lines (skipped) and
/// quoted fields as spreadsheets and pandas write them (`"num_prefill_tokens","42"`): a quoted field may hold
/// commas and doubled quotes (`""`), but not line breaks.
struct DelimitedText {
    let bytes: [UInt8]

    init(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.bytes = bytes
    }

    /// Calls `body` with the 1-based number and byte range (without the line ending) of every non-blank line.
    func forEachLine(_ body: (Int, Range<Int>) throws(DataFileError) -> Void) throws(DataFileError) {
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            let next = end + 1
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if !isBlank(start..<end) { try body(number, start..<end) }
            start = next
        }
    }

    /// The byte ranges of the comma-separated fields of `line`: an unquoted field trimmed of spaces, a quoted
    /// one without its quotes (what follows the closing quote up to the next comma is ignored; a quote left open
    /// runs to the end of the line).
    func fields(_ line: Range<Int>) -> [Range<Int>] {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        var result: [Range<Int>] = []
        var start = line.lowerBound
        while true {
            var first = start
            while first < line.upperBound && (bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t")) { first += 1 }
            var end: Int
            if first < line.upperBound && bytes[first] == quote {
                end = first + 1
                while end < line.upperBound {
                    if bytes[end] == quote {
                        if end + 1 < line.upperBound && bytes[end + 1] == quote { end += 2; continue }
                        break
                    }
                    end += 1
                }
                result.append(first + 1..<end)
                while end < line.upperBound && bytes[end] != comma { end += 1 }
            } else {
                end = start
                while end < line.upperBound && bytes[end] != comma { end += 1 }
                result.append(trimmed(start..<end))
            }
            guard end < line.upperBound else { return result }
            start = end + 1
        }
    }

    /// The text of a field; in a quoted field (one that `fields` found between quotes), `""` is one quote.
    func string(_ range: Range<Int>) -> String {
        let text = String(decoding: bytes[range], as: UTF8.self)
        let quoted = range.lowerBound > 0 && bytes[range.lowerBound - 1] == UInt8(ascii: "\"")
        return quoted ? text.replacingOccurrences(of: "\"\"", with: "\"") : text
    }

    /// A decimal integer with an optional sign and nothing else, or nil.
    func int(_ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value = 0
        while index < range.upperBound {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    /// A token count in a field: a non-negative integer that fits in Int32.
    func tokenCount(_ range: Range<Int>, column: String, line: Int) throws(DataFileError) -> Int32 {
        guard let value = int(range) else {
            throw DataFileError(line: line, "column \(column): expected an integer token count, found \"\(string(range))\"")
        }
        guard value >= 0, value <= RequestSpec.maxTokens else {
            throw DataFileError(line: line, "column \(column): token count \(value) is out of range (0...\(RequestSpec.maxTokens))")
        }
        return Int32(value)
    }

    private func isBlank(_ range: Range<Int>) -> Bool {
        range.allSatisfy { bytes[$0] == UInt8(ascii: " ") || bytes[$0] == UInt8(ascii: "\t") || bytes[$0] == UInt8(ascii: "\r") }
    }

    private func trimmed(_ range: Range<Int>) -> Range<Int> {
        var low = range.lowerBound, high = range.upperBound
        while low < high && (bytes[low] == UInt8(ascii: " ") || bytes[low] == UInt8(ascii: "\t")) { low += 1 }
        while high > low && (bytes[high - 1] == UInt8(ascii: " ") || bytes[high - 1] == UInt8(ascii: "\t")) { high -= 1 }
        return low..<high
    }
}

extension DelimitedText {
    /// Reads a CSV file with a header line: finds `columns` by name and calls `row` with each data line's
    /// number and the byte ranges of those columns, in the order asked for. No data rows is an error.
    func forEachCSVRow(columns: [String], _ row: (Int, [Range<Int>]) throws(DataFileError) -> Void) throws(DataFileError) {
        var positions: [Int]? = nil
        var rowCount = 0
        try forEachLine { (number, line) throws(DataFileError) in
            let fields = self.fields(line)
            guard let positions else {
                let names = fields.map { self.string($0) }
                var found: [Int] = []
                for column in columns {
                    guard let index = names.firstIndex(of: column) else {
                        throw DataFileError(line: number, "missing column \(column) in the header (found: \(names.joined(separator: ", ")))")
                    }
                    found.append(index)
                }
                positions = found
                return
            }
            guard fields.count > positions.max() ?? 0 else {
                throw DataFileError(line: number, "expected at least \((positions.max() ?? 0) + 1) comma-separated fields, found \(fields.count)")
            }
            rowCount += 1
            try row(number, positions.map { fields[$0] })
        }
        if positions == nil { throw DataFileError(line: 0, "the file is empty (expected a header line with \(columns.joined(separator: ", ")))") }
        if rowCount == 0 { throw DataFileError(line: 0, "the file has a header but no data rows") }
    }
}
