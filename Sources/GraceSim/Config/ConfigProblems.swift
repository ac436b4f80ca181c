import Yams

/// Every problem a loader finds in one file, not just the first: what `gracesim validate` prints.
///
/// Loaders stop at their first problem. To find the next, the key the problem names is taken out of the file and
/// the file read again, until it loads or a problem cannot be set aside: one at a list item or at the whole
/// file, one in another file (a preset, a data file), or a required key that is missing (reported once; what
/// depends on it is not checked). A problem at a key set aside before, or at a mapping that held it, follows from
/// the earlier one and ends the check. A missing required key whose mapping has a near miss of it (`did you mean`)
/// is read from the near miss, so the check goes on. Problems come in the order the loader
/// meets them, so the same file gives the same lines.
public enum ConfigProblems {
    /// The problems `load` finds in `root` (empty when it loads), at most `limit`. Errors other than
    /// ``ConfigError`` are thrown.
    public static func collect(_ root: ConfigNode, limit: Int = 100, _ load: (ConfigNode) throws -> Void) throws -> [ConfigError] {
        var problems: [ConfigError] = []
        var removed: [String] = []
        var current = root
        while problems.count < limit {
            do {
                try load(current)
                return problems
            } catch let error as ConfigError {
                // A key taken out with an earlier problem is now missing, or what holds it is now incomplete: that
                // follows from the earlier problem, which is reported.
                let key = Self.earlierSpelling(error.key)
                if removed.contains(where: { Self.isSameOrNested(key, $0) }) || problems.contains(error) {
                    return problems
                }
                problems.append(error)
                guard error.file == root.file, !error.key.isEmpty else { return problems }
                if let next = current.removing(keyPath: error.key) {
                    removed.append(Self.earlierSpelling(error.key))
                    current = next
                } else if let next = current.renamingNearMiss(to: error.key) {
                    current = next  // a required key was misspelt: read the near miss as the key, as the message suggests
                } else {
                    return problems
                }
            }
        }
        return problems
    }

    /// `keyPath` with each key in gracesim's earlier spelling (``SettingSpellings``), so both spellings compare equal.
    static func earlierSpelling(_ keyPath: String) -> String {
        keyPath.split(separator: ".", omittingEmptySubsequences: false).map { part in
            SettingSpellings.pairs.first { $0.vllm == part }?.earlier ?? String(part)
        }.joined(separator: ".")
    }

    /// Whether one key path is the other or holds it.
    static func isSameOrNested(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + ".") || b.hasPrefix(a + ".")
    }
}

extension ConfigNode {
    /// This value without the mapping key at dotted `keyPath` (list items are addressed by index and kept, so
    /// the paths of later items do not change); nil when the path does not end at a mapping key.
    public func removing(keyPath: String) -> ConfigNode? {
        let parts = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let node = Self.removing(parts[...], from: node) else { return nil }
        return ConfigNode(node: node, file: file, path: path)
    }

    /// This value with the key of its mapping that is a near miss of the absent key at `keyPath` (see
    /// ``NearestName``) renamed to that key; nil when there is no such mapping or near miss.
    func renamingNearMiss(to keyPath: String) -> ConfigNode? {
        var parts = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let wanted = parts.removeLast()
        let updated = Self.updatingMapping(parts[...], in: node) { mapping in
            guard mapping[wanted] == nil else { return false }
            let keys = mapping.keys.compactMap(\.string).sorted()
            guard let nearMiss = keys.first(where: { NearestName.suggestion(for: $0, among: [wanted]) == wanted }),
                  let value = mapping[nearMiss] else { return false }
            mapping[nearMiss] = nil
            mapping[wanted] = value
            return true
        }
        return updated.map { ConfigNode(node: $0, file: file, path: path) }
    }

    /// `node` with the mapping at `parts` changed by `body`; nil when there is no mapping there or `body` returns false.
    private static func updatingMapping(_ parts: ArraySlice<String>, in node: Node, _ body: (inout Node.Mapping) -> Bool) -> Node? {
        switch node {
        case .mapping(var mapping):
            guard let key = parts.first else { return body(&mapping) ? .mapping(mapping) : nil }
            guard let child = mapping[key], let updated = updatingMapping(parts.dropFirst(), in: child, body) else { return nil }
            mapping[key] = updated
            return .mapping(mapping)
        case .sequence(var sequence):
            guard let key = parts.first, let index = Int(key), sequence.indices.contains(index),
                  let updated = updatingMapping(parts.dropFirst(), in: sequence[index], body) else { return nil }
            sequence[index] = updated
            return .sequence(sequence)
        default:
            return nil
        }
    }

    private static func removing(_ parts: ArraySlice<String>, from node: Node) -> Node? {
        guard let key = parts.first else { return nil }
        let rest = parts.dropFirst()
        switch node {
        case .mapping(var mapping):
            guard let child = mapping[key] else { return nil }
            if rest.isEmpty {
                mapping[key] = nil
            } else {
                guard let updated = removing(rest, from: child) else { return nil }
                mapping[key] = updated
            }
            return .mapping(mapping)
        case .sequence(var sequence):
            guard !rest.isEmpty, let index = Int(key), sequence.indices.contains(index),
                  let updated = removing(rest, from: sequence[index]) else { return nil }
            sequence[index] = updated
            return .sequence(sequence)
        default:
            return nil
        }
    }
}
