import Yams

extension Experiment {
    /// What stands in for a required key of an experiment that `validate` sets aside, so that the rest of the file
    /// is still checked (see ``ConfigProblems``): the preset with the most GPU memory for `hardware`, the smallest
    /// model for an instance's `model` or a bad instance (so that a fit checked against them is a fit the file's own
    /// presets could give), Poisson arrivals for an `arrivals` section whose `kind`, rate or file is bad or missing,
    /// fixed lengths for such a `lengths` section, and both for a bad `workload`. The memory fit, an instance's
    /// `max_model_len` against its model's context, a trace's lengths and the workload's bounds then check stand-ins,
    /// and are not reported.
    static func standIns(catalog: PresetCatalog) -> ConfigProblems.StandIns {
        let hardware = (try? catalog.hardwareNames())?.compactMap { name in
            (try? catalog.hardware(named: name, file: "", key: "")).map { (name, $0.gpu.hbmBytes) }
        }.max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
        let model = (try? catalog.modelNames())?.compactMap { name in
            (try? catalog.model(named: name, file: "", key: "")).map { (name, $0.totalWeightBytes) }
        }.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
        func mapping(_ pairs: [(String, Node)]) -> Node { .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1) })) }
        let arrivals = mapping([("kind", Node("poisson")), ("rate", Node("1"))])
        let lengths = mapping([("kind", Node("fixed")), ("prompt", Node("1")), ("output", Node("1"))])
        /// The section at `path` of `root` without the keys of its kind, with `stand`'s in their place: the keys
        /// every kind takes (length bounds) are kept and still checked.
        func section(_ path: String, of root: ConfigNode, as stand: Node, dropping kindKeys: Set<String>) -> Node {
            var node = root.node
            for part in path.split(separator: ".") {
                switch node {
                case .mapping(let m): node = m[String(part)] ?? stand
                case .sequence(let items): node = Int(part).flatMap { items.indices.contains($0) ? items[$0] : nil } ?? stand
                default: return stand
                }
            }
            guard case .mapping(let original) = node, case .mapping(let replacement) = stand else { return stand }
            var kept = original.filter { pair in !(pair.key.string.map(kindKeys.contains) ?? true) }.map { ($0.key, $0.value) }
            kept += replacement.map { ($0.key, $0.value) }
            return .mapping(Node.Mapping(kept))
        }
        let lengthKeys: Set<String> = ["kind", "path", "sampling", "prompt", "output", "input_len", "output_len", "range_ratio",
                                       "prefix_len", "random_input_len", "random_output_len", "random_range_ratio", "random_prefix_len"]
        return ConfigProblems.StandIns(replacement: { key, root in
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if key == "hardware" { return hardware.map { ("hardware", Node($0)) } }
            if let model {
                let instance = mapping([("model", Node(model))])
                if key == "instances" { return ("instances", .sequence(Node.Sequence([instance]))) }
                if parts.count == 2, parts[0] == "instances", Int(parts[1]) != nil { return (key, instance) }
                if parts.count == 3, parts[0] == "instances", parts[2] == "model" { return (key, Node(model)) }
            }
            if key == "workload" { return ("workload", mapping([("max_requests", Node("1")), ("arrivals", arrivals), ("lengths", lengths)])) }
            if let index = parts.lastIndex(of: "arrivals") { return (parts[...index].joined(separator: "."), arrivals) }
            if let index = parts.lastIndex(of: "lengths") {
                let path = parts[...index].joined(separator: ".")
                return (path, section(path, of: root, as: lengths, dropping: lengthKeys))
            }
            return nil
        }, setAside: { key, error, replaced, root in
            let last = key.split(separator: ".").last.map(String.init) ?? key
            let presets = replaced.contains { $0 == "hardware" || $0.hasPrefix("instances") }
            if presets, key == "instances" || last == "memory_fraction" {
                return sharedEqually(root)  // the fit on the GPU, with stand-in presets
            }
            if presets, last == "max_model_len" { return root.removing(keyPath: error.key) }
            guard replaced.contains(where: { $0.hasSuffix("arrivals") || $0 == "workload" }) else { return nil }
            if key.hasSuffix("lengths.kind") {  // trace lengths without the trace: stand-in lengths
                let path = String(error.key.dropLast(".kind".count))
                return root.setting(keyPath: path, to: section(path, of: root, as: lengths, dropping: lengthKeys))
            }
            if error.message.contains("never end") {  // stand-in arrivals without a bound: bound them
                return root.setting(keyPath: error.key.isEmpty ? "max_requests" : "\(error.key).max_requests", to: Node("1"))
            }
            if key == "metrics.sample_interval_s" && error.message.contains("the arrivals span") {
                return root.removing(keyPath: error.key)
            }
            return nil
        })
    }

    /// `root` with every instance's share of the GPU made equal, 1/(instances + 1): a fit that stand-in presets
    /// decide is set aside, and the keys after it are still read. Nil when `instances` is not a list of mappings.
    private static func sharedEqually(_ root: ConfigNode) -> ConfigNode? {
        guard case .mapping(var top) = root.node, case .sequence(var items)? = top["instances"] else { return nil }
        let share = Node(String(1 / Double(items.count + 1)))
        for index in items.indices {
            guard case .mapping(var instance) = items[index] else { return nil }
            instance["memory_fraction"] = nil
            instance["gpu_memory_utilization"] = share
            items[index] = .mapping(instance)
        }
        top["instances"] = .sequence(items)
        return ConfigNode(node: .mapping(top), file: root.file, path: root.path)
    }
}
