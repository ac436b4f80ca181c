/// The registry of memory strategies: one line per strategy, each strategy in its own file.
///
/// Adding a strategy: write its class conforming to ``RegisteredStrategy`` (its name, summary, options and how it
/// reads them all live in its own file), then add one line to ``StrategyRegistry/all``. `docs/strategies.md` has
/// the recipe.
public enum StrategyRegistry {
    /// Every memory strategy, in the order `gracesim list strategies` shows them.
    public static let all: [StrategyRegistration] = [
        StrategyRegistration(RecomputeStrategy.self),
        StrategyRegistration(SwapStrategy.self),
        StrategyRegistration(PieStrategy.self),
        StrategyRegistration(OffloadStrategy.self),
        StrategyRegistration(RemapStrategy.self),
        StrategyRegistration(KVOffloadStrategy.self),
        StrategyRegistration(WeightOffloadStrategy.self),
    ]

    /// The registration named `name`, if any.
    public static func registration(named name: String) -> StrategyRegistration? {
        all.first { $0.kind.rawValue == name }
    }
}

/// What a strategy adds to ``MemoryStrategy`` to be registered: its name, a one-line summary, its options, and a
/// way to build it from them.
public protocol RegisteredStrategy: MemoryStrategy, SendableMetatype {
    /// The strategy's options, read from the keys of the experiment's `strategy:` mapping other than `kind`.
    associatedtype Options: StrategyOptions
    /// The name experiments use (`strategy: NAME`).
    static var kind: StrategyKind { get }
    /// One line for `gracesim list strategies`.
    static var summary: String { get }
    /// A fresh strategy object for one run.
    init(options: Options)

    /// Why the strategy cannot serve `instance` (an engine it does not fit, a feature it needs), or nil when it can.
    static func refusal(for instance: InstanceSpec, options: Options) -> String?
}

extension RegisteredStrategy {
    public var kind: StrategyKind { Self.kind }
    public static func refusal(for instance: InstanceSpec, options: Options) -> String? { nil }
}

/// A strategy's options: it reads them itself, so a key it does not know is an error naming that key.
public protocol StrategyOptions: Sendable, Equatable {
    /// Reads the options from `o` (the `strategy:` mapping without `kind`; empty for `strategy: NAME`), with a
    /// default for every key that is missing.
    static func load(from o: ConfigObject) throws -> Self

    /// What is wrong with the options for the experiment's `instances` (a size beyond a model's weights), or nil;
    /// checked once the instances are read. By default nothing.
    func problem(instances: [InstanceSpec]) -> StrategyOptionProblem?
}

extension StrategyOptions {
    public func problem(instances: [InstanceSpec]) -> StrategyOptionProblem? { nil }
}

/// A strategy option that does not suit the experiment: its key under `strategy:` and what was expected.
public struct StrategyOptionProblem: Sendable, Equatable {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

/// One line of the registry: a strategy's name, summary and constructor.
public struct StrategyRegistration: Sendable {
    public let kind: StrategyKind
    public let summary: String
    /// Reads the options and pairs them with the strategy they belong to.
    let load: @Sendable (ConfigObject) throws -> StrategySpec

    public init<S: RegisteredStrategy>(_ strategy: S.Type) {
        kind = S.kind
        summary = S.summary
        load = { StrategySpec(S.self, options: try S.Options.load(from: $0)) }
    }
}

/// The name of a registered memory strategy (`recompute`, `swap`, `pie`, `offload`, `remap`, …).
///
/// Each strategy declares its own constant in its file (`StrategyKind.remap`); ``allCases`` follows the registry.
public struct StrategyKind: RawRepresentable, Hashable, Sendable, CaseIterable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// The registered strategy named `rawValue`; nil for any other name.
    public init?(rawValue: String) {
        guard StrategyRegistry.registration(named: rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// A strategy's own name, for its constant.
    init(name: String) { rawValue = name }

    public static var allCases: [StrategyKind] { StrategyRegistry.all.map(\.kind) }

    /// The one-line description from the registry.
    public var summary: String { StrategyRegistry.registration(named: rawValue)?.summary ?? "" }

    public var description: String { rawValue }
}

/// The memory strategy of an experiment: which one, with its options. Built only from a strategy type and options
/// of that type, so the two always agree.
public struct StrategySpec: Sendable {
    public let kind: StrategyKind
    /// The options as read, of the strategy's own ``RegisteredStrategy/Options`` type.
    public let options: any StrategyOptions
    private let make: @Sendable () -> MemoryStrategy
    private let refuse: @Sendable (InstanceSpec) -> String?

    public init<S: RegisteredStrategy>(_ strategy: S.Type, options: S.Options) {
        kind = S.kind
        self.options = options
        make = { S(options: options) }
        refuse = { S.refusal(for: $0, options: options) }
    }

    /// Why this strategy cannot serve `instance`, or nil when it can. Data-parallel ranks, each with its own link
    /// and KV, are modelled as one engine under recompute only.
    public func refusal(for instance: InstanceSpec) -> String? {
        if instance.dataParallelSize > 1 && kind != .recompute {
            return "data_parallel_size \(instance.dataParallelSize) is modelled under recompute only (the ranks are one engine in the simulation, with no link or KV of their own); use recompute or data_parallel_size 1"
        }
        return refuse(instance)
    }

    /// The options if this is strategy `S`, nil otherwise.
    public func options<S: RegisteredStrategy>(of strategy: S.Type) -> S.Options? {
        options as? S.Options
    }

    /// vLLM's default.
    public static let recompute = StrategySpec(RecomputeStrategy.self, options: RecomputeStrategy.Options())

    /// Reads `strategy: NAME` or `strategy: {kind: NAME, option: value, ...}`.
    public static func load(from node: ConfigNode) throws -> StrategySpec {
        if case .scalar = node.node {
            let kind = try node.choice(StrategyKind.self)
            let o = try ConfigNode.parse("{}", file: node.file).object()
            return try registration(kind, node).load(o)
        }
        let o = try node.object()
        let kind = try o.required("kind").choice(StrategyKind.self)
        let spec = try registration(kind, node).load(o)
        try o.finish()
        return spec
    }

    /// A fresh strategy object for one run.
    public func makeStrategy() -> MemoryStrategy { make() }

    private static func registration(_ kind: StrategyKind, _ node: ConfigNode) throws -> StrategyRegistration {
        guard let registration = StrategyRegistry.registration(named: kind.rawValue) else {
            throw node.error("no registered strategy \"\(kind.rawValue)\"")
        }
        return registration
    }
}
