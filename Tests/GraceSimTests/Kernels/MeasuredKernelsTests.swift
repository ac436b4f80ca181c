import Foundation
import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The numbers of one table of `Configs/kernels/<gpu>.kernels`, read here by hand (not by the loader under test).
private struct RawTable {
    var axes: [[Double]]
    /// Latencies in µs, row-major over the axes.
    var values: [Double]

    init(gpu: String, header: String) throws {
        let text = try String(contentsOfFile: Repository.path("Configs/kernels/\(gpu).kernels"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        var index = try #require(lines.firstIndex { $0.hasPrefix(header + " ") })
        axes = []
        index += 1
        while lines[index].hasPrefix("axis ") {
            axes.append(lines[index].split(separator: " ").dropFirst(2).map { Double($0)! })
            index += 1
        }
        values = []
        while lines[index] != "end" {
            values += lines[index].split(separator: " ").map { Double($0)! }
            index += 1
        }
    }

    /// The value at grid sizes `point`, in seconds; every size must be on the grid.
    func seconds(at point: [Double]) -> Double {
        var flat = 0
        for (axis, size) in zip(axes, point) {
            flat = flat * axis.count + axis.firstIndex(of: size)!
        }
        return values[flat] * 1e-6
    }

    /// A GEMM table's latency at (m, n, k) with m on the grid and n, k anywhere inside it: bilinear in log n and
    /// log k between the four neighbouring grid points, in log latency.
    func gemmSeconds(m: Double, n: Double, k: Double) -> Double {
        func bracket(_ axis: [Double], _ x: Double) -> (Int, Double) {
            if let exact = axis.firstIndex(of: x) { return (min(exact, axis.count - 2), exact == axis.count - 1 ? 1 : 0) }
            let i = axis.lastIndex { $0 < x }!
            return (i, log(x / axis[i]) / log(axis[i + 1] / axis[i]))
        }
        let (i, s) = bracket(axes[1], n), (j, t) = bracket(axes[2], k)
        func logAt(_ a: Int, _ b: Int) -> Double { log(seconds(at: [m, axes[1][a], axes[2][b]])) }
        let low = logAt(i, j) + t * (logAt(i, j + 1) - logAt(i, j))
        let high = logAt(i + 1, j) + t * (logAt(i + 1, j + 1) - logAt(i + 1, j))
        return exp(low + s * (high - low))
    }
}

/// Passes timed from the measured tables, worked out from the table files by hand.
@Suite struct MeasuredKernelsTests {
    static let tables = { () -> KernelTables in
        try! KernelTableCache.shared.tables(named: "h100-sxm", in: [Repository.path("Configs/kernels")], file: "test", key: "")
    }()
    static let h100 = { () -> GPUSpec in
        var gpu = TimeModelFixtures.h100SXM
        gpu.kernelTables = tables
        return gpu
    }()
    let model = TimeModelFixtures.llama2_7B

    /// Llama-2-7B's four GEMMs at `tokens` rows, from the raw table: QKV 4096 → 12288 and the output projection
    /// 4096 → 4096 are on the grid; gate+up 4096 → 22016 and down 11008 → 4096 are interpolated by hand.
    private func layerGEMMs(tokens: Double) throws -> Double {
        let gemm = try RawTable(gpu: "h100-sxm", header: "table gemm dtype=bfloat16")
        return gemm.seconds(at: [tokens, 12288, 4096]) + gemm.seconds(at: [tokens, 4096, 4096])
            + gemm.gemmSeconds(m: tokens, n: 22016, k: 4096) + gemm.gemmSeconds(m: tokens, n: 4096, k: 11008)
    }

    @Test(arguments: [1, 32, 128])
    func decodeStepIsTheSumOfItsLookups(batch: Int) throws {
        let time = IterationTimeModel(model: model, gpu: Self.h100, engineOverhead: .none)
        let shape = BatchShape.decode(sequences: batch, contextTokens: 1024)
        // Decode attention: Llama-2-7B has 32 KV heads; the tables stop at 8, so it is 4 × the sequences of the
        // 8-head table, on the grid at 1,024 tokens of context.
        let attention = try RawTable(gpu: "h100-sxm", header: "table generation_attention head_dim=128 heads=8 kv_heads=8 kv=bfloat16")
            .seconds(at: [Double(4 * batch), 1024])
        let gemms = try layerGEMMs(tokens: Double(batch))
        let breakdown = time.layerBreakdown(of: shape)
        #expect(abs(breakdown.linearSeconds - gemms) < 1e-12)
        // The KV-cache write stays on the roofline: 2 × n × 16 KiB at η_e, plus one kernel's fixed cost.
        let efficiency = ComputeEfficiency.fitted
        let kvWrite = 2 * Double(batch) * 16384 / (3.35e12 * efficiency.elementwiseMemoryFraction) + efficiency.elementwiseFixedSeconds
        #expect(abs(breakdown.attentionSeconds - (kvWrite + attention)) < 1e-12)
        // LM head 4096 → 32000 over the sampled rows, interpolated in the table.
        let lmHead = try RawTable(gpu: "h100-sxm", header: "table gemm dtype=bfloat16").gemmSeconds(m: Double(batch), n: 32000, k: 4096)
        let embeddingAndNorm = 2 * (Double(batch) * 2 * 4096 * 2 / (3.35e12 * efficiency.elementwiseMemoryFraction) + efficiency.elementwiseFixedSeconds)
        let expected = 32 * breakdown.totalSeconds + lmHead + embeddingAndNorm
        #expect(abs(time.computeSeconds(of: shape) - expected) < 1e-12)
        print(String(format: "Llama-2-7B decode on H100, batch %d at 1,024 context: %.3f ms (GEMMs %.1f µs, attention %.1f µs per layer)",
                     batch, expected * 1e3, gemms * 1e6, attention * 1e6))
    }

    @Test func prefillOf2048TokensIsTheSumOfItsLookups() throws {
        let time = IterationTimeModel(model: model, gpu: Self.h100, engineOverhead: .none)
        let shape = BatchShape.prefill(tokens: 2048)
        // One sequence of 2,048 tokens: the MHA table (32 heads, 32 KV heads) has it on the grid.
        let attention = try RawTable(gpu: "h100-sxm", header: "table context_attention head_dim=128 heads=32 kv_heads=32 kv=bfloat16")
            .seconds(at: [1, 2048])
        let breakdown = time.layerBreakdown(of: shape)
        #expect(abs(breakdown.linearSeconds - (try layerGEMMs(tokens: 2048))) < 1e-12)
        let efficiency = ComputeEfficiency.fitted
        let kvWrite = 2 * 2048 * 16384 / (3.35e12 * efficiency.elementwiseMemoryFraction) + efficiency.elementwiseFixedSeconds
        #expect(abs(breakdown.attentionSeconds - (kvWrite + attention)) < 1e-12)
    }

    @Test func aGPUWithoutTablesScalesEachKernelByItsRooflineRatio() {
        var gh200 = TimeModelFixtures.gh200
        gh200.kernelTables = Self.tables
        let here = MeasuredKernels(tables: Self.tables, model: model, gpu: gh200)
        let there = MeasuredKernels(tables: Self.tables, model: model, gpu: Self.h100)
        // One token: every GEMM is memory-bound, so it speeds up by the bandwidth ratio 3.35 / 4.0.
        #expect(abs(here.layerGEMMSeconds(tokens: 1) / there.layerGEMMSeconds(tokens: 1) - 3.35 / 4.0) < 1e-12)
        // 4,096 tokens: every GEMM is compute-bound on both, and the compute peaks are equal.
        #expect(abs(here.layerGEMMSeconds(tokens: 4096) / there.layerGEMMSeconds(tokens: 4096) - 1) < 1e-12)
        // Decode attention reads KV: memory-bound.
        let ratio = here.decodeAttentionSeconds(sequences: 32, contextPerSequence: 1024)!
            / there.decodeAttentionSeconds(sequences: 32, contextPerSequence: 1024)!
        #expect(abs(ratio - 3.35 / 4.0) < 1e-12)
    }

    @Test func queryHeadsBetweenTwoTablesAreInterpolatedLinearly() throws {
        // Qwen2.5-7B: 28 query heads over 4 KV heads; the tables have 24 and 32 over 4.
        let qwen = ModelSpec(name: "qwen", family: .llama, layers: 28, hiddenSize: 3584, attentionHeads: 28, kvHeads: 4,
                             headDim: 128, ffnSize: 18944, vocabSize: 152064, mlp: .gated, maxContextTokens: 32768,
                             tiedEmbeddings: false)
        let kernels = MeasuredKernels(tables: Self.tables, model: qwen, gpu: Self.h100)
        let low = try RawTable(gpu: "h100-sxm", header: "table generation_attention head_dim=128 heads=24 kv_heads=4 kv=bfloat16")
        let high = try RawTable(gpu: "h100-sxm", header: "table generation_attention head_dim=128 heads=32 kv_heads=4 kv=bfloat16")
        let expected = (low.seconds(at: [16, 2048]) + high.seconds(at: [16, 2048])) / 2
        let found = try #require(kernels.decodeAttentionSeconds(sequences: 16, contextPerSequence: 2048))
        #expect(abs(found - expected) / expected < 1e-12)
    }

    @Test func aHeadSizeWithoutTablesLeavesAttentionToTheRoofline() {
        var odd = model
        odd.headDim = 96
        let kernels = MeasuredKernels(tables: Self.tables, model: odd, gpu: Self.h100)
        #expect(!kernels.attentionCovered)
        #expect(kernels.decodeAttentionSeconds(sequences: 1, contextPerSequence: 100) == nil)
    }

    @Test func cudaGraphsCaptureWhatEachEngineCaptures() {
        let decodes = BatchShape.decode(sequences: 200, contextTokens: 100)
        let bigDecodes = BatchShape.decode(sequences: 300, contextTokens: 100)
        let mixed = BatchShape(prefillTokens: 200, prefillAttentionPairs: 100, decodeSequences: 100,
                               decodeContextTokens: 10_000, sampledSequences: 100)
        #expect(CUDAGraphCapture.vllmV0.captures(decodes))
        #expect(!CUDAGraphCapture.vllmV0.captures(bigDecodes))
        #expect(!CUDAGraphCapture.vllmV0.captures(mixed))
        #expect(CUDAGraphCapture.vllmV1.captures(bigDecodes) && CUDAGraphCapture.vllmV1.captures(mixed))
        #expect(!CUDAGraphCapture.vllmV1.captures(BatchShape.prefill(tokens: 513)))
        #expect(!CUDAGraphCapture.none.captures(decodes))
    }

    @Test func aStepOutsideAGraphTakesAtLeastTheCPUsLaunchTimePerKernel() {
        // A tiny model whose kernels are far shorter than a launch: eager, each layer costs its 11 kernels' launches
        // (4 GEMMs, 5 elementwise, the KV write, decode attention).
        let tiny = ModelSpec(name: "tiny", family: .llama, layers: 2, hiddenSize: 64, attentionHeads: 1, kvHeads: 1,
                             headDim: 64, ffnSize: 128, vocabSize: 100, mlp: .gated, maxContextTokens: 1024,
                             tiedEmbeddings: false)
        let eager = EngineOverhead(perIteration: .zero, perSequence: .zero, cudaGraphs: .none)
        let graphs = EngineOverhead(perIteration: .zero, perSequence: .zero, cudaGraphs: .all)
        let shape = BatchShape.decode(sequences: 1, contextTokens: 10)
        let a = IterationTimeModel(model: tiny, gpu: Self.h100, engineOverhead: eager).computeSeconds(of: shape)
        let b = IterationTimeModel(model: tiny, gpu: Self.h100, engineOverhead: graphs)
        let layer = b.layerComputeSeconds(of: shape)
        #expect(layer < 11 * EngineOverhead.eagerLaunchSeconds)
        #expect(abs(a - (b.computeSeconds(of: shape) + 2 * (11 * EngineOverhead.eagerLaunchSeconds - layer))) < 1e-12)
    }
}
