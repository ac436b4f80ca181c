import Foundation
import GraceSim
import GraceSimStore
import Yams

/// A sweep file: a base experiment, fixed overrides and axes whose product (with zipped groups) is the grid.
///
/// ```yaml
/// name: c1-strategy-rate
/// base: ../experiments/c1-temporal.yaml     # relative to this file (or to the working folder)
/// set: {workload.max_requests: 500}         # optional: overrides applied to every point
/// axes:                                     # key path -> values; the special keys are strategy, hardware, seed
///   strategy: [recompute]
///   workload.arrivals.rate_scale: [0.1, 0.2]
/// zip: [[a, b]]                             # optional: axes that vary together (same length), one group each
/// seeds: [1, 2]                             # optional: the same as an axis named seed, varied innermost
/// store: {requests: false, series: false}   # optional: also store per-request rows / time series
/// ```
public struct SweepSpec: Sendable {
    /// One axis: an experiment key path and its values (YAML nodes, applied as `--set key=value`).
    public struct Axis: Sendable {
        public var key: String
        public var values: [String]
    }

    public var name: String
    /// The sweep file's path and text.
    public var file: String
    public var text: String
    /// The base experiment's path, resolved.
    public var basePath: String
    /// Overrides applied to every point, before the axes.
    public var fixed: [String]
    public var axes: [Axis]
    /// Groups of axis indices that vary together; an axis in no group is a group of its own.
    public var groups: [[Int]]
    public var storeRequests: Bool
    public var storeSeries: Bool

    /// Reads and checks a sweep file.
    public static func load(path: String) throws -> SweepSpec {
        let text = try ConfigNode.readText(path: path)
        return try parse(text, file: path)
    }

    /// Parses the text of a sweep file named `file` (the base path is resolved against the file's folder).
    public static func parse(_ text: String, file: String) throws -> SweepSpec {
        let root = try ConfigNode.parse(text, file: file)
        let o = try root.object()
        let name = try o.string("name", default: ((file as NSString).lastPathComponent as NSString).deletingPathExtension)
        let baseNode = try o.required("base")
        let basePath = resolve(try baseNode.string(), relativeTo: file)
        guard FileManager.default.fileExists(atPath: basePath) else {
            throw baseNode.error("no experiment file at \(try baseNode.string()) (looked relative to the sweep file and the working folder)")
        }
        var fixed: [String] = []
        if let setNode = o.optional("set") {
            for (key, value) in try mappingEntries(setNode) { fixed.append("\(key)=\(yamlText(value))") }
        }
        var axes: [Axis] = []
        if let axesNode = o.optional("axes") {
            for (key, value) in try mappingEntries(axesNode) {
                let child = ConfigNode(node: value, file: file, path: "axes.\(key)")
                let values = try child.list()
                guard !values.isEmpty else { throw child.error("an axis needs at least one value") }
                if key.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                    throw child.error("expected a key path such as workload.arrivals.rate_scale")
                }
                axes.append(Axis(key: key, values: values.map { yamlText($0.node) }))
            }
        }
        if let seedsNode = o.optional("seeds") {
            guard !axes.contains(where: { $0.key == "seed" }) else { throw seedsNode.error("give seeds either here or as the axis seed, not both") }
            let seeds = try seedsNode.list()
            guard !seeds.isEmpty else { throw seedsNode.error("an empty list of seeds makes an empty grid") }
            for seed in seeds { guard try seed.int() >= 0 else { throw seed.error("expected a non-negative integer") } }
            axes.append(Axis(key: "seed", values: try seeds.map { String(try $0.int()) }))
        }
        guard !axes.isEmpty else { throw o.missing("axes") }

        var grouped = Set<Int>()
        var zipGroups: [[Int]] = []
        if let zipNode = o.optional("zip") {
            for groupNode in try zipNode.list() {
                var group: [Int] = []
                for keyNode in try groupNode.list() {
                    let key = try keyNode.string()
                    guard let index = axes.firstIndex(where: { $0.key == key }) else {
                        throw keyNode.error("\"\(key)\" is not one of the axes (\(axes.map(\.key).joined(separator: ", ")))")
                    }
                    guard grouped.insert(index).inserted else { throw keyNode.error("\"\(key)\" is in two zip groups") }
                    guard axes[index].values.count == axes[group.first ?? index].values.count else {
                        throw keyNode.error("zipped axes need lists of one length: \(axes[group[0]].key) has \(axes[group[0]].values.count) values, \(key) has \(axes[index].values.count)")
                    }
                    group.append(index)
                }
                guard group.count >= 2 else { throw groupNode.error("a zip group names at least two axes") }
                zipGroups.append(group)
            }
        }
        var groups: [[Int]] = []
        for index in axes.indices {
            if let group = zipGroups.first(where: { $0.contains(index) }) {
                if group.first == index { groups.append(group) }
            } else {
                groups.append([index])
            }
        }
        var storeRequests = false, storeSeries = false
        if let store = try o.optional("store")?.object() {
            storeRequests = try store.bool("requests", default: false)
            storeSeries = try store.bool("series", default: false)
            try store.finish()
        }
        _ = o.optional("description")
        try o.finish()
        return SweepSpec(name: name, file: file, text: text, basePath: basePath, fixed: fixed, axes: axes,
                         groups: groups, storeRequests: storeRequests, storeSeries: storeSeries)
    }

    /// What identifies a sweep file's content (``ConfigHash/sweepSpec(_:)``).
    public static func specHash(_ text: String) -> String { ConfigHash.sweepSpec(text) }

    /// `path` relative to the sweep file's folder when a file is there, else as given.
    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (file as NSString).deletingLastPathComponent
        let besideSweep = directory.isEmpty ? path : directory + "/" + path
        if FileManager.default.fileExists(atPath: besideSweep) { return besideSweep }
        return path
    }

    private static func mappingEntries(_ node: ConfigNode) throws -> [(String, Node)] {
        guard case let .mapping(mapping) = node.node else { throw node.error("expected a mapping of key paths to values") }
        return try mapping.map { key, value in
            guard let text = key.string, !text.isEmpty else { throw node.error("expected key paths as keys") }
            return (text, value)
        }
    }

    /// A value as the text of a `--set` override: the scalar as written, or flow YAML for lists and mappings.
    public static func yamlText(_ node: Node) -> String {
        if case let .scalar(scalar) = node {
            // Keep quoted strings strings (a quoted "1" stays a string when parsed again).
            return scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? ConfigHash.quoted(scalar.string) : scalar.string
        }
        return ConfigHash.canonicalJSON(node)
    }
}
