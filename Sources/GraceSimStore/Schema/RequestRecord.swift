import GRDB

/// One row of `requests`: one request of one run (written only when the sweep sets `store.requests: true`).
///
/// Times are seconds of simulated time; a time is NULL when the event did not happen.
public struct RequestRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "requests"

    public var runId: Int64
    public var request: Int
    public var instance: String
    public var arrivalSeconds: Double
    public var firstTokenSeconds: Double?
    public var finishSeconds: Double?
    public var promptTokens: Int
    public var outputTokens: Int
    public var generatedTokens: Int
    public var preemptions: Int
    /// The longest gap between two tokens of the request, in ms.
    public var maxTBTMs: Double
    /// `finished`, `rejected` or `unfinished`.
    public var status: String

    /// A record with every column given.
    public init(runId: Int64, request: Int, instance: String, arrivalSeconds: Double, firstTokenSeconds: Double?, finishSeconds: Double?, promptTokens: Int, outputTokens: Int, generatedTokens: Int, preemptions: Int, maxTBTMs: Double, status: String) {
        self.runId = runId
        self.request = request
        self.instance = instance
        self.arrivalSeconds = arrivalSeconds
        self.firstTokenSeconds = firstTokenSeconds
        self.finishSeconds = finishSeconds
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.generatedTokens = generatedTokens
        self.preemptions = preemptions
        self.maxTBTMs = maxTBTMs
        self.status = status
    }

    public enum Columns {
        public static let runId = Column(CodingKeys.runId)
        public static let request = Column(CodingKeys.request)
        public static let instance = Column(CodingKeys.instance)
        public static let status = Column(CodingKeys.status)
    }

    enum CodingKeys: String, CodingKey {
        case request, instance, preemptions, status
        case runId = "run_id", arrivalSeconds = "arrival_s", firstTokenSeconds = "first_token_s"
        case finishSeconds = "finish_s", promptTokens = "prompt_tokens", outputTokens = "output_tokens"
        case generatedTokens = "generated_tokens", maxTBTMs = "max_tbt_ms"
    }
}
