import GraceSimTestSupport
import Testing
@testable import GraceSim

@Suite("Model file errors")
struct ModelLoadingErrorTests {
    static let valid = """
        name: tiny
        family: llama
        layers: 2
        hidden_size: 64
        attention_heads: 4
        kv_heads: 2
        head_dim: 16
        ffn_size: 128
        vocab_size: 100
        mlp: gated
        max_context_tokens: 256
        tied_embeddings: false
        """

    func load(_ text: String) throws -> ModelSpec {
        try ModelSpec.load(from: try ConfigNode.parse(text, file: "models/tiny.yaml"))
    }

    func error(_ text: String) throws -> ConfigError {
        try #require(configError { _ = try load(text) })
    }

    @Test func validFileLoadsWithDefaults() throws {
        let spec = try load(Self.valid)
        #expect(spec == ModelSpec(name: "tiny", family: .llama, layers: 2, hiddenSize: 64, attentionHeads: 4, kvHeads: 2,
                                  headDim: 16, ffnSize: 128, vocabSize: 100, mlp: .gated, maxContextTokens: 256,
                                  tiedEmbeddings: false, attentionBias: false, bytesPerElement: 2))
    }

    @Test func missingKey() throws {
        let e = try error(Self.valid.replacingOccurrences(of: "layers: 2\n", with: ""))
        #expect(e.description == "models/tiny.yaml: layers: is required but missing")
    }

    @Test func wrongType() throws {
        let e = try error(Self.valid.replacingOccurrences(of: "layers: 2", with: "layers: two"))
        #expect(e.file == "models/tiny.yaml")
        #expect(e.key == "layers")
        #expect(e.message.contains("expected an integer"))
    }

    @Test func nonPositiveSize() throws {
        let e = try error(Self.valid.replacingOccurrences(of: "ffn_size: 128", with: "ffn_size: 0"))
        #expect(e.key == "ffn_size")
    }

    @Test func unknownKey() throws {
        let e = try error(Self.valid + "\nlayer_count: 3")
        #expect(e.key == "layer_count")
        #expect(e.description.hasPrefix("models/tiny.yaml: layer_count: unknown key"))
    }

    @Test func headsNotDivisibleByKVHeads() throws {
        let e = try error(Self.valid.replacingOccurrences(of: "kv_heads: 2", with: "kv_heads: 3"))
        #expect(e.file == "models/tiny.yaml")
        #expect(e.key == "kv_heads")
        #expect(e.message.contains("multiple"))
    }

    @Test func unknownFamilyAndMLP() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "family: llama", with: "family: gpt")).key == "family")
        #expect(try error(Self.valid.replacingOccurrences(of: "mlp: gated", with: "mlp: swiglu")).key == "mlp")
    }

    @Test func optNeedsHeadsTimesHeadDimToBeHidden() throws {
        let text = Self.valid.replacingOccurrences(of: "family: llama", with: "family: opt")
            .replacingOccurrences(of: "head_dim: 16", with: "head_dim: 8")
            .replacingOccurrences(of: "kv_heads: 2", with: "kv_heads: 4")
        #expect(try error(text).key == "head_dim")
    }

    @Test func badBytesPerElement() throws {
        #expect(try error(Self.valid + "\nbytes_per_element: 3").key == "bytes_per_element")
    }

    @Test func headDimDefaultsToHiddenOverHeads() throws {
        let spec = try load(Self.valid.replacingOccurrences(of: "head_dim: 16\n", with: ""))
        #expect(spec.headDim == 16)
    }
}
