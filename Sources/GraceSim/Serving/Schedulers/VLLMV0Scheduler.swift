/// vLLM V0's scheduler (0.7.3, the paper's engine; docs/paper.md, "Rival strategies"), one step at a time.
///
/// Without chunked prefill a step is all-prefill (waiting requests in FCFS order while the token budget,
/// `max_num_seqs` and the KV watermark allow, and only when no request is swapped out) or, when no prefill
/// could be admitted, all-decode (every running request, preempting the latest-arrived when a block is
/// missing, then swapped requests coming back if nothing was preempted). With chunked prefill, decodes go
/// first, then swapped requests, then unfinished prefills, then new prompts, each chunk cut to the budget left.
/// A request admitted from waiting gets blocks for its whole sequence at once.
struct VLLMV0Scheduler: StepScheduler {
    func fillBatch(_ s: ServingInstance, now: SimTime) {
        if s.spec.chunkedPrefill {
            scheduleChunked(s, now: now)
        } else if !(s.swapped.isEmpty && schedulePrefills(s, now: now)) {
            let preemptionsBefore = s.metrics.preemptions
            let budget = scheduleDecodes(s, now: now, tokenBudget: Int.max)
            if s.metrics.preemptions == preemptionsBefore { scheduleSwapIns(s, now: now, tokenBudget: budget) }
        }
    }

    /// Admits waiting requests as whole prefills. Returns whether any was admitted.
    private func schedulePrefills(_ s: ServingInstance, now: SimTime) -> Bool {
        var tokens = 0
        while let id = s.waiting.first, s.running.count < s.spec.stepSequences {
            let sequence = s.requests.states[Int(id)].sequenceTokens
            // A re-prefill may exceed the budget; it then runs alone rather than never.
            if tokens + Int(sequence) > s.spec.stepTokens && !s.batch.isEmpty { break }
            guard admit(s, id, now: now) else { break }
            tokens += Int(sequence)
            s.batch.addPrefill(id, chunk: sequence, priorTokens: 0, samples: true)
        }
        return !s.batch.isEmpty
    }

    /// Moves `id` from the front of waiting to running with blocks for its whole sequence, if the pool
    /// keeps its watermark afterwards.
    private func admit(_ s: ServingInstance, _ id: Int32, now: SimTime) -> Bool {
        let needed = Int(s.pool.blocks(forTokens: s.requests.states[Int(id)].sequenceTokens))
        if s.pool.freeBlocks - needed < s.watermarkBlocks {
            s.makeRoomToAdmit(needed + s.watermarkBlocks - s.pool.freeBlocks, now: now)
            if s.pool.freeBlocks - needed < s.watermarkBlocks { return false }
        }
        s.waiting.removeFirst()
        s.pool.allocate(needed)
        s.requests.states[Int(id)].blocks = Int32(needed)
        s.requests.states[Int(id)].phase = s.spec.chunkedPrefill ? .prefilling : .decoding
        s.insertRunningInArrivalOrder(id)
        return true
    }

    /// Adds a decode step for every decoding request in `running` order, within `tokenBudget`.
    /// Returns the budget left.
    @discardableResult
    private func scheduleDecodes(_ s: ServingInstance, now: SimTime, tokenBudget: Int) -> Int {
        var budget = tokenBudget
        var i = 0
        while true {
            // The loop over requests runs on inout copies (no per-request exclusivity checks); it stops at a
            // request whose next block is not free, which is handled here with the strategy and preemption.
            let needed = Self.addDecodes(running: s.running, from: &i, budget: &budget, states: &s.requests.states,
                                         pool: &s.pool, batch: &s.batch)
            guard needed > 0 else { break }
            let id = s.running[i]
            guard s.makeFree(needed, for: id, now: now) else { break }
        }
        return budget
    }

    /// Adds decode steps for `running[i...]` while blocks are free; returns 0 when done, or the blocks the
    /// request at `i` still needs.
    private static func addDecodes(running: [Int32], from i: inout Int, budget: inout Int,
                                   states: inout ContiguousArray<RequestState>, pool: inout KVBlockPool,
                                   batch: inout Batch) -> Int {
        while i < running.count && budget > 0 {
            let id = running[i]
            let state = states[Int(id)]
            if state.kvOnHost {
                batch.addHostDecode(id, contextTokens: state.sequenceTokens)
                budget -= 1
            } else if state.phase == .decoding {
                let needed = Int(pool.blocks(forTokens: state.sequenceTokens) - state.blocks)
                if needed > 0 {
                    if pool.freeBlocks < needed { return needed }
                    pool.allocate(needed)
                    states[Int(id)].blocks += Int32(needed)
                }
                batch.addDecode(id, contextTokens: state.sequenceTokens)
                budget -= 1
            }
            i += 1
        }
        return 0
    }

    /// Brings swapped requests back, FCFS, while their blocks fit above the watermark: each copies its KV back
    /// in this step and decodes in it.
    @discardableResult
    private func scheduleSwapIns(_ s: ServingInstance, now: SimTime, tokenBudget: Int) -> Int {
        var budget = tokenBudget
        while budget > 0, let id = s.swapped.first, s.running.count < s.spec.stepSequences {
            let state = s.requests.states[Int(id)]
            let needed = Int(s.pool.blocks(forTokens: state.sequenceTokens))
            guard s.pool.freeBlocks - needed >= s.watermarkBlocks else { break }
            s.swapped.removeFirst()
            s.pool.allocate(needed)
            s.batch.swapInBlocks += Int(s.pool.blocks(forTokens: state.computedTokens))
            s.metrics.swapsIn += 1
            s.requests.states[Int(id)].blocks = Int32(needed)
            s.requests.states[Int(id)].phase = .decoding
            s.insertRunningInArrivalOrder(id)
            s.batch.addDecode(id, contextTokens: state.sequenceTokens)
            budget -= 1
        }
        return budget
    }

    /// vLLM V0 with chunked prefill: decodes first, then swapped requests, then running prefills, then new prompts.
    private func scheduleChunked(_ s: ServingInstance, now: SimTime) {
        let preemptionsBefore = s.metrics.preemptions
        var budget = scheduleDecodes(s, now: now, tokenBudget: s.spec.stepTokens)
        if s.metrics.preemptions == preemptionsBefore { budget = scheduleSwapIns(s, now: now, tokenBudget: budget) }
        for id in s.running where budget > 0 {
            let state = s.requests.states[Int(id)]
            guard state.phase == .prefilling else { continue }
            budget -= addChunk(s, id, state: state, budget: budget)
        }
        while budget > 0, let id = s.waiting.first, s.running.count < s.spec.stepSequences {
            guard admit(s, id, now: now) else { break }
            budget -= addChunk(s, id, state: s.requests.states[Int(id)], budget: budget)
        }
    }

    /// Adds the next prefill chunk of `id` (at most `budget` tokens, and at most one data-parallel rank's
    /// `max_num_batched_tokens`: a request runs on one rank); returns its size.
    private func addChunk(_ s: ServingInstance, _ id: Int32, state: RequestState, budget: Int) -> Int {
        let remaining = state.sequenceTokens - state.computedTokens
        let chunk = Int32(min(Int(remaining), budget, s.spec.maxNumBatchedTokens))
        s.batch.addPrefill(id, chunk: chunk, priorTokens: state.computedTokens, samples: chunk == remaining)
        return Int(chunk)
    }
}
