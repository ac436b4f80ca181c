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
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable mlp dtype=bfloat16\n",
         "t.kernels: line 3: unknown table \"mlp\" (known: gemm, context_attention, generation_attention, moe, allreduce)"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=bfloat16 hidden=8 inter=4 experts=2\n",
         "t.kernels: line 3: missing topk="),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "curve tp=1 ep=1 distribution=balanced\n5 6\ncurve tp=1 ep=1 distribution=balanced\n",
         "t.kernels: line 7: a second moe curve for fp8 hidden=8 inter=4 experts=2 topk=1 tp=1 ep=1 balanced"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "curve tp=1 ep=1 distribution=balanced\n5\n",
         "t.kernels: line 6: expected 2 latencies or `-`, found 1"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "curve tp=1 ep=1 distribution=balanced\n- -\n",
         "t.kernels: line 6: a moe curve without a single latency"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "curve tp=0 ep=1 distribution=balanced\n",
         "t.kernels: line 5: expected a positive integer for tp"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "5 6\nend\n",
         "t.kernels: line 5: expected `curve tp=… ep=… distribution=…` or `end`"),
        ("peak_tflops 1\nhbm_gb_per_s 1\ntable moe dtype=fp8 hidden=8 inter=4 experts=2 topk=1\naxis tokens 1 2\n"
            + "curve tp=1 ep=1 distribution=balanced\n5 x\n",
         "t.kernels: line 6: expected a positive latency in µs or `-`, found \"x\""),
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

    @Test func moeCurvesAreTheirMeasuredPointsUnderTheCurveLinesKeys() throws {
        let text = """
            gpu test
            peak_tflops 1
            hbm_gb_per_s 1
            table gemm dtype=bfloat16 kernel=k measured=1 filled=0
            axis m 1
            axis n 1
            axis k 1
            1
            end
            table moe dtype=bfloat16 hidden=2048 inter=768 experts=128 topk=8 kernel=k measured=7
            axis tokens 1 4 16
            curve tp=1 ep=1 distribution=balanced
            10 40 160
            curve tp=2 ep=1 distribution=balanced
            10 - 80
            curve tp=1 ep=4 distribution=power_law_1.2
            20 - -
            end
            """
        let tables = try KernelTables.load(text: text, file: "t.kernels", name: "t")
        #expect(tables.moe.count == 3)
        let single = try #require(tables.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128,
                                                  expertsPerToken: 8, distribution: "balanced"))
        // 10 µs at 1 token, 40 at 4, 160 at 16: 20 µs at 2 tokens, 10 below the first, 320 at twice the last.
        #expect(abs(single.seconds(at: 2) - 20e-6) < 1e-15)
        #expect(abs(single.seconds(at: 0.5) - 10e-6) < 1e-15)
        #expect(abs(single.seconds(at: 32) - 320e-6) < 1e-14)
        // The `-` at 4 tokens is left out, not filled: 10 µs at 1 and 80 at 16 give t = 10 µs × n^0.75, 20 µs at 2.52.
        let split = try #require(tables.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128,
                                                 expertsPerToken: 8, distribution: "balanced", tensorParallel: 2))
        #expect(split.logSizes.count == 2)
        #expect(abs(split.seconds(at: 4) - 10e-6 * pow(4, 0.75)) < 1e-14)
        // One measured point: that latency below it and in proportion above it.
        let one = try #require(tables.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128,
                                               expertsPerToken: 8, distribution: "power_law_1.2", expertParallel: 4))
        #expect(abs(one.seconds(at: 1) - 20e-6) < 1e-15 && abs(one.seconds(at: 3) - 60e-6) < 1e-14)
        // Any other field unmeasured: nil, never a neighbour's curve.
        #expect(tables.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128, expertsPerToken: 8,
                                distribution: "power_law_1.2") == nil)
        #expect(tables.moeCurve(dtype: "fp8", hiddenSize: 2048, interSize: 768, experts: 128, expertsPerToken: 8,
                                distribution: "balanced") == nil)
    }

    /// The shipped H100 file against the package's parquet: Qwen3-30B-A3B's MoE layer (hidden 2048, 768 per expert,
    /// 128 experts, top 8) in bfloat16.
    @Test func shippedH100MoECurvesHoldThePackagesRows() throws {
        let h100 = try KernelTableCache.shared.tables(named: "h100-sxm", in: [Repository.path("Configs/kernels")],
                                                      file: "test", key: "k")
        let qwen = try #require(h100.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768, experts: 128,
                                              expertsPerToken: 8, distribution: "balanced"))
        // systems/data/h100_sxm/moe/vllm/0.24.0/moe_perf.parquet row 2425: bfloat16, num_tokens 1024, hidden 2048,
        // inter 768, topk 8, 128 experts, tp 1, ep 1, balanced, latency 0.528752 ms (528.8 µs to 4 digits).
        #expect(abs(qwen.seconds(at: 1024) - 528.8e-6) < 1e-12)
        #expect(qwen.logSizes.count == 27)
        // Row 24648: the same layer at ep 8, power_law_1.2, 256 tokens: 0.103034 ms.
        let expertParallel = try #require(h100.moeCurve(dtype: "bfloat16", hiddenSize: 2048, interSize: 768,
                                                        experts: 128, expertsPerToken: 8,
                                                        distribution: "power_law_1.2", expertParallel: 8))
        #expect(abs(expertParallel.seconds(at: 256) - 103.0e-6) < 1e-12)
    }

    @Test func everyShippedTableFileReads() throws {
        let folder = Repository.path("Configs/kernels")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".kernels") }.sorted()
        #expect(names == ["a100-sxm.kernels", "gb200.kernels", "h100-sxm.kernels", "h200-sxm.kernels", "l40s.kernels",
                          "rtx-pro-6000-server.kernels"])
        for name in names {
            let tables = try KernelTableCache.shared.tables(named: String(name.dropLast(8)), in: [folder], file: "test", key: "k")
            #expect(!tables.generationAttention.isEmpty && !tables.contextAttention.isEmpty)
            // MoE tables are extracted for the GPUs gracesim models MoE on (Scripts/extract_kernel_tables.py MOE_GPUS).
            #expect(tables.moe.isEmpty == !["gb200", "h100-sxm", "h200-sxm"].contains(tables.name), "\(name)")
        }
    }

    /// The cache parses a table file once per process, and again once the file changes (its size here).
    @Test func theCacheReadsAChangedFileAgain() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        func write(peak: Int) throws {
            try folder.write("t.kernels", """
                peak_tflops \(peak)
                hbm_gb_per_s 3350
                table gemm dtype=bfloat16 kernel=k measured=1 filled=0
                axis m 1
                axis n 1
                axis k 1
                1
                end

                """)
        }
        func peak() throws -> Double {
            try KernelTableCache.shared.tables(named: "t", in: [folder.url.path], file: "test", key: "k").peakFlopsPerSecond
        }
        try write(peak: 989)
        let first = try KernelTableCache.shared.tables(named: "t", in: [folder.url.path], file: "test", key: "k")
        #expect(try KernelTableCache.shared.tables(named: "t", in: [folder.url.path], file: "test", key: "k") === first)
        #expect(try peak() == 989e12)
        try write(peak: 1979)
        #expect(try peak() == 1979e12)
    }

    @Test func anUnknownTableNameSuggestsTheNearest() {
        #expect(throws: ConfigError(file: "hw.yaml", key: "gpu.kernels",
                                    "unknown kernel tables \"h100-sx\" (did you mean \"h100-sxm\"? known: a100-sxm, gb200, h100-sxm, h200-sxm, l40s, rtx-pro-6000-server)")) {
            try KernelTableCache.shared.tables(named: "h100-sx", in: [Repository.path("Configs/kernels")], file: "hw.yaml", key: "gpu.kernels")
        }
    }

    /// The tables' own number reader gives the very Double that `Double(String)` gives: for every word of every
    /// shipped table, for random decimals of 1 to 19 digits with and without exponents, and for words it must refuse
    /// or leave to `Double(String)`.
    @Test func theNumberReaderAgreesWithDoubleBitForBit() throws {
        func check(_ word: String) {
            let bytes = Array(word.utf8)
            let ours = KernelTables.decimal(bytes, 0..<bytes.count), theirs = Double(word)
            #expect(ours?.bitPattern == theirs?.bitPattern, "\(word): \(String(describing: ours)) against \(String(describing: theirs))")
        }
        let folder = Repository.path("Configs/kernels")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where file.hasSuffix(".kernels") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            var words = Set<Substring>()
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                for word in line.split(separator: " ") where word.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) ?? false {
                    words.insert(word)
                }
            }
            #expect(words.count > 100, "\(file)")
            for word in words { check(String(word)) }
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<TestScale.scenarios(20_000) {
            let digits = String((0..<Int.random(in: 1...19, using: &random)).map { _ in "0123456789".randomElement(using: &random)! })
            let point = Int.random(in: 0...digits.count, using: &random)
            var word = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if Bool.random(using: &random) { word += "e\(Int.random(in: -30...30, using: &random))" }
            check(word)
            check("-" + word)
        }
        for word in ["1", "1.", ".5", "+2.5", "-0", "0", "9007199254740993", "12345678901234567890", "1e", "1e+", "e5",
                     ".", "-", "+", "1.2.3", "1e5x", "1e00005", "0x1p3", "inf", "nan", "1_000", " 1", "1 ", "١"] {
            check(word)
        }
    }
}
