import Foundation
import GraceSim

/// A real run of `Workloads/vllm-runs/` that gracesim cannot replay yet, with the reasons read from its `meta.json`
/// and the run's own medians, so that `docs/validation.md` lists it instead of leaving it out.
public struct PendingRun: Sendable, Equatable {
    /// The run's folder name.
    public var name: String
    /// The model's Hugging Face id.
    public var model: String
    /// Why gracesim cannot replay it yet (tensor parallel 2, data parallel 2, expert parallel, …).
    public var reasons: [String]
    /// The real run's median TTFT (s), median TPOT (ms) and output tokens per second.
    public var medianTTFTSeconds: Double
    public var medianTPOTMs: Double
    public var outputTokensPerSecond: Double

    /// Reads the run folder at `path` (its `meta.json` and `requests.jsonl`).
    /// - Throws: ``ConfigError`` naming the file when either cannot be read.
    public static func load(path: String) throws -> PendingRun {
        let metaPath = path + "/meta.json"
        guard let data = FileManager.default.contents(atPath: metaPath),
              let meta = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let engine = meta["engine_kwargs"] as? [String: Any] else {
            throw ConfigError(file: metaPath, key: "engine_kwargs", "expected a JSON object with engine_kwargs")
        }
        var reasons: [String] = []
        if let tp = engine["tensor_parallel_size"] as? Int, tp > 1 { reasons.append("tensor parallel \(tp)") }
        if let dp = engine["data_parallel_size"] as? Int, dp > 1 { reasons.append("data parallel \(dp)") }
        if engine["enable_expert_parallel"] as? Bool == true { reasons.append("expert parallel (mixture of experts)") }
        let real = try RealRun.load(path: path)
        let tpots = real.requests.compactMap { Replay.tpot(ttft: $0.ttftSeconds, e2e: $0.e2eSeconds, output: $0.outputTokens) }
            .map { $0 * 1e3 }
        return PendingRun(name: (path as NSString).lastPathComponent, model: meta["model"] as? String ?? "?",
                          reasons: reasons, medianTTFTSeconds: Replay.percentile(real.requests.map(\.ttftSeconds), 50) ?? 0,
                          medianTPOTMs: Replay.percentile(tpots, 50) ?? 0,
                          outputTokensPerSecond: real.outputTokensPerSecond)
    }
}
