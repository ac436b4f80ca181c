import Testing
@testable import GraceSimStore

/// Sweep files: the product of the axes, zipped groups, seeds, and the errors for bad sweeps.
@Suite struct SweepGridTests {
    @Test func theGridIsTheProductWithTheFirstAxisOutermost() throws {
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: """
              strategy: [recompute]
              workload.arrivals.rate: [1, 2, 4]
            """, extra: "seeds: [1, 2]"))
        let grid = try spec.grid()
        #expect(grid.count == 6)
        #expect(grid.map(\.label) == [
            "strategy=recompute workload.arrivals.rate=1 seed=1", "strategy=recompute workload.arrivals.rate=1 seed=2",
            "strategy=recompute workload.arrivals.rate=2 seed=1", "strategy=recompute workload.arrivals.rate=2 seed=2",
            "strategy=recompute workload.arrivals.rate=4 seed=1", "strategy=recompute workload.arrivals.rate=4 seed=2",
        ])
        #expect(grid.map(\.index) == Array(0..<6))
    }

    @Test func zippedAxesVaryTogether() throws {
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: """
              workload.arrivals.rate: [1, 2, 4]
              instances.0.max_num_seqs: [16, 32, 64]
              seed: [7, 8]
            """, extra: "zip: [[workload.arrivals.rate, instances.0.max_num_seqs]]"))
        let grid = try spec.grid()
        #expect(grid.count == 6)
        #expect(grid.map(\.label).prefix(3) == [
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=7",
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=8",
            "workload.arrivals.rate=2 instances.0.max_num_seqs=32 seed=7",
        ])
    }

    @Test func zippedAxesOfDifferentLengthsAreAnError() throws {
        #expect(throws: (any Error).self) {
            _ = try StoreFixtures.spec(StoreFixtures.sweepText(axes: """
                  workload.arrivals.rate: [1, 2]
                  seed: [1, 2, 3]
                """, extra: "zip: [[workload.arrivals.rate, seed]]"))
        }
    }

    @Test func anEmptyGridIsAnError() throws {
        for axes in ["  strategy: []", "  {}"] {
            #expect(throws: (any Error).self, "\(axes)") {
                let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: axes))
                _ = try spec.grid()
            }
        }
        #expect(throws: (any Error).self) { _ = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1]", extra: "seeds: []")) }
    }

    @Test func anUnknownAxisKeyNamesTheAxisAndTheLoadersMessage() throws {
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  workload.arrivals.speed: [1, 2]"))
        #expect {
            _ = try spec.prepare(points: try spec.grid())
        } throws: { error in
            let text = "\(error)"
            return text.contains("axis workload.arrivals.speed = 1") && text.contains("unknown key")
        }
    }

    @Test func aNearMissSuggestsTheKnownKeyInASweepAndInItsAxes() throws {
        let axis = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  workload.arrivals.rat: [1, 2]"))
        #expect {
            _ = try axis.prepare(points: try axis.grid())
        } throws: { error in
            "\(error)".contains("axis workload.arrivals.rat = 1") && "\(error)".contains("did you mean \"rate\"?")
        }
        #expect {
            _ = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1]", extra: "seedz: [1]"))
        } throws: { error in
            "\(error)".contains("seedz: unknown key (did you mean \"seeds\"?")
        }
        let strategy = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  strategy: [recompute, remapp]"))
        #expect {
            _ = try strategy.prepare(points: try strategy.grid())
        } throws: { error in
            "\(error)".contains("did you mean \"remap\"?")
        }
    }

    @Test func anUnknownStrategyIsTheLoadersError() throws {
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  strategy: [recompute, no-such-strategy]"))
        #expect {
            _ = try spec.prepare(points: try spec.grid())
        } throws: { error in
            "\(error)".contains("axis strategy = no-such-strategy") && "\(error)".contains("expected one of")
        }
    }

    @Test func malformedSweepFilesAreErrors() {
        let cases = [
            "name: x\naxes: {seed: [1]}\n",                                           // no base
            "base: /nonexistent.yaml\naxes: {seed: [1]}\n",                           // missing base file
            "base: \(StoreFixtures.path("Configs/experiments/default.yaml"))\n",       // no axes
            "base: \(StoreFixtures.path("Configs/experiments/default.yaml"))\naxes: [1]\n",
            "base: \(StoreFixtures.path("Configs/experiments/default.yaml"))\naxes: {seed: [1]}\ncolour: red\n",
            "axes: {seed: [1]\n",                                                     // not YAML
        ]
        for text in cases {
            #expect(throws: (any Error).self, "\(text)") { _ = try StoreFixtures.spec(text) }
        }
    }

    @Test func pointsHashTheSameWhateverTheAxisOrder() throws {
        let one = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  seed: [1]\n  workload.arrivals.rate: [2]"))
        let two = try StoreFixtures.spec(StoreFixtures.sweepText(axes: "  workload.arrivals.rate: [2]\n  seed: [1]"))
        let a = try one.prepare(points: try one.grid())
        let b = try two.prepare(points: try two.grid())
        #expect(a[0].configHash == b[0].configHash)
        #expect(a[0].configJSON.contains(#""rate":2"#))
    }

    @Test func theShippedSweepsExpand() throws {
        for file in ["Configs/sweeps/c1-strategy-rate.yaml", "Configs/sweeps/regression.yaml"] {
            let spec = try SweepSpec.load(path: StoreFixtures.path(file))
            let grid = try spec.grid()
            #expect(grid.count >= 4, "\(file)")
            #expect(try spec.prepare(points: grid).count == grid.count)
        }
    }

    @Test func shardsPartitionTheGrid() throws {
        let environment = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.parse("auto", environment: environment) == Shard(index: 3, count: 4))
        #expect(try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "2"]) == Shard(index: 1, count: 2))
        #expect(try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0", "GRACESIM_SHARD_COUNT": "3"]) == Shard(index: 0, count: 3))
        #expect(try Shard.parse("1/2", environment: [:]) == Shard(index: 1, count: 2))
        for bad in ["2/2", "-1/2", "1/0", "x", "1/2/3"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try Shard.parse(bad, environment: [:]) }
        }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: [:]) }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0"]) }
        let shards = (0..<3).map { Shard(index: $0, count: 3) }
        for index in 0..<10 { #expect(shards.filter { $0.owns(index) }.count == 1) }
    }
}
