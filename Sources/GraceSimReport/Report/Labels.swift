import Foundation
import GraceSimStore

/// Human labels, with units, for metrics, sweep axes and series, and file-name slugs.
enum Labels {
    typealias Headline = (metric: String, label: String, unit: String, title: String, latency: Bool)

    /// The metrics drawn against each numeric axis and in the bars: (metric, axis label, the stored value's unit,
    /// title, is a latency). Charts scale the unit to the data (ms to s, tokens/s to k tokens/s).
    static let headlineMetrics: [Headline] = [
        ("itl_p99_ms", "P99 ITL", "ms", "P99 inter-token latency", true),
        ("ttft_p99_ms", "P99 TTFT", "ms", "P99 time to first token", true),
        ("output_tokens_per_s", "output throughput", "tokens/s", "Output throughput", false),
    ]

    /// ``headlineMetrics`` for `runs`: a database written before latencies took vLLM's names stores the same values
    /// as `tbt_p99_ms`, which is drawn, and named, in its place.
    static func headlineMetrics(for runs: [StoredRun]) -> [Headline] {
        MetricCatalog.haveVLLMNames(runs) ? headlineMetrics : headlineMetrics.map { $0.metric == "itl_p99_ms" ? ("tbt_p99_ms", "P99 TBT", "ms", "P99 time between tokens", true) : $0 }
    }

    /// Known sweep axes, with their units.
    static let axes: [String: String] = [
        "workload.arrivals.rate_scale": "arrival-rate scale",
        "workload.arrivals.rate": "arrival rate (requests/s)",
        "workload.arrivals.end_s": "trace window end (s)",
        "workload.lengths.prompt": "input length (tokens)",
        "workload.lengths.prompt_tokens": "input length (tokens)",
        "workload.lengths.input": "input length (tokens)",
        "workload.lengths.output": "output length (tokens)",
        "workload.lengths.output_tokens": "output length (tokens)",
        "workload.max_requests": "requests",
    ]

    /// The x-axis label of a sweep axis: a known one, or its last key with a unit read from its suffix.
    static func axis(_ key: String) -> String {
        if let known = axes[key] { return known }
        let last = shortAxis(key)
        let units: [(suffix: String, unit: String)] = [("_ms", "ms"), ("_s", "s"), ("_tokens", "tokens"), ("_gb", "GB"),
                                                         ("_gib", "GiB"), ("_bytes", "bytes"), ("_fraction", "fraction")]
        for (suffix, unit) in units where last.hasSuffix(suffix) {
            return String(last.dropLast(suffix.count)).replacingUnderscores + " (\(unit))"
        }
        return last.replacingUnderscores
    }

    /// The last component of a key path (`instances.0.memory_fraction` → `memory_fraction`).
    static func shortAxis(_ key: String) -> String {
        key.split(separator: ".").last.map(String.init) ?? key
    }

    /// The shortest tail of a key path that no other key of `keys` ends with: the last component, unless two axes
    /// share it (`instances.0.memory_fraction` beside `instances.1.memory_fraction` → `0.memory_fraction`).
    static func shortAxis(_ key: String, among keys: [String]) -> String {
        let parts = key.split(separator: ".")
        let others = keys.filter { $0 != key }.map { $0.split(separator: ".") }
        for count in 1..<max(parts.count, 1) {
            let tail = Array(parts.suffix(count))
            if !others.contains(where: { Array($0.suffix(count)) == tail }) { return tail.joined(separator: ".") }
        }
        return key
    }

    /// The y-axis label of a stored time series, and the unit of its values (scaled to the data by the chart).
    static func series(_ name: String) -> (label: String, unit: String) {
        switch name {
        case "kv_capacity_tokens": return ("KV capacity", "tokens")
        case "kv_utilization": return ("KV cache in use", "fraction")
        case "remapped_layers": return ("remapped layers", "")
        case "host_blocks": return ("KV blocks on the host", "blocks")
        case "host_resident": return ("KV blocks resident on the host", "blocks")
        default:
            let label = Labels.axis(name)
            guard label.hasSuffix(")"), let open = label.lastIndex(of: "(") else { return (label, "") }
            let unit = String(label[label.index(after: open)..<label.index(before: label.endIndex)])
            return (String(label[..<open]).trimmingCharacters(in: .whitespaces), unit)
        }
    }

    /// Stored series that are distributions, not samples over time.
    static let notOverTime: Set<String> = ["tbt_cdf_ms"]

    /// Series in the order the report shows them: capacity and remapping first, then link traffic, then the rest.
    static func seriesRank(_ name: String) -> (Int, String) {
        let first = ["kv_capacity_tokens", "remapped_layers"]
        if let index = first.firstIndex(of: name) { return (index, name) }
        if name.hasPrefix("link") || name.hasPrefix("bytes") { return (2, name) }
        return (3, name)
    }

    /// An option value as a legend shows it: an inline map such as `{"static":4}` reads `static 4`.
    static func option(_ value: String) -> String {
        guard value.hasPrefix("{") || value.hasPrefix("[") else { return value }
        let kept = value.filter { !"{}[]\"".contains($0) }
        return kept.replacingOccurrences(of: ":", with: " ").replacingOccurrences(of: ",", with: ", ")
    }

    /// A file-name-safe form: lower-case letters, digits and single dashes.
    /// The longest figure file name written whole, in bytes, below the 255 bytes of common file systems.
    static let maxFileStem = 240

    /// `stem` + `.svg`; a stem longer than ``maxFileStem`` (a sweep with many fixed axes) keeps its first characters
    /// and ends in the FNV-1a hash of the whole stem, so that distinct figures keep distinct, stable names.
    static func svgFileName(_ stem: String) -> String {
        guard stem.utf8.count > maxFileStem else { return stem + ".svg" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stem.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(stem.prefix(maxFileStem - 17)) + "-" + String(repeating: "0", count: 16 - hex.count) + hex + ".svg"
    }

    static func slug(_ text: String) -> String {
        var out = ""
        for character in text.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber || character == "." {
                out.append(character == "." ? "_" : character)
            } else if !out.hasSuffix("-") {
                out.append("-")
            }
        }
        let trimmed = out.trimmingCharacters(in: ["-"])
        return trimmed.isEmpty ? "x" : trimmed
    }
}

extension String {
    var replacingUnderscores: String { replacingOccurrences(of: "_", with: " ") }
}
