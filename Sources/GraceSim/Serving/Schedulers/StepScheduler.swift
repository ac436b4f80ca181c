/// The policy that forms one step's batch from an instance's queues and KV pool: which requests run, how many
/// tokens each computes, which are admitted and which are preempted.
///
/// A scheduler fills ``ServingInstance/batch`` and moves requests between the instance's queues; it neither
/// schedules events nor records latencies (the ``Simulator`` and ``ServingInstance/completeIteration(now:startedAt:)``
/// do). It asks the instance's memory strategy for room through ``ServingInstance/makeFree(_:for:now:)`` and
/// ``ServingInstance/makeRoomToAdmit(_:now:)``.
protocol StepScheduler: Sendable {
    /// Fills the instance's cleared ``ServingInstance/batch`` for a step starting at `now`.
    func fillBatch(_ instance: ServingInstance, now: SimTime)
}

/// The serving engine an instance runs: vLLM's V0 scheduler (the paper's engine, 0.7.3) or V1's (the default
/// since vLLM 0.8). Chosen per instance with `engine:`.
public enum ServingEngine: String, Sendable, CaseIterable, Codable {
    case vllmV0 = "vllm-v0"
    case vllmV1 = "vllm-v1"

    /// The scheduler of this engine.
    var scheduler: any StepScheduler {
        switch self {
        case .vllmV0: return VLLMV0Scheduler()
        case .vllmV1: return VLLMV1Scheduler()
        }
    }

    /// vLLM V1's default `max_num_seqs` and `max_num_batched_tokens` for `vllm serve` (the OpenAI API server usage
    /// context), by the GPU's memory: 1024 sequences and 8192 tokens on a GPU with at least 70 GiB that is not an
    /// A100, else 256 and 2048 (`EngineArgs.get_batch_defaults`, vLLM 0.10–0.11).
    static func v1Defaults(on hardware: HardwareSpec) -> (maxNumSeqs: Int, maxNumBatchedTokens: Int) {
        let names = ([hardware.name] + hardware.deviceNames).map { $0.lowercased() }
        let large = Double(hardware.gpu.hbmBytes) >= 70 * Double(1 << 30) && !names.contains { $0.contains("a100") }
        return large ? (1024, 8192) : (256, 2048)
    }
}
