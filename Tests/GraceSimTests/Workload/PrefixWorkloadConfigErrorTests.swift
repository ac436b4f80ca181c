import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Every bad value of the common-prefix and prompt-pool keys becomes a ConfigError naming exp.yaml, the
/// key and what was expected.
@Suite struct PrefixWorkloadConfigErrorTests {
    typealias Case = WorkloadConfigErrorTests.Case

    static let fixed = "lengths: {kind: fixed, prompt: 10, output: 10}"

    static let cases: [Case] = [
        Case(name: "prefix_len negative", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: random, prefix_len: -1}}",
             key: "workload.lengths.prefix_len", mentions: ["from 0 to"]),
        Case(name: "pool zero", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 0}}",
             key: "workload.lengths.num_dataset_entries", mentions: ["positive integer"]),
        Case(name: "pool huge", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 100000000}}",
             key: "workload.lengths.num_dataset_entries", mentions: ["up to 10000000"]),
        Case(name: "pool sampling unknown", yaml: "{max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 10, output: 10, num_dataset_entries: 3, dataset_sampling_strategy: shuffle}}",
             key: "workload.lengths.dataset_sampling_strategy", mentions: ["sequential, random"]),
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
