import Foundation

/// One scope's results in the form of vLLM's serving benchmark (`vllm bench serve`, `vllm/benchmarks/serve.py`;
/// before it `benchmarks/benchmark_serving.py`): the "Serving Benchmark Result" block it prints and the
/// `--save-result` JSON it writes.
///
/// Built from per-request records, with the benchmark's definitions: a request succeeded when it finished (a
/// rejected or unfinished request is a failed one: output length 0, TTFT 0, no gaps, an error text); totals and
/// throughputs count successful requests over the scope's duration (first arrival to last completion); TTFT,
/// TPOT ((E2EL − TTFT) / (output − 1), requests with two or more tokens), ITL (every gap, pooled) and E2EL are
/// summarised by mean, median, population standard deviation and P99 (numpy's linear interpolation), 0 when
/// there are no values, as numpy gives for `np.mean(0)`. The peaks are the benchmark's: whole seconds counted from
/// the first successful request's arrival, the most output tokens in one of them, and the most successful requests
/// in flight (arrived, not yet finished) during one.
public struct VLLMBenchmarkResult: Sendable {
    /// One request as the benchmark records it. Its times are kept as raw ns: compact per-request and per-token
    /// storage.
    public struct Request: Sendable, Equatable {
        public var inputTokens: Int
        /// Generated tokens (0 for a failed request).
        public var outputTokens: Int
        /// Arrival to first token, ns (0 for a failed request).
        public var ttftNs: Int64
        /// The gaps between successive tokens, ns.
        public var itlNs: [Int64]
        /// Empty for a successful request, else why it failed.
        public var error: String
        /// When the request was sent, ns from the start of the run.
        public var arrivalNs: Int64
        /// The model instance that served it (0 with one instance).
        public var instance: Int

        public var succeeded: Bool { error.isEmpty }

        public init(inputTokens: Int, outputTokens: Int, ttftNs: Int64, itlNs: [Int64], error: String = "",
                    arrivalNs: Int64 = 0, instance: Int = 0) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.ttftNs = ttftNs
            self.itlNs = itlNs
            self.error = error
            self.arrivalNs = arrivalNs
            self.instance = instance
        }
    }

    /// Mean, median, standard deviation and P99 of one latency, in ms.
    public struct Statistics: Sendable, Equatable {
        public var mean: Double, median: Double, std: Double, p99: Double

        init(ns values: [Int64]) {
            guard !values.isEmpty else { self.init(mean: 0, median: 0, std: 0, p99: 0); return }
            let summary = LatencySummary(exactNs: values)
            var squares = 0.0
            for value in values.sorted() {
                let deviation = Double(value) / 1e6 - summary.meanMs
                squares += deviation * deviation
            }
            self.init(mean: summary.meanMs, median: summary.p50Ms, std: (squares / Double(values.count)).squareRoot(), p99: summary.p99Ms)
        }

        init(mean: Double, median: Double, std: Double, p99: Double) {
            self.mean = mean
            self.median = median
            self.std = std
            self.p99 = p99
        }
    }

    /// How the requests were sent, as the benchmark's arguments record it.
    public struct Traffic: Sendable, Equatable {
        /// Requests per second (nil: all at once, `inf`).
        public var requestRate: Double?
        /// Whether ``requestRate`` is a rate the experiment sets (Poisson, Gamma), not the mean rate of a trace.
        public var rateConfigured: Bool
        /// Gamma shape of the gaps between arrivals (1: Poisson).
        public var burstiness: Double
        /// Most requests in flight (a closed loop's clients), nil for none.
        public var maxConcurrency: Int?

        public init(requestRate: Double?, burstiness: Double = 1, maxConcurrency: Int? = nil, rateConfigured: Bool = true) {
            self.requestRate = requestRate
            self.burstiness = burstiness
            self.maxConcurrency = maxConcurrency
            self.rateConfigured = rateConfigured
        }
    }

    /// What the saved JSON carries beyond the benchmark's own keys, under `gracesim` (as `--metadata` keys are
    /// carried), so that `gracesim replay` can rebuild the run exactly: the experiment, hardware, seed and
    /// instances, each request's arrival (seconds from the run's start) and instance.
    public struct Setup: Sendable, Equatable {
        /// One instance's engine arguments, under vLLM's names.
        public struct Instance: Sendable, Equatable {
            public var name: String
            public var model: String
            public var gpuMemoryUtilization: Double
            public var maxNumSeqs: Int
            public var maxNumBatchedTokens: Int
            public var enableChunkedPrefill: Bool
            public var maxModelLen: Int?
            public var blockSize: Int

            public init(_ spec: InstanceSpec) {
                name = spec.name
                model = spec.modelReference
                gpuMemoryUtilization = spec.gpuMemoryUtilization
                maxNumSeqs = spec.maxNumSeqs
                maxNumBatchedTokens = spec.maxNumBatchedTokens
                enableChunkedPrefill = spec.chunkedPrefill
                maxModelLen = spec.maxModelLen
                blockSize = spec.blockTokens
            }
        }

        public var experiment: String
        public var hardware: String
        public var seed: UInt64
        public var instances: [Instance]

        public init(experiment: String, hardware: String, seed: UInt64, instances: [Instance]) {
            self.experiment = experiment
            self.hardware = hardware
            self.seed = seed
            self.instances = instances
        }
    }

    public var requests: [Request]
    /// From the first arrival to the last completion.
    public var duration: SimTime
    /// Requests per second that met the experiment's SLO (printed, as the benchmark does with `--goodput`).
    public var goodputRequestsPerSecond: Double?

    public var completed: Int
    /// Requests that did not succeed (rejected, or unfinished when the run stopped).
    public var failed: Int { requests.count - completed }
    public var totalInputTokens: Int
    public var totalOutputTokens: Int
    public var ttft: Statistics, tpot: Statistics, itl: Statistics, e2el: Statistics

    public init(requests: [Request], duration: SimTime, goodputRequestsPerSecond: Double? = nil) {
        self.requests = requests
        self.duration = duration
        self.goodputRequestsPerSecond = goodputRequestsPerSecond
        let succeeded = requests.filter(\.succeeded)
        completed = succeeded.count
        totalInputTokens = succeeded.reduce(0) { $0 + $1.inputTokens }
        totalOutputTokens = succeeded.reduce(0) { $0 + $1.outputTokens }
        var ttfts: [Int64] = [], tpots: [Int64] = [], itls: [Int64] = [], e2els: [Int64] = []
        for request in succeeded {
            let e2el = request.ttftNs + request.itlNs.reduce(0, +)
            ttfts.append(request.ttftNs)
            itls += request.itlNs
            e2els.append(e2el)
            if request.outputTokens > 1 {
                tpots.append((e2el - request.ttftNs) / Int64(request.outputTokens - 1))
            }
        }
        ttft = Statistics(ns: ttfts)
        tpot = Statistics(ns: tpots)
        itl = Statistics(ns: itls)
        e2el = Statistics(ns: e2els)
    }

    /// The most output tokens generated in one whole second, counted from the first successful arrival.
    public var peakOutputTokensPerSecond: Int {
        let succeeded = requests.filter(\.succeeded)
        guard let start = succeeded.map(\.arrivalNs).min() else { return 0 }
        var perSecond: [Int64: Int] = [:]
        for request in succeeded {
            var time = request.arrivalNs + request.ttftNs
            perSecond[(time - start) / 1_000_000_000, default: 0] += 1
            for gap in request.itlNs {
                time += gap
                perSecond[(time - start) / 1_000_000_000, default: 0] += 1
            }
        }
        return perSecond.values.max() ?? 0
    }

    /// The most successful requests in flight during one whole second (each counted in every second from the one
    /// it arrived in to the one it finished in), counted from the first successful arrival.
    public var peakConcurrentRequests: Int {
        let succeeded = requests.filter(\.succeeded)
        guard let start = succeeded.map(\.arrivalNs).min() else { return 0 }
        var changes: [(second: Int64, change: Int)] = []
        for request in succeeded {
            let end = request.arrivalNs + request.ttftNs + request.itlNs.reduce(0, +)
            changes.append(((request.arrivalNs - start) / 1_000_000_000, 1))
            changes.append(((end - start) / 1_000_000_000 + 1, -1))
        }
        changes.sort { ($0.second, $0.change) < ($1.second, $1.change) }
        var current = 0, peak = 0
        for change in changes {
            current += change.change
            peak = max(peak, current)
        }
        return peak
    }

    public var durationSeconds: Double { duration.seconds }
    private func perSecond(_ count: Int) -> Double { duration > .zero ? Double(count) / durationSeconds : 0 }
    public var requestThroughput: Double { perSecond(completed) }
    public var outputThroughput: Double { perSecond(totalOutputTokens) }
    public var totalTokenThroughput: Double { perSecond(totalInputTokens + totalOutputTokens) }

    // MARK: The printed block

    /// The "Serving Benchmark Result" block, line for line as `vllm bench serve` prints it with its default
    /// `--percentile-metrics ttft,tpot,itl` and `--metric-percentiles 99` (labels padded to 40 characters, values
    /// to 10, both left-aligned; floats with 2 decimals): failed requests, the maximum concurrency (when there is
    /// one) and the configured rate (when it is not `inf`), and the peak output throughput and peak concurrent
    /// requests beside the benchmark's totals. Ends with a newline.
    public func text(traffic: Traffic) -> String {
        var lines = [Self.centred(" Serving Benchmark Result ", fill: "=")]
        func line(_ label: String, _ value: String) { lines.append(Self.pad(label, 40) + " " + Self.pad(value, 10)) }
        func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
        line("Successful requests:", "\(completed)")
        line("Failed requests:", "\(failed)")
        if let concurrency = traffic.maxConcurrency { line("Maximum request concurrency:", "\(concurrency)") }
        if traffic.rateConfigured, let rate = traffic.requestRate { line("Request rate configured (RPS):", fixed(rate)) }
        line("Benchmark duration (s):", fixed(durationSeconds))
        line("Total input tokens:", "\(totalInputTokens)")
        line("Total generated tokens:", "\(totalOutputTokens)")
        line("Request throughput (req/s):", fixed(requestThroughput))
        if let goodputRequestsPerSecond { line("Request goodput (req/s):", fixed(goodputRequestsPerSecond)) }
        line("Output token throughput (tok/s):", fixed(outputThroughput))
        line("Peak output token throughput (tok/s):", fixed(Double(peakOutputTokensPerSecond)))
        line("Peak concurrent requests:", fixed(Double(peakConcurrentRequests)))
        line("Total token throughput (tok/s):", fixed(totalTokenThroughput))
        lines += latencySections(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The block as the earlier `benchmarks/benchmark_serving.py` printed it: successful requests only (no failed,
    /// concurrency, configured rate or peaks) and "Total Token throughput". Ends with a newline.
    public func legacyText() -> String {
        var lines = [Self.centred(" Serving Benchmark Result ", fill: "=")]
        func line(_ label: String, _ value: String) { lines.append(Self.pad(label, 40) + " " + Self.pad(value, 10)) }
        func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
        line("Successful requests:", "\(completed)")
        line("Benchmark duration (s):", fixed(durationSeconds))
        line("Total input tokens:", "\(totalInputTokens)")
        line("Total generated tokens:", "\(totalOutputTokens)")
        line("Request throughput (req/s):", fixed(requestThroughput))
        if let goodputRequestsPerSecond { line("Request goodput (req/s):", fixed(goodputRequestsPerSecond)) }
        line("Output token throughput (tok/s):", fixed(outputThroughput))
        line("Total Token throughput (tok/s):", fixed(totalTokenThroughput))
        lines += latencySections(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The TTFT, TPOT and ITL sections and the closing rule, the same in both blocks.
    private func latencySections(_ line: (String, String) -> Void) -> [String] {
        var lines: [String] = []
        func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
        for (name, header, stats) in [("TTFT", "Time to First Token", ttft), ("TPOT", "Time per Output Token (excl. 1st token)", tpot),
                                      ("ITL", "Inter-token Latency", itl)] {
            lines.append(Self.centred(header, fill: "-"))
            lines.append(Self.pad("Mean \(name) (ms):", 40) + " " + Self.pad(fixed(stats.mean), 10))
            lines.append(Self.pad("Median \(name) (ms):", 40) + " " + Self.pad(fixed(stats.median), 10))
            lines.append(Self.pad("P99 \(name) (ms):", 40) + " " + Self.pad(fixed(stats.p99), 10))
        }
        lines.append(String(repeating: "=", count: 50))
        return lines
    }

    /// `text` left-aligned in `width` characters, as Python's `{:<width}`.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` centred in 50 characters of `fill`, as Python's `{:fill^50}` (the odd one goes right).
    static func centred(_ text: String, fill: Character) -> String {
        let padding = max(50 - text.count, 0)
        return String(repeating: fill, count: padding / 2) + text + String(repeating: fill, count: padding - padding / 2)
    }

    // MARK: The saved JSON

    /// The `--save-result` JSON with `--save-detailed`'s per-request lists, keys in the order `vllm bench serve`
    /// writes them: the run's setup (no `date`, so the same run gives the same bytes), the `gracesim` object where
    /// the benchmark puts `--metadata` keys (when `setup` is given), the traffic, the results with the failed count
    /// and the peaks, the per-request lists (`ttfts` and `itls` in seconds; `generated_texts` empty), then mean,
    /// median, std and p99 of `ttft_ms`, `tpot_ms`, `itl_ms` and `e2el_ms` (as with `--percentile-metrics
    /// ttft,tpot,itl,e2el`).
    public func json(modelId: String, traffic: Traffic, setup: Setup? = nil) -> String {
        var fields: [(String, String)] = [
            ("endpoint_type", JSONText.quoted("gracesim")), ("backend", JSONText.quoted("gracesim")), ("label", "null"),
            ("model_id", JSONText.quoted(modelId)), ("tokenizer_id", JSONText.quoted(modelId)), ("num_prompts", "\(requests.count)"),
        ]
        if let setup { fields.append(("gracesim", Self.setupJSON(setup, requests: requests))) }
        fields += [
            ("request_rate", traffic.requestRate.map(Self.number) ?? JSONText.quoted("inf")),
            ("burstiness", Self.number(traffic.burstiness)), ("max_concurrency", traffic.maxConcurrency.map(String.init) ?? "null"),
            ("duration", Self.number(durationSeconds)), ("completed", "\(completed)"), ("failed", "\(failed)"),
            ("total_input_tokens", "\(totalInputTokens)"), ("total_output_tokens", "\(totalOutputTokens)"),
            ("request_throughput", Self.number(requestThroughput)),
            ("request_goodput", goodputRequestsPerSecond.map(Self.number) ?? "null"),
            ("output_throughput", Self.number(outputThroughput)), ("total_token_throughput", Self.number(totalTokenThroughput)),
            ("input_lens", Self.list(requests.map { "\($0.inputTokens)" })),
            ("output_lens", Self.list(requests.map { "\($0.outputTokens)" })),
            ("ttfts", Self.list(requests.map { Self.number(Double($0.ttftNs) / 1e9) })),
            ("itls", Self.list(requests.map { Self.list($0.itlNs.map { Self.number(Double($0) / 1e9) }) })),
            ("generated_texts", Self.list(requests.map { _ in "\"\"" })),
            ("errors", Self.list(requests.map { JSONText.quoted($0.error) })),
            ("max_output_tokens_per_s", Self.number(Double(peakOutputTokensPerSecond))),
            ("max_concurrent_requests", "\(peakConcurrentRequests)"),
        ]
        for (name, stats) in [("ttft", ttft), ("tpot", tpot), ("itl", itl), ("e2el", e2el)] {
            fields += [("mean_\(name)_ms", Self.number(stats.mean)), ("median_\(name)_ms", Self.number(stats.median)),
                       ("std_\(name)_ms", Self.number(stats.std)), ("p99_\(name)_ms", Self.number(stats.p99))]
        }
        return "{" + fields.map { "\(JSONText.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// The `gracesim` object: `experiment`, `hardware`, `seed`, `instances` (vLLM's engine-argument names) and,
    /// per request in the order of the benchmark's lists, `arrival_times` (seconds) and `request_instances`.
    static func setupJSON(_ setup: Setup, requests: [Request]) -> String {
        let instances = setup.instances.map { instance in
            let fields: [(String, String)] = [
                ("name", JSONText.quoted(instance.name)), ("model", JSONText.quoted(instance.model)),
                ("gpu_memory_utilization", number(instance.gpuMemoryUtilization)), ("max_num_seqs", "\(instance.maxNumSeqs)"),
                ("max_num_batched_tokens", "\(instance.maxNumBatchedTokens)"),
                ("enable_chunked_prefill", instance.enableChunkedPrefill ? "true" : "false"),
                ("max_model_len", instance.maxModelLen.map(String.init) ?? "null"), ("block_size", "\(instance.blockSize)"),
            ]
            return "{" + fields.map { "\(JSONText.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        let fields: [(String, String)] = [
            ("experiment", JSONText.quoted(setup.experiment)), ("hardware", JSONText.quoted(setup.hardware)),
            ("seed", "\(setup.seed)"), ("instances", list(instances)),
            ("arrival_times", list(requests.map { number(Double($0.arrivalNs) / 1e9) })),
            ("request_instances", list(requests.map { "\($0.instance)" })),
        ]
        return "{" + fields.map { "\(JSONText.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// A finite number as Python's `json.dump` writes a float (shortest round-trip form, `.0` on whole numbers).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "NaN" }
        return "\(value)"
    }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
