import Foundation

/// A real serving run, as measured: each request's lengths, its arrival and the latencies it saw. In seconds.
///
/// Read from a vLLM run folder or `requests.jsonl` (per-request engine timestamps) or from a vLLM
/// `benchmark_serving --save-result` JSON (per-request TTFT and inter-token latencies, no arrival times). Replayed by
/// ``Replay``.
public struct RealRun: Sendable {
    /// One request of the run.
    public struct Request: Sendable, Equatable {
        /// Prompt length, in tokens.
        public var inputTokens: Int
        /// Generated length, in tokens.
        public var outputTokens: Int
        /// Arrival, in seconds from the run's first arrival; nil when the source does not record it.
        public var arrivalSeconds: Double?
        /// Time to first token, in seconds.
        public var ttftSeconds: Double
        /// Arrival to last token, in seconds.
        public var e2eSeconds: Double
        /// The gaps between successive output tokens, in seconds, when the source records them.
        public var itlSeconds: [Double]?
        /// Arrival to first being scheduled, in seconds, when the source records it (waiting in the queue).
        public var waitSeconds: Double?
        /// The model instance that served it, when the source records it (gracesim's own saved results).
        public var instance: Int?

        public init(inputTokens: Int, outputTokens: Int, arrivalSeconds: Double?, ttftSeconds: Double,
                    e2eSeconds: Double, itlSeconds: [Double]? = nil, waitSeconds: Double? = nil) {
            self.waitSeconds = waitSeconds
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.arrivalSeconds = arrivalSeconds
            self.ttftSeconds = ttftSeconds
            self.e2eSeconds = e2eSeconds
            self.itlSeconds = itlSeconds
        }
    }

    /// How requests arrive when the source has no arrival times: the benchmark's request rate.
    public enum RecordedRate: Sendable, Equatable {
        /// Poisson arrivals at this many requests per second.
        case poisson(perSecond: Double)
        /// All requests at time zero (`request_rate: inf`).
        case allAtOnce
    }

    /// A short name for reports (the run folder's or file's name).
    public var name: String
    /// The file the requests were read from.
    public var file: String
    /// The requests, in arrival order when arrivals are known, else in the file's order.
    public var requests: [Request]
    /// The request rate to draw arrivals from when `requests` carry none.
    public var recordedRate: RecordedRate?
    /// The run's measured output throughput, tokens per second, when the source states it.
    public var statedOutputTokensPerSecond: Double?
    /// What the run records about how it was served (model, GPU, engine arguments), when it records it.
    public var setup: RunSetup?

    public init(name: String, file: String, requests: [Request], recordedRate: RecordedRate? = nil,
                statedOutputTokensPerSecond: Double? = nil) {
        self.name = name
        self.file = file
        self.requests = requests
        self.recordedRate = recordedRate
        self.statedOutputTokensPerSecond = statedOutputTokensPerSecond
    }

    /// Whether every request has an arrival time.
    public var hasArrivals: Bool { requests.allSatisfy { $0.arrivalSeconds != nil } }
    /// Whether the run records inter-token latencies.
    public var hasITL: Bool { requests.contains { $0.itlSeconds != nil } }

    /// Output tokens per second: the stated figure, or all output tokens over first arrival to last token.
    public var outputTokensPerSecond: Double {
        if let statedOutputTokensPerSecond { return statedOutputTokensPerSecond }
        let end = requests.map { ($0.arrivalSeconds ?? 0) + $0.e2eSeconds }.max() ?? 0
        let start = requests.compactMap(\.arrivalSeconds).min() ?? 0
        let tokens = requests.reduce(0) { $0 + $1.outputTokens }
        return end > start ? Double(tokens) / (end - start) : 0
    }

    /// The arrival times to replay, in seconds: the recorded ones, or drawn from the recorded rate with `seed`
    /// (Poisson: exponential gaps from the stream "replay-arrivals"; `inf`: all at zero).
    public func arrivalSeconds(seed: UInt64) -> [Double] {
        if hasArrivals { return requests.map { $0.arrivalSeconds ?? 0 } }
        switch recordedRate ?? .allAtOnce {
        case .allAtOnce:
            return requests.map { _ in 0 }
        case .poisson(let rate):
            var stream = RandomStream(seed: seed, name: "replay-arrivals")
            var t = 0.0
            return requests.indices.map { index in
                if index > 0 { t += -log(stream.nextOpenUnit()) / rate }
                return t
            }
        }
    }
}
