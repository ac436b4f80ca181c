import Yams

/// Every problem a loader finds in one file, not just the first: what `gracesim validate` prints.
///
/// Loaders stop at their first problem. To find the next, the key the problem names is taken out of the file and
/// the file read again, until it loads or a problem cannot be set aside: one at the whole file, or one in another
/// file (a preset). A required key taken out (an unknown preset, a missing data file, a bad `kind`) is put back as
/// a stand-in when ``StandIns`` has one (a known preset; a section of a kind that reads no file), so that the rest is
/// still checked, and what depends on the stand-in (whether the models fit the GPU) is not reported; without a
/// stand-in, a required key that is missing is reported once and what depends on it is not checked. A problem at a
/// key set aside before, or at a mapping that held it, follows from the earlier one and ends the check. A missing
/// required key whose mapping has a near miss of it (`did you mean`) is read from the near miss, so the check goes
/// on. Problems come in the order the loader meets them, so the same file gives the same lines.
public enum ConfigProblems {
    /// Values that stand in for required keys set aside, so that a check can go on past them.
    public struct StandIns {
        /// For a required key set aside (its dotted path, in gracesim's earlier spelling), in the file as it now
        /// is: the key path to replace (the key, or the section that holds it) and the value to put there; nil when
        /// there is none.
        public var replacement: (String, ConfigNode) -> (keyPath: String, value: Node)?
        /// For a problem (its key path in the earlier spelling, and the problem) that follows from stand-ins at these
        /// key paths (it checks a stand-in, not the file): the file as it now is with that check set aside, without
        /// reporting it; nil when the problem is the file's own.
        public var setAside: (String, ConfigError, [String], ConfigNode) -> ConfigNode?

        public init(replacement: @escaping (String, ConfigNode) -> (keyPath: String, value: Node)?,
                    setAside: @escaping (String, ConfigError, [String], ConfigNode) -> ConfigNode? = { _, _, _, _ in nil }) {
            self.replacement = replacement
            self.setAside = setAside
        }
    }

    /// The problems `load` finds in `root` (empty when it loads), at most `limit`. Errors other than
    /// ``ConfigError`` are thrown.
    public static func collect(_ root: ConfigNode, limit: Int = 100, standIns: StandIns? = nil,
                               _ load: (ConfigNode) throws -> Void) throws -> [ConfigError] {
        var problems: [ConfigError] = []
        var removed: [String] = []
        var replaced: [String] = []
        var setAside: [String] = []
        var current = root
        var rounds = 0
        while problems.count < limit && rounds < 4 * limit {
            rounds += 1
            do {
                try load(current)
                return problems
            } catch let error as ConfigError {
                let key = Self.earlierSpelling(error.key)
                // A required key set aside: put a stand-in in its place, and go on.
                if let standIns, error.file == root.file, removed.contains(key), error.message.hasPrefix("is required but missing"),
                   !replaced.contains(where: { Self.isSameOrNested(key, $0) }),
                   let stand = standIns.replacement(key, current), let next = current.setting(keyPath: stand.keyPath, to: stand.value) {
                    replaced.append(stand.keyPath)
                    current = next
                    continue
                }
                // What checks a stand-in, not the file: set it aside unreported.
                if let standIns, error.file == root.file, !replaced.isEmpty, !setAside.contains(key),
                   let next = standIns.setAside(key, error, replaced, current) {
                    setAside.append(key)
                    current = next
                    continue
                }
                // A key taken out with an earlier problem is now missing, or what holds it is now incomplete: that
                // follows from the earlier problem, which is reported. What holds it is set aside in turn, unreported,
                // so that the keys after it are still checked.
                if removed.contains(where: { Self.isSameOrNested(key, $0) }) || problems.contains(error) {
                    guard error.file == root.file, !error.key.isEmpty, !removed.contains(key),
                          let next = current.removing(keyPath: error.key) else { return problems }
                    removed.append(key)
                    current = next
                    continue
                }
                problems.append(error)
                guard error.file == root.file, !error.key.isEmpty else { return problems }
                if let next = current.removing(keyPath: error.key) {
                    removed.append(Self.earlierSpelling(error.key))
                    current = next
                } else if let next = current.renamingNearMiss(to: error.key) {
                    current = next  // a required key was misspelt: read the near miss as the key, as the message suggests
                } else if let standIns, let stand = standIns.replacement(key, current), !replaced.contains(stand.keyPath),
                          let next = current.setting(keyPath: stand.keyPath, to: stand.value) {
                    replaced.append(stand.keyPath)  // a bad list item: a stand-in takes its place
                    current = next
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

    /// This value with the value at dotted `keyPath` (a mapping key, or a list item by index) set to `value`; nil when
    /// the path does not lead through mappings and lists to a key of a mapping or an item of a list.
    public func setting(keyPath: String, to value: Node) -> ConfigNode? {
        let parts = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let node = Self.setting(parts[...], in: node, to: value) else { return nil }
        return ConfigNode(node: node, file: file, path: path)
    }

    private static func setting(_ parts: ArraySlice<String>, in node: Node, to value: Node) -> Node? {
        guard let key = parts.first else { return nil }
        let rest = parts.dropFirst()
        switch node {
        case .mapping(var mapping):
            if rest.isEmpty {
                mapping[key] = value
            } else {
                guard let child = mapping[key], let updated = setting(rest, in: child, to: value) else { return nil }
                mapping[key] = updated
            }
            return .mapping(mapping)
        case .sequence(var sequence):
            guard let index = Int(key), sequence.indices.contains(index) else { return nil }
            if rest.isEmpty {
                sequence[index] = value
            } else {
                guard let updated = setting(rest, in: sequence[index], to: value) else { return nil }
                sequence[index] = updated
            }
            return .sequence(sequence)
        default:
            return nil
        }
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
