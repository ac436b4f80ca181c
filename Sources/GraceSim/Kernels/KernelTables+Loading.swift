import Foundation

/// Reading a `.kernels` file (the format `Scripts/extract_kernel_tables.py` writes and documents):
///
/// ```
/// # comments
/// gpu h100-sxm
/// peak_tflops 989
/// hbm_gb_per_s 3350
/// table gemm dtype=bfloat16 kernel=… measured=… filled=…
/// axis m 1 2 4 …
/// axis n 32 64 …
/// axis k 32 64 …
/// <one line per (m, n): the latencies over k, in µs>
/// end
/// table generation_attention head_dim=128 heads=32 kv_heads=8 kv=bfloat16 kernel=…
/// axis batch …
/// axis context …
/// <one line per batch: the latencies over context, in µs>
/// end
/// table moe dtype=bfloat16 hidden=2048 inter=768 experts=128 topk=8 kernel=… measured=…
/// axis tokens 1 2 4 …
/// curve tp=1 ep=1 distribution=balanced
/// <the latencies over tokens, in µs; `-` where the curve has no measurement>
/// …
/// end
/// table allreduce gpus=2 kernel=vLLM_custom_graph dtype=bfloat16 measured=…
/// axis elements 128 256 …
/// <the latencies over elements, in µs>
/// end
/// ```
extension KernelTables {
    /// Reads the tables in `text`; every problem is a ``ConfigError`` naming `file` and the line.
    public static func load(text: String, file: String, name: String) throws -> KernelTables {
        var reader = KernelFileReader(text: text, file: file)
        var peak: Double?, bandwidth: Double?
        var gemms: [String: GEMMTable] = [:]
        var context: [AttentionKey: LogLogSurface] = [:], generation: [AttentionKey: LogLogSurface] = [:]
        var moe: [MoEKernelKey: LogLogCurve] = [:]
        var allReduce: [AllReduceKey: LogLogCurve] = [:]
        while let (words, line) = reader.next() {
            switch words[0] {
            case "gpu":
                continue
            case "peak_tflops":
                peak = try reader.positive(words, line) * 1e12
            case "hbm_gb_per_s":
                bandwidth = try reader.positive(words, line) * 1e9
            case "table":
                guard words.count >= 2 else { throw reader.error(line, "expected `table <op> key=value…`") }
                let fields = try reader.fields(words.dropFirst(2), line)
                switch words[1] {
                case "gemm":
                    let dtype = try reader.field("dtype", fields, line)
                    guard gemms[dtype] == nil else { throw reader.error(line, "a second gemm table for dtype \(dtype)") }
                    gemms[dtype] = try reader.gemm()
                case "context_attention", "generation_attention":
                    let key = AttentionKey(headDim: try reader.intField("head_dim", fields, line),
                                           heads: try reader.intField("heads", fields, line),
                                           kvHeads: try reader.intField("kv_heads", fields, line),
                                           kvDtype: try reader.field("kv", fields, line))
                    // Prefill work per sequence grows with the square of its length beyond the table.
                    let surface = try reader.surface(columnGrowth: words[1] == "context_attention" ? 2 : 1)
                    if words[1] == "context_attention" { context[key] = surface } else { generation[key] = surface }
                case "moe":
                    // The curve lines fill in the sharding and the distribution.
                    let shape = MoEKernelKey(dtype: try reader.field("dtype", fields, line),
                                             hiddenSize: try reader.intField("hidden", fields, line),
                                             interSize: try reader.intField("inter", fields, line),
                                             experts: try reader.intField("experts", fields, line),
                                             expertsPerToken: try reader.intField("topk", fields, line),
                                             tensorParallel: 1, expertParallel: 1, distribution: "")
                    try reader.moeCurves(shape: shape, into: &moe)
                case "allreduce":
                    let key = AllReduceKey(gpus: try reader.intField("gpus", fields, line),
                                           captured: try reader.allReduceCapture(fields, line))
                    guard allReduce[key] == nil else { throw reader.error(line, "a second allreduce table for \(key)") }
                    allReduce[key] = try reader.curve()
                default:
                    throw reader.error(line, "unknown table \"\(words[1])\" (known: gemm, context_attention, generation_attention, moe, allreduce)")
                }
            default:
                throw reader.error(line, "unexpected \"\(words[0])\" (expected gpu, peak_tflops, hbm_gb_per_s or table)")
            }
        }
        guard let peak else { throw ConfigError(file: file, key: "", "no peak_tflops line") }
        guard let bandwidth else { throw ConfigError(file: file, key: "", "no hbm_gb_per_s line") }
        guard gemms["bfloat16"] != nil else { throw ConfigError(file: file, key: "", "no gemm table for dtype bfloat16") }
        return KernelTables(name: name, peakFlopsPerSecond: peak, hbmBytesPerSecond: bandwidth, gemms: gemms,
                            contextAttention: context, generationAttention: generation, moe: moe,
                            allReduce: allReduce)
    }
}

/// Walks the lines of a `.kernels` file, skipping comments and blank lines.
///
/// The file is read as UTF-8 bytes: lines split on newlines and words on spaces (the files are ASCII outside
/// comments). Header lines become words; the latency lines, nearly all of a file, are parsed where they lie, without
/// a string per word, which every gracesim process would otherwise pay for at start-up.
private struct KernelFileReader {
    /// The file's bytes.
    let bytes: [UInt8]
    let file: String
    /// Where the next line starts.
    private var position = 0
    /// The 1-based number of the last line read (the file's line count once at the end).
    private(set) var index = 0
    /// The words of the latency line being read, as byte ranges (kept to reuse its storage).
    private var words: [Range<Int>] = []

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    /// The byte range of the next line that is neither a comment nor blank, and its number; nil at the end.
    private mutating func nextLine() -> (Range<Int>, Int)? {
        let end = bytes.count
        while position <= end {
            let start = position
            var stop = start
            while stop < end && bytes[stop] != UInt8(ascii: "\n") { stop += 1 }
            position = stop + 1
            index += 1
            if stop > start && bytes[start] == UInt8(ascii: "#") { continue }
            if bytes[start..<stop].contains(where: { $0 != UInt8(ascii: " ") }) { return (start..<stop, index) }
        }
        return nil
    }

    /// Fills ``words`` with the space-separated words of `line`.
    private mutating func splitWords(_ line: Range<Int>) {
        words.removeAll(keepingCapacity: true)
        var i = line.lowerBound
        while i < line.upperBound {
            while i < line.upperBound && bytes[i] == UInt8(ascii: " ") { i += 1 }
            let start = i
            while i < line.upperBound && bytes[i] != UInt8(ascii: " ") { i += 1 }
            if i > start { words.append(start..<i) }
        }
    }

    private func text(_ word: Range<Int>) -> Substring { Substring(decoding: bytes[word], as: UTF8.self) }

    /// The next line's words and its 1-based number; nil at the end.
    mutating func next() -> ([Substring], Int)? {
        guard let (line, number) = nextLine() else { return nil }
        splitWords(line)
        return (words.map(text), number)
    }

    /// The number `word` spells, as `Double(String)` reads it (``KernelTables/decimal(_:_:)``).
    private func number(_ word: Range<Int>) -> Double? { KernelTables.decimal(bytes, word) }

    /// Whether `word` is the single byte `-` (a latency not measured).
    private func isDash(_ word: Range<Int>) -> Bool { word.count == 1 && bytes[word.lowerBound] == UInt8(ascii: "-") }

    func error(_ line: Int, _ message: String) -> ConfigError {
        ConfigError(file: file, key: "line \(line)", message)
    }

    func positive(_ words: [Substring], _ line: Int) throws -> Double {
        guard words.count == 2, let value = Double(words[1]), value.isFinite, value > 0 else {
            throw error(line, "expected `\(words[0]) <positive number>`")
        }
        return value
    }

    func fields(_ words: ArraySlice<Substring>, _ line: Int) throws -> [Substring: Substring] {
        var out: [Substring: Substring] = [:]
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw error(line, "expected key=value, found \"\(word)\"") }
            out[parts[0]] = parts[1]
        }
        return out
    }

    func field(_ key: Substring, _ fields: [Substring: Substring], _ line: Int) throws -> String {
        guard let value = fields[key] else { throw error(line, "missing \(key)=") }
        return String(value)
    }

    func intField(_ key: Substring, _ fields: [Substring: Substring], _ line: Int) throws -> Int {
        guard let value = Int(try field(key, fields, line)), value > 0 else {
            throw error(line, "expected a positive integer for \(key)")
        }
        return value
    }

    /// Reads `axis <name> <sizes…>`: positive, strictly increasing.
    mutating func axis() throws -> [Double] {
        guard let (words, line) = next(), words[0] == "axis", words.count >= 3 else {
            throw error(index, "expected `axis <name> <sizes…>`")
        }
        let sizes = words.dropFirst(2).compactMap { Double($0) }
        guard sizes.count == words.count - 2, sizes.allSatisfy({ $0 > 0 && $0.isFinite }),
              zip(sizes, sizes.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw error(line, "expected positive sizes in increasing order")
        }
        return sizes
    }

    /// Reads `count` lines of `width` latencies in µs each, then `end`; returns log seconds, row-major.
    mutating func values(lines count: Int, width: Int) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count * width)
        for _ in 0..<count {
            guard let (range, line) = nextLine() else { throw error(index, "the table ends early") }
            splitWords(range)
            guard words.count == width else { throw error(line, "expected \(width) latencies, found \(words.count)") }
            for word in words {
                guard let us = number(word), us.isFinite, us > 0 else {
                    throw error(line, "expected a positive latency in µs, found \"\(text(word))\"")
                }
                out.append(log(us * 1e-6))
            }
        }
        guard let (last, _) = next(), last == ["end"] else { throw error(index, "expected `end` after the table's rows") }
        return out
    }

    mutating func surface(columnGrowth: Double) throws -> LogLogSurface {
        let rows = try axis(), columns = try axis()
        let values = try values(lines: rows.count, width: columns.count)
        return LogLogSurface(logRows: rows.map { log($0) }, logColumns: columns.map { log($0) }, logSeconds: values,
                             columnGrowth: columnGrowth)
    }

    /// Reads `axis <name> …`, one line of latencies in µs over it, then `end`.
    mutating func curve() throws -> LogLogCurve {
        let sizes = try axis()
        return LogLogCurve(logSizes: sizes.map { log($0) }, logSeconds: try values(lines: 1, width: sizes.count))
    }

    /// Whether an all-reduce table's `kernel` is replayed in a CUDA graph (`…_graph`) or launched eagerly (`…_eager`).
    func allReduceCapture(_ fields: [Substring: Substring], _ line: Int) throws -> Bool {
        let kernel = try field("kernel", fields, line)
        if kernel.hasSuffix("_graph") { return true }
        if kernel.hasSuffix("_eager") { return false }
        throw error(line, "expected an allreduce kernel ending in _graph or _eager, found \"\(kernel)\"")
    }

    /// Reads a MoE table's `axis tokens …`, then pairs of `curve tp=… ep=… distribution=…` and a line of latencies
    /// in µs over the tokens (`-` where not measured), then `end`. Each curve, of its measured points only, goes
    /// into `curves` under `shape` with the curve line's sharding and distribution.
    mutating func moeCurves(shape: MoEKernelKey, into curves: inout [MoEKernelKey: LogLogCurve]) throws {
        let logTokens = try axis().map { log($0) }
        while true {
            guard let (header, line) = next() else { throw error(index, "the table ends early") }
            if header == ["end"] { return }
            guard header[0] == "curve" else { throw error(line, "expected `curve tp=… ep=… distribution=…` or `end`") }
            let fields = try self.fields(header.dropFirst(), line)
            var key = shape
            key.tensorParallel = try intField("tp", fields, line)
            key.expertParallel = try intField("ep", fields, line)
            key.distribution = try field("distribution", fields, line)
            guard curves[key] == nil else { throw error(line, "a second moe curve for \(key)") }
            guard let (range, valuesLine) = nextLine() else { throw error(index, "the table ends early") }
            splitWords(range)
            guard words.count == logTokens.count else {
                throw error(valuesLine, "expected \(logTokens.count) latencies or `-`, found \(words.count)")
            }
            var logSizes: [Double] = [], logSeconds: [Double] = []
            for (word, logSize) in zip(words, logTokens) where !isDash(word) {
                guard let us = number(word), us.isFinite, us > 0 else {
                    throw error(valuesLine, "expected a positive latency in µs or `-`, found \"\(text(word))\"")
                }
                logSizes.append(logSize)
                logSeconds.append(log(us * 1e-6))
            }
            guard !logSizes.isEmpty else { throw error(valuesLine, "a moe curve without a single latency") }
            curves[key] = LogLogCurve(logSizes: logSizes, logSeconds: logSeconds)
        }
    }

    mutating func gemm() throws -> GEMMTable {
        let m = try axis(), n = try axis(), k = try axis()
        let values = try values(lines: m.count * n.count, width: k.count)
        let logN = n.map { log($0) }, logK = k.map { log($0) }
        let plane = n.count * k.count
        let planes = (0..<m.count).map { i in
            LogLogSurface(logRows: logN, logColumns: logK, logSeconds: Array(values[(i * plane)..<((i + 1) * plane)]))
        }
        return GEMMTable(logRows: m.map { log($0) }, planes: planes)
    }
}

extension KernelTables {
    /// The number the bytes `word` of `bytes` spell, exactly as `Double(String)` reads it. A plain decimal (every
    /// latency) with at most 2^53 in its digits and a power of ten within ±22 is one division or multiplication of
    /// two exactly represented numbers, so correctly rounded as `strtod` is (Clinger's fast path); any other word
    /// goes through `Double(String)`.
    static func decimal(_ bytes: [UInt8], _ word: Range<Int>) -> Double? {
        var i = word.lowerBound
        let negative = i < word.upperBound && bytes[i] == UInt8(ascii: "-")
        if i < word.upperBound && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) { i += 1 }
        var mantissa: UInt64 = 0, digits = 0, fractionDigits = 0, sawPoint = false
        while i < word.upperBound {
            let byte = bytes[i]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        var exponent = 0, exponentOK = true
        if i < word.upperBound && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var sign = 1
            if i < word.upperBound && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
            }
            let first = i
            while i < word.upperBound, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), i - first < 4 {
                exponent = exponent * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            exponentOK = i > first
            exponent *= sign
        }
        let power = exponent - fractionDigits
        guard i == word.upperBound, exponentOK, digits > 0, digits <= 19, mantissa <= 1 << 53, abs(power) <= 22 else {
            return Double(String(decoding: bytes[word], as: UTF8.self))
        }
        let magnitude = power < 0 ? Double(mantissa) / Self.powersOfTen[-power] : Double(mantissa) * Self.powersOfTen[power]
        return negative ? -magnitude : magnitude
    }

    /// 10^0 … 10^22, each exactly a Double.
    private static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }
}
