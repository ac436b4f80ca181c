import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Every bad value of the session, common-prefix and prompt-pool keys becomes a ConfigError naming exp.yaml, the
/// key and what was expected.
@Suite struct PrefixWorkloadConfigErrorTests {
    typealias Case = WorkloadConfigErrorTests.Case

    static let fixed = "lengths: {kind: fixed, prompt: 10, output: 10}"

    static func sessions(_ keys: String, lengths: String = fixed) -> String {
        "{max_requests: 5, arrivals: {kind: sessions, \(keys)}, \(lengths)}"
    }

    static let cases: [Case] = [
        Case(name: "neither rate nor users", yaml: sessions("turns: 2"),
             key: "workload.arrivals", mentions: ["session_rate", "users"]),
        Case(name: "both rate and users", yaml: sessions("session_rate: 1, users: 2, turns: 2"),
             key: "workload.arrivals.users", mentions: ["only one"]),
        Case(name: "rate zero", yaml: sessions("session_rate: 0, turns: 2"),
             key: "workload.arrivals.session_rate", mentions: ["greater than 0"]),
        Case(name: "rate NaN", yaml: sessions("session_rate: .nan, turns: 2"),
             key: "workload.arrivals.session_rate", mentions: ["expected a number"]),
        Case(name: "rate inf", yaml: sessions("session_rate: .inf, turns: 2"),
             key: "workload.arrivals.session_rate", mentions: ["expected a number"]),
        Case(name: "rate tiny", yaml: sessions("session_rate: 1e-300, turns: 2"),
             key: "workload.arrivals.session_rate", mentions: ["duration_s"]),
        Case(name: "users zero", yaml: sessions("users: 0, turns: 2"),
             key: "workload.arrivals.users", mentions: ["positive integer"]),
        Case(name: "users huge", yaml: sessions("num_clients: 10000000000, turns: 2"),
             key: "workload.arrivals.num_clients", mentions: ["up to 1000000"]),
        Case(name: "turns missing", yaml: sessions("users: 2"),
             key: "workload.arrivals.turns", mentions: ["required"]),
        Case(name: "turns zero", yaml: sessions("users: 2, turns: 0"),
             key: "workload.arrivals.turns", mentions: ["positive integer"]),
        Case(name: "turns huge", yaml: sessions("users: 2, turns: 20000"),
             key: "workload.arrivals.turns", mentions: ["up to 10000"]),
        Case(name: "turns fractional", yaml: sessions("users: 2, turns: 2.5"),
             key: "workload.arrivals.turns", mentions: ["expected an integer"]),
        Case(name: "think negative", yaml: sessions("users: 2, turns: 2, think_time_s: -1"),
             key: "workload.arrivals.think_time_s", mentions: ["from 0.0 to"]),
        Case(name: "think NaN", yaml: sessions("users: 2, turns: 2, think_time_s: .nan"),
             key: "workload.arrivals.think_time_s", mentions: ["expected a number"]),
        Case(name: "think huge", yaml: sessions("users: 2, turns: 2, think_time_s: 1e300"),
             key: "workload.arrivals.think_time_s", mentions: ["from 0.0 to"]),
        Case(name: "think cv out of range", yaml: sessions("users: 2, turns: 2, think_time_cv: 0.001"),
             key: "workload.arrivals.think_time_cv", mentions: ["0 (a fixed think time)", "0.001"]),
        Case(name: "think cv negative", yaml: sessions("users: 2, turns: 2, think_time_cv: -1"),
             key: "workload.arrivals.think_time_cv", mentions: ["0 (a fixed think time)"]),
        Case(name: "system prompt negative", yaml: sessions("users: 2, turns: 2, system_prompt_len: -5"),
             key: "workload.arrivals.system_prompt_len", mentions: ["from 0 to"]),
        Case(name: "system prompt huge", yaml: sessions("users: 2, turns: 2, system_prompt_len: 1000000000000"),
             key: "workload.arrivals.system_prompt_len", mentions: ["from 0 to"]),
        Case(name: "system prompt fills the context", yaml: sessions("users: 2, turns: 2, system_prompt_len: 999, max_context: 1000"),
             key: "workload.arrivals.max_context", mentions: ["at most 998 tokens"]),
        Case(name: "max context one", yaml: sessions("users: 2, turns: 2, max_context: 1"),
             key: "workload.arrivals.max_context", mentions: ["2 to"]),
        Case(name: "users per prompt zero", yaml: sessions("users: 2, turns: 2, users_per_system_prompt: 0"),
             key: "workload.arrivals.users_per_system_prompt", mentions: ["positive integer"]),
        Case(name: "unknown session key", yaml: sessions("users: 2, turns: 2, think_time: 3"),
             key: "workload.arrivals.think_time", mentions: ["unknown key", "think_time_s"]),
        Case(name: "sessions unbounded", yaml: "{arrivals: {kind: sessions, users: 2, turns: 2}, \(fixed)}",
             key: "workload", mentions: ["session arrivals never end"]),
        Case(name: "sessions with a prompt pool", yaml: sessions("users: 2, turns: 2", lengths: "lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 4}"),
             key: "workload.lengths.num_dataset_entries", mentions: ["system_prompt_len"]),
        Case(name: "sessions with prefix_len", yaml: sessions("users: 2, turns: 2", lengths: "lengths: {kind: random, random_prefix_len: 8}"),
             key: "workload.lengths.random_prefix_len", mentions: ["system_prompt_len"]),
        Case(name: "prefix_len negative", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: random, prefix_len: -1}}",
             key: "workload.lengths.prefix_len", mentions: ["from 0 to"]),
        Case(name: "pool zero", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 0}}",
             key: "workload.lengths.num_dataset_entries", mentions: ["positive integer"]),
        Case(name: "pool huge", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 100000000}}",
             key: "workload.lengths.num_dataset_entries", mentions: ["up to 10000000"]),
        Case(name: "pool sampling unknown", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 3, dataset_sampling_strategy: shuffled}}",
             key: "workload.lengths.dataset_sampling_strategy", mentions: ["sequential, random, shuffle"]),
        Case(name: "pool sampling without a pool", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, dataset_sampling_strategy: random}}",
             key: "workload.lengths.dataset_sampling_strategy", mentions: ["num_dataset_entries"]),
        Case(name: "pool of a trace's lengths", yaml: "{arrivals: {kind: trace, path: Workloads/traces/mooncake-conversation.jsonl}, lengths: {kind: trace, num_dataset_entries: 3}}",
             key: "workload.lengths.num_dataset_entries", mentions: ["lengths kind trace"]),
    ]

    @Test(arguments: cases)
    func badInputNamesFileAndKey(_ testCase: Case) throws {
        let error = #expect(throws: ConfigError.self) {
            _ = try WorkloadFixtures.spec("workload: \(testCase.yaml)", instances: testCase.instances)
        }
        let description = error?.description ?? ""
        #expect(error?.file == "exp.yaml", "\(description)")
        #expect(error?.key == testCase.key, "\(description)")
        #expect(description.hasPrefix("exp.yaml: \(testCase.key): "), "\(description)")
        for text in testCase.mentions {
            #expect(description.contains(text), "\(description) should mention \(text)")
        }
    }
}
