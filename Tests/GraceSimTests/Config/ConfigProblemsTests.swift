import GraceSimTestSupport
import Testing
@testable import GraceSim

/// `validate`'s list of every problem: independent problems are all found, in the loader's order; a problem
/// that follows from an earlier one (a bad required key now missing, a section now incomplete) is not repeated.
@Suite struct ConfigProblemsTests {
    static func problems(_ yaml: String) throws -> [String] {
        try ConfigProblems.collect(try ConfigNode.parse(yaml, file: "test.yaml")) {
            _ = try Experiment.load($0, baseDirectory: TestExperiments.repositoryRoot, catalog: TestExperiments.catalog)
        }.map(\.description)
    }

    static let workload = "workload: {max_requests: 5, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 16, output: 16}}\n"

    @Test func independentProblemsAreAllListed() throws {
        let found = try Self.problems("""
            hardware: gh200-96gb
            seed: -1
            instances: [{model: llama-3-8b, gpu_memory_utilization: 0.5, block_size: 7, max_modl_len: 100}]
            colour: red
            \(Self.workload)
            """)
        #expect(found.count == 4, "\(found)")
        #expect(found[0].hasPrefix("test.yaml: seed: expected a seed"))
        #expect(found[1].hasPrefix("test.yaml: instances.0.block_size: expected one of vLLM's block sizes"))
        #expect(found[2].hasPrefix("test.yaml: instances.0.max_modl_len: unknown key (did you mean \"max_model_len\"?"))
        #expect(found[3].hasPrefix("test.yaml: colour: unknown key"))
    }

    @Test func aValidFileHasNone() throws {
        #expect(try Self.problems("hardware: gh200-96gb\ninstances: [{model: llama-3-8b, gpu_memory_utilization: 0.5}]\n" + Self.workload).isEmpty)
    }

    @Test func whatFollowsFromAProblemIsNotRepeated() throws {
        let required = try Self.problems("hardware: gh200-96gb\ninstances: [{model: llama-3-8b, memory_fraction: lots}]\n" + Self.workload)
        #expect(required == ["test.yaml: instances.0.memory_fraction: expected a number, found \"lots\""])
        let section = try Self.problems("""
            hardware: gh200-96gb
            instances: [{model: llama-3-8b, gpu_memory_utilization: 0.5}]
            workload: {duration_s: -1, arrivals: {kind: poisson, rate: 1}, lengths: {kind: fixed, prompt: 16, output: 16}}
            """)
        #expect(section.count == 1)
        #expect(section.first?.hasPrefix("test.yaml: workload.duration_s:") == true)
    }

    @Test func keysAreTakenOutOfMappingsOnly() throws {
        let root = try ConfigNode.parse("{a: {b: 1, c: [{d: 2}]}}", file: "t.yaml")
        #expect(root.removing(keyPath: "a.b")?.node == (try ConfigNode.parse("{a: {c: [{d: 2}]}}", file: "t.yaml").node))
        #expect(root.removing(keyPath: "a.c.0.d")?.node == (try ConfigNode.parse("{a: {b: 1, c: [{}]}}", file: "t.yaml").node))
        #expect(root.removing(keyPath: "a.c.0") == nil)
        #expect(root.removing(keyPath: "a.x") == nil)
    }
}
