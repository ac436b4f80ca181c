import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Interpolation worked by hand, and the table file's bad input.
@Suite struct KernelTablesTests {
    @Test func curveIsAPowerLawBetweenPointsConstantBelowAndProportionalAbove() {
        // 10 µs at 1, 40 µs at 4: a power law t = 10 µs × n between them, so 20 µs at 2.
        let curve = LogLogCurve(sizes: [1, 4], seconds: [10e-6, 40e-6])
        #expect(abs(curve.seconds(at: 2) - 20e-6) < 1e-15)
        // 10 µs at 1, 20 µs at 4: t = 10 µs × √n, so 10√2 µs at 2.
        let sqrt = LogLogCurve(sizes: [1, 4], seconds: [10e-6, 20e-6])
        #expect(abs(sqrt.seconds(at: 2) - 10e-6 * 2.0.squareRoot()) < 1e-15)
        // Below the first size: the first latency. Above the last: in proportion to the size from the last point.
        #expect(abs(sqrt.seconds(at: 0.5) - 10e-6) < 1e-15)
        #expect(abs(sqrt.seconds(at: 12) - 60e-6) < 1e-15)
        #expect(sqrt.seconds(at: 0) == 0)
    }

    @Test func surfaceIsBilinearInLogs() {
        // Corners at (1, 1) 1 µs, (1, 4) 4 µs, (4, 1) 4 µs, (4, 4) 16 µs: t = rows × columns µs everywhere inside.
        let surface = LogLogSurface(rows: [1, 4], columns: [1, 4], seconds: [1e-6, 4e-6, 4e-6, 16e-6])
        #expect(abs(surface.seconds(row: 2, column: 2) - 4e-6) < 1e-15)
        #expect(abs(surface.seconds(row: 2, column: 3) - 6e-6) < 1e-14)
        // Past both ends: proportional in each axis from the last corner (8 × 8 → 16 µs × 2 × 2).
        #expect(abs(surface.seconds(row: 8, column: 8) - 64e-6) < 1e-14)
        #expect(abs(surface.seconds(row: 0.5, column: 1) - 1e-6) < 1e-15)
        // A prompt's length grows its prefill attention as its square: 8 columns → 16 µs × 2 (rows) × 2² (columns).
        let prefill = LogLogSurface(rows: [1, 4], columns: [1, 4], seconds: [1e-6, 4e-6, 4e-6, 16e-6], columnGrowth: 2)
        #expect(abs(prefill.seconds(row: 8, column: 8) - 128e-6) < 1e-13)
    }

    @Test func gemmCurveInterpolatesEachRowCountsPlane() throws {
        let text = """
            # two row counts, 2 × 2 shapes
            gpu test
            peak_tflops 1
            hbm_gb_per_s 1
            table gemm dtype=bfloat16 kernel=k measured=8 filled=0
            axis m 1 2
            axis n 1 4
            axis k 1 4
            1 4
            4 16
            2 8
            8 32
            end
            """
        let tables = try KernelTables.load(text: text, file: "t.kernels", name: "t")
        let curve = try #require(tables.gemms["bfloat16"]).curve(inputs: 2, outputs: 2)
        // At m = 1 the plane is n × k µs: 4 µs at n = k = 2. At m = 2 it is twice that.
        #expect(abs(curve.seconds(at: 1) - 4e-6) < 1e-15)
        #expect(abs(curve.seconds(at: 2) - 8e-6) < 1e-15)
        #expect(tables.peakFlopsPerSecond == 1e12 && tables.hbmBytesPerSecond == 1e9)
    }

    @Test(arguments: [
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable gemm dtype=bfloat16\naxis m 1\naxis n 1\naxis k 1 2\n5\nend\n",
         "t.kernels: line 7: expected 2 latencies, found 1"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable gemm dtype=bfloat16\naxis m 1\naxis n 1\naxis k 1\n-5\nend\n",
         "t.kernels: line 7: expected a positive latency in µs, found \"-5\""),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=bfloat16\n",
         "t.kernels: line 3: unknown table \"moe\" (known: gemm, context_attention, generation_attention)"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable gemm dtype=bfloat16\naxis m 2 1\n",
         "t.kernels: line 4: expected positive sizes in increasing order"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable gemm dtype=bfloat16\naxis m 1\naxis n 1\naxis k 1\n5\n",
         "t.kernels: line 8: expected `end` after the table's rows"),
        ("hbm_gb_per_s 1\n", "t.kernels: no peak_tflops line"),
        ("peak_tflops 1\nhbm_gb_per_s 1\n", "t.kernels: no gemm table for dtype bfloat16"),
        ("peak_tflops 0\n", "t.kernels: line 1: expected `peak_tflops <positive number>`"),
    ])
    func badTableFilesAreOneMessageNamingTheLine(text: String, message: String) {
        #expect(throws: ConfigError.self) { try KernelTables.load(text: text, file: "t.kernels", name: "t") }
        do {
            _ = try KernelTables.load(text: text, file: "t.kernels", name: "t")
        } catch {
            #expect(String(describing: error) == message)
        }
    }

    @Test func everyShippedTableFileReads() throws {
        let folder = Repository.path("Configs/kernels")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".kernels") }.sorted()
        #expect(names == ["a100-sxm.kernels", "h100-sxm.kernels", "h200-sxm.kernels", "l40s.kernels",
                          "rtx-pro-6000-server.kernels"])
        for name in names {
            let tables = try KernelTableCache.shared.tables(named: String(name.dropLast(8)), in: [folder], file: "test", key: "k")
            #expect(!tables.generationAttention.isEmpty && !tables.contextAttention.isEmpty)
        }
    }

    @Test func anUnknownTableNameSuggestsTheNearest() {
        #expect(throws: ConfigError(file: "hw.yaml", key: "gpu.kernels",
                                    "unknown kernel tables \"h100-sx\" (did you mean \"h100-sxm\"? known: a100-sxm, h100-sxm, h200-sxm, l40s, rtx-pro-6000-server)")) {
            try KernelTableCache.shared.tables(named: "h100-sx", in: [Repository.path("Configs/kernels")], file: "hw.yaml", key: "gpu.kernels")
        }
    }
}
