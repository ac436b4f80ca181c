import GraceSimTestSupport
import Foundation
import Testing

/// `gracesim capacity`: a search that succeeds, its JSON, and each kind of bad input as one line and exit 2.
@Suite struct CapacityCommandTests {
    /// The default experiment as a short closed loop of identical one-token requests.
    static let closedLoop = [CLI.defaultExperiment, "--set",
                             "workload={max_requests: 40, arrivals: {kind: closed, clients: 2}, lengths: {kind: fixed, prompt: 64, output: 1}}"]

    @Test func findsACapacityAndListsEveryPoint() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft_p99_ms=30"])
        expectSuccess(result)
        #expect(result.stdoutText.contains("capacity workload.arrivals.clients = "))
        #expect(result.stdoutText.contains("goodput: "))
        #expect(result.stdoutText.contains("points tried, in order:"))
        #expect(result.stdoutText.contains("pass") && result.stdoutText.contains("fail"))
    }

    @Test func jsonIsStableAndNamesTheKnob() async throws {
        let arguments = ["capacity"] + Self.closedLoop + ["--slo", "ttft_p99_ms=30", "--json"]
        let first = try await GraceSimProcess.run(arguments)
        let second = try await GraceSimProcess.run(arguments)
        expectSuccess(first)
        #expect(first.stdout == second.stdout)
        let object = try JSONSerialization.jsonObject(with: first.stdout) as? [String: Any]
        #expect(object?["key"] as? String == "workload.arrivals.clients")
        #expect((object?["points"] as? [Any])?.isEmpty == false)
        #expect(object?["goodput_requests_per_s"] is Double)
    }

    @Test func unknownMetricListsTheKnownOnes() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft_p42_ms=500"])
        expectBadInput(result, file: "<command line>", key: "--slo", mentions: ["unknown metric ttft_p42_ms", "ttft_p99_ms", "e2e_p99_ms"])
    }

    @Test(arguments: ["ttft_p99_ms", "ttft_p99_ms=", "=5", "ttft_p99_ms=soon", "ttft_p99_ms=5,,tbt_p99_ms=3"])
    func malformedSLO(slo: String) async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", slo])
        expectBadInput(result, file: "<command line>", key: "--slo", mentions: ["expected"])
    }

    /// vLLM's `--goodput ttft:200` is a limit on each request; capacity bounds a metric of the run, and says which.
    @Test func goodputFormNamesTheMetric() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft:200"])
        expectBadInput(result, file: "<command line>", key: "--slo", mentions: ["vLLM's --goodput form", "ttft_p99_ms=200", "slo: {ttft_ms: 200}"])
    }

    @Test func malformedTolerance() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft_p99_ms=60", "--tolerance", "200%"])
        expectBadInput(result, file: "<command line>", key: "--tolerance", mentions: ["from 0.01% to below 100%"])
    }

    @Test func unknownScope() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft_p99_ms=60", "--scope", "nobody"])
        expectBadInput(result, file: "<command line>", key: "--scope", mentions: ["no scope nobody", "overall"])
    }

    /// No run meets a TTFT of a microsecond, not even one client's.
    @Test func failingAtTheLowestLoadSaysWhatWasTried() async throws {
        let result = try await GraceSimProcess.run(["capacity"] + Self.closedLoop + ["--slo", "ttft_p99_ms=0.001"])
        expectBadInput(result, file: CLI.defaultExperiment, key: "",
                       mentions: ["fail even at the lowest workload.arrivals.clients tried, 1", "2 fail (ttft_p99_ms", "1 fail"])
    }

    /// Every run meets a TTFT of an hour, so doubling never finds a failing rate. (Short requests, enough of them for
    /// each run to be steady.)
    @Test func unboundedCapacitySaysWhatWasTried() async throws {
        let result = try await GraceSimProcess.run(["capacity", CLI.defaultExperiment, "--set", "workload.max_requests=200",
                                                    "--set", "workload.lengths={kind: fixed, prompt: 64, output: 4}",
                                                    "--slo", "ttft_p99_ms=3600000", "--max-steps", "3"])
        expectBadInput(result, file: CLI.defaultExperiment, key: "",
                       mentions: ["still hold at workload.arrivals.rate = 48 after 3 doublings", "cannot be bracketed", "6 pass", "48 pass"])
    }

    /// A short run overstates capacity: 500 requests at a rate the system cannot sustain arrive and drain before the
    /// queue shows. Measured at steady state (warm-up left out, runs extended until they can tell), the search with
    /// 500 requests finds what it finds with 5,000, within 5%.
    @Test func capacityDoesNotDependOnTheRequestsAsked() async throws {
        func capacity(_ requests: Int) async throws -> (Double, [[String: Any]]) {
            let result = try await GraceSimProcess.run([
                "capacity", CLI.defaultExperiment, "--set", "workload.max_requests=\(requests)",
                "--set", "workload.lengths={kind: file, path: Workloads/lengths/sharegpt-first-turn.csv, sampling: shuffled}",
                "--slo", "ttft_p99_ms=500,tbt_p99_ms=100", "--json"])
            expectSuccess(result)
            let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
            return (object?["capacity"] as? Double ?? 0, object?["points"] as? [[String: Any]] ?? [])
        }
        async let short = capacity(500)
        async let long = capacity(5000)
        let (shortCapacity, shortPoints) = try await short
        let (longCapacity, _) = try await long
        #expect(longCapacity > 0)
        #expect(abs(shortCapacity - longCapacity) <= 0.05 * longCapacity, "500 requests: \(shortCapacity), 5,000: \(longCapacity)")
        // The short search extended the runs it could not judge, and said which points did not reach steady state.
        #expect(shortPoints.contains { ($0["requests"] as? Int ?? 0) > 500 })
        #expect(shortPoints.contains { $0["steady"] as? Bool == false && $0["steady_state_problem"] is String })
    }

    @Test func tenantsAreNotSearched() async throws {
        let tenants = "workload={max_requests: 10, tenants: [{arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10}}]}"
        let result = try await GraceSimProcess.run(["capacity", CLI.defaultExperiment, "--set", tenants, "--slo", "ttft_p99_ms=30"])
        expectBadInput(result, file: CLI.defaultExperiment, key: "workload", mentions: ["tenants"])
    }
}
