import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Every kind of bad `workload:` input becomes a ConfigError naming exp.yaml, the key and what was expected.
@Suite struct WorkloadConfigErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var instances = 1
        /// Key path the error must name.
        var key: String
        /// Further text the description must contain (data file, line number, expectation).
        var mentions: [String]
        var testDescription: String { name }
    }

    /// Data files with problems, written to a scratch folder that serves as the experiment's folder.
    static let badFiles: [String: String] = [
        "empty.csv": "",
        "header-only.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\n",
        "bad-time.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,10,2\n2023-11-16 18:17:0x.1,10,2\n",
        "unsorted.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,10,2\n2023-11-16 18:17:02.5,10,2\n",
        "short-row.csv": "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,10\n",
        "no-decode.csv": "num_prefill_tokens,num_total_tokens\n10,20\n",
        "bad-length.csv": "num_prefill_tokens,num_decode_tokens\n10,2\n11,3\nten,4\n",
        "negative.csv": "num_prefill_tokens,num_decode_tokens\r\n10,-2\r\n",
        "bad.jsonl": "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{\"timestamp\": 3000, \"input_length\": 5}\n",
        "not-json.jsonl": "timestamp=0\n",
        "trace.txt": "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.5,10,2\n",
    ]

    static let poisson = "arrivals: {kind: poisson, rate: 1}"
    static let fixed = "lengths: {kind: fixed, prompt: 10, output: 10}"

    static let cases: [Case] = [
        Case(name: "unknown arrival kind", yaml: "{max_requests: 5, arrivals: {kind: weibull, rate: 1}, \(fixed)}",
             key: "workload.arrivals.kind", mentions: ["poisson, gamma, trace", "weibull"]),
        Case(name: "rate zero", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 0}, \(fixed)}",
             key: "workload.arrivals.rate", mentions: ["greater than 0"]),
        Case(name: "rate negative (gamma)", yaml: "{max_requests: 5, arrivals: {kind: gamma, rate: -1, cv: 2}, \(fixed)}",
             key: "workload.arrivals.rate", mentions: ["greater than 0"]),
        Case(name: "cv zero", yaml: "{max_requests: 5, arrivals: {kind: gamma, rate: 1, cv: 0}, \(fixed)}",
             key: "workload.arrivals.cv", mentions: ["from 0.01 to 100"]),
        Case(name: "missing rate", yaml: "{max_requests: 5, arrivals: {kind: poisson}, \(fixed)}",
             key: "workload.arrivals.rate", mentions: ["required"]),
        Case(name: "unknown key", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1, cv: 3}, \(fixed)}",
             key: "workload.arrivals.cv", mentions: ["unknown key"]),
        Case(name: "unknown top-level key", yaml: "{max_request: 5, \(poisson), \(fixed)}",
             key: "workload.max_request", mentions: ["unknown key"]),
        Case(name: "no bound", yaml: "{\(poisson), \(fixed)}",
             key: "workload", mentions: ["max_requests or duration_s"]),
        Case(name: "shares wrong length", yaml: "{max_requests: 5, \(poisson), \(fixed), shares: [1, 2]}", instances: 3,
             key: "workload.shares", mentions: ["expected 3 weights"]),
        Case(name: "shares negative", yaml: "{max_requests: 5, \(poisson), \(fixed), shares: [1, -2]}", instances: 2,
             key: "workload.shares.1", mentions: ["0 or more"]),
        Case(name: "shares all zero", yaml: "{max_requests: 5, \(poisson), \(fixed), shares: [0, 0]}", instances: 2,
             key: "workload.shares", mentions: ["positive weight"]),
        Case(name: "unknown length kind", yaml: "{max_requests: 5, \(poisson), lengths: {kind: zipf}}",
             key: "workload.lengths.kind", mentions: ["fixed, uniform, file, trace"]),
        Case(name: "lengths missing", yaml: "{max_requests: 5, \(poisson)}",
             key: "workload.lengths", mentions: ["required"]),
        Case(name: "lengths trace without a trace", yaml: "{max_requests: 5, \(poisson), lengths: {kind: trace}}",
             key: "workload.lengths.kind", mentions: ["arrivals of kind trace"]),
        Case(name: "uniform min above max", yaml: "{max_requests: 5, \(poisson), lengths: {kind: uniform, prompt: [9, 3], output: [1, 1]}}",
             key: "workload.lengths.prompt", mentions: ["min ≤ max"]),
        Case(name: "zero prompt", yaml: "{max_requests: 5, \(poisson), lengths: {kind: fixed, prompt: 0, output: 1}}",
             key: "workload.lengths.prompt", mentions: ["from 1"]),
        Case(name: "max below min", yaml: "{max_requests: 5, \(poisson), lengths: {kind: fixed, prompt: 9, output: 9, min_output: 10, max_output: 5}}",
             key: "workload.lengths.max_output", mentions: ["at least min_output"]),
        Case(name: "no such file", yaml: "{arrivals: {kind: trace, path: missing.csv}}",
             key: "workload.arrivals.path", mentions: ["no such file", "missing.csv"]),
        Case(name: "empty trace", yaml: "{arrivals: {kind: trace, path: empty.csv}}",
             key: "workload.arrivals.path", mentions: ["empty.csv", "empty"]),
        Case(name: "trace without rows", yaml: "{arrivals: {kind: trace, path: header-only.csv}}",
             key: "workload.arrivals.path", mentions: ["header-only.csv", "no data rows"]),
        Case(name: "malformed timestamp", yaml: "{arrivals: {kind: trace, path: bad-time.csv}}",
             key: "workload.arrivals.path", mentions: ["bad-time.csv: line 3", "TIMESTAMP"]),
        Case(name: "unsorted trace", yaml: "{arrivals: {kind: trace, path: unsorted.csv}}",
             key: "workload.arrivals.path", mentions: ["unsorted.csv: line 3", "nondecreasing"]),
        Case(name: "short row", yaml: "{arrivals: {kind: trace, path: short-row.csv}}",
             key: "workload.arrivals.path", mentions: ["short-row.csv: line 2", "fields"]),
        Case(name: "missing column", yaml: "{max_requests: 5, \(poisson), lengths: {kind: file, path: no-decode.csv}}",
             key: "workload.lengths.path", mentions: ["no-decode.csv: line 1", "missing column num_decode_tokens"]),
        Case(name: "malformed length row", yaml: "{max_requests: 5, \(poisson), lengths: {kind: file, path: bad-length.csv}}",
             key: "workload.lengths.path", mentions: ["bad-length.csv: line 4", "\"ten\""]),
        Case(name: "negative length", yaml: "{max_requests: 5, \(poisson), lengths: {kind: file, path: negative.csv}}",
             key: "workload.lengths.path", mentions: ["negative.csv: line 2", "out of range"]),
        Case(name: "empty length file", yaml: "{max_requests: 5, \(poisson), lengths: {kind: file, path: empty.csv}}",
             key: "workload.lengths.path", mentions: ["empty.csv", "empty"]),
        Case(name: "mooncake line missing a key", yaml: "{arrivals: {kind: trace, path: bad.jsonl}}",
             key: "workload.arrivals.path", mentions: ["bad.jsonl: line 2", "output_length"]),
        Case(name: "mooncake line not an object", yaml: "{arrivals: {kind: trace, path: not-json.jsonl}}",
             key: "workload.arrivals.path", mentions: ["not-json.jsonl: line 1", "JSON object"]),
        Case(name: "unknown extension", yaml: "{arrivals: {kind: trace, path: trace.txt}}",
             key: "workload.arrivals.path", mentions: ["format: azure or mooncake"]),
        Case(name: "unknown format", yaml: "{arrivals: {kind: trace, path: trace.txt, format: burstgpt}}",
             key: "workload.arrivals.format", mentions: ["azure, mooncake"]),
        Case(name: "empty window", yaml: "{arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, start_s: 5000, end_s: 6000}}",
             key: "workload.arrivals.end_s", mentions: ["selects no requests", "azure-code-2023.csv"]),
        Case(name: "window past the end", yaml: "{arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, start_s: 4000}}",
             key: "workload.arrivals.start_s", mentions: ["selects no requests"]),
        Case(name: "end before start", yaml: "{arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, start_s: 10, end_s: 5}}",
             key: "workload.arrivals.end_s", mentions: ["greater than start_s"]),
        Case(name: "rate_scale zero", yaml: "{arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv, rate_scale: 0}}",
             key: "workload.arrivals.rate_scale", mentions: ["greater than 0"]),
        Case(name: "tenants wrong count", yaml: "{max_requests: 5, tenants: [{\(poisson), \(fixed)}]}", instances: 2,
             key: "workload.tenants", mentions: ["expected 2 tenants"]),
        Case(name: "tenants and arrivals", yaml: "{max_requests: 5, \(poisson), tenants: [{\(poisson), \(fixed)}]}",
             key: "workload.tenants", mentions: ["either tenants"]),
        Case(name: "unbounded tenant", yaml: "{tenants: [{\(poisson), \(fixed)}, {arrivals: {kind: trace, path: Workloads/traces/azure-code-2023.csv}}]}",
             instances: 2, key: "workload.tenants.0", mentions: ["max_requests or duration_s"]),
        Case(name: "bad tenant key", yaml: "{max_requests: 5, tenants: [{\(poisson), \(fixed), weight: 2}]}",
             key: "workload.tenants.0.weight", mentions: ["unknown key"]),
        Case(name: "closed without a bound", yaml: "{arrivals: {kind: closed, clients: 4}, \(fixed)}",
             key: "workload", mentions: ["closed-loop arrivals never end", "max_requests or duration_s"]),
        Case(name: "closed zero clients", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 0}, \(fixed)}",
             key: "workload.arrivals.clients", mentions: ["positive integer", "found 0"]),
        Case(name: "closed negative clients", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: -3}, \(fixed)}",
             key: "workload.arrivals.clients", mentions: ["positive integer", "found -3"]),
        Case(name: "closed too many clients", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2000000}, \(fixed)}",
             key: "workload.arrivals.clients", mentions: ["up to 1000000"]),
        Case(name: "closed missing clients", yaml: "{max_requests: 5, arrivals: {kind: closed, think_time_s: 1}, \(fixed)}",
             key: "workload.arrivals.clients", mentions: ["required"]),
        Case(name: "negative think time", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2, think_time_s: -1}, \(fixed)}",
             key: "workload.arrivals.think_time_s", mentions: ["from 0 to", "found -1"]),
        Case(name: "infinite think time", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2, think_time_s: .inf}, \(fixed)}",
             key: "workload.arrivals.think_time_s", mentions: ["from 0 to", ".inf"]),
        Case(name: "NaN think time", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2, think_time_s: .nan}, \(fixed)}",
             key: "workload.arrivals.think_time_s", mentions: ["from 0 to", ".nan"]),
        Case(name: "think time not a number", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2, think_time_s: soon}, \(fixed)}",
             key: "workload.arrivals.think_time_s", mentions: ["from 0 to", "soon"]),
        Case(name: "closed with a rate", yaml: "{max_requests: 5, arrivals: {kind: closed, clients: 2, rate: 3}, \(fixed)}",
             key: "workload.arrivals.rate", mentions: ["unknown key"]),
        Case(name: "duration zero", yaml: "{duration_s: 0, \(poisson), \(fixed)}",
             key: "workload.duration_s", mentions: ["greater than 0"]),
    ]

    @Test(arguments: cases)
    func badInputNamesFileAndKey(_ testCase: Case) throws {
        let folder = try WorkloadFixtures.directory(with: Self.badFiles)
        let error = #expect(throws: ConfigError.self) {
            _ = try WorkloadFixtures.spec("workload: \(testCase.yaml)", instances: testCase.instances, base: folder)
        }
        let description = error?.description ?? ""
        #expect(error?.file == "exp.yaml", "\(description)")
        #expect(error?.key == testCase.key, "\(description)")
        #expect(description.hasPrefix("exp.yaml: \(testCase.key): "), "\(description)")
        for text in testCase.mentions {
            #expect(description.contains(text), "\(description) should mention \(text)")
        }
    }

    @Test func noInstancesIsAnError() throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try WorkloadFixtures.spec("workload: {max_requests: 5, \(Self.poisson), \(Self.fixed)}", instances: 0)
        }
        #expect(error?.key == "workload")
    }
}
