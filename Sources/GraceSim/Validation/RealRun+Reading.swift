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
        var lines: [Int] = []
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
                try tokenCount(try number(field), atLeast: minimum, file: file, key: "\(key).\(field)")
            }
            let raw = Raw(input: try count("input_toks", atLeast: 1), output: try count("output_toks", atLeast: 1),
                          arrival: try number("arrival_time"), queued: try number("queued_ts"),
                          scheduled: object["scheduled_ts"] == nil ? nil : try number("scheduled_ts"),
                          first: try number("first_token_ts"), last: try number("last_token_ts"))
            guard raw.first >= raw.queued, raw.last >= raw.first else {
                throw ConfigError(file: file, key: key, "expected queued_ts ≤ first_token_ts ≤ last_token_ts")
            }
            // Differences of clock readings that are each finite may still overflow, or span centuries.
            for (field, seconds) in [("first_token_ts", raw.first - raw.queued), ("last_token_ts", raw.last - raw.first)]
            where !(seconds <= maxSeconds) {
                throw ConfigError(file: file, key: "\(key).\(field)", String(format: "expected a time within %.0e s of the request's earlier timestamps, found %.3g s later", maxSeconds, seconds))
            }
            raws.append(raw)
            lines.append(index + 1)
        }
        guard !raws.isEmpty else { throw ConfigError(file: file, key: "", "expected at least one request, found none") }
        // The arrivals are replayed in simulated time: like a trace, they must span at most maxSeconds.
        let first = raws.indices.min { raws[$0].arrival < raws[$1].arrival }!
        let last = raws.indices.max { raws[$0].arrival < raws[$1].arrival }!
        let span = raws[last].arrival - raws[first].arrival
        guard span <= maxSeconds else {
            throw ConfigError(file: file, key: "line \(lines[last]).arrival_time", String(format: "the arrivals span %.3g s (from line %d), more than %.0e s; expected a run that spans less", span, lines[first], maxSeconds))
        }
        let offset = raws.map { $0.arrival - $0.queued }.max()!
        if let slow = raws.indices.first(where: { !(raws[$0].last - (raws[$0].arrival - offset) <= maxSeconds) }) {
            throw ConfigError(file: file, key: "line \(lines[slow])", String(format: "expected at most %.0e s from arrival to last token once arrival_time is moved onto the engine's clock (the clocks must differ by a constant); found %.3g s", maxSeconds, raws[slow].last - (raws[slow].arrival - offset)))
        }
        let start = raws[first].arrival
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
        func seconds(_ items: [Any], key: String) throws -> [Double] {
            try items.enumerated().map { index, item in
                guard let value = item as? NSNumber, value.doubleValue.isFinite, value.doubleValue >= 0 else {
                    throw ConfigError(file: file, key: "\(key).\(index)", "expected a number of seconds ≥ 0")
                }
                guard value.doubleValue <= maxSeconds else {
                    throw ConfigError(file: file, key: "\(key).\(index)", String(format: "expected at most %.0e s, found %.3g s", maxSeconds, value.doubleValue))
                }
                return value.doubleValue
            }
        }
        func counts(_ items: [Any], key: String) throws -> [Int] {
            try items.enumerated().map { index, item in
                guard let value = item as? NSNumber, value.doubleValue.isFinite else {
                    throw ConfigError(file: file, key: "\(key).\(index)", "expected a number")
                }
                return try tokenCount(value.doubleValue, atLeast: 0, file: file, key: "\(key).\(index)")
            }
        }
        let inputs = try counts(try list("input_lens"), key: "input_lens")
        let outputs = try counts(try list("output_lens"), key: "output_lens")
        let ttfts = try seconds(try list("ttfts"), key: "ttfts")
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
            let gaps = try seconds(gapsRaw, key: "itls.\(index)")
            let e2e = ttfts[index] + gaps.reduce(0, +)
            guard e2e <= maxSeconds else {
                throw ConfigError(file: file, key: "itls.\(index)", String(format: "expected the TTFT and inter-token latencies of a request to add up to at most %.0e s, found %.3g s", maxSeconds, e2e))
            }
            requests.append(Request(inputTokens: max(1, inputs[index]), outputTokens: outputs[index],
                                    arrivalSeconds: nil, ttftSeconds: ttfts[index], e2eSeconds: e2e, itlSeconds: gaps))
        }
        guard !requests.isEmpty else { throw ConfigError(file: file, key: "output_lens", "expected at least one completed request") }
        var rate: RecordedRate = .allAtOnce
        if let value = object["request_rate"] {
            if let number = value as? NSNumber, number.doubleValue.isFinite, number.doubleValue > 0 {
                // Arrivals are drawn at this rate and replayed in simulated time: like an experiment's rate, it must
                // bring the requests within maxSeconds.
                let lowest = Double(requests.count) / maxSeconds
                guard number.doubleValue >= lowest else {
                    throw ConfigError(file: file, key: "request_rate", String(format: "at %g requests/s the %d requests take about %.3g s to arrive, more than %.0e s; expected at least %g requests/s, or \"inf\"", number.doubleValue, requests.count, Double(requests.count) / number.doubleValue, maxSeconds, lowest))
                }
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

    /// The longest time a run file may hold, in seconds: its arrivals' span, a request's TTFT or its arrival to last
    /// token (10⁷ s, as for the arrivals of an experiment or a trace).
    public static let maxSeconds = 1e7

    /// `value` as a token count: a whole number from `minimum` to ``RequestSpec/maxTokens``.
    static func tokenCount(_ value: Double, atLeast minimum: Int, file: String, key: String) throws -> Int {
        guard value == value.rounded(), value >= Double(minimum), value <= Double(RequestSpec.maxTokens) else {
            throw ConfigError(file: file, key: key, "expected a whole number of tokens from \(minimum) to \(RequestSpec.maxTokens), found \(value)")
        }
        return Int(value)
    }
}
