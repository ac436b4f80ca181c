import GraceSimTestSupport
import Testing
@testable import GraceSim

/// One row of docs/sources.md, "Models": parameters in billions, weights in GB (10⁹ bytes), KV bytes per token.
struct ReferenceRow: Sendable, CustomStringConvertible {
    var preset: String
    var billionParameters: Double
    var weightGB: Double
    var kvBytesPerToken: Int64
    var description: String { preset }
}

let referenceTable: [ReferenceRow] = [
    .init(preset: "opt-6.7b", billionParameters: 6.66, weightGB: 13.3, kvBytesPerToken: 524_288),
    .init(preset: "opt-13b", billionParameters: 12.85, weightGB: 25.7, kvBytesPerToken: 819_200),
    .init(preset: "opt-30b", billionParameters: 29.97, weightGB: 59.9, kvBytesPerToken: 1_376_256),
    .init(preset: "llama-2-7b", billionParameters: 6.74, weightGB: 13.5, kvBytesPerToken: 524_288),
    .init(preset: "llama-2-13b", billionParameters: 13.02, weightGB: 26.0, kvBytesPerToken: 819_200),
    .init(preset: "llama-2-70b", billionParameters: 68.98, weightGB: 138.0, kvBytesPerToken: 327_680),
    .init(preset: "llama-3-8b", billionParameters: 8.03, weightGB: 16.1, kvBytesPerToken: 131_072),
    // Not in the table of docs/sources.md: Llama-3.1-8B's published config has Llama-3-8B's shape (the validation runs' model).
    .init(preset: "llama-3.1-8b", billionParameters: 8.03, weightGB: 16.1, kvBytesPerToken: 131_072),
    .init(preset: "llama-3-70b", billionParameters: 70.55, weightGB: 141.1, kvBytesPerToken: 327_680),
    .init(preset: "mistral-7b-v0.1", billionParameters: 7.24, weightGB: 14.5, kvBytesPerToken: 131_072),
    .init(preset: "qwen2.5-7b", billionParameters: 7.62, weightGB: 15.2, kvBytesPerToken: 57_344),
    // docs/sources.md, "Quantized and mixture-of-experts models".
    .init(preset: "llama-3.1-8b-fp8", billionParameters: 8.03, weightGB: 9.08, kvBytesPerToken: 131_072),
    .init(preset: "llama-3.1-70b", billionParameters: 70.55, weightGB: 141.1, kvBytesPerToken: 327_680),
    .init(preset: "llama-3.1-70b-fp8", billionParameters: 70.55, weightGB: 72.66, kvBytesPerToken: 327_680),
    .init(preset: "qwen3-32b", billionParameters: 32.76, weightGB: 65.5, kvBytesPerToken: 262_144),
    .init(preset: "qwen3-32b-fp8", billionParameters: 32.76, weightGB: 34.3, kvBytesPerToken: 262_144),
    .init(preset: "qwen3-30b-a3b", billionParameters: 30.53, weightGB: 61.1, kvBytesPerToken: 98_304),
    .init(preset: "qwen3-30b-a3b-fp8", billionParameters: 30.53, weightGB: 31.17, kvBytesPerToken: 98_304),
    .init(preset: "qwen3-235b-a22b-fp8", billionParameters: 235.09, weightGB: 236.4, kvBytesPerToken: 192_512),
    .init(preset: "gpt-oss-20b", billionParameters: 20.91, weightGB: 13.8, kvBytesPerToken: 49_152),
    .init(preset: "gpt-oss-120b", billionParameters: 116.83, weightGB: 65.2, kvBytesPerToken: 73_728),
    .init(preset: "mixtral-8x7b", billionParameters: 46.70, weightGB: 93.4, kvBytesPerToken: 131_072),
    .init(preset: "llama-4-scout", billionParameters: 107.77, weightGB: 215.5, kvBytesPerToken: 196_608),
]

@Suite("Model presets against the table in docs/sources.md and the validation model")
struct ModelPresetTests {
    @Test func catalogListsExactlyTheTableModels() throws {
        #expect(try Repository.catalog.modelNames() == referenceTable.map(\.preset).sorted())
    }

    @Test(arguments: referenceTable)
    func presetMatchesReferenceRow(_ row: ReferenceRow) throws {
        let spec = try Repository.catalog.model(named: row.preset, file: "test", key: "model")
        #expect(spec.name == row.preset)
        let billions = Double(spec.totalParameters) / 1e9
        #expect(abs(billions - row.billionParameters) / row.billionParameters < 0.005,
                "\(row.preset): \(billions) B parameters, table says \(row.billionParameters)")
        let gigabytes = Double(spec.totalWeightBytes) / 1e9
        #expect(abs(gigabytes - row.weightGB) / row.weightGB < 0.005,
                "\(row.preset): \(gigabytes) GB of weights, table says \(row.weightGB)")
        #expect(spec.kvBytesPerToken == row.kvBytesPerToken)
    }

    @Test func familiesDecideTiesAndMLP() throws {
        for name in try Repository.catalog.modelNames() {
            let spec = try Repository.catalog.model(named: name, file: "test", key: "model")
            #expect(spec.tiedEmbeddings == (spec.family == .opt), "\(name)")
            #expect(spec.mlp == (spec.family == .opt ? .twoMatrix : .gated), "\(name)")
            #expect(spec.bytesPerElement == 2, "\(name)")
            #expect(spec.attentionBias == (spec.family == .opt || name == "qwen2.5-7b" || name.hasPrefix("gpt-oss")), "\(name)")
        }
    }

    @Test func contextLengths() throws {
        let expected = ["opt-6.7b": 2048, "opt-13b": 2048, "opt-30b": 2048, "llama-2-7b": 4096,
                        "llama-2-13b": 4096, "llama-2-70b": 4096, "llama-3-8b": 8192, "llama-3-70b": 8192,
                        "mistral-7b-v0.1": 32768, "qwen2.5-7b": 32768]
        for (name, tokens) in expected {
            #expect(try Repository.catalog.model(named: name, file: "test", key: "model").maxContextTokens == tokens)
        }
    }

    /// docs/sources.md, "Models": one remapped layer frees ≈ 630 MB on OPT-13b (≈ 770 tokens of KV, ≈ 1.5 ms at
    /// 427 GB/s) and ≈ 436 MB on Llama-3-8B (≈ 3,300 tokens).
    @Test func remappingOneLayerFreesWhatTheReferenceSays() throws {
        let opt = try Repository.catalog.model(named: "opt-13b", file: "test", key: "model")
        let llama = try Repository.catalog.model(named: "llama-3-8b", file: "test", key: "model")
        #expect(abs(Double(opt.weightBytesPerLayer) / 1e6 - 630) < 2)
        #expect(abs(Double(llama.weightBytesPerLayer) / 1e6 - 436) < 1)
        let optTokens = Double(opt.weightBytesPerLayer) / Double(opt.kvBytesPerToken)
        let llamaTokens = Double(llama.weightBytesPerLayer) / Double(llama.kvBytesPerToken)
        #expect(abs(optTokens - 770) < 10)
        #expect(abs(llamaTokens - 3300) < 50)
        let loadMilliseconds = Double(opt.weightBytesPerLayer) / 427e9 * 1e3
        #expect(abs(loadMilliseconds - 1.5) < 0.05)
    }
}
