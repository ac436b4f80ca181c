import GraceSimTestSupport
import PropertyBased
import Testing
@testable import GraceSim

/// Randomized runs of small serving scenarios (see ``RandomWorkload``), checked against the invariants of
/// docs/model.md, "Invariants": memory within bounds, every request accounted for, tokens conserved, time monotone.
///
/// A failing case is printed whole (experiment YAML and request list) with the seed that reproduces it.
@Suite struct SimulationPropertyTests {
    /// KV-1, KV-2, Q-1, Q-2, Q-3, R-1 and T-1 (checked after every event by the simulator), plus, checked here
    /// after every step: time never goes backwards, no request loses generated tokens (preemption recomputes
    /// KV but keeps tokens), and no request gains more than one token per iteration.
    @Test func invariantsHoldAfterEveryEvent() async throws {
        await propertyCheck(count: 50, input: RandomWorkload.generator) { workload in
            let run = try RandomRun(workload)
            #expect(run.simulator.invariantViolations.isEmpty, "\(run.simulator.invariantViolations.prefix(5))")
            #expect(run.stepProblems.isEmpty, "\(run.stepProblems.prefix(5))")
            #expect(run.simulator.instances.map(\.pool.capacityBlocks) == workload.instances.map(\.blocks), "pools sized as generated")
        }
    }

    /// Every arrived request is finished, rejected for the reason its lengths predict, or — only under a
    /// time limit — unfinished; the report's counts agree with the request states, per instance and overall.
    /// Without a time limit every queue drains and every pool ends empty.
    @Test func everyRequestIsAccountedFor() async throws {
        await propertyCheck(count: 50, input: RandomWorkload.generator) { workload in
            let run = try RandomRun(workload)
            let states = run.simulator.requests.states
            let limited = workload.maxTimeS != nil
            if !limited { #expect(states.count == workload.requests.count, "every request arrives") }
            var overall = (finished: 0, rejected: 0, unfinished: 0)
            for instance in run.simulator.instances {
                let mine = states.filter { Int($0.instance) == instance.index }
                let expectedRejections = Self.expectedRejections(of: mine, on: instance)
                let counts = run.report.instances[instance.index].requests
                let finished = mine.count { $0.phase == .finished }
                let rejected = mine.count { $0.phase == .rejected }
                let unfinished = mine.count - finished - rejected
                #expect(counts.arrived == mine.count)
                #expect(counts.finished == finished)
                #expect(counts.rejected == rejected)
                #expect(counts.unfinished == unfinished)
                #expect(counts.arrived == counts.finished + counts.rejected + counts.unfinished)
                #expect(counts.rejectedByReason == expectedRejections, "\(instance.spec.name)")
                if !limited {
                    #expect(unfinished == 0, "\(instance.spec.name): no time limit, yet \(unfinished) unfinished")
                    #expect(instance.pool.usedBlocks == 0, "\(instance.spec.name): pool not empty at the end")
                    #expect(instance.waiting.isEmpty && instance.running.isEmpty, "\(instance.spec.name): queues not empty")
                }
                overall.finished += finished
                overall.rejected += rejected
                overall.unfinished += unfinished
            }
            let counts = run.report.overall.requests
            #expect(counts.arrived == states.count)
            #expect(counts.finished == overall.finished && counts.rejected == overall.rejected && counts.unfinished == overall.unfinished)
            #expect(counts.rejectedByReason.values.reduce(0, +) == counts.rejected)
        }
    }

    /// Token conservation: finished requests generated exactly their (truncated) output; nobody generated
    /// more; the metrics' output tokens are the sum of generated tokens; TTFT, ITL, end-to-end and TPOT counts
    /// match the requests that produced a first token, their later tokens, the finished requests and those of
    /// them with two or more tokens; throughput is over the first arrival to the last completion; the
    /// prompt tokens counted once are those of requests whose first prefill completed.
    @Test func tokensAreConserved() async throws {
        await propertyCheck(count: 50, input: RandomWorkload.generator) { workload in
            let run = try RandomRun(workload)
            let states = run.simulator.requests.states
            for (id, state) in states.enumerated() where state.phase != .rejected {
                let spec = workload.requests[id]
                let context = Int32(run.simulator.instances[spec.instance].spec.model.maxContextTokens)
                #expect(state.outputTokens == min(spec.outputTokens, context - spec.promptTokens), "request \(id) output")
                #expect(state.generatedTokens <= state.outputTokens, "request \(id) generated too much")
                if state.phase == .finished {
                    #expect(state.generatedTokens == state.outputTokens, "request \(id) finished early")
                    #expect(state.blocks == 0, "request \(id) finished holding blocks")
                }
            }
            let generated = states.reduce(0) { $0 + Int($1.generatedTokens) }
            let started = states.filter { $0.generatedTokens > 0 }
            let metrics = run.simulator.instances.map(\.metrics)
            #expect(metrics.reduce(0) { $0 + $1.outputTokens } == generated)
            #expect(metrics.reduce(0) { $0 + $1.promptTokens } == started.reduce(0) { $0 + Int($1.promptTokens) })
            let overall = run.report.overall
            // Throughput is taken from the first arrival to the last completion, as vLLM's benchmark does.
            let finishes = states.map(\.finishNs).filter { $0 >= 0 }
            let durationNs = finishes.max().map { $0 - (states.map(\.arrivalNs).min() ?? 0) } ?? 0
            #expect(overall.durationSeconds == Double(durationNs) / 1e9)
            #expect(overall.durationSeconds <= run.report.simulatedSeconds)
            let expected = durationNs > 0 ? Double(generated) / (Double(durationNs) / 1e9) : 0
            #expect(abs(overall.throughput.outputTokensPerSecond - expected) <= 1e-9 * max(expected, 1))
            #expect(overall.ttft.count == started.count)
            #expect(overall.tbt.count == started.reduce(0) { $0 + Int($1.generatedTokens) - 1 })
            #expect(overall.itl == overall.tbt && overall.e2el == overall.endToEnd)
            #expect(overall.endToEnd.count == overall.requests.finished)
            let multiToken = states.filter { $0.phase == .finished && $0.generatedTokens > 1 }
            #expect(overall.tpot.count == multiToken.count && overall.maxITL.count == multiToken.count)
            #expect(overall.maxITL.maxMs == overall.itl.maxMs || overall.maxITL.count == 0
                    || states.contains { $0.phase != .finished && $0.generatedTokens > 1 })
            #expect((0...1).contains(overall.itlPrefillGapFraction))
            #expect(states.allSatisfy { ($0.firstTokenNs >= 0) == ($0.generatedTokens > 0) })
        }
    }

    /// The rejections the lengths predict, by reason, for requests sent to `instance` (a reference model
    /// of ``ServingInstance/arrive(_:)``).
    static func expectedRejections(of states: [RequestState], on instance: ServingInstance) -> [String: Int] {
        let spec = instance.spec
        let context = Int32(spec.model.maxContextTokens)
        let usable = instance.pool.capacityBlocks - Int(spec.watermark * Double(instance.pool.capacityBlocks))
        var reasons: [String: Int] = [:]
        for state in states {
            // `outputTokens` is already truncated for admitted requests, and untouched for rejected ones.
            let prompt = state.promptTokens
            let output = min(state.outputTokens, context - prompt)
            if prompt >= context || (!spec.chunkedPrefill && Int(prompt) > spec.maxNumBatchedTokens) {
                reasons[RejectionReason.promptTooLong.rawValue, default: 0] += 1
            } else if Int(instance.pool.blocks(forTokens: prompt + output)) > usable {
                reasons[RejectionReason.exceedsKVPool.rawValue, default: 0] += 1
            }
        }
        return reasons
    }
}
