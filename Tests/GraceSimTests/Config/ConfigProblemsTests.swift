import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// `validate`'s list of every problem: independent problems are all found, in the loader's order; a problem
/// that follows from an earlier one (a bad required key now missing, a section now incomplete) is not repeated.
@Suite struct ConfigProblemsTests {
    static func problems(_ yaml: String) throws -> [String] {
        try ConfigProblems.collect(try ConfigNode.parse(yaml, file: "test.yaml"),
                                   standIns: Experiment.standIns(catalog: TestExperiments.catalog)) {
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

    /// A dozen problems across every section, among them an unknown hardware preset, an unknown model, a bad arrival
    /// kind, a missing length file and a bad list item: one round lists them all. The unknown presets and the bad
    /// sections get stand-ins, so that what follows them is still checked; what depends on a stand-in (the models'
    /// fit on the GPU, a trace's lengths) is not reported.
    @Test func oneRoundListsEveryProblemAcrossSections() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = try folder.write("dozen.yaml", """
            name: dozen
            seed: -3
            hardware: gh200-69gb
            strategy: {kind: remap, victim: newest}
            sharing: {mode: temporal, schedular: round-robin}
            instances:
              - model: llama-3-8x
                gpu_memory_utilization: 0.5
                block_size: 17
              - not an instance
              - {model: opt-13b, gpu_memory_utilization: 0.3, tensor_parallel_size: 2}
            workload:
              max_request: 100
              num_prompts: 100
              arrivals: {kind: poison, rate: 4}
              lengths: {kind: file, path: nosuch.csv, max_prompt: -5}
            simulation: {max_time_s: -1}
            metrics: {sample_interval_s: 0}
            slo: {ttft: 200}
            colour: red

            """)
        let found = try Experiment.problems(path: path, catalog: TestExperiments.catalog)
        #expect(found.allSatisfy { $0.file == path })
        #expect(found.map(\.key) == [
            "seed", "hardware", "strategy.victim", "sharing.schedular", "instances.0.model", "instances.0.block_size",
            "instances.1", "instances.2.tensor_parallel_size", "workload.arrivals.kind", "workload.lengths.path",
            "workload.lengths.max_prompt", "workload.max_request", "simulation.max_time_s", "metrics.sample_interval_s",
            "slo.ttft", "colour",
        ], "\(found.map(\.description).joined(separator: "\n"))")
        #expect(found[1].message.contains("did you mean \"gh200-96gb\"?"))
        #expect(found[9].message.hasPrefix("no such file"))
    }

    /// A trace replaced by a stand-in takes its lengths with it: `lengths: {kind: trace}` then checks the stand-in,
    /// and is not reported; the bounds that follow still are.
    @Test func whatDependsOnAStandInIsNotReported() throws {
        let found = try Self.problems("""
            hardware: gh200-96gb
            instances: [{model: llama-3-8b}]
            workload: {arrivals: {kind: trace, path: Workloads/traces/nosuch.csv}, lengths: {kind: trace, max_output: 0}}
            simulation: {max_time_s: 0}
            """)
        #expect(found.map { $0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces) }
                == ["workload.arrivals.path", "workload.lengths.max_output", "simulation.max_time_s"], "\(found)")
    }

    @Test func keysAreTakenOutOfMappingsOnly() throws {
        let root = try ConfigNode.parse("{a: {b: 1, c: [{d: 2}]}}", file: "t.yaml")
        #expect(root.removing(keyPath: "a.b")?.node == (try ConfigNode.parse("{a: {c: [{d: 2}]}}", file: "t.yaml").node))
        #expect(root.removing(keyPath: "a.c.0.d")?.node == (try ConfigNode.parse("{a: {b: 1, c: [{}]}}", file: "t.yaml").node))
        #expect(root.removing(keyPath: "a.c.0") == nil)
        #expect(root.removing(keyPath: "a.x") == nil)
    }
}
