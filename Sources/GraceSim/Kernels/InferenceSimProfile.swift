import Foundation
import Yams

/// One of inference-sim's per-layer kernel profiles of a model on one H100 SXM (vLLM 0.14 kernels), as copied into
/// `Configs/calibration/inference-sim/` (see the `SOURCE.md` there). Latencies are µs per layer, the LM head's per
/// step; only the keys the calibration compares are read.
struct InferenceSimProfile: Decodable {
    /// A latency against tokens in the step.
    struct Curve: Decodable {
        var tokens: [Double]
        var latencyUs: [Double]
        enum CodingKeys: String, CodingKey { case tokens, latencyUs = "latency_us" }
    }

    /// Prefill attention: `latencyUs[i][j]` at `isl[i]` tokens per sequence and `batchSize[j]` sequences.
    struct Prefill: Decodable {
        var batchSize: [Double]
        var isl: [Double]
        var latencyUs: [[Double]]
        enum CodingKeys: String, CodingKey { case isl, batchSize = "batch_size", latencyUs = "latency_us" }
    }

    /// Decode attention: `latencyUs[i][j]` at `context[i]` tokens of context and `tokens[j]` sequences.
    struct Decode: Decodable {
        var tokens: [Double]
        var context: [Double]
        var latencyUs: [[Double]]
        enum CodingKeys: String, CodingKey { case tokens, context, latencyUs = "latency_us" }
    }

    var model: String
    var layers: Int
    var hiddenSize: Int
    var gemm: Curve
    var prefill: Prefill
    var decode: Decode
    var lmHead: Curve

    enum CodingKeys: String, CodingKey {
        case model, gemm, layers = "num_layers", hiddenSize = "hidden_dim", prefill = "context_attention"
        case decode = "generation_attention", lmHead = "logits_gemm"
    }

    /// The profile at `path`; a grid whose latencies do not match its axes is a ``ConfigError``.
    static func load(path: String) throws -> InferenceSimProfile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, key: "", "cannot read the profile")
        }
        let profile: InferenceSimProfile
        do {
            profile = try YAMLDecoder().decode(InferenceSimProfile.self, from: text)
        } catch {
            throw ConfigError(file: path, key: "", "not an inference-sim kernel profile: \(error)")
        }
        // Each grid's axis length and the lengths along it (a type-annotated literal: inferring this one took the
        // compiler most of a minute).
        let grids: [(key: String, expected: Int, counts: [Int])] = [
            ("gemm", profile.gemm.tokens.count, [profile.gemm.latencyUs.count]),
            ("logits_gemm", profile.lmHead.tokens.count, [profile.lmHead.latencyUs.count]),
            ("context_attention", profile.prefill.isl.count, [profile.prefill.latencyUs.count]),
            ("generation_attention", profile.decode.context.count, [profile.decode.latencyUs.count]),
            ("context_attention", profile.prefill.batchSize.count, profile.prefill.latencyUs.map(\.count)),
            ("generation_attention", profile.decode.tokens.count, profile.decode.latencyUs.map(\.count)),
        ]
        for (key, expected, counts) in grids where counts.contains(where: { $0 != expected }) {
            throw ConfigError(file: path, key: key, "expected \(expected) latencies along each axis")
        }
        return profile
    }

    /// Where a profile's model shape comes from.
    enum Shape {
        case preset(String)
        case spec(ModelSpec)
    }

    /// A profile the calibration compares: the model's name on the page, the file from the repository root, and
    /// its shape.
    struct Case {
        var name: String
        var file: String
        var shape: Shape

        func model(_ catalog: PresetCatalog) throws -> ModelSpec {
            switch shape {
            case .preset(let name): return try catalog.model(named: name, file: file, key: "model")
            case .spec(let spec): return spec
            }
        }
    }

    /// Mistral-NeMo 12B (`mistralai/Mistral-Nemo-Instruct-2407` config.json) [D]; not in the catalog.
    static let mistralNemo12B = ModelSpec(
        name: "mistral-nemo-12b", family: .llama, layers: 40, hiddenSize: 5120, attentionHeads: 32, kvHeads: 8,
        headDim: 128, ffnSize: 14336, vocabSize: 131072, mlp: .gated, maxContextTokens: 131072, tiedEmbeddings: false)

    static let folder = "Configs/calibration/inference-sim/"
    static let cases = [
        Case(name: "Llama-2-7B", file: folder + "20260217-155451-llama-2-7b-tp1-codegen.yaml", shape: .preset("llama-2-7b")),
        Case(name: "Qwen2.5-7B-Instruct", file: folder + "64-qwen2-5-7b-instruct-tp1-roleplay-1-1.yaml",
             shape: .preset("qwen2.5-7b")),
        Case(name: "Mistral-Nemo-12B", file: folder + "63-mistral-nemo-12b-tp1-codegen-1-1.yaml",
             shape: .spec(mistralNemo12B)),
    ]
}

/// Both time models against one kernel of one of inference-sim's profiles.
public struct InferenceSimRow: Sendable, Equatable {
    /// The model's name: `Llama-2-7B`.
    public var model: String
    /// `GEMMs of a layer`, `decode attention`, `prefill attention` or `LM head`.
    public var kernel: String
    /// With the H100 tables.
    public var tables: ErrorSummary
    /// By the roofline alone.
    public var roofline: ErrorSummary
}

extension KernelCalibration {
    /// Prefill attention of more tokens than this in one step (sequences × prompt tokens) is reported apart: the
    /// tables' values there are mostly the extractor's proportional fills (``PrefillPhysicsRow``).
    public static let prefillTokensLimit = 16384

    /// `model`'s kernels with the H100 `tables` and by the roofline against `profile`, one row per kernel.
    static func inferenceSimComparison(_ profile: InferenceSimProfile, name: String, model: ModelSpec,
                                       tables: KernelTables) -> [InferenceSimRow] {
        let measured = MeasuredKernels(tables: tables, model: model, gpu: gpu(tables, measured: true))
        let roofline = IterationTimeModel(model: model, gpu: gpu(tables, measured: false))
        var rows: [InferenceSimRow] = []
        func row(_ kernel: String, _ points: [(reference: Double, tables: Double?, roofline: Double, at: String)]) {
            var withTables = ErrorCollector(), byRoofline = ErrorCollector()
            for point in points {
                if let seconds = point.tables { withTables.add(model: seconds, reference: point.reference) { point.at } }
                byRoofline.add(model: point.roofline, reference: point.reference) { point.at }
            }
            rows.append(InferenceSimRow(model: name, kernel: kernel, tables: withTables.summary, roofline: byRoofline.summary))
        }
        row("GEMMs of a layer", zip(profile.gemm.tokens, profile.gemm.latencyUs).map { tokens, us in
            let gemms = model.linearShapesPerLayer.reduce(0.0) {
                $0 + roofline.rooflineGEMMSeconds(inputs: $1.inputs, outputs: $1.outputs, tokens: tokens)
            }
            return (us * 1e-6, measured.layerGEMMSeconds(tokens: tokens), gemms, "m=\(Int(tokens))")
        })
        row("decode attention", profile.decode.context.enumerated().flatMap { i, context in
            profile.decode.tokens.enumerated().map { j, sequences in
                (profile.decode.latencyUs[i][j] * 1e-6,
                 measured.decodeAttentionSeconds(sequences: sequences, contextPerSequence: context),
                 roofline.rooflineDecodeAttentionSeconds(sequences: sequences, contextTokens: sequences * context),
                 "\(Int(sequences)) × \(Int(context))")
            }
        })
        let prefill = profile.prefill.isl.enumerated().flatMap { i, length in
            profile.prefill.batchSize.enumerated().map { j, sequences in
                let pairs = sequences * length * (length + 1) / 2
                return (reference: profile.prefill.latencyUs[i][j] * 1e-6,
                        tables: measured.prefillAttentionSeconds(sequences: sequences, tokensPerSequence: length, pairs: pairs),
                        roofline: roofline.rooflinePrefillAttentionSeconds(tokens: sequences * length, pairs: pairs),
                        at: "\(Int(sequences)) × \(Int(length))", tokens: sequences * length)
            }
        }
        let small = Double(prefillTokensLimit)
        row("prefill attention, ≤ \(prefillTokensLimit) tokens",
            prefill.filter { $0.tokens <= small }.map { ($0.reference, $0.tables, $0.roofline, $0.at) })
        row("prefill attention, more tokens",
            prefill.filter { $0.tokens > small }.map { ($0.reference, $0.tables, $0.roofline, $0.at) })
        row("LM head", zip(profile.lmHead.tokens, profile.lmHead.latencyUs).map { tokens, us in
            (us * 1e-6, measured.lmHeadSeconds(sequences: tokens),
             roofline.rooflineGEMMSeconds(inputs: model.hiddenSize, outputs: model.vocabSize, tokens: tokens),
             "m=\(Int(tokens))")
        })
        return rows
    }
}
