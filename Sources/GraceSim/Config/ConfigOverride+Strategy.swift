import Yams

extension ConfigOverride {
    /// `overrides` with the strategy `strategyText` (a `--strategy` flag: a name, or `{kind: NAME, option: value}`)
    /// laid under them, so that the overrides' strategy options apply to that strategy instead of being replaced by it.
    ///
    /// Without an override of `strategy` (or vLLM's `preemption_mode`) this is `overrides` followed by
    /// `strategy=strategyText`, as before. Otherwise the strategy comes first, as `strategy={kind: NAME, ...}`, and
    /// each override of the strategy after it: `strategy.KEY=VALUE` as it is; `strategy={kind: NAME, KEY: VALUE}` as
    /// one `strategy.KEY=VALUE` per option; `strategy=NAME` and `strategy.kind=NAME` only confirm the name. A text
    /// whose kind cannot be read is left for the loader to report, applied last as before.
    /// - Throws: ``ConfigError`` (file `<command line>`, key `strategy`) naming `--strategy` and the override when an
    ///   override names another strategy, or sets the whole strategy to something that is neither a name nor a
    ///   mapping.
    public static func layering(strategy strategyText: String, under overrides: [ConfigOverride]) throws -> [ConfigOverride] {
        let flagged = try ConfigOverride(parsing: "strategy=\(strategyText)")
        guard overrides.contains(where: \.setsStrategy),
              let flagNode = try? Yams.compose(yaml: strategyText), let kind = strategyKind(of: flagNode) else {
            return overrides + [flagged]
        }
        var base = flagNode
        if case .scalar = flagNode { base = Node([(Node("kind"), Node(kind))]) }
        var layered = [ConfigOverride(path: ["strategy"], valueText: yamlText(base))]
        for override in overrides {
            guard override.setsStrategy else {
                layered.append(override)
                continue
            }
            layered += try override.options(forStrategy: kind, flag: "--strategy \(strategyText)")
        }
        return layered
    }

    /// Whether the override sets the strategy or one of its options (under either spelling of `strategy`).
    var setsStrategy: Bool {
        path[0] == "strategy" || path[0] == SettingSpellings.otherSpelling(of: "strategy")
    }

    /// This override of the strategy as overrides of the options of strategy `kind`, which `flag` named.
    private func options(forStrategy kind: String, flag: String) throws -> [ConfigOverride] {
        let given = "--set \(path.joined(separator: "."))=\(valueText)"
        func refusal(_ message: String) -> ConfigError {
            ConfigError(file: "<command line>", key: "strategy", message)
        }
        func confirm(_ node: Node) throws {
            guard let name = node.scalar?.string, node.tag != Tag(.null) else {
                throw refusal("\(given) beside \(flag): expected a strategy name, found \(Self.kindName(node))")
            }
            guard name == kind else {
                throw refusal("\(flag) and \(given) name different strategies (\(kind) and \(name)); name one, and set its options with --set strategy.KEY=VALUE")
            }
        }
        let rest = Array(path.dropFirst())
        // An option's own key (strategy.buffers, strategy.amount.static) applies to the strategy as it is.
        guard rest.isEmpty || rest == ["kind"] else { return [ConfigOverride(path: ["strategy"] + rest, valueText: valueText)] }
        let node: Node
        do {
            node = try Yams.compose(yaml: valueText) ?? Node("", Tag(.null))
        } catch {
            return [self]  // the loader names the bad YAML
        }
        guard rest.isEmpty, case .mapping(let mapping) = node else {
            try confirm(node)
            return []
        }
        if let named = mapping["kind"] { try confirm(named) }
        return try mapping.compactMap { key, value in
            guard let name = key.string else { throw refusal("\(given): expected option names as keys") }
            return name == "kind" ? nil : ConfigOverride(path: ["strategy", name], valueText: Self.yamlText(value))
        }
    }

    /// The strategy name a `strategy:` value gives: the name itself, or its `kind`.
    private static func strategyKind(of node: Node) -> String? {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .mapping(let mapping): return mapping["kind"]?.scalar?.string
        default: return nil
        }
    }

    /// What `node` is, for a message: a mapping, a list, or nothing.
    private static func kindName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        default: return "nothing"
        }
    }

    init(path: [String], valueText: String) {
        self.path = path
        self.valueText = valueText
    }

    /// `node` as YAML text that composes back to it.
    private static func yamlText(_ node: Node) -> String {
        (try? Yams.serialize(node: node)) ?? ""
    }
}

