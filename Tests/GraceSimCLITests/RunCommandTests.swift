import GraceSimTestSupport
import Foundation
import Testing

/// Guards `gracesim run`: the summary table, the `--json` report and its keys, and the `--set`,
/// `--seed` and `--strategy` options, on the default experiment shortened to 200 requests.
@Suite struct RunCommandTests {
    @Test func printsTheSummaryTable() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment] + CLI.quick)
        expectSuccess(result)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("default: llama-3-8b on gh200-96gb, strategy recompute") == true, "\(lines.first ?? "")")
        let header = try #require(lines.first { $0.hasPrefix("instance ") && $0.contains("arrived") })
        for column in ["arrived", "done", "rejected", "unfinished", "preempt", "duration s", "out tok/s", "req/s", "KV mean", "KV peak"] {
            #expect(header.contains(column), "no \(column) in: \(header)")
        }
        let row = try #require(lines.first { $0.hasPrefix("llama-3-8b ") }, "no instance row in:\n\(result.stdoutText)")
        let cells = row.split(separator: " ")
        #expect(cells.count >= 3 && cells[1] == "200" && cells[2] == "200", "200 arrived and done expected: \(row)")
        #expect(lines.contains { $0.hasPrefix("instance ") && $0.contains("P99") }, "no latency table")
        #expect(!header.contains("goodput"), "goodput without an SLO: \(header)")
        for metric in ["TTFT", "TPOT", "ITL", "E2EL"] {
            #expect(lines.contains { $0.hasPrefix("llama-3-8b") && $0.contains(" \(metric) ") }, "no \(metric) row")
        }
    }

    @Test func jsonReportDecodesWithTheExpectedKeys() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--json"] + CLI.quick)
        expectSuccess(result)
        let root = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(root["experiment"] as? String == "default")
        #expect(root["strategy"] as? String == "recompute")
        #expect(root["seed"] as? Int == 1)
        let overall = try #require(root["overall"] as? [String: Any])
        for latency in ["ttft", "tpot", "itl", "tbt", "e2el", "e2e", "max_itl"] {
            let summary = try #require(overall[latency] as? [String: Any], "no overall.\(latency)")
            for key in ["p50_ms", "p90_ms", "p99_ms", "mean_ms", "max_ms"] {
                let value = try #require(summary[key] as? Double, "no overall.\(latency).\(key)")
                #expect(value > 0, "overall.\(latency).\(key) = \(value)")
            }
        }
        let throughput = try #require(overall["throughput"] as? [String: Any])
        let outputTokensPerSecond = try #require(throughput["output_tokens_per_s"] as? Double)
        #expect(outputTokensPerSecond > 0)
        #expect(overall["itl"] as? NSDictionary == overall["tbt"] as? NSDictionary, "tbt repeats itl")
        #expect(overall["e2el"] as? NSDictionary == overall["e2e"] as? NSDictionary, "e2e repeats e2el")
        let duration = try #require(overall["duration_s"] as? Double)
        #expect(duration > 0 && duration <= (root["simulated_s"] as? Double ?? 0))
        let prefillShare = try #require(overall["itl_prefill_gap_fraction"] as? Double)
        #expect((0...1).contains(prefillShare))
        #expect(overall["goodput_requests_per_s"] == nil, "no goodput without an SLO")
        let instances = try #require(root["instances"] as? [[String: Any]])
        #expect(instances.count == 1)
        let requests = try #require(instances.first?["requests"] as? [String: Any])
        let arrived = try #require(requests["arrived"] as? Int)
        #expect(arrived == 200)
        #expect(requests["finished"] as? Int == arrived)
    }

    @Test func sloAddsGoodputToTheTableAndTheJSON() async throws {
        let slo = ["--set", "slo.ttft_ms=1000", "--set", "slo.tpot_ms=100"]
        let table = try await GraceSimProcess.run(["run", CLI.defaultExperiment] + slo + CLI.quick)
        expectSuccess(table)
        #expect(table.stdoutText.contains("goodput req/s"), "no goodput column in:\n\(table.stdoutText)")
        let json = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--json"] + slo + CLI.quick)
        expectSuccess(json)
        let root = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let overall = try #require(root["overall"] as? [String: Any])
        let goodput = try #require(overall["goodput_requests_per_s"] as? Double)
        let throughput = try #require((overall["throughput"] as? [String: Any])?["requests_per_s"] as? Double)
        #expect(goodput > 0 && goodput <= throughput)
    }

    @Test func setOverridesChangeTheResults() async throws {
        let slow = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--json", "--set", "workload.arrivals.rate=1"] + CLI.quick)
        let fast = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--json", "--set", "workload.arrivals.rate=12"] + CLI.quick)
        expectSuccess(slow)
        expectSuccess(fast)
        #expect(slow.stdout != fast.stdout)
        let slowSeconds = try #require(try JSONSerialization.jsonObject(with: slow.stdout) as? [String: Any])["simulated_s"] as? Double
        let fastSeconds = try #require(try JSONSerialization.jsonObject(with: fast.stdout) as? [String: Any])["simulated_s"] as? Double
        // 200 requests at 1/s take about 200 s to arrive; at 12/s about 17 s.
        #expect((slowSeconds ?? 0) > (fastSeconds ?? .infinity))
    }

    @Test func strategyOptionSelectsAStrategy() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--strategy", "recompute"] + CLI.quick)
        expectSuccess(result)
        #expect(result.stdoutText.contains("strategy recompute"))
    }

    @Test func unknownStrategyNamesTheKeyAndTheAllowedValues() async throws {
        let result = try await GraceSimProcess.run(["run", CLI.defaultExperiment, "--strategy", "nonsense"] + CLI.quick)
        expectBadInput(result, file: CLI.defaultExperiment, key: "strategy", mentions: ["recompute", "\"nonsense\""])
    }
}
