import GraceSimTestSupport
import Testing
@testable import GraceSim

@Suite struct WorkloadGeneratorTests {
    static let poisson = """
        workload:
          max_requests: 10000
          arrivals: {kind: gamma, rate: 4, cv: 2}
          lengths: {kind: uniform, prompt: [16, 4096], output: [1, 512]}
        """

    @Test func sameSeedSameSequenceDifferentSeedDiffers() throws {
        let spec = try WorkloadFixtures.spec(Self.poisson, instances: 3)
        let first = WorkloadFixtures.requests(spec, seed: 42)
        let again = WorkloadFixtures.requests(spec, seed: 42)
        let other = WorkloadFixtures.requests(spec, seed: 43)
        #expect(first.count == 10_000)
        #expect(first == again)
        #expect(first != other)
        #expect(zip(first, other).filter { $0.0.arrival == $0.1.arrival }.count < 10)
    }

    @Test func arrivalsAreNondecreasingAndBoundsHold() throws {
        let spec = try WorkloadFixtures.spec("""
            workload:
              duration_s: 100
              arrivals: {kind: poisson, rate: 50}
              lengths: {kind: fixed, prompt: 512, output: 128}
            """, instances: 2)
        let requests = WorkloadFixtures.requests(spec)
        #expect(requests.count > 4_500 && requests.count < 5_500)  // 5,000 expected, sd ≈ 71
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
        #expect(requests.allSatisfy { $0.arrival < .seconds(100) && $0.promptTokens == 512 && $0.outputTokens == 128 })
    }

    /// Tenant 0's requests depend only on tenant 0's streams, so a third tenant leaves them unchanged.
    @Test func addingATenantDoesNotChangeTenantZero() throws {
        let tenant0 = "{arrivals: {kind: poisson, rate: 5}, lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv}}"
        let tenant1 = "{arrivals: {kind: gamma, rate: 2, cv: 3}, lengths: {kind: fixed, prompt: 100, output: 10}}"
        let tenant2 = "{arrivals: {kind: trace, path: Workloads/traces/azure-conv-2023.csv}}"
        let two = try WorkloadFixtures.spec("workload: {duration_s: 300, tenants: [\(tenant0), \(tenant1)]}", instances: 2)
        let three = try WorkloadFixtures.spec("workload: {duration_s: 300, tenants: [\(tenant0), \(tenant1), \(tenant2)]}",
                                              instances: 3)
        let fromTwo = WorkloadFixtures.requests(two, seed: 9)
        let fromThree = WorkloadFixtures.requests(three, seed: 9)
        #expect(fromThree.contains { $0.instance == 2 })
        #expect(fromTwo.filter { $0.instance == 0 } == fromThree.filter { $0.instance == 0 })
        #expect(fromTwo.filter { $0.instance == 1 } == fromThree.filter { $0.instance == 1 })
        #expect(zip(fromThree, fromThree.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
    }

    /// Equal arrival times from different tenants come out in tenant order.
    @Test func tiesGoToTheLowerTenant() throws {
        let tenant = "{arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, end_s: 10}}"
        let spec = try WorkloadFixtures.spec("workload: {tenants: [\(tenant), \(tenant)]}", instances: 2)
        let requests = WorkloadFixtures.requests(spec)
        #expect(requests.count % 2 == 0 && requests.count > 0)
        for pair in stride(from: 0, to: requests.count, by: 2) {
            #expect(requests[pair].instance == 0 && requests[pair + 1].instance == 1)
            #expect(requests[pair].arrival == requests[pair + 1].arrival)
        }
    }

    /// With 100,000 requests the share of an instance with weight p has standard deviation
    /// √(p(1−p)/n) ≤ 0.16%; 1% is over 6 of them.
    @Test func sharesAreRespected() throws {
        let spec = try WorkloadFixtures.spec("""
            workload:
              max_requests: 100000
              arrivals: {kind: poisson, rate: 100}
              lengths: {kind: fixed, prompt: 1, output: 1}
              shares: [5, 3, 0, 2]
            """, instances: 4)
        var counts = [0, 0, 0, 0]
        for request in WorkloadFixtures.requests(spec) { counts[request.instance] += 1 }
        #expect(counts.reduce(0, +) == 100_000)
        #expect(counts[2] == 0)
        for (index, share) in [0.5, 0.3, 0.0, 0.2].enumerated() {
            #expect(abs(Double(counts[index]) / 100_000 - share) < 0.01, "instance \(index): \(counts[index])")
        }
    }

    @Test func defaultSharesAreEqualAndMaxRequestsIsExact() throws {
        let spec = try WorkloadFixtures.spec("""
            workload: {max_requests: 30000, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 1, output: 1}}
            """, instances: 3)
        let requests = WorkloadFixtures.requests(spec)
        #expect(requests.count == 30_000)
        for instance in 0..<3 {
            let count: Int = requests.filter { $0.instance == instance }.count
            let share: Double = Double(count) / 10_000
            #expect(abs(share - 1) < 0.05)
        }
    }

    @Test func lengthsAreClipped() throws {
        let fixed = try WorkloadFixtures.spec("""
            workload: {max_requests: 5, arrivals: {kind: poisson, rate: 1},
                       lengths: {kind: fixed, prompt: 5000, output: 3, max_prompt: 4096, min_output: 8}}
            """)
        #expect(WorkloadFixtures.requests(fixed).allSatisfy { $0.promptTokens == 4096 && $0.outputTokens == 8 })

        let file = try WorkloadFixtures.spec("""
            workload:
              max_requests: 20000
              arrivals: {kind: poisson, rate: 1}
              lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv, max_prompt: 1024, min_output: 600, max_output: 700}
            """)
        let requests = WorkloadFixtures.requests(file)
        #expect(requests.allSatisfy { $0.promptTokens >= 1 && $0.promptTokens <= 1024 })
        #expect(requests.allSatisfy { $0.outputTokens >= 600 && $0.outputTokens <= 700 })
        #expect(requests.contains { $0.promptTokens == 1024 } && requests.contains { $0.promptTokens < 1024 })
        #expect(requests.contains { $0.outputTokens == 600 } && requests.contains { $0.outputTokens == 700 })

        let uniform = try WorkloadFixtures.spec("""
            workload: {max_requests: 2000, arrivals: {kind: poisson, rate: 1},
                       lengths: {kind: uniform, prompt: [1, 10], output: [3, 3], min_prompt: 5}}
            """)
        let prompts = Set(WorkloadFixtures.requests(uniform).map(\.promptTokens))
        #expect(prompts == Set(5...10))
    }

    /// With trace arrivals and no `lengths`, each request keeps its trace lengths (clipping still applies
    /// when asked for).
    @Test func traceLengthsFollowTheTrace() throws {
        let spec = try WorkloadFixtures.spec("""
            workload: {arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv}}
            """)
        let requests = WorkloadFixtures.requests(spec, count: 2)
        #expect(requests.map(\.promptTokens) == [4808, 3180] && requests.map(\.outputTokens) == [10, 8])
        #expect(requests[1].arrival.ns == 52_000_000)
        let clipped = try WorkloadFixtures.spec("""
            workload: {arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv}, lengths: {kind: trace, max_prompt: 4000}}
            """)
        #expect(WorkloadFixtures.requests(clipped, count: 2).map(\.promptTokens) == [4000, 3180])
    }

    /// A relative path is looked up in the experiment's folder first, then under the project root.
    @Test func relativePathsPreferTheExperimentFolder() throws {
        let folder = try WorkloadFixtures.directory(with: [
            "Workloads/lengths/sharegpt-multiturn.csv": "num_prefill_tokens,num_decode_tokens\n7,9\n",
        ])
        let yaml = """
            workload: {max_requests: 50, arrivals: {kind: poisson, rate: 1}, lengths: {kind: file, path: Workloads/lengths/sharegpt-multiturn.csv}}
            """
        let local = try WorkloadFixtures.spec(yaml, base: folder)
        #expect(WorkloadFixtures.requests(local).allSatisfy { $0.promptTokens == 7 && $0.outputTokens == 9 })
        let fromRoot = try WorkloadFixtures.spec(yaml, base: "\(folder)/elsewhere")
        #expect(WorkloadFixtures.requests(fromRoot).contains { $0.promptTokens != 7 })
    }
}
