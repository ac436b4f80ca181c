import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

/// Shapes and GPUs built here rather than read from the catalog, so the calibration check does not depend on it.
enum TimeModelFixtures {
    static let llama2_7B = ModelSpec(
        name: "llama-2-7b", family: .llama, layers: 32, hiddenSize: 4096, attentionHeads: 32, kvHeads: 32,
        headDim: 128, ffnSize: 11008, vocabSize: 32000, mlp: .gated, maxContextTokens: 4096, tiedEmbeddings: false)
    static let llama3_8B = ModelSpec(
        name: "llama-3-8b", family: .llama, layers: 32, hiddenSize: 4096, attentionHeads: 32, kvHeads: 8,
        headDim: 128, ffnSize: 14336, vocabSize: 128256, mlp: .gated, maxContextTokens: 8192, tiedEmbeddings: false)
    /// H100 SXM: 80 GB HBM3 at 3.35 TB/s, 989 TFLOP/s dense BF16, 132 SMs [D].
    static let h100SXM = GPUSpec(hbmBytes: 85_520_809_984, hbmBytesPerSecond: 3.35e12, peakFlopsPerSecond: 989e12,
                                 smCount: 132)
    /// GH200 96 GB: H100 die with HBM3 at 4.0 TB/s [D].
    static let gh200 = GPUSpec(hbmBytes: 102_005_473_280, hbmBytesPerSecond: 4.0e12, peakFlopsPerSecond: 989e12,
                               smCount: 132)
}

/// One TP = 1 row of the calibration table: tokens and the per-layer sum of measured medians in milliseconds.
struct CalibrationRow {
    var tokens: Int
    var measuredMs: Double
    /// The elementwise ops alone (norms, RoPE, activation, residual add), milliseconds.
    var elementwiseMs: Double

    static let ops = ["input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
                      "mlp_up_proj", "mlp_act", "mlp_down_proj", "add"]

    static func load() throws -> [CalibrationRow] {
        let url = Repository.root.appendingPathComponent("Configs/calibration/h100-llama-2-7b-mlp.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        func column(_ name: String) -> Int { header.firstIndex(of: name)! }
        let medianColumns = ops.map { column("time_stats.\($0).median") }
        let tokensColumn = column("num_tokens")
        let tpColumn = column("num_tensor_parallel_workers")
        var rows: [CalibrationRow] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields[tpColumn] == "1" else { continue }
            let ms = medianColumns.map { Double(fields[$0])! }
            let elementwise = zip(ops, ms).filter { !$0.0.hasSuffix("_proj") }.map(\.1)
            rows.append(CalibrationRow(tokens: Int(fields[tokensColumn])!, measuredMs: ms.reduce(0, +),
                                       elementwiseMs: elementwise.reduce(0, +)))
        }
        return rows.sorted { $0.tokens < $1.tokens }
    }
}

@Suite struct IterationTimeModelTests {
    let h100 = IterationTimeModel(model: TimeModelFixtures.llama2_7B, gpu: TimeModelFixtures.h100SXM)

    /// The roofline against what its GEMM and attention constants are fitted to (`Scripts/fit_compute_efficiency.py`):
    /// NVIDIA's measured H100 kernel tables, looked up as `MeasuredKernels` looks them up. Llama-2-7B's and
    /// Llama-3-8B's four GEMMs at every m of the tables' grid up to 8,192; decode attention at realistic batches and
    /// contexts; prefill attention of steps up to 8,192 tokens.
    @Test func rooflineAgainstTheH100KernelTables() throws {
        let tables = MeasuredKernelsTests.tables
        let gemmRows = try #require(tables.gemms["bfloat16"]).logRows.map { exp($0).rounded() }.filter { $0 <= 8192 }
        var gemm = ErrorCollector(), decode = ErrorCollector(), prefill = ErrorCollector()
        for spec in [TimeModelFixtures.llama2_7B, TimeModelFixtures.llama3_8B] {
            let roofline = IterationTimeModel(model: spec, gpu: TimeModelFixtures.h100SXM)
            let measured = MeasuredKernels(tables: tables, model: spec, gpu: TimeModelFixtures.h100SXM)
            for (index, shape) in spec.linearShapesPerLayer.enumerated() {
                for m in gemmRows {
                    gemm.add(model: roofline.rooflineGEMMSeconds(inputs: shape.inputs, outputs: shape.outputs, tokens: m),
                             reference: measured.layerMatrices[index].curve.seconds(at: m)) { "\(spec.name) \(shape.inputs)→\(shape.outputs), m=\(Int(m))" }
                }
            }
            for sequences in [1.0, 4, 16, 64, 256] {
                for context in [256.0, 1024, 4096] {
                    let reference = try #require(measured.decodeAttentionSeconds(sequences: sequences, contextPerSequence: context))
                    decode.add(model: roofline.rooflineDecodeAttentionSeconds(sequences: sequences, contextTokens: sequences * context),
                               reference: reference) { "\(spec.name) decode \(Int(sequences)) × \(Int(context))" }
                }
            }
            for (sequences, length) in [(1.0, 512.0), (1, 2048), (1, 8192), (2, 1024), (2, 4096), (4, 512), (4, 2048)] {
                let pairs = sequences * length * (length + 1) / 2
                let reference = try #require(measured.prefillAttentionSeconds(sequences: sequences, tokensPerSequence: length,
                                                                               pairs: pairs))
                prefill.add(model: roofline.rooflinePrefillAttentionSeconds(tokens: sequences * length, pairs: pairs),
                            reference: reference) { "\(spec.name) prefill \(Int(sequences)) × \(Int(length))" }
            }
        }
        for (name, errors) in [("GEMMs", gemm.summary), ("decode attention", decode.summary), ("prefill attention", prefill.summary)] {
            print(String(format: "roofline vs H100 tables, %@: %d points, median |error| %.1f%%, bias %+.1f%%, p90 %.1f%%, worst %+.1f%% (%@)",
                         name, errors.count, errors.medianAbsolute * 100, errors.medianSigned * 100, errors.p90Absolute * 100,
                         errors.worst * 100, errors.worstAt))
        }
        #expect(gemm.summary.count == 2 * 4 * 72)
        #expect(gemm.summary.medianAbsolute <= 0.05 && abs(gemm.summary.medianSigned) <= 0.03)
        #expect(gemm.summary.p90Absolute <= 0.12)
        #expect(decode.summary.medianAbsolute <= 0.15 && abs(decode.summary.worst) <= 0.4)
        // Prefill attention of several short prompts runs at a far lower fraction of peak than one long one; the roofline
        // has one η_a and is too fast there (−50% at 4 × 512).
        #expect(prefill.summary.medianAbsolute <= 0.3 && abs(prefill.summary.worst) <= 0.6)
    }

    /// Vidur's H100 operator table, the source of the elementwise constants, printed beside the roofline: its GEMMs
    /// are fitted to the kernel tables, whose newer kernels are ≈ 15% faster than Vidur's (`docs/calibration.md`),
    /// so the layer runs ≈ 13% fast here. Asserted: the elementwise columns, which the roofline takes from this table.
    @Test func calibrationTable() throws {
        let rows = try CalibrationRow.load()
        #expect(rows.count == 261)
        var errors: [Double] = []
        print("tokens  measured ms  model ms  error %")
        for row in rows {
            let modelMs = h100.linearLayerSeconds(tokens: row.tokens) * 1e3
            let error = (modelMs - row.measuredMs) / row.measuredMs * 100
            errors.append(abs(error))
            print(String(format: "%6d  %11.4f  %8.4f  %+7.1f", row.tokens, row.measuredMs, modelMs, error))
        }
        let sorted = errors.sorted()
        let median = (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
        let worst = sorted.last!
        print(String(format: "rows %d  median |error| %.2f%%  worst %.2f%%", rows.count, median, worst))
        let fromFiveTwelve = errors.indices.filter { rows[$0].tokens >= 512 }.map { errors[$0] }.sorted()
        let medianFromFiveTwelve = (fromFiveTwelve[(fromFiveTwelve.count - 1) / 2] + fromFiveTwelve[fromFiveTwelve.count / 2]) / 2
        print(String(format: "rows of 512 tokens and more: median |error| %.2f%%", medianFromFiveTwelve))
        var elementwise: [Double] = []
        for row in rows {
            let modelMs = h100.layerBreakdown(of: .prefill(tokens: row.tokens)).elementwiseSeconds * 1e3
            elementwise.append(abs(modelMs / row.elementwiseMs - 1))
        }
        let elementwiseMedian = ErrorCollector.median(elementwise.sorted())
        print(String(format: "elementwise ops: median |error| %.2f%%", elementwiseMedian * 100))
        #expect(elementwiseMedian <= 0.1)
    }

    @Test func durationGrowsWithTokens() {
        var previous = SimTime.zero
        for tokens in [1, 16, 128, 512, 2048, 4096] {
            let t = h100.duration(of: .prefill(tokens: tokens))
            #expect(t > previous, "prefill of \(tokens) tokens")
            previous = t
        }
    }

    @Test func durationGrowsWithDecodeContext() {
        var previous = SimTime.zero
        for context in [16, 256, 1024, 4096] {
            let t = h100.duration(of: .decode(sequences: 32, contextTokens: context))
            #expect(t > previous, "decode context \(context)")
            previous = t
        }
    }

    @Test func durationGrowsWithSampledSequences() {
        let base = BatchShape(prefillTokens: 512, prefillAttentionPairs: 512 * 256.5)
        var previous = SimTime.zero
        for sampled in [0, 1, 4] {
            var batch = base
            batch.sampledSequences = sampled
            let t = h100.duration(of: batch)
            #expect(t > previous, "\(sampled) sampled")
            previous = t
        }
    }

    @Test func emptyBatchTakesNoTime() {
        #expect(h100.duration(of: BatchShape()) == .zero)
    }

    /// A decode step of one sequence reads every weight once: its GPU time is the weights over η_m of HBM
    /// bandwidth plus the fixed cost of each kernel, within a few percent (KV, activations and FLOPs are tiny).
    @Test func decodeOfOneIsWeightsBound() {
        let model = TimeModelFixtures.llama2_7B
        let gpu = TimeModelFixtures.h100SXM
        let eff = ComputeEfficiency.fitted
        let batch = BatchShape.decode(sequences: 1, contextTokens: 128)
        // Per layer: four GEMMs, five elementwise kernels and the KV write, decode attention. Outside the layers:
        // embedding and final norm (elementwise), the LM head (a GEMM).
        let layerFixed = 4 * eff.gemmFixedSeconds + 6 * eff.elementwiseFixedSeconds + eff.attentionFixedSeconds
        let fixed = Double(model.layers) * layerFixed + 2 * eff.elementwiseFixedSeconds + eff.gemmFixedSeconds
        let expected = Double(model.totalWeightBytes) / (gpu.hbmBytesPerSecond * eff.gemmMemoryFraction) + fixed
        let gpuSeconds = h100.computeSeconds(of: batch)
        #expect(abs(gpuSeconds / expected - 1) < 0.03, "\(gpuSeconds) vs \(expected)")
        let overhead = EngineOverhead.vllmV0.duration(sampledSequences: 1, gpuSeconds: gpuSeconds).seconds
        #expect(abs(h100.duration(of: batch).seconds / (expected + overhead) - 1) < 0.03)
    }

    /// A 4096-token prefill runs every matrix at its compute roofline: the linear time is the FLOPs over
    /// η_c(4096) of peak plus the fixed kernel costs.
    @Test func prefillOf4096IsComputeBound() {
        let model = TimeModelFixtures.llama2_7B
        let eff = ComputeEfficiency.fitted
        let n = 4096.0
        let computeSeconds = n * model.linearFlopsPerTokenPerLayer
            / (TimeModelFixtures.h100SXM.peakFlopsPerSecond * eff.computeFraction(tokens: n))
        let layer = h100.layerBreakdown(of: .prefill(tokens: 4096))
        #expect(abs(layer.linearSeconds - (computeSeconds + 4 * eff.gemmFixedSeconds)) < 1e-12)
        // Attention of a 4096-token prompt is a sizeable but smaller share than the matrices.
        #expect(layer.attentionSeconds > 0.1 * layer.linearSeconds)
        #expect(layer.attentionSeconds < layer.linearSeconds)
    }

    /// A tiny model on a round GPU, worked by hand (all in bytes, FLOPs and microseconds), with a different fixed
    /// cost for GEMMs (1 µs), attention (2 µs) and elementwise kernels (0.5 µs).
    @Test func handWorkedTinyDecode() {
        let tiny = ModelSpec(name: "tiny", family: .llama, layers: 2, hiddenSize: 8, attentionHeads: 2, kvHeads: 2,
                             headDim: 4, ffnSize: 16, vocabSize: 32, mlp: .gated, maxContextTokens: 64,
                             tiedEmbeddings: false)
        let gpu = GPUSpec(hbmBytes: 1 << 30, hbmBytesPerSecond: 1e9, peakFlopsPerSecond: 1e12, smCount: 1)
        let eff = ComputeEfficiency(computeFractionKnots: [.init(tokens: 1, fraction: 1)], gemmTileTokens: 0,
                                    gemmMemoryFraction: 1, gemmFixedSeconds: 1e-6,
                                    attentionComputeFraction: 1, attentionMemoryFraction: 0.8, attentionFixedSeconds: 2e-6,
                                    elementwiseMemoryFraction: 0.5, elementwiseFixedSeconds: 0.5e-6)
        let model = IterationTimeModel(model: tiny, gpu: gpu,
                                       engineOverhead: EngineOverhead(perIteration: SimTime(ns: 1000), perSequence: SimTime(ns: 100)),
                                       efficiency: eff)
        let batch = BatchShape.decode(sequences: 1, contextTokens: 10)
        // Matrices at n = 1, bytes = 2 × (weights + in + out), all memory-bound at 1 GB/s:
        // QKV 8×24: 448, O 8×8: 160, up 8×32: 592, down 16×8: 304 → 1504 B = 1.504 µs, + 4 GEMMs × 1 = 5.504 µs.
        // Elementwise per token: norms 2 × 32, RoPE 64, SiLU-and-mul 96, add 48 = 272 B at 0.5 GB/s = 0.544 µs,
        // + 5 kernels × 0.5 = 3.044 µs.
        // Attention: KV write 2 × 32 B at 0.5 GB/s = 0.128 µs + 0.5 = 0.628 µs; decode reads 10 × 32 B of KV + 32 B
        // of query and output = 352 B at 0.8 GB/s = 0.44 µs + 2 = 2.44 µs (its 320 FLOPs take 0.32 ns) → 3.068 µs.
        let layer = model.layerBreakdown(of: batch)
        #expect(abs(layer.linearSeconds - 5.504e-6) < 1e-12)
        #expect(abs(layer.elementwiseSeconds - 3.044e-6) < 1e-12)
        #expect(abs(layer.attentionSeconds - 3.068e-6) < 1e-12)
        // Two layers 23.232 µs; embedding and final norm 2 × (32 B at 0.5 GB/s + 0.5) = 1.128 µs;
        // LM head 8×32 at n = 1: 592 B + 1 = 1.592 µs. GPU total 25.952 µs; engine 1000 + 100 ns.
        #expect(abs(model.computeSeconds(of: batch) - 25.952e-6) < 1e-12)
        #expect(model.duration(of: batch) == SimTime(ns: 25_952 + 1_100))
    }

    /// Modelled iteration times of Llama-3-8B on the gh200-96gb preset (measured H100 kernels scaled to its HBM),
    /// printed for the docs.
    @Test func gh200Llama3Examples() {
        let model = IterationTimeModel(model: TimeModelFixtures.llama3_8B, gpu: TestExperiments.hardware("gh200-96gb").gpu)
        var previous = SimTime.zero
        for sequences in [1, 32, 128] {
            let batch = BatchShape.decode(sequences: sequences, contextTokens: 1024)
            let t = model.duration(of: batch)
            let gpu = model.computeSeconds(of: batch) * 1e3
            print(String(format: "GH200 Llama-3-8B decode batch %3d at 1k context: %.3f ms (GPU %.3f ms)",
                         sequences, t.milliseconds, gpu))
            #expect(t > previous)
            previous = t
        }
        let prefill = BatchShape.prefill(tokens: 2048)
        print(String(format: "GH200 Llama-3-8B prefill of 2048 tokens: %.3f ms (GPU %.3f ms)",
                     model.duration(of: prefill).milliseconds, model.computeSeconds(of: prefill) * 1e3))
        #expect(model.duration(of: prefill) > previous)
    }
}
