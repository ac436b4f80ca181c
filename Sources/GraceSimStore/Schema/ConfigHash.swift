import Foundation
import GraceSim
import Yams

/// The canonical JSON of an experiment's YAML after overrides, and its stable hash.
///
/// Canonical JSON: mappings become objects with keys sorted by their UTF-8 bytes, lists arrays, and scalars
/// typed by YAML 1.2 core-schema resolution: null, true/false, integers in decimal, floats in Swift's shortest
/// round-trip form, everything else a JSON string. No whitespace. The hash is FNV-1a 64 over the UTF-8 bytes of
/// that text, written as 16 lowercase hex digits. Both depend only on the file's content and the overrides (not
/// on paths, the machine or the process), so one grid point hashes the same everywhere. Presets (hardware,
/// models) and data files (traces, lengths) are referenced by name and path, not expanded: a changed preset
/// file does not change the hash.
public enum ConfigHash {
    /// Canonical JSON of `node`.
    public static func canonicalJSON(_ node: Node) -> String {
        var out = ""
        write(node, to: &out)
        return out
    }

    /// FNV-1a 64 of `text`'s UTF-8 bytes, as 16 hex digits.
    public static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func write(_ node: Node, to out: inout String) {
        switch node {
        case .mapping(let mapping):
            let pairs = mapping.map { (key: $0.key.string ?? canonicalJSON($0.key), value: $0.value) }
                .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                out += quoted(pair.key) + ":"
                write(pair.value, to: &out)
            }
            out += "}"
        case .sequence(let sequence):
            out += "["
            for (i, item) in sequence.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .scalar(let scalar):
            out += scalarJSON(node, text: scalar.string)
        case .alias:
            out += "null"
        }
    }

    /// A scalar as JSON: typed by its resolved YAML tag.
    static func scalarJSON(_ node: Node, text: String) -> String {
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return "null"
        case .bool: return node.bool.map { $0 ? "true" : "false" } ?? quoted(text)
        case .int: return node.int.map { String($0) } ?? quoted(text)
        case .float:
            guard let value = node.float, value.isFinite else { return quoted(text) }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) + ".0" }
            return "\(value)"
        default: return quoted(text)
        }
    }

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String { JSONText.quoted(text) }

    /// What identifies a sweep file's content: the hash of its canonical JSON (comments, key order and layout do
    /// not count), or of the text itself when it is not YAML.
    public static func sweepSpec(_ text: String) -> String {
        guard let node = try? Yams.compose(yaml: text) else { return hash(text) }
        return hash(canonicalJSON(node))
    }
}

/// A grid point's axis values as a JSON object with sorted keys, and back.
///
/// Values are typed as YAML's core schema reads them: integers and finite floats are JSON numbers, booleans JSON
/// booleans, anything else (names, paths, inline maps such as `{static: 4}`) a JSON string of the value's text.
/// Databases written before `v3-typed-points-run-metrics-view` hold every value as a string; ``decode(_:)``
/// reads both forms.
public enum PointJSON {
    public static func encode(_ values: [(axis: String, value: String)]) -> String {
        let sorted = values.sorted { $0.axis < $1.axis }
        return "{" + sorted.map { ConfigHash.quoted($0.axis) + ":" + typed($0.value) }.joined(separator: ",") + "}"
    }

    /// An axis value's text as a JSON literal: a number or boolean when YAML reads it as one, else a string.
    public static func typed(_ text: String) -> String {
        guard let node = try? Yams.compose(yaml: text), case .scalar = node else { return ConfigHash.quoted(text) }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .int, .float, .bool: return ConfigHash.scalarJSON(node, text: text)
        default: return ConfigHash.quoted(text)
        }
    }

    /// `text` (either form) with its values typed as ``encode(_:)`` writes them; unreadable text is kept as it is.
    public static func retyped(_ text: String) -> String {
        let values = decode(text).sorted { $0.key < $1.key }.map { (axis: $0.key, value: $0.value) }
        return values.isEmpty ? text : encode(values)
    }

    /// Axis key → value text (numbers in their shortest form, booleans as `true`/`false`).
    public static func decode(_ text: String) -> [String: String] {
        guard let data = text.data(using: .utf8),
              let object = try? JSONDecoder().decode([String: Scalar].self, from: data) else { return [:] }
        return object.mapValues(\.text)
    }

    /// One JSON value of a point, read as text.
    private struct Scalar: Decodable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                text = value ? "true" : "false"
            } else if let value = try? container.decode(Int64.self) {
                text = String(value)
            } else if let value = try? container.decode(Double.self) {
                text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) + ".0" : "\(value)"
            } else {
                text = try container.decode(String.self)
            }
        }
    }
}
