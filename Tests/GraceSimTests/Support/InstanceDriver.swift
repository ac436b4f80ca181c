import GraceSimTestSupport
@testable import GraceSim

/// One serving instance driven by hand, step by step, with a clock that advances 1 µs per iteration (or as told): for cases
/// worked out on paper, without the simulator's events.
final class InstanceDriver {
    let requests = RequestTable()
    let instance: ServingInstance
    private(set) var clockNs: Int64 = 0

    /// Llama-3-8B on gh200-96gb with a pool of exactly `blocks` blocks and the given scheduler limits.
    init(blocks: Int, watermark: Double = 0, maxNumSeqs: Int = 256, maxNumBatchedTokens: Int? = nil,
         chunkedPrefill: Bool = false, engine: ServingEngine = .vllmV0, prefixCaching: Bool = false) throws {
        let experiment = try TestExperiments.singleInstance()
        let spec = InstanceSpec(name: "x", model: experiment.instances[0].model, gpuMemoryUtilization: 0.5, maxNumSeqs: maxNumSeqs,
                                maxNumBatchedTokens: maxNumBatchedTokens, chunkedPrefill: chunkedPrefill, watermark: watermark,
                                engine: engine, prefixCaching: prefixCaching)
        instance = ServingInstance(index: 0, spec: spec, kvCapacityBlocks: blocks,
                                   timeModel: IterationTimeModel(model: spec.model, gpu: experiment.hardware.gpu),
                                   requests: requests, strategy: RecomputeStrategy(), sampleInterval: .seconds(1))
    }

    /// Adds a request arriving at `arrivalNs` (default 0); returns its id.
    func add(prompt: Int32, output: Int32, arrivalNs: Int64 = 0, content: RequestContent? = nil) -> Int32 {
        requests.append(RequestState(arrivalNs: arrivalNs, instance: 0, promptTokens: prompt, outputTokens: output), content: content)
    }

    /// Adds a request and lets it arrive now; returns its id.
    func arrive(prompt: Int32, output: Int32, content: RequestContent? = nil) -> Int32 {
        let id = add(prompt: prompt, output: output, arrivalNs: clockNs, content: content)
        _ = instance.arrive(id)
        return id
    }

    /// Runs one iteration of 1 µs; false when there was nothing to run.
    @discardableResult
    func step() -> Bool { stepTaking(1_000) }

    /// The batch of the latest iteration, as scheduled (kept after the iteration completes).
    private(set) var lastBatch = Batch()

    /// Runs one iteration that takes `durationNs`; false when there was nothing to run.
    @discardableResult
    func stepTaking(_ durationNs: Int64) -> Bool {
        guard instance.scheduleIteration(now: SimTime(ns: clockNs)) else { return false }
        lastBatch = instance.batch
        clockNs += durationNs
        instance.completeIteration(now: SimTime(ns: clockNs), startedAt: SimTime(ns: clockNs - durationNs))
        return true
    }
}
