import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Closed-loop arrivals: every client waits for its request to end, thinks, then sends the next.
@Suite struct ClosedLoopTests {
    /// A one-instance llama-3-8b experiment on a GH200 with this `workload:` body.
    static func experiment(_ workload: String, instances: Int = 1, seed: Int = 1) throws -> Experiment {
        let instanceList = (0..<instances).map { "  - {model: llama-3-8b, name: i\($0), memory_fraction: \(0.9 / Double(instances))}" }
        return try TestExperiments.experiment("""
            name: closed
            hardware: gh200-96gb
            seed: \(seed)
            instances:
            \(instanceList.joined(separator: "\n"))
            strategy: recompute
            workload:
            \(workload.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            simulation:
              check_invariants: true
            """)
    }

    /// Most requests arrived and not yet ended at any instant (an end at time t comes before an arrival at t).
    static func peakInFlight(_ states: ContiguousArray<RequestState>) -> Int {
        var events: [(ns: Int64, delta: Int)] = []
        for state in states {
            events.append((state.arrivalNs, 1))
            let endNs = state.finishNs >= 0 ? state.finishNs : (state.phase == .rejected ? state.arrivalNs : .max)
            events.append((endNs, -1))
        }
        events.sort { $0.ns != $1.ns ? $0.ns < $1.ns : $0.delta < $1.delta }
        var current = 0, peak = 0
        for event in events {
            current += event.delta
            peak = max(peak, current)
        }
        return peak
    }

    /// Worked by hand: one client and fixed lengths, so request k+1 arrives exactly `think` after request k
    /// finishes, the first at time 0; each runs alone, so every request takes the same time.
    @Test func oneClientSendsAfterEachFinishPlusThinkTime() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            max_requests: 6
            arrivals: {kind: closed, clients: 1, think_time_s: 0.25}
            lengths: {kind: fixed, prompt: 200, output: 20}
            """))
        let report = simulator.run()
        let states = simulator.requests.states
        #expect(report.overall.requests.finished == 6)
        #expect(states[0].arrivalNs == 0)
        for k in 0..<5 {
            #expect(states[k + 1].arrivalNs == states[k].finishNs + 250_000_000, "request \(k + 1)")
            #expect(states[k + 1].finishNs - states[k + 1].arrivalNs == states[0].finishNs - states[0].arrivalNs)
        }
        #expect(simulator.invariantViolations.isEmpty)
    }

    /// With think time 0 the next request arrives at the very instant the previous one finishes.
    @Test func zeroThinkTimeArrivesAtTheFinish() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            max_requests: 3
            arrivals: {kind: closed, clients: 1}
            lengths: {kind: fixed, prompt: 64, output: 4}
            """))
        _ = simulator.run()
        let states = simulator.requests.states
        #expect(states.count == 3)
        #expect(states[1].arrivalNs == states[0].finishNs && states[2].arrivalNs == states[1].finishNs)
    }

    /// A rejected request ends at its arrival, so its client's next request comes `think` later.
    @Test func rejectedRequestsAlsoTriggerTheNext() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            max_requests: 4
            arrivals: {kind: closed, clients: 1, think_time_s: 1}
            lengths: {kind: fixed, prompt: 100000, output: 4}
            """))
        let report = simulator.run()
        #expect(report.overall.requests.rejected == 4)
        #expect(simulator.requests.states.map(\.arrivalNs) == [0, 1_000_000_000, 2_000_000_000, 3_000_000_000])
    }

    /// Never more than `clients` requests in flight; all of them at time 0; on one instance and spread over two.
    @Test(arguments: [1, 2])
    func neverMoreInFlightThanClients(instances: Int) throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            max_requests: 300
            arrivals: {kind: closed, clients: 6, think_time_s: 0.05}
            lengths: {kind: uniform, prompt: [16, 2048], output: [1, 300]}
            """, instances: instances))
        let report = simulator.run()
        let states = simulator.requests.states
        #expect(report.overall.requests.finished == 300)
        #expect(states.prefix(6).allSatisfy { $0.arrivalNs == 0 })
        #expect(Self.peakInFlight(states) == 6)
        if instances == 2 { #expect(Set(states.map(\.instance)).count == 2) }
        #expect(simulator.invariantViolations.isEmpty)
    }

    /// A tenant's clients stay with its instance, and an open tenant next to it is not disturbed.
    @Test func closedTenantBesideAnOpenOne() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            tenants:
              - {max_requests: 50, arrivals: {kind: closed, clients: 3, think_time_s: 0.1}, lengths: {kind: fixed, prompt: 300, output: 40}}
              - {max_requests: 50, arrivals: {kind: poisson, rate: 5}, lengths: {kind: fixed, prompt: 300, output: 40}}
            """, instances: 2))
        let report = simulator.run()
        #expect(report.overall.requests.finished == 100)
        let closed = simulator.requests.states.filter { $0.instance == 0 }
        #expect(closed.count == 50)
        #expect(Self.peakInFlight(ContiguousArray(closed)) == 3)
    }

    /// `duration_s` ends a closed loop too: no request arrives at or after it.
    @Test func durationBoundsTheLoop() throws {
        let simulator = try Simulator(experiment: Self.experiment("""
            duration_s: 2
            arrivals: {kind: closed, clients: 2, think_time_s: 0.1}
            lengths: {kind: fixed, prompt: 128, output: 16}
            """))
        _ = simulator.run()
        let states = simulator.requests.states
        #expect(states.count > 4)
        #expect(states.allSatisfy { $0.arrivalNs < 2_000_000_000 })
    }

    /// The generator alone: first requests all at time 0, later ones only when a request ends, bounded by max_requests.
    @Test func generatorGivesFirstRequestsThenFollowUps() throws {
        let spec = try WorkloadFixtures.spec("""
            workload:
              max_requests: 5
              arrivals: {kind: closed, clients: 3, think_time_s: 2}
              lengths: {kind: fixed, prompt: 10, output: 10}
            """)
        var generator = spec.makeGenerator(seed: 1)
        #expect(generator.isClosedLoop)
        var first: [RequestSpec] = []
        while let request = generator.next() { first.append(request) }
        #expect(first.map(\.arrival) == [.zero, .zero, .zero])
        #expect(generator.next(afterRequestOn: 0, endedAt: .seconds(1))?.arrival == .seconds(3))
        #expect(generator.next(afterRequestOn: 0, endedAt: .seconds(1.5))?.arrival == .seconds(3.5))
        #expect(generator.next(afterRequestOn: 0, endedAt: .seconds(2)) == nil)
        #expect(!(try WorkloadFixtures.spec(WorkloadGeneratorTests.poisson)).makeGenerator(seed: 1).isClosedLoop)
    }

    /// Same seed, same requests and times, bit for bit.
    @Test func deterministic() throws {
        func run() throws -> [Int64] {
            let simulator = try Simulator(experiment: Self.experiment("""
                max_requests: 200
                arrivals: {kind: closed, clients: 5, think_time_s: 0.02}
                lengths: {kind: uniform, prompt: [16, 1024], output: [1, 200]}
                """, instances: 2, seed: 7))
            _ = simulator.run()
            return simulator.requests.states.flatMap { [$0.arrivalNs, $0.finishNs, Int64($0.instance), Int64($0.promptTokens)] }
        }
        #expect(try run() == run())
    }
}
