/// Reading Azure LLM inference traces (`TIMESTAMP,ContextTokens,GeneratedTokens`).
///
/// Timestamps look like `2023-11-16 18:17:03.9799600`: a calendar date and time of day with up to 9
/// fractional digits (digits beyond the ninth are dropped), optionally followed by `Z` or a `±HH:MM` offset
/// (the 2024 traces have `+00:00`). They are parsed by hand to integer nanoseconds, so no precision is lost
/// to floating point, and rebased to the first row.
extension TraceTable {
    init(azureCSV text: String) throws(DataFileError) {
        let table = DelimitedText(text)
        var times: [Int64] = [], prompts: [Int32] = [], outputs: [Int32] = [], lines: [Int] = []
        try table.forEachCSVRow(columns: ["TIMESTAMP", "ContextTokens", "GeneratedTokens"]) { (line, fields) throws(DataFileError) in
            guard let ns = Self.parseTimestampNs(table.bytes[fields[0]]) else {
                throw DataFileError(line: line, "column TIMESTAMP: expected a time like 2023-11-16 18:17:03.9799600 in the years \(Self.azureYears.lowerBound) to \(Self.azureYears.upperBound), found \"\(table.string(fields[0]))\"")
            }
            times.append(ns)
            prompts.append(try table.tokenCount(fields[1], column: "ContextTokens", line: line))
            outputs.append(try table.tokenCount(fields[2], column: "GeneratedTokens", line: line))
            lines.append(line)
        }
        try Self.checkSorted(times, lines: lines)
        let first = times[0]
        self.init(arrivalNs: times.map { $0 - first }, promptTokens: prompts, outputTokens: outputs)
    }

    /// The years a timestamp may have: nanoseconds since 1970 fit Int64 up to 2262, and any two times in
    /// these years are less than Int64.max ns apart.
    static let azureYears = 1970...2200

    /// Nanoseconds since 1970-01-01 00:00:00 of a `YYYY-MM-DD HH:MM:SS[.fffffffff][Z|±HH:MM]` timestamp
    /// (a `T` may separate date and time) in ``azureYears``, or nil if it is not one.
    static func parseTimestampNs(_ text: ArraySlice<UInt8>) -> Int64? {
        var index = text.startIndex
        func number(digits: Int) -> Int? {
            guard text.endIndex - index >= digits else { return nil }
            var value = 0
            for _ in 0..<digits {
                let digit = Int(text[index]) - 48
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
                index += 1
            }
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < text.endIndex, characters.utf8.contains(text[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(digits: 4), expect("-"), let month = number(digits: 2), expect("-"),
              let day = number(digits: 2), expect(" T"), let hour = number(digits: 2), expect(":"),
              let minute = number(digits: 2), expect(":"), let second = number(digits: 2) else { return nil }
        guard azureYears.contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var fractionNs = 0
        if index < text.endIndex && text[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000_000
            let digitsStart = index
            while index < text.endIndex, text[index] >= 48, text[index] <= 57 {
                fractionNs += Int(text[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > digitsStart else { return nil }
        }
        var offsetSeconds = 0
        if index < text.endIndex {
            if text[index] == UInt8(ascii: "Z") {
                index += 1
            } else {
                let sign = text[index] == UInt8(ascii: "-") ? -1 : 1
                guard expect("+-"), let offsetHours = number(digits: 2), expect(":"),
                      let offsetMinutes = number(digits: 2) else { return nil }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            }
        }
        guard index == text.endIndex else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return seconds * 1_000_000_000 + Int64(fractionNs)
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
