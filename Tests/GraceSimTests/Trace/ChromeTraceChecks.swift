import GraceSimTestSupport
import Foundation

/// Checks a Chrome trace-event file (JSON Object Format) the way a viewer reads it, and returns every problem.
///
/// Per event: `name`, `ph`, `ts` ≥ 0, `pid`, `tid`; `dur` ≥ 0 for `X`; `s` for `i`; numeric `args` for `C`; `args`
/// for `M`. Per track, in file order: `X` events (by pid, tid) start no earlier than the previous one ended (so
/// they neither go back in time nor overlap), and counter values (by pid, name) never go back in time.
enum ChromeTraceChecks {
    /// Time slack for comparing decimal µs after parsing to Double, µs.
    static let slackMicros = 0.0005

    static func problems(in data: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return ["not a JSON object"] }
        guard let events = root["traceEvents"] as? [[String: Any]] else { return ["no traceEvents array of objects"] }
        var problems: [String] = []
        if root["displayTimeUnit"] as? String != "ms" { problems.append("displayTimeUnit is not \"ms\"") }
        var spanEnd: [String: Double] = [:]
        var counterTime: [String: Double] = [:]
        for (i, event) in events.enumerated() {
            func problem(_ text: String) { problems.append("event \(i) \(event): \(text)") }
            guard let name = event["name"] as? String, let ph = event["ph"] as? String,
                  let ts = (event["ts"] as? NSNumber)?.doubleValue, let pid = event["pid"] as? Int,
                  let tid = event["tid"] as? Int else {
                problem("missing name, ph, ts, pid or tid")
                continue
            }
            if ts < 0 { problem("negative ts") }
            switch ph {
            case "X":
                guard let dur = (event["dur"] as? NSNumber)?.doubleValue else { problem("X without dur"); continue }
                if dur < 0 { problem("negative dur") }
                let track = "\(pid)/\(tid)"
                if let end = spanEnd[track], ts + slackMicros < end { problem("starts at \(ts) before the previous span on \(track) ended at \(end)") }
                spanEnd[track] = ts + dur
            case "i":
                if !["g", "p", "t"].contains(event["s"] as? String ?? "") { problem("instant without scope s") }
            case "C":
                guard let args = event["args"] as? [String: Any], !args.isEmpty,
                      args.values.allSatisfy({ $0 is NSNumber && !($0 is String) }) else { problem("counter args not all numbers"); continue }
                let track = "\(pid)/\(name)"
                if let last = counterTime[track], ts < last { problem("counter \(track) goes back from \(last)") }
                counterTime[track] = ts
            case "M":
                if event["args"] as? [String: Any] == nil { problem("metadata without args") }
            default:
                problem("unexpected phase \(ph)")
            }
        }
        return problems
    }

    /// The events of a file (after checking it parses).
    static func events(in data: Data) -> [[String: Any]] {
        let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        return root?["traceEvents"] as? [[String: Any]] ?? []
    }
}
