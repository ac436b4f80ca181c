import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Bad `slo:` input becomes one ConfigError line naming test.yaml, the key and what was expected.
@Suite struct SLOConfigErrorTests {
    static let experiment = """
        name: slo
        hardware: gh200-96gb
        instances: [{model: llama-3-8b, memory_fraction: 0.9}]
        workload: {max_requests: 1, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 16, output: 16}}

        """

    @Test(arguments: [
        ("slo: {ttft_ms: -1}", "test.yaml: slo.ttft_ms: expected a number of milliseconds from 0 to 1000000000000.0, found -1.0"),
        ("slo: {tpot_ms: 1e300}", "test.yaml: slo.tpot_ms: expected a number of milliseconds from 0 to 1000000000000.0, found 1e+300"),
        ("slo: {e2el_ms: .inf}", "test.yaml: slo.e2el_ms: expected a number, found \".inf\""),
        ("slo: {ttft_ms: fast}", "test.yaml: slo.ttft_ms: expected a number, found \"fast\""),
        ("slo: {ttft_ms: 100, itl_ms: 5}", "test.yaml: slo.itl_ms: unknown key (allowed here: e2el_ms, tpot_ms, ttft_ms)"),
        ("slo: {}", "test.yaml: slo: expected at least one of ttft_ms, tpot_ms, e2el_ms"),
        ("slo: 200", "test.yaml: slo: expected {ttft_ms: MS, tpot_ms: MS, e2el_ms: MS} or vLLM's --goodput pairs such as \"ttft:200 tpot:50\" (names ttft, tpot, e2el; ms), found \"200\""),
    ])
    func badSLOIsOneLine(yaml: String, expected: String) throws {
        let error = #expect(throws: ConfigError.self) { try TestExperiments.experiment(Self.experiment + yaml) }
        #expect(error?.description == expected)
        #expect(error?.description.contains("\n") == false)
    }
}
