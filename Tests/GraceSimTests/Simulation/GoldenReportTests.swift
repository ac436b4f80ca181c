// Golden regression: reruns Tests/GraceSimTests/Golden/c1-short.yaml and compares its report with
// c1-short.report.json. After a change that is meant to move the numbers, rewrite the golden file with
//
//     GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden
//
// and commit it with the change (see Tests/GraceSimTests/Golden/README.md).
import Foundation
import Testing
@testable import GraceSim

@Suite struct GoldenReportTests {
    static let folder = TestExperiments.repositoryRoot + "/Tests/GraceSimTests/Golden"

    @Test func c1ShortReportIsUnchanged() throws {
        let experiment = try Experiment.load(path: Self.folder + "/c1-short.yaml")
        let report = try Simulator(experiment: experiment).run()
        let tree = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report))
        let text = GoldenJSON.canonical(tree)
        let goldenPath = Self.folder + "/c1-short.report.json"
        if ProcessInfo.processInfo.environment["GRACESIM_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        guard let golden = try? String(contentsOfFile: goldenPath, encoding: .utf8) else {
            Issue.record("no golden report at \(goldenPath); write it with GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden")
            return
        }
        guard golden != text else { return }
        let old = try JSONSerialization.jsonObject(with: Data(golden.utf8))
        let moves = GoldenJSON.differences(old: old, new: tree)
        Issue.record("""
        c1-short report differs from the golden file in \(moves.count) place(s):
        \(moves.prefix(60).joined(separator: "\n"))\(moves.count > 60 ? "\n…" : "")
        If the change is intended: GRACESIM_UPDATE_GOLDEN=1 swift test --filter Golden
        """)
    }
}

/// A canonical JSON text for golden files (sorted keys, numbers to 9 significant digits, scalar arrays on
/// one line) and a readable diff between two parsed JSON trees.
enum GoldenJSON {
    static func canonical(_ value: Any) -> String {
        var out = ""
        write(value, indent: "", to: &out)
        return out + "\n"
    }

    /// Every leaf that moved, as `path: old → new` (`—` where a side has no value), in path order.
    static func differences(old: Any, new: Any) -> [String] {
        var before: [String: String] = [:], after: [String: String] = [:]
        flatten(old, path: "", into: &before)
        flatten(new, path: "", into: &after)
        return Set(before.keys).union(after.keys).sorted().compactMap { path in
            let a = before[path], b = after[path]
            return a == b ? nil : "\(path): \(a ?? "—") → \(b ?? "—")"
        }
    }

    static func scalar(_ value: Any) -> String {
        if let string = value as? String {
            let data = try! JSONEncoder().encode(string)
            return String(decoding: data, as: UTF8.self)
        }
        if let number = value as? NSNumber {
            let x = number.doubleValue
            if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
            return String(format: "%.9g", x)
        }
        return "null"
    }

    private static func write(_ value: Any, indent: String, to out: inout String) {
        let inner = indent + "  "
        if let object = value as? [String: Any] {
            guard !object.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (i, key) in object.keys.sorted().enumerated() {
                out += inner + scalar(key) + ": "
                write(object[key]!, indent: inner, to: &out)
                out += i + 1 < object.count ? ",\n" : "\n"
            }
            out += indent + "}"
        } else if let array = value as? [Any] {
            if array.allSatisfy({ !($0 is [Any]) && !($0 is [String: Any]) }) {
                out += "[" + array.map(scalar).joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (i, element) in array.enumerated() {
                out += inner
                write(element, indent: inner, to: &out)
                out += i + 1 < array.count ? ",\n" : "\n"
            }
            out += indent + "]"
        } else {
            out += scalar(value)
        }
    }

    private static func flatten(_ value: Any, path: String, into leaves: inout [String: String]) {
        if let object = value as? [String: Any] {
            for (key, child) in object { flatten(child, path: path.isEmpty ? key : "\(path).\(key)", into: &leaves) }
        } else if let array = value as? [Any] {
            for (i, child) in array.enumerated() { flatten(child, path: "\(path)[\(i)]", into: &leaves) }
        } else {
            leaves[path] = scalar(value)
        }
    }
}
