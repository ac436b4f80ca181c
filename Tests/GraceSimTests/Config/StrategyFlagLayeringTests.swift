import GraceSimTestSupport
import Testing
@testable import GraceSim

/// `--strategy` beside `--set` overrides of the strategy (``ConfigOverride/layering(strategy:under:)``): the `--set`
/// options apply to the strategy `--strategy` names, and a `--set` that names another strategy is refused.
@Suite struct StrategyFlagLayeringTests {
    static let file = """
    name: test
    hardware: gh200-96gb
    strategy: {kind: pie}
    instances:
      - model: llama-3-8b
        memory_fraction: 0.9
    workload:
      max_requests: 1
      arrivals: {kind: poisson, rate: 1}
      lengths: {kind: fixed, prompt: 16, output: 16}
    """

    /// The experiment of ``file`` loaded with `sets` as `--set`s and `strategy` as `--strategy`.
    static func load(strategy: String, sets: [String], file: String = file) throws -> Experiment {
        let overrides = try ConfigOverride.layering(strategy: strategy, under: try sets.map(ConfigOverride.init(parsing:)))
        var root = try ConfigNode.parse(file, file: "test.yaml")
        for override in overrides { root = try override.apply(to: root) }
        return try Experiment.load(root, baseDirectory: TestExperiments.repositoryRoot, catalog: TestExperiments.catalog)
    }

    static func remapOptions(strategy: String, sets: [String]) throws -> RemapOptions {
        let experiment = try load(strategy: strategy, sets: sets)
        #expect(experiment.strategy.kind == .remap)
        return try #require(experiment.strategy.options(of: RemapStrategy.self))
    }

    @Test func aWholeStrategyOfTheSameKindGivesItsOptions() throws {
        let options = try Self.remapOptions(strategy: "remap", sets: ["strategy={kind: remap, buffers: 2, cap: 0.25}"])
        #expect(options.buffers == .two && options.cap == 0.25)
    }

    @Test func optionsWithoutAKindApplyToTheFlagsStrategy() throws {
        #expect(try Self.remapOptions(strategy: "remap", sets: ["strategy={buffers: 1}"]).buffers == .one)
        // Given before --strategy on the command line, a single option was replaced by it before.
        #expect(try Self.remapOptions(strategy: "remap", sets: ["strategy.buffers=1"]).buffers == .one)
        #expect(try Self.remapOptions(strategy: "remap", sets: ["strategy.amount.static=3"]).amount == .fixed(3))
    }

    @Test func laterOptionsWinAndTheFlagsOwnOptionsStay() throws {
        let options = try Self.remapOptions(strategy: "{kind: remap, buffers: 1, cap: 0.75}",
                                            sets: ["strategy={kind: remap, buffers: 2}", "strategy.victim=lru", "strategy={victim: mru}"])
        #expect(options.buffers == .two && options.cap == 0.75 && options.victim == .mru)
    }

    @Test func theSameNameAloneChangesNothing() throws {
        let options = try Self.remapOptions(strategy: "remap", sets: ["strategy=remap", "strategy.kind=remap"])
        #expect(options == RemapOptions())
        let swap = try Self.load(strategy: "swap", sets: ["preemption_mode=swap"])
        #expect(swap.strategy.kind == .swap)
    }

    @Test func withoutAStrategySetTheFlagReplacesTheFilesStrategy() throws {
        let sets = ["workload.max_requests=2"]
        #expect(try ConfigOverride.layering(strategy: "remap", under: try sets.map(ConfigOverride.init(parsing:)))
                == [try ConfigOverride(parsing: "workload.max_requests=2"), try ConfigOverride(parsing: "strategy=remap")])
        #expect(try Self.load(strategy: "remap", sets: sets).strategy.kind == .remap)
    }

    @Test(arguments: [
        ("strategy={kind: pie, buffers: 2}", "--strategy remap and --set strategy={kind: pie, buffers: 2} name different strategies (remap and pie)"),
        ("strategy=swap", "--strategy remap and --set strategy=swap name different strategies (remap and swap)"),
        ("strategy.kind=offload", "--strategy remap and --set strategy.kind=offload name different strategies (remap and offload)"),
        ("preemption_mode=recompute", "--strategy remap and --set preemption_mode=recompute name different strategies (remap and recompute)"),
        ("strategy=[remap]", "--set strategy=[remap] beside --strategy remap: expected a strategy name, found a list"),
        ("strategy=", "--set strategy= beside --strategy remap: expected a strategy name, found nothing"),
    ])
    func anotherStrategyIsRefusedNamingBoth(set: String, message: String) throws {
        let error = try #require(configError { _ = try Self.load(strategy: "remap", sets: [set]) })
        #expect(error.file == "<command line>" && error.key == "strategy")
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func badOptionsReachTheLoader() throws {
        let error = try #require(configError { _ = try Self.load(strategy: "remap", sets: ["strategy={kind: remap, buffers: 3}"]) })
        #expect(error.description == "test.yaml: strategy.buffers: expected 1, 2 or auto, found \"3\"")
    }
}
