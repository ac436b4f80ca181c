import Foundation
import Yams

/// One value of a YAML (or JSON) input file, with the file name and key path needed for error messages.
///
/// Typed accessors throw ``ConfigError`` naming the file, the key and the expected type, so every
/// loader in the project reports bad input the same way.
public struct ConfigNode {
    /// The file this value came from.
    public let file: String
    /// Dotted key path of this value from the root of the file ("" for the root).
    public let path: String
    /// The underlying YAML node.
    public let node: Node

    public init(node: Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Parses `text` (YAML or JSON) from `file`; an empty document is an error.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            let key = duplicates.sorted().first ?? ""
            let line = Self.secondLine(of: key, in: text, from: context.mark.line).map { "line \($0)" } ?? "line \(context.mark.line)"
            throw ConfigError(file: file, key: key, "appears twice in one mapping (again at \(line))")
        } catch let error as YamlError {
            throw ConfigError(file: file, key: "", "not valid YAML: \(Self.oneLine(Self.describe(error)))")
        } catch {
            throw ConfigError(file: file, key: "", "not valid YAML: \(Self.oneLine(String(describing: error)))")
        }
        guard let root else { throw ConfigError(file: file, key: "", "the file is empty") }
        return ConfigNode(node: root, file: file)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws -> ConfigNode {
        try parse(try readText(path: path), file: path)
    }

    /// The contents of a text file, or a ``ConfigError`` saying why it cannot be read.
    public static func readText(path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, key: "", "no such file")
        }
        guard !isDirectory.boolValue else { throw ConfigError(file: path, key: "", "is a directory, expected a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", "is not UTF-8 text")
        }
        return text
    }

    /// The first line of `text`, at most 200 characters: what a message may quote of a parser's text.
    static func oneLine(_ text: String) -> String {
        let first = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return first.count > 200 ? String(first.prefix(200)) + "…" : first
    }

    /// The 1-based line, at or after `start`, of the second `key:` written at the start of a line (after any
    /// indent or `- `), where a YAML parser found a key twice; nil if the text does not show it plainly.
    static func secondLine(of key: String, in text: String, from start: Int) -> Int? {
        var seen = 0
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where offset + 1 >= start {
            var rest = line.drop { $0 == " " || $0 == "\t" || $0 == "-" || $0 == "{" }
            if rest.hasPrefix("\"") || rest.hasPrefix("'") { rest = rest.dropFirst() }
            guard rest.hasPrefix(key) else { continue }
            let after = rest.dropFirst(key.count).drop { $0 == "\"" || $0 == "'" || $0 == " " }
            if after.hasPrefix(":") {
                seen += 1
                if seen == 2 { return offset + 1 }
            }
        }
        return nil
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let where_ = "line \(mark.line), column \(mark.column)"
            if let context { return "\(context.text) \(problem) at \(where_)" }
            return "\(problem) at \(where_)"
        default:
            return "\(error)"
        }
    }

    // MARK: Errors

    /// An error about this value.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, key: path, message)
    }

    func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    // MARK: Scalars

    var scalarText: String? {
        if case let .scalar(scalar) = node { return scalar.string }
        return nil
    }

    var kindName: String {
        switch node {
        case .scalar(let s): return "\"\(s.string.count > 60 ? String(s.string.prefix(60)) + "…" : s.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// This value as a string.
    public func string() throws -> String {
        guard let text = scalarText else { throw error("expected a string, found \(kindName)") }
        return text
    }

    /// This value as an integer (no fraction, no units).
    public func int() throws -> Int {
        guard case .scalar = node, let value = node.int else {
            throw error("expected an integer, found \(kindName)")
        }
        return value
    }

    /// This value as a finite number.
    public func double() throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            throw error("expected a number, found \(kindName)")
        }
        return value
    }

    /// This value as `true` or `false`.
    public func bool() throws -> Bool {
        guard case .scalar = node, let value = node.bool else {
            throw error("expected true or false, found \(kindName)")
        }
        return value
    }

    /// This value as one of the raw values of `T`.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type = T.self) throws -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue)
            let hint = NearestName.suggestion(for: text, among: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw error("expected one of \(allowed.joined(separator: ", ")), found \"\(text)\"\(hint)")
        }
        return value
    }

    // MARK: Collections

    /// This value's items; an error unless it is a list.
    public func list() throws -> [ConfigNode] {
        guard case let .sequence(sequence) = node else { throw error("expected a list, found \(kindName)") }
        return sequence.enumerated().map { child(String($0.offset), $0.element) }
    }

    /// A reader over this mapping that remembers which keys were used, so unknown keys can be reported.
    public func object() throws -> ConfigObject {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping, found \(kindName)") }
        return try ConfigObject(node: self, mapping: mapping)
    }
}
