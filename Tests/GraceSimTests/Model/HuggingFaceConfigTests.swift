import GraceSimTestSupport
import Testing
@testable import GraceSim

/// facebook/opt-13b config.json, with the keys the simulator ignores left in.
let opt13bConfigJSON = """
{
  "_name_or_path": "facebook/opt-13b",
  "_remove_final_layer_norm": false,
  "activation_dropout": 0.0,
  "activation_function": "relu",
  "architectures": ["OPTForCausalLM"],
  "attention_dropout": 0.0,
  "bos_token_id": 2,
  "do_layer_norm_before": true,
  "dropout": 0.1,
  "eos_token_id": 2,
  "ffn_dim": 20480,
  "hidden_size": 5120,
  "init_std": 0.02,
  "layerdrop": 0.0,
  "max_position_embeddings": 2048,
  "model_type": "opt",
  "num_attention_heads": 40,
  "num_hidden_layers": 40,
  "output_projection": true,
  "pad_token_id": 1,
  "prefix": "</s>",
  "torch_dtype": "float16",
  "transformers_version": "4.21.0.dev0",
  "use_cache": true,
  "vocab_size": 50272,
  "word_embed_proj_dim": 5120
}
"""

/// meta-llama/Meta-Llama-3-8B config.json.
let llama3_8bConfigJSON = """
{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "hidden_act": "silu",
  "hidden_size": 4096,
  "initializer_range": 0.02,
  "intermediate_size": 14336,
  "max_position_embeddings": 8192,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "pretraining_tp": 1,
  "rms_norm_eps": 1e-05,
  "rope_scaling": null,
  "rope_theta": 500000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.40.0.dev0",
  "use_cache": true,
  "vocab_size": 128256
}
"""

/// A Qwen2.5-7B-style config.json (no `attention_bias` key: Qwen2 always has QKV biases).
let qwen25_7bConfigJSON = """
{
  "architectures": ["Qwen2ForCausalLM"],
  "hidden_act": "silu",
  "hidden_size": 3584,
  "intermediate_size": 18944,
  "max_position_embeddings": 32768,
  "max_window_layers": 28,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 28,
  "num_key_value_heads": 4,
  "rope_theta": 1000000.0,
  "sliding_window": 131072,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "use_sliding_window": false,
  "vocab_size": 152064
}
"""

@Suite("Hugging Face config.json")
struct HuggingFaceConfigTests {
    func spec(_ json: String, name: String) throws -> ModelSpec {
        try ModelSpec.fromHuggingFaceConfig(try ConfigNode.parse(json, file: "\(name)/config.json"), name: name)
    }

    static let fixtures = ["opt-13b": opt13bConfigJSON, "llama-3-8b": llama3_8bConfigJSON, "qwen2.5-7b": qwen25_7bConfigJSON]

    @Test(arguments: ["opt-13b", "llama-3-8b", "qwen2.5-7b"])
    func configGivesThePresetSpec(name: String) throws {
        let json = try #require(Self.fixtures[name])
        let preset = try Repository.catalog.model(named: name, file: "test", key: "model")
        #expect(try spec(json, name: name) == preset)
    }

    @Test func missingKeyValueHeadsAndHeadDimTakeDefaults() throws {
        let json = llama3_8bConfigJSON.replacingOccurrences(of: "\"num_key_value_heads\": 8,", with: "")
        let loaded = try spec(json, name: "x")
        #expect(loaded.kvHeads == 32)
        #expect(loaded.headDim == 128)
    }

    @Test func explicitHeadDimIsUsed() throws {
        let json = llama3_8bConfigJSON.replacingOccurrences(of: "\"hidden_act\"", with: "\"head_dim\": 64, \"hidden_act\"")
        #expect(try spec(json, name: "x").headDim == 64)
    }

    @Test func unknownModelTypeIsAnError() throws {
        let json = llama3_8bConfigJSON.replacingOccurrences(of: "\"llama\"", with: "\"gpt2\"")
        let error = try #require(configError { _ = try spec(json, name: "x") })
        #expect(error.file == "x/config.json")
        #expect(error.key == "model_type")
        #expect(error.description.contains("gpt2"))
        #expect(error.description.contains("gpt_oss, llama, llama4, mistral, mixtral, opt, qwen2, qwen3, qwen3_moe"))
    }

    @Test func optWithEmbeddingProjectionIsAnError() throws {
        let json = opt13bConfigJSON.replacingOccurrences(of: "\"word_embed_proj_dim\": 5120", with: "\"word_embed_proj_dim\": 512")
        let error = try #require(configError { _ = try spec(json, name: "opt") })
        #expect(error.key == "word_embed_proj_dim")
        #expect(error.description.hasPrefix("opt/config.json: word_embed_proj_dim: "))
    }

    @Test func missingRequiredKeyIsNamed() throws {
        let json = opt13bConfigJSON.replacingOccurrences(of: "\"ffn_dim\": 20480,", with: "")
        let error = try #require(configError { _ = try spec(json, name: "opt") })
        #expect(error.description == "opt/config.json: ffn_dim: is required but missing")
    }

    @Test func kvHeadsThatDoNotDivideHeadsAreAnError() throws {
        let json = llama3_8bConfigJSON.replacingOccurrences(of: "\"num_key_value_heads\": 8", with: "\"num_key_value_heads\": 5")
        let error = try #require(configError { _ = try spec(json, name: "x") })
        #expect(error.key == "num_key_value_heads")
    }

    @Test func modelFileCanPointAtAConfig() throws {
        let folder = try ScratchFolder().url.path
        try write(llama3_8bConfigJSON, to: "hf/llama3/config.json", in: folder)
        let yaml = try write("""
            name: my-llama
            source: "meta-llama/Meta-Llama-3-8B config.json [D]"
            huggingface_config: hf/llama3/config.json
            """, to: "my-llama.yaml", in: folder)
        let loaded = try ModelSpec.load(from: try ConfigNode.load(path: yaml))
        var expected = try Repository.catalog.model(named: "llama-3-8b", file: "test", key: "model")
        expected.name = "my-llama"
        #expect(loaded == expected)

        let viaCatalog = try Repository.catalog.model(named: "\(folder)/hf/llama3/config.json", file: "e.yaml", key: "model")
        #expect(viaCatalog.name == "llama3")
        #expect(viaCatalog.kvBytesPerToken == expected.kvBytesPerToken)
    }

    @Test func missingReferencedConfigNamesTheKey() throws {
        let folder = try ScratchFolder().url.path
        let yaml = try write("name: m\nhuggingface_config: nowhere/config.json\n", to: "m.yaml", in: folder)
        let error = try #require(configError { _ = try ModelSpec.load(from: try ConfigNode.load(path: yaml)) })
        #expect(error.file == yaml)
        #expect(error.key == "huggingface_config")
    }

    @Test func referencingFileRejectsShapeKeys() throws {
        let folder = try ScratchFolder().url.path
        try write(llama3_8bConfigJSON, to: "config.json", in: folder)
        let yaml = try write("name: m\nhuggingface_config: config.json\nlayers: 3\n", to: "m.yaml", in: folder)
        let error = try #require(configError { _ = try ModelSpec.load(from: try ConfigNode.load(path: yaml)) })
        #expect(error.key == "layers")
        #expect(error.message.hasPrefix("unknown key"))
    }
}
