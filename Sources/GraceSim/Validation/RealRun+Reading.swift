import Foundation

extension RealRun {
    /// Reads `path`: a run folder (its `requests.jsonl`), a `requests.jsonl`, or a `benchmark_serving
    /// --save-result` JSON file. Bad input throws a ``ConfigError`` naming the file, the line or key and what was
    /// expected.
    public static func load(path: String) throws -> RealRun {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigError(file: path, key: "", "no such file or folder")
        }
        if isFolder.boolValue {
            let file = (path as NSString).appendingPathComponent("requests.jsonl")
            guard FileManager.default.fileExists(atPath: file) else {
                throw ConfigError(file: path, key: "", "expected a run folder with a requests.jsonl, found none")
            }
            let name = (path as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? path
            return try fromRequestsJSONL(text: try readText(file), file: file, name: name)
        }
        let text = try readText(path)
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if path.hasSuffix(".jsonl") {
            let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            return try fromRequestsJSONL(text: text, file: path, name: name == "requests" && !folder.isEmpty ? folder : name)
        }
        return try fromSaveResult(text: text, file: path, name: name)
    }

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", "no such file, or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", "expected UTF-8 text")
        }
        return text
    }

    /// One JSON object per line with `input_toks`, `output_toks`, `arrival_time` (client wall clock),
    /// `queued_ts`, `first_token_ts` and `last_token_ts` (engine monotonic clock), in seconds.
    ///
    /// The two clocks differ by a constant plus the client's delay before the engine queues the request. The
    /// constant is taken as the largest `arrival_time − queued_ts` of the run (the request queued soonest after it
    /// was sent), so every arrival is moved onto the engine clock no later than its queueing. TTFT and E2E are then
    /// measured from the arrival, as a client sees them.
    public static func fromRequestsJSONL(text: String, file: String, name: String) throws -> RealRun {
        struct Raw { var input: Int; var output: Int; var arrival: Double; var queued: Double; var scheduled: Double?; var first: Double; var last: Double }
        var raws: [Raw] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let key = "line \(index + 1)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                throw ConfigError(file: file, key: key, "expected one JSON object per line")
            }
            func number(_ field: String) throws -> Double {
                guard let value = object[field] as? NSNumber,
                      value.doubleValue.isFinite else {
                    throw ConfigError(file: file, key: "\(key).\(field)", "expected a number")
                }
                return value.doubleValue
            }
            func count(_ field: String, atLeast minimum: Int) throws -> Int {
                let value = try number(field)
                guard value == value.rounded(), value >= Double(minimum), value < 1e9 else {
                    throw ConfigError(file: file, key: "\(key).\(field)", "expected a whole number of tokens of at least \(minimum), found \(value)")
                }
                return Int(value)
            }
            let raw = Raw(input: try count("input_toks", atLeast: 1), output: try count("output_toks", atLeast: 1),
                          arrival: try number("arrival_time"), queued: try number("queued_ts"),
                          scheduled: object["scheduled_ts"] == nil ? nil : try number("scheduled_ts"),
                          first: try number("first_token_ts"), last: try number("last_token_ts"))
            guard raw.first >= raw.queued, raw.last >= raw.first else {
                throw ConfigError(file: file, key: key, "expected queued_ts ≤ first_token_ts ≤ last_token_ts")
            }
            raws.append(raw)
        }
        guard !raws.isEmpty else { throw ConfigError(file: file, key: "", "expected at least one request, found none") }
        let offset = raws.map { $0.arrival - $0.queued }.max()!
        let start = raws.map(\.arrival).min()!
        let requests = raws.map { raw -> Request in
            let arrival = raw.arrival - offset  // on the engine clock
            return Request(inputTokens: raw.input, outputTokens: raw.output, arrivalSeconds: raw.arrival - start,
                           ttftSeconds: raw.first - arrival, e2eSeconds: raw.last - arrival,
                           waitSeconds: raw.scheduled.map { $0 - arrival })
        }
        let order = requests.indices.sorted { (requests[$0].arrivalSeconds!, $0) < (requests[$1].arrivalSeconds!, $1) }
        return RealRun(name: name, file: file, requests: order.map { requests[$0] })
    }

    /// vLLM `benchmark_serving --save-result`: lists `input_lens`, `output_lens`, `ttfts` and `itls` (seconds), one
    /// entry per request, and summary keys (`request_rate`, `duration`, `completed`, `output_throughput`, …).
    /// Requests with no output (failed) are left out.
    public static func fromSaveResult(text: String, file: String, name: String) throws -> RealRun {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw ConfigError(file: file, key: "", "expected a JSON object (a benchmark_serving --save-result file)")
        }
        func list(_ key: String) throws -> [Any] {
            guard let value = object[key] else {
                throw ConfigError(file: file, key: key, "missing: expected a list with one entry per request")
            }
            guard let items = value as? [Any] else { throw ConfigError(file: file, key: key, "expected a list") }
            return items
        }
        func numbers(_ items: [Any], key: String) throws -> [Double] {
            try items.enumerated().map { index, item in
                guard let value = item as? NSNumber, value.doubleValue.isFinite, value.doubleValue >= 0 else {
                    throw ConfigError(file: file, key: "\(key).\(index)", "expected a number ≥ 0")
                }
                return value.doubleValue
            }
        }
        let inputs = try numbers(try list("input_lens"), key: "input_lens")
        let outputs = try numbers(try list("output_lens"), key: "output_lens")
        let ttfts = try numbers(try list("ttfts"), key: "ttfts")
        let itlLists = try list("itls")
        for (key, count) in [("output_lens", outputs.count), ("ttfts", ttfts.count), ("itls", itlLists.count)]
        where count != inputs.count {
            throw ConfigError(file: file, key: key, "expected one entry per request as in input_lens (\(inputs.count)), found \(count)")
        }
        var requests: [Request] = []
        for index in inputs.indices where outputs[index] >= 1 {
            guard let gapsRaw = itlLists[index] as? [Any] else {
                throw ConfigError(file: file, key: "itls.\(index)", "expected a list of inter-token latencies")
            }
            let gaps = try numbers(gapsRaw, key: "itls.\(index)")
            requests.append(Request(inputTokens: max(1, Int(inputs[index])), outputTokens: Int(outputs[index]),
                                    arrivalSeconds: nil, ttftSeconds: ttfts[index],
                                    e2eSeconds: ttfts[index] + gaps.reduce(0, +), itlSeconds: gaps))
        }
        guard !requests.isEmpty else { throw ConfigError(file: file, key: "output_lens", "expected at least one completed request") }
        var rate: RecordedRate = .allAtOnce
        if let value = object["request_rate"] {
            if let number = value as? NSNumber, number.doubleValue.isFinite, number.doubleValue > 0 {
                rate = .poisson(perSecond: number.doubleValue)
            } else if let text = value as? String, text.lowercased() == "inf" {
                rate = .allAtOnce
            } else if let number = value as? NSNumber, number.doubleValue == .infinity {
                rate = .allAtOnce
            } else {
                throw ConfigError(file: file, key: "request_rate", "expected a number > 0 or \"inf\"")
            }
        }
        let stated = (object["output_throughput"] as? NSNumber)?.doubleValue
        return RealRun(name: name, file: file, requests: requests, recordedRate: rate,
                       statedOutputTokensPerSecond: stated.flatMap { $0.isFinite && $0 > 0 ? $0 : nil })
    }
}
