import GraceSimTestSupport
import Foundation
import Testing

/// Guards `gracesim trace`: a Chrome trace-event file that parses, has the tracks it promises, keeps to its window
/// and is the same bytes on a second run.
@Suite struct TraceCommandTests {
    /// C1 over the first 120 s of the Azure code trace at half its rate, under swap: preemptions between 70 and 90 s
    /// send KV both ways over the link.
    static let c1Swap = ["Configs/experiments/c1-temporal.yaml", "--strategy", "swap",
                         "--set", "workload.arrivals.end_s=120", "--set", "workload.arrivals.rate_scale=0.5"]

    @Test func writesAChromeTraceOfTheWindow() async throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("trace.json").path
        let result = try await GraceSimProcess.run(["trace"] + Self.c1Swap + ["--from", "70", "--to", "90", "--out", out])
        expectSuccess(result)
        #expect(result.stdoutText.isEmpty)
        #expect(result.stderrText.hasPrefix("wrote "), "\(result.stderrText)")
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(root["displayTimeUnit"] as? String == "ms")
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        var phases: [String: Int] = [:]
        for event in events {
            let ph = try #require(event["ph"] as? String, "no ph: \(event)")
            phases[ph, default: 0] += 1
            #expect(event["name"] is String && event["ts"] is NSNumber && event["pid"] is Int && event["tid"] is Int, "\(event)")
            guard ph != "M" else { continue }
            let ts = (event["ts"] as! NSNumber).doubleValue
            let dur = (event["dur"] as? NSNumber)?.doubleValue ?? 0
            #expect(dur >= 0 && ts <= 90e6 && ts + dur >= 70e6, "outside 70–90 s: \(event)")
            if ph == "X" { #expect(event["dur"] is NSNumber) }
            if ph == "i" { #expect(event["s"] as? String == "t") }
        }
        for ph in ["M", "X", "i", "C"] { #expect((phases[ph] ?? 0) > 0, "no \(ph) events: \(phases)") }
        let purposes = Set(events.filter { $0["cat"] as? String == "transfer" }.compactMap { $0["name"] as? String })
        #expect(purposes == ["swap-in", "swap-out"])

        let again = folder.url.appendingPathComponent("again.json").path
        let second = try await GraceSimProcess.run(["trace"] + Self.c1Swap + ["--from", "70", "--to", "90", "--out", again])
        expectSuccess(second)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == data, "same config, same bytes")
    }

    @Test func rejectsAWindowThatEndsBeforeItStarts() async throws {
        let result = try await GraceSimProcess.run(["trace", CLI.defaultExperiment, "--from", "10", "--to", "5", "--out", "/tmp/unused.json"])
        #expect(result.exited && result.status != 0)
        #expect(result.stderrText.contains("--to"), "\(result.stderrText)")
    }
}
