import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Hugging Face model ids resolve to the presets that list them under `hf_id`; near misses are suggested.
@Suite struct HuggingFaceIdTests {
    @Test(arguments: [
        ("meta-llama/Llama-2-13b-hf", "llama-2-13b"),
        ("facebook/opt-13b", "opt-13b"),
        ("meta-llama/Meta-Llama-3-8B", "llama-3-8b"),
        ("mistralai/Mistral-7B-v0.1", "mistral-7b-v0.1"),
        ("Qwen/Qwen2.5-7B", "qwen2.5-7b"),
        ("qwen/qwen2.5-7b", "qwen2.5-7b"),
        ("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b"),
        ("mistralai/Mistral-7B-Instruct-v0.1", "mistral-7b-v0.1"),
    ])
    func idsResolveToPresets(id: String, preset: String) throws {
        let model = try Repository.catalog.model(named: id, file: "test.yaml", key: "instances.0.model")
        #expect(model.name == preset)
        #expect(model == (try Repository.catalog.model(named: preset, file: "test.yaml", key: "instances.0.model")))
    }

    @Test func everyPresetListsItsSourceId() throws {
        let ids = Repository.catalog.huggingFaceIds()
        for preset in try Repository.catalog.modelNames() {
            #expect(ids.contains { $0.preset == preset }, "\(preset) has no hf_id")
        }
        #expect(Set(ids.map { $0.id.lowercased() }).count == ids.count, "an id is listed twice")
    }

    @Test func aNearMissIdIsSuggested() {
        let error = configError { _ = try Repository.catalog.model(named: "meta-llama/Llama-2-13b", file: "test.yaml", key: "instances.0.model") }
        #expect(error?.key == "instances.0.model")
        #expect(error?.message.hasPrefix("no model file at \"meta-llama/Llama-2-13b\", and no preset in") == true)
        #expect(error?.message.contains("did you mean \"meta-llama/Llama-2-13b-hf\"?") == true)
        let preset = configError { _ = try Repository.catalog.model(named: "llama-3-8", file: "test.yaml", key: "instances.0.model") }
        #expect(preset?.message.hasPrefix("unknown model \"llama-3-8\" (did you mean \"llama-3-8b\"? known:") == true)
        let hardware = configError { _ = try Repository.catalog.hardware(named: "gh200-96", file: "test.yaml", key: "hardware") }
        #expect(hardware?.message.contains("did you mean \"gh200-96gb\"?") == true)
        let far = configError { _ = try Repository.catalog.model(named: "gpt-4", file: "test.yaml", key: "instances.0.model") }
        #expect(far?.message.hasPrefix("unknown model \"gpt-4\" (known:") == true)
    }

    @Test func aBadIdInAPresetIsOneLine() throws {
        let node = try ConfigNode.parse("{name: m, hf_id: [not an id], family: opt, layers: 2, hidden_size: 64, attention_heads: 2, ffn_size: 256, vocab_size: 100, max_context_tokens: 64}", file: "m.yaml")
        let error = configError { _ = try ModelSpec.load(from: node) }
        #expect(error?.description == "m.yaml: hf_id.0: expected a Hugging Face model id such as meta-llama/Llama-2-13b-hf, found \"not an id\"")
    }
}
