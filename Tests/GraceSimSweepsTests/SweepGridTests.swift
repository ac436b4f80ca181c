import GraceSimStoreTestSupport
import GraceSimTestSupport
import Testing
@testable import GraceSimStore
@testable import GraceSimSweeps

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

    /// Rate and max_num_seqs zipped (three values each), crossed with two seeds.
    static func zippedGrid() throws -> SweepGrid {
        try StoreFixtures.spec(StoreFixtures.sweepText(axes: """
              workload.arrivals.rate: [1, 2, 4]
              instances.0.max_num_seqs: [16, 32, 64]
              seed: [7, 8]
            """, extra: "zip: [[workload.arrivals.rate, instances.0.max_num_seqs]]")).grid()
    }

    @Test func zippedAxesVaryTogether() throws {
        let grid = try Self.zippedGrid()
        #expect(grid.count == 6)
        #expect(grid.map(\.label).prefix(3) == [
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=7",
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=8",
            "workload.arrivals.rate=2 instances.0.max_num_seqs=32 seed=7",
        ])
    }

    @Test func aHundredMillionPointGridIsCountedAndIndexedWithoutBeingBuilt() throws {
        let grid = try StoreFixtures.spec(StoreFixtures.hundredMillionSweep).grid()
        #expect(grid.count == 100_000_000)
        #expect(grid.lengths == Array(repeating: 10, count: 8))
        for index in [0, 1, 10, 12_345_678, 90_000_009, 99_999_999] {
            let point = grid.point(at: index)
            #expect(point.index == index)
            #expect(point.values.map(\.axis) == StoreFixtures.hundredMillionAxes.map(\.key))
            #expect(point.values.map(\.value) == StoreFixtures.hundredMillionValues(at: index), "\(index)")
        }
        #expect(grid.point(at: 12_345_678).label == "instances.0.memory_fraction=0.51 instances.0.max_num_seqs=18 "
                + "workload.arrivals.rate=4 workload.max_requests=14 workload.lengths.prompt=69 workload.lengths.output=14 "
                + "metrics.sample_interval_s=8 seed=9")
        #expect(grid.last == grid.point(at: 99_999_999))
        // The first point of each value: index 0, then v × 10^k for every other value v of the axis k from the right.
        let firsts = grid.firstPointOfEachValue
        #expect(firsts.count == 1 + 8 * 9)
        #expect(firsts.prefix(11) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(firsts.last == 90_000_000)
    }

    @Test func theFirstPointOfEachValueFollowsZippedGroups() throws {
        let grid = try Self.zippedGrid()
        #expect(grid.firstPointOfEachValue == [0, 1, 2, 4])
        #expect(grid.firstPointOfEachValue.map { grid[$0].label } == [
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=7",
            "workload.arrivals.rate=1 instances.0.max_num_seqs=16 seed=8",
            "workload.arrivals.rate=2 instances.0.max_num_seqs=32 seed=7",
            "workload.arrivals.rate=4 instances.0.max_num_seqs=64 seed=7",
        ])
    }

    @Test func aGridTooLargeToCountSaysSoNamingTheAxisSizes() throws {
        let values = "[" + (1...1000).map(String.init).joined(separator: ", ") + "]"
        let axes = ["workload.arrivals.rate", "workload.max_requests", "instances.0.max_num_seqs", "instances.0.watermark",
                    "instances.0.memory_fraction", "instances.0.max_num_batched_tokens", "seed"]
        let spec = try StoreFixtures.spec(StoreFixtures.sweepText(axes: axes.map { "  \($0): \(values)" }.joined(separator: "\n")))
        #expect(throws: StoreError(file: "test-sweep.yaml", "axes: the grid of 1000 × 1000 × 1000 × 1000 × 1000 × 1000 × 1000 points is too large to count; expected a product of the axis sizes of at most 9223372036854775807")) {
            _ = try spec.grid()
        }
        // One axis fewer (10¹⁸ points) is counted.
        let fits = try StoreFixtures.spec(StoreFixtures.sweepText(axes: axes.dropLast().map { "  \($0): \(values)" }.joined(separator: "\n")))
        #expect(try fits.grid().count == 1_000_000_000_000_000_000)
        #expect(try fits.grid().point(at: 999_999_999_999_999_999).values.allSatisfy { $0.value == "1000" })
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
        let environment = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3"]
        #expect(try Shard.parse("auto", environment: environment) == Shard(index: 3, count: 4))
        #expect(try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0", "GRACESIM_SHARD_COUNT": "3"]) == Shard(index: 0, count: 3))
        #expect(try Shard.parse("1/2", environment: [:]) == Shard(index: 1, count: 2))
        for bad in ["2/2", "-1/2", "1/0", "x", "1/2/3"] {
            #expect(throws: StoreError.self, "\(bad)") { _ = try Shard.parse(bad, environment: [:]) }
        }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: [:]) }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: ["JOB_COMPLETION_INDEX": "0"]) }
        let shards = (0..<3).map { Shard(index: $0, count: 3) }
        for index in 0..<10 { #expect(shards.filter { $0.owns(index) }.count == 1) }
        // A shard's points, counted and indexed without listing the grid.
        for grid in [0, 1, 2, 10, 11] {
            for shard in shards {
                let owned = (0..<grid).filter { shard.owns($0) }
                #expect(shard.pointCount(inGridOf: grid) == owned.count, "\(shard) of \(grid)")
                #expect((0..<owned.count).map(shard.pointIndex) == owned, "\(shard) of \(grid)")
            }
        }
        let last = Shard(index: 2, count: 3)
        #expect(last.pointCount(inGridOf: .max) == Int.max / 3)
        #expect(last.pointIndex(Int.max / 3 - 1) == .max - 2)
    }

    /// `sbatch --array=7` resubmitting one task of a 16-task array: Slurm sets the task's id, and a count of 1.
    static let resubmittedTask = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "1",
                                  "SLURM_ARRAY_TASK_MIN": "7", "SLURM_ARRAY_TASK_MAX": "7"]

    @Test func aResubmittedSlurmTaskRunsOnlyItsShard() throws {
        #expect(try Shard.parse("7/16", environment: Self.resubmittedTask) == Shard(index: 7, count: 16))
        let counted = Self.resubmittedTask.merging([Shard.countVariable: "16"]) { _, new in new }
        let resolved = try Shard.resolve("auto", environment: counted)
        #expect(resolved.shard == Shard(index: 7, count: 16))
        #expect(resolved.origin == "SLURM_ARRAY_TASK_ID=7 of GRACESIM_SHARD_COUNT=16")
        #expect(try Shard.resolve("7/16", environment: [:]).origin == "--shard 7/16")
        // Without the grid's count, auto never turns a resubmitted task (or a lone task id) into the whole grid.
        for environment in [Self.resubmittedTask, ["SLURM_ARRAY_TASK_ID": "7"],
                            ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "8"],
                            ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "2"]] {
            #expect(throws: StoreError.self, "\(environment)") { _ = try Shard.parse("auto", environment: environment) }
        }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "16", Shard.countVariable: "16"]) }
        #expect(throws: StoreError.self) { _ = try Shard.parse("auto", environment: ["SLURM_ARRAY_TASK_ID": "x", Shard.countVariable: "16"]) }
    }
}
