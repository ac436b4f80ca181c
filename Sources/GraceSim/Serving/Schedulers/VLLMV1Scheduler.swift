/// vLLM V1's scheduler, one step at a time (vLLM 0.11, `vllm/v1/core/sched/scheduler.py`, FCFS policy).
///
/// - Under data parallelism the ranks are one scheduler with D times each rank's budgets; a request, which vLLM runs
///   on one rank, computes at most one rank's `max_num_batched_tokens` in a step.
/// - One token budget per step (`max_num_batched_tokens`), spent on running requests first, in the order they were
///   admitted: each takes what it still has to compute (one token for a decode, the rest of its prompt for a
///   partial prefill), cut to the budget left. Then, only if no request was preempted in this step, on waiting
///   requests in FCFS order while `max_num_seqs` allows. Prefill is always chunked.
/// - Blocks are allocated step by step for the tokens scheduled, not for a whole sequence at admission, and there
///   is no watermark (V1's `KVCacheManager.allocate_slots`).
/// - A running request that cannot get its blocks first lets the memory strategy find room, then preempts the
///   lowest-priority running request: under FCFS the latest admitted (`running.pop()`), which may be itself. A
///   preempted request frees its blocks, goes back to the front of waiting and is computed again from its first
///   token (its cached blocks, if still cached, are hits). There is no swap mode.
/// - A waiting request is looked up in the prefix cache when it is scheduled; it is admitted only if the blocks for
///   its first chunk, and any evictable cached blocks it reuses, are free (nothing is preempted for it).
///
/// Assumed where vLLM's documentation is silent: a request the budget cannot reach waits, as in vLLM; the prefix
/// cache's hit rate counts each admitted request once (vLLM counts every lookup, including one whose allocation
/// then fails).
struct VLLMV1Scheduler: StepScheduler {
    func fillBatch(_ s: ServingInstance, now: SimTime) {
        let preemptionsBefore = s.metrics.preemptions
        var budget = scheduleRunning(s, now: now)
        guard s.metrics.preemptions == preemptionsBefore else { return }
        while budget > 0, let id = s.waiting.first, s.running.count < s.spec.stepSequences {
            guard let tokens = admit(s, id, budget: budget, now: now) else { break }
            budget -= tokens
        }
    }

    /// Schedules the running requests in order within the token budget; returns the budget left.
    private func scheduleRunning(_ s: ServingInstance, now: SimTime) -> Int {
        var budget = s.spec.stepTokens
        var i = 0
        while i < s.running.count && budget > 0 {
            let id = s.running[i]
            let state = s.requests.states[Int(id)]
            if state.kvOnHost {
                s.batch.addHostDecode(id, contextTokens: state.sequenceTokens)
                budget -= 1
                i += 1
                continue
            }
            let tokens = min(Int(state.sequenceTokens - state.computedTokens), budget, s.spec.maxNumBatchedTokens)
            guard tokens > 0 else {
                i += 1
                continue
            }
            let needed = Int(s.pool.blocks(forTokens: state.computedTokens + Int32(tokens)) - state.blocks)
            if needed > s.pool.freeBlocks {
                // Preemption takes requests from the end of `running`, never before `i`; false when it took this one.
                // The strategy may have moved this request's KV to the CPU: it is looked at again.
                guard s.makeFree(needed, for: id, now: now) else { break }
                continue
            }
            allocate(s, needed, to: id, computing: tokens)
            if state.phase == .decoding {
                s.batch.addDecode(id, contextTokens: state.sequenceTokens)
            } else {
                s.batch.addPrefill(id, chunk: Int32(tokens), priorTokens: state.computedTokens,
                                   samples: Int(state.computedTokens) + tokens == Int(state.sequenceTokens))
            }
            budget -= tokens
            i += 1
        }
        return budget
    }

    /// Admits the request at the front of waiting with its first chunk (after its cached prefix) if its blocks are
    /// free; returns the chunk's tokens, or nil when it must wait.
    private func admit(_ s: ServingInstance, _ id: Int32, budget: Int, now: SimTime) -> Int? {
        let state = s.requests.states[Int(id)]
        let hit = s.prefixCache?.lookUp(id, state: state, content: s.requests.contents[id]) ?? PrefixHit()
        // Blocks found in CPU memory count as computed: they are loaded into new GPU blocks before the prefill.
        let cached = Int32(hit.slots.count + hit.hostKeys.count) * s.pool.blockTokens
        let tokens = min(Int(state.sequenceTokens - cached), budget, s.spec.maxNumBatchedTokens)
        let needed = Int(s.pool.blocks(forTokens: cached + Int32(tokens))) - hit.slots.count
        let short = needed + hit.evictable + s.watermarkBlocks - s.pool.freeBlocks
        if short > 0 {
            s.makeRoomToAdmit(short, now: now)
            if needed + hit.evictable + s.watermarkBlocks > s.pool.freeBlocks { return nil }
        }
        s.waiting.removeFirst()
        if let cache = s.prefixCache {
            cache.take(hit.slots, for: id, pool: &s.pool)
            cache.noteAdmission(queriedTokens: Int(state.sequenceTokens), hitTokens: hit.slots.count * Int(s.pool.blockTokens))
            if !hit.hostKeys.isEmpty { cache.hostTier?.load(hit.hostKeys, instance: s.index) }
        }
        s.requests.states[Int(id)].blocks = Int32(hit.slots.count)
        s.requests.states[Int(id)].computedTokens = cached
        s.requests.states[Int(id)].phase = .prefilling
        allocate(s, needed, to: id, computing: tokens)
        s.running.append(id)
        s.batch.addPrefill(id, chunk: Int32(tokens), priorTokens: cached, samples: Int(cached) + tokens == Int(state.sequenceTokens))
        return tokens
    }

    /// Gives `id` `count` more blocks (evicting cached free blocks in the way) for `tokens` tokens it computes in
    /// this step, and caches the blocks those tokens fill.
    private func allocate(_ s: ServingInstance, _ count: Int, to id: Int32, computing tokens: Int) {
        let state = s.requests.states[Int(id)]
        if let cache = s.prefixCache {
            cache.allocate(count, pool: &s.pool)
            let end = state.computedTokens + Int32(tokens)
            if end / cache.blockTokens > state.computedTokens / cache.blockTokens {
                cache.cacheFullBlocks(of: id, upTo: end, promptTokens: state.promptTokens, content: s.requests.contents[id])
            }
        } else {
            s.pool.allocate(count)
        }
        s.requests.states[Int(id)].blocks += Int32(count)
    }
}
