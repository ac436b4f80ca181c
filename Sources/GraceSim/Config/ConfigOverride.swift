import Yams

/// One `--set key.path=value` from the command line, applied to a parsed file before it is read.
///
/// Path components are mapping keys, or list indices for lists (`instances.1.memory_fraction=0.3`).
/// The value is parsed as YAML, so `rate=4`, `chunked_prefill=true` and `lengths={kind: fixed, prompt: 64}`
/// all work. Missing mappings along the path are created; the loader then rejects unknown keys as usual. Setting
/// one spelling of a setting replaces the other (``SettingSpellings``).
public struct ConfigOverride: Sendable, Equatable {
    public var path: [String]
    public var valueText: String

    /// Parses `key.path=value`.
    public init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw ConfigError(file: "<command line>", key: text, "expected key.path=value")
        }
        path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        valueText = String(text[text.index(after: equals)...])
        if path.contains(where: \.isEmpty) {
            throw ConfigError(file: "<command line>", key: text, "expected key.path=value with no empty key")
        }
    }

    /// `root` with this override applied.
    public func apply(to root: ConfigNode) throws -> ConfigNode {
        let value: Node
        do {
            value = try Yams.compose(yaml: valueText) ?? Node("", Tag(.null))
        } catch {
            throw ConfigError(file: "<command line>", key: path.joined(separator: "."), "value is not valid YAML")
        }
        let updated = try set(value, at: path[...], in: root.node)
        return ConfigNode(node: updated, file: root.file, path: root.path)
    }

    private func set(_ value: Node, at path: ArraySlice<String>, in node: Node) throws -> Node {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        let keyPath = self.path[..<path.startIndex].joined(separator: ".")
        switch node {
        case .sequence(var sequence):
            guard let index = Int(key), sequence.indices.contains(index) else {
                throw ConfigError(file: "<command line>", key: self.path.joined(separator: "."),
                                  "\(keyPath.isEmpty ? "the root" : keyPath) is a list of \(sequence.count); \"\(key)\" is not an index in it")
            }
            sequence[index] = try set(value, at: rest, in: sequence[index])
            return .sequence(sequence)
        case .mapping(var mapping):
            if mapping[key] == nil { SettingSpellings.removingOtherSpelling(of: Node(key), from: &mapping) }
            let child = mapping[key] ?? Node([(Node, Node)]())
            mapping[key] = try set(value, at: rest, in: child)
            return .mapping(mapping)
        default:
            throw ConfigError(file: "<command line>", key: self.path.joined(separator: "."),
                              "\(keyPath.isEmpty ? "the root" : keyPath) is a single value, not a mapping")
        }
    }
}
