import Yams

/// Reads the keys of one YAML mapping and, on ``finish()``, rejects any key that was not read.
///
/// Loaders follow one pattern: `let o = try node.object()`, read each key with a typed accessor,
/// then `try o.finish()`. A misspelt key therefore fails loudly instead of being ignored.
public final class ConfigObject {
    /// The mapping itself, for its file and path.
    public let node: ConfigNode
    private var entries: [(key: String, value: Node)] = []
    private var used: Set<String> = []

    init(node: ConfigNode, mapping: Node.Mapping) throws {
        self.node = node
        for (key, value) in mapping {
            guard let name = key.string else { throw node.error("a key is not a string") }
            if entries.contains(where: { $0.key == name }) { throw node.child(name, value).error("appears twice") }
            entries.append((name, value))
        }
    }

    /// All keys in file order.
    public var keys: [String] { entries.map(\.key) }

    /// Whether `key` is present (does not mark it used).
    public func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value at `key`, if present; marks the key as used.
    public func optional(_ key: String) -> ConfigNode? {
        used.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let s) = entry.value, s.tag.description == "tag:yaml.org,2002:null" || (s.string.isEmpty && s.style == .plain) {
            return nil
        }
        return node.child(key, entry.value)
    }

    /// Which of two spellings of one setting the mapping uses: `alias` when only it is present, else `primary`.
    /// Both are marked used; giving both is an error naming both.
    public func spelling(_ primary: String, or alias: String) throws -> String {
        used.insert(primary)
        used.insert(alias)
        guard let entry = entries.first(where: { $0.key == alias }) else { return primary }
        if has(primary) {
            throw node.child(alias, entry.value).error("\(alias) and \(primary) are one setting; give only one of them")
        }
        return alias
    }

    /// The value at `key`; an error naming the key when it is missing.
    public func required(_ key: String) throws -> ConfigNode {
        guard let value = optional(key) else { throw missing(key) }
        return value
    }

    /// The error for a missing required key.
    /// The error for a missing required key; when the mapping has a key that is a near miss of it, the message
    /// names that key.
    public func missing(_ key: String) -> ConfigError {
        let nearMiss = entries.map(\.key).sorted().first { NearestName.suggestion(for: $0, among: [key]) == key }
        let hint = nearMiss.map { " (this mapping has \"\($0)\": did you mean \"\(key)\"?)" } ?? ""
        return ConfigError(file: node.file, key: node.path.isEmpty ? key : "\(node.path).\(key)", "is required but missing\(hint)")
    }

    // Convenience accessors with defaults.

    public func string(_ key: String) throws -> String { try required(key).string() }
    public func string(_ key: String, default value: String) throws -> String { try optional(key)?.string() ?? value }
    public func int(_ key: String) throws -> Int { try required(key).int() }
    public func int(_ key: String, default value: Int) throws -> Int { try optional(key)?.int() ?? value }
    public func double(_ key: String) throws -> Double { try required(key).double() }
    public func double(_ key: String, default value: Double) throws -> Double { try optional(key)?.double() ?? value }
    public func bool(_ key: String, default value: Bool) throws -> Bool { try optional(key)?.bool() ?? value }

    /// A positive integer at `key` (or `value` when absent), at most `limit`.
    public func positiveInt(_ key: String, default value: Int? = nil, atMost limit: Int = .max) throws -> Int {
        guard let child = optional(key) else {
            if let value { return value }
            throw missing(key)
        }
        let result = try child.int()
        guard result > 0 else { throw child.error("expected a positive integer, found \(result)") }
        guard result <= limit else { throw child.error("expected a positive integer up to \(limit), found \(result)") }
        return result
    }

    /// The longest span a `*_s` key may give, in seconds: 10⁹ s (about 31 years) still fits in
    /// integer nanoseconds with room to add.
    public static let maxSeconds = 1e9

    /// A span of time in seconds at `key` (or `value` when absent), greater than 0 and at most
    /// ``maxSeconds``, as a ``SimTime``.
    public func positiveSeconds(_ key: String, default value: Double? = nil) throws -> SimTime {
        let seconds = try positiveDouble(key, default: value)
        guard seconds <= Self.maxSeconds else {
            throw try required(key).error("expected a number of seconds greater than 0 and at most \(Self.maxSeconds), found \(seconds)")
        }
        return SimTime.seconds(seconds)
    }

    /// A number > 0 at `key` (or `value` when absent).
    public func positiveDouble(_ key: String, default value: Double? = nil) throws -> Double {
        guard let child = optional(key) else {
            if let value { return value }
            throw missing(key)
        }
        let result = try child.double()
        guard result > 0 else { throw child.error("expected a number greater than 0, found \(result)") }
        return result
    }

    /// A number in `range` at `key` (or `value` when absent).
    public func double(_ key: String, in range: ClosedRange<Double>, default value: Double? = nil) throws -> Double {
        guard let child = optional(key) else {
            if let value { return value }
            throw missing(key)
        }
        let result = try child.double()
        guard range.contains(result) else {
            throw child.error("expected a number from \(range.lowerBound) to \(range.upperBound), found \(result)")
        }
        return result
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default value: T) throws -> T where T.RawValue == String {
        try optional(key)?.choice(T.self) ?? value
    }

    /// Fails on the first key that no accessor asked for, suggesting the nearest allowed key when one is close (and
    /// where a vLLM name goes, ``VLLMNames``) and listing the keys that are allowed.
    public func finish() throws {
        for entry in entries where !used.contains(entry.key) {
            let known = used.sorted()
            let hint = NearestName.hint(for: entry.key, among: known) + VLLMNames.hint(for: entry.key)
            throw node.child(entry.key, entry.value).error("unknown key (\(hint)allowed here: \(known.joined(separator: ", ")))")
        }
    }
}
