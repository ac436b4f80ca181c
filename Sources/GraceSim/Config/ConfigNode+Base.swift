import Foundation
import Yams

extension ConfigNode {
    /// This file with its `base:` resolved: when the root mapping names a base file (relative to this file's
    /// folder), the base is loaded (itself resolving its own base) and this file's keys are laid over it,
    /// mappings merged key by key, anything else replaced. So `base: c1-temporal.yaml` plus `strategy: remap`
    /// is the C1 experiment under remapping.
    public func resolvingBase(depth: Int = 0) throws -> ConfigNode {
        guard case .mapping(var mapping) = node, let baseNode = mapping["base"] else { return self }
        let baseKey = child("base", baseNode)
        guard depth < 8 else { throw baseKey.error("bases nest more than 8 deep (a cycle?)") }
        let name = try baseKey.string()
        let directory = (file as NSString).deletingLastPathComponent
        let path = name.hasPrefix("/") || directory.isEmpty ? name : "\(directory)/\(name)"
        let base: ConfigNode
        do {
            base = try ConfigNode.load(path: path).resolvingBase(depth: depth + 1)
        } catch let error as ConfigError where error.file == path && error.key.isEmpty {
            throw baseKey.error("\(path): \(error.message)")
        }
        mapping["base"] = nil
        return ConfigNode(node: Self.merge(.mapping(mapping), over: base.node), file: file, path: self.path)
    }

    /// `top` laid over `bottom`: mappings merge key by key (a key replaces the other spelling of its setting, see
    /// ``SettingSpellings``); any other value of `top` replaces `bottom`'s.
    static func merge(_ top: Node, over bottom: Node) -> Node {
        guard case .mapping(let topMapping) = top, case .mapping(var merged) = bottom else { return top }
        for (key, value) in topMapping {
            SettingSpellings.removingOtherSpelling(of: key, from: &merged)
            if let existing = merged[key] {
                merged[key] = merge(value, over: existing)
            } else {
                merged[key] = value
            }
        }
        return .mapping(merged)
    }
}
