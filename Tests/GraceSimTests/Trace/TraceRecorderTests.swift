import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Traces of whole runs: the Chrome trace-event format, the window, the link lanes, determinism, and that
/// watching a run does not change it.
@Suite struct TraceRecorderTests {
    /// C1 over the first 120 s of the Azure code trace at half its rate (as in ``RemapStrategyTests``): KV runs
    /// short between 70 and 90 s, so remap remaps and reverts, and swap preempts to CPU and back.
    static func c1(strategy: String) throws -> Simulator {
        let overrides = try ["workload.arrivals.end_s=120", "workload.arrivals.rate_scale=0.5", "strategy=\(strategy)"]
            .map(ConfigOverride.init(parsing:))
        let experiment = try Experiment.load(path: TestExperiments.repositoryRoot + "/Configs/experiments/c1-temporal.yaml",
                                             overrides: overrides)
        return try Simulator(experiment: experiment)
    }

    /// Runs C1 under `strategy` with a recorder over `window` (seconds) and returns the trace file's text.
    static func trace(strategy: String, window: ClosedRange<Double>? = nil) throws -> (text: String, report: RunReport) {
        let simulator = try c1(strategy: strategy)
        let window = window.map { SimTime.seconds($0.lowerBound)...SimTime.seconds($0.upperBound) } ?? .zero...SimTime.infinity
        let recorder = TraceRecorder(window: window)
        simulator.observer = recorder
        let report = simulator.run()
        let text = ChromeTraceEncoder.document(recorder.records, instanceNames: simulator.instances.map(\.spec.name),
                                               lanesUsed: recorder.lanesUsed, otherData: [("strategy", strategy)])
        return (text, report)
    }

    static func count(_ events: [[String: Any]], where predicate: ([String: Any]) -> Bool) -> Int {
        events.filter(predicate).count
    }

    @Test func remapTraceIsWellFormedAndKeepsTheWindow() throws {
        let (text, _) = try Self.trace(strategy: "remap", window: 70...90)
        let data = Data(text.utf8)
        let problems = ChromeTraceChecks.problems(in: data)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let events = ChromeTraceChecks.events(in: data)
        let (from, to) = (70e6, 90e6)
        for event in events where event["ph"] as? String != "M" {
            let ts = (event["ts"] as! NSNumber).doubleValue
            let end = ts + ((event["dur"] as? NSNumber)?.doubleValue ?? 0)
            #expect(ts <= to && end >= from, "outside the window: \(event)")
        }
        #expect(Self.count(events) { $0["name"] as? String == "remap" && $0["ph"] as? String == "i" } > 0)
        #expect(Self.count(events) { $0["cat"] as? String == "iteration" } > 0)
        let streams = events.filter { $0["name"] as? String == "weight-stream" }
        #expect(!streams.isEmpty)
        for stream in streams {
            let args = try #require(stream["args"] as? [String: Any])
            #expect((args["bytes"] as? Int ?? 0) > 0 && args["purpose"] as? String == "weight-stream" && args["instance"] is String)
            #expect((101...199).contains(stream["tid"] as? Int ?? 0), "weight streams go host to device")
        }
        let remapped = events.filter { ($0["name"] as? String)?.hasPrefix("remapped layers") == true }
        #expect(!remapped.isEmpty)
        // Counter tracks start at the window's start with the value they had then.
        #expect(events.contains { ($0["name"] as? String)?.hasPrefix("KV blocks") == true && ($0["ts"] as? NSNumber)?.doubleValue == from })
        for event in events where event["cat"] as? String == "iteration" {
            let args = try #require(event["args"] as? [String: Any])
            for key in ["batch", "prefill_tokens", "decodes", "stall_ms"] { #expect(args[key] is NSNumber, "\(key) in \(event)") }
        }
    }

    @Test func swapTraceUsesBothDirectionsAndShowsPreemptions() throws {
        let (text, _) = try Self.trace(strategy: "swap")
        let data = Data(text.utf8)
        let problems = ChromeTraceChecks.problems(in: data)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let events = ChromeTraceChecks.events(in: data)
        #expect(Self.count(events) { $0["name"] as? String == "swap-out" && ($0["tid"] as? Int ?? 0) > 200 } > 0)
        #expect(Self.count(events) { $0["name"] as? String == "swap-in" && (101...199).contains($0["tid"] as? Int ?? 0) } > 0)
        let preemptions = events.filter { $0["name"] as? String == "preempt" }
        #expect(!preemptions.isEmpty)
        #expect(preemptions.allSatisfy { ($0["args"] as? [String: Any])?["mode"] as? String == "swap" })
        #expect(preemptions.allSatisfy { (1...3).contains($0["tid"] as? Int ?? 0) }, "on the instances' tracks")
        let threadNames = Set(events.filter { $0["name"] as? String == "thread_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String })
        #expect(threadNames.isSuperset(of: ["opt-13b", "llama-2-13b", "llama-3-8b", "H2D #1", "D2H #1"]), "\(threadNames)")
    }

    /// The same run gives the same bytes, and the run's report is the one it gives with no one watching.
    @Test func deterministicAndInvisibleToTheRun() throws {
        let first = try Self.trace(strategy: "remap", window: 75...85)
        let second = try Self.trace(strategy: "remap", window: 75...85)
        #expect(first.text == second.text)
        let unwatched = try Self.c1(strategy: "remap").run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(first.report) == encoder.encode(unwatched))
    }

    /// Overlapping transfers get different lanes, and a lane is reused, lowest first, once free.
    @Test func lanesSeparateOverlappingTransfers() {
        let recorder = TraceRecorder()
        func transfer(_ id: Int, at ns: Int64) -> Transfer {
            Transfer(id: TransferID(raw: id), direction: .hostToDevice, purpose: .weightStream, instance: 0, bytes: 100,
                     requested: .nanoseconds(ns), activeFrom: .nanoseconds(ns + 10), remainingBytes: 100)
        }
        recorder.transferStarted(transfer(0, at: 0))
        recorder.transferStarted(transfer(1, at: 5))
        recorder.transferFinished(transfer(0, at: 0), end: SimTime(ns: 50))
        recorder.transferStarted(transfer(2, at: 60))
        recorder.transferFinished(transfer(2, at: 60), end: SimTime(ns: 70))
        recorder.transferFinished(transfer(1, at: 5), end: SimTime(ns: 80))
        let lanes = recorder.records.compactMap { record -> Int? in
            if case .transfer(let t) = record { return t.lane }
            return nil
        }
        #expect(lanes == [0, 0, 1])
        #expect(recorder.lanesUsed == [2, 0])
    }

    @Test func timesAreExactDecimals() {
        #expect(ChromeTraceEncoder.micros(.nanoseconds(0)) == "0")
        #expect(ChromeTraceEncoder.micros(.nanoseconds(1)) == "0.001")
        #expect(ChromeTraceEncoder.micros(.nanoseconds(1_234_000)) == "1234")
        #expect(ChromeTraceEncoder.micros(.nanoseconds(1_234_560)) == "1234.56")
        #expect(ChromeTraceEncoder.decimal(1_500_000, per: 1_000_000) == "1.5")
        #expect(ChromeTraceEncoder.decimal(42, per: 1_000_000) == "0.000042")
        #expect(ChromeTraceEncoder.quoted("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"")
    }
}
