import GraceSimTestSupport
import Testing
@testable import GraceSimReport
@testable import GraceSimStore

/// Figure file names are unique within a sweep, so that no figure overwrites another, and a line chart is drawn
/// only where its x axis takes two values or more.
@Suite struct FigureNameTests {
    /// The runs of recompute and remap at each point, with made-up latencies.
    static func runs(_ points: [[String: String]]) -> [StoredRun] {
        points.enumerated().flatMap { i, point in
            ["recompute", "remap"].enumerated().map { j, strategy in
                let id = Int64(2 * i + j + 1)
                return FigureStyleTests.run(id, strategy: strategy, point: point, tbt: Double(100 + id))
            }
        }
    }

    /// A sweep with many fixed axes makes long names: a stem beyond 240 bytes keeps its start and ends in a hash of
    /// the whole, so that the file system takes it (255 bytes) and two such figures still differ.
    @Test func longFigureNamesAreCappedAndStayDistinct() {
        #expect(Labels.svgFileName("ttft-p99-ms-vs-rate") == "ttft-p99-ms-vs-rate.svg")
        let exact = String(repeating: "a", count: 240)
        #expect(Labels.svgFileName(exact) == exact + ".svg")
        let one = Labels.svgFileName(String(repeating: "a", count: 300) + "-x")
        let two = Labels.svgFileName(String(repeating: "a", count: 300) + "-y")
        #expect(one.utf8.count == 244 && two.utf8.count == 244)
        #expect(one != two && one.hasPrefix(String(repeating: "a", count: 223) + "-"))
        #expect(Labels.svgFileName(String(repeating: "a", count: 300) + "-x") == one)
    }

    @Test func aShortAxisNameIsAsLongAsItTakesToTellTheAxesApart() {
        let keys = ["instances.0.memory_fraction", "instances.1.memory_fraction", "workload.arrivals.rate"]
        #expect(Labels.shortAxis("instances.0.memory_fraction", among: keys) == "0.memory_fraction")
        #expect(Labels.shortAxis("instances.1.memory_fraction", among: keys) == "1.memory_fraction")
        #expect(Labels.shortAxis("workload.arrivals.rate", among: keys) == "rate")
        #expect(Labels.shortAxis("rate", among: ["rate", "workload.arrivals.rate"]) == "rate")
        #expect(SweepShape.describe(["instances.0.kv_cache_dtype", "instances.1.kv_cache_dtype"], ["auto", "fp8"])
                == "0.kv_cache_dtype = auto, 1.kv_cache_dtype = fp8")
    }

    /// Two instances' memory fractions, zipped, against the rate: the figures against each fraction get names of
    /// their own (before, both were `…-vs-memory-fraction-rate-4.svg`, and the second overwrote the first).
    @Test func axesWithTheSameLastKeyGetFiguresOfTheirOwn() {
        let points = [("0.3", "0.2"), ("0.4", "0.1")].flatMap { first, second in
            ["4", "8"].map { ["instances.0.memory_fraction": first, "instances.1.memory_fraction": second, "workload.arrivals.rate": $0] }
        }
        let names = FigureStyleTests.figures(Self.runs(points)).metricLines().map(\.fileName)
        #expect(Set(names).count == names.count, "\(names)")
        #expect(names.contains("itl-p99-ms-vs-0_memory-fraction-rate-4.svg"))
        #expect(names.contains("itl-p99-ms-vs-1_memory-fraction-rate-4.svg"))
        #expect(names.contains("itl-p99-ms-vs-rate-0_memory-fraction-0_3-1_memory-fraction-0_2.svg"))
    }

    /// Levels of precision zipped with a memory fraction that three of them share: against the fraction no group
    /// has two values, so there is no line to draw; against the rate, one figure per level.
    @Test func noLineChartHasASingleValueOnItsXAxis() {
        let points = [("fp16", "0.55"), ("fp8", "0.55"), ("fp8 KV", "0.55"), ("same KV", "0.35")].flatMap { level, fraction in
            ["0.1", "0.5"].map { ["description": level, "instances.0.gpu_memory_utilization": fraction, "workload.arrivals.rate_scale": $0] }
        }
        let names = FigureStyleTests.figures(Self.runs(points)).metricLines().map(\.fileName)
        #expect(!names.contains { $0.contains("-vs-gpu-memory-utilization") }, "\(names)")
        #expect(names.filter { $0.hasPrefix("itl-p99-ms-vs-rate-scale-") }.count == 4, "\(names)")
        #expect(Set(names).count == names.count)
    }
}
