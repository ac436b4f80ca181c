import Foundation
import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Quantized weights, an fp8 KV cache and mixture-of-experts models: bytes against values worked out by hand,
/// `config.json` reading, the instance keys and their errors, and the directions of the time model.
@Suite struct PrecisionAndExpertsTests {
    // MARK: - Bytes, by hand

    /// Llama-3.1-70B in fp8 per tensor. Per layer: the matrices' 855,638,016 weights at one byte, an fp32 weight and
    /// input scale for each of the 4 matrices (32 bytes), two bf16 RMSNorm scales (2 × 8192 × 2 bytes) = 855,670,816
    /// bytes; × 80 layers = 68,453,665,280. Outside the layers, in bf16: embedding and LM head (2 × 128256 × 8192)
    /// and the final norm (8192) = 2,101,354,496 parameters = 4,202,708,992 bytes. Total 72,656,374,272 bytes.
    @Test func llama70BFP8Bytes() {
        let model = TestExperiments.model("llama-3.1-70b-fp8")
        #expect(model.quantization == Quantization(method: .fp8))
        #expect(model.linearParametersPerLayer == 855_638_016)
        #expect(model.weightBytesPerLayer == 855_670_816)
        #expect(model.nonLayerWeightBytes == 4_202_708_992)
        #expect(model.totalWeightBytes == 72_656_374_272)
        // KV is the model's dtype unless the instance says fp8: 80 layers × 2 × 8 heads × 128 × 2 bytes, then half.
        #expect(model.kvBytesPerToken == 327_680)
        var fp8KV = model
        fp8KV.kvCacheDtype = .fp8
        #expect(fp8KV.kvBytesPerToken == 163_840)
        #expect(fp8KV.totalWeightBytes == model.totalWeightBytes)
    }

    /// gpt-oss-120b: 36 layers; attention in bf16 (QKV 2880 × 5120 and output 4096 × 2880 = 26,542,080 weights,
    /// 53,084,160 bytes; two norms and the QKV biases, 10,880 parameters = 21,760 bytes). Each of 128 experts: gate+up
    /// 2880 × 5760 and down 2880 × 2880 in MXFP4 (half a byte per weight and one byte per 32: 8,812,800 + 4,406,400
    /// bytes) and bf16 biases (5760 + 2880 = 8640, 17,280 bytes); the bf16 router 2880 × 128 (737,280 bytes).
    /// Per layer 1,748,112,640 bytes; × 36 = 62,932,055,040; embedding, LM head and final norm in bf16
    /// 2,316,539,520. Total 65,248,594,560 bytes and 116,829,046,080 parameters (the model card's 116.83 B).
    @Test func gptOSS120BBytes() throws {
        let model = TestExperiments.model("gpt-oss-120b")
        let moe = try #require(model.moe)
        #expect((moe.experts, moe.expertsPerToken, moe.expertFFNSize, moe.moeLayers) == (128, 4, 2880, 36))
        #expect(model.quantization == Quantization(method: .mxfp4, scope: .experts))
        #expect(model.moeMLPBytesPerLayer == 737_280 + 128 * (8_812_800 + 4_406_400 + 17_280))
        #expect(model.layerWeightBytes == 62_932_055_040)
        #expect(model.weightBytesPerLayer == 1_748_112_640)
        #expect(model.totalWeightBytes == 65_248_594_560)
        #expect(model.totalParameters == 116_829_046_080)
        #expect(model.kvBytesPerToken == 36 * 2 * 512 * 2)
    }

    /// One 4096 × 4096 matrix in each format, scales by hand.
    @Test func matrixBytesPerFormat() {
        func bytes(_ q: Quantization) -> Int64 { q.matrixBytes(inputs: 4096, outputs: 4096, elementBytes: 2) }
        let weights: Int64 = 4096 * 4096
        #expect(bytes(.none) == 2 * weights)
        #expect(bytes(Quantization(method: .fp8)) == weights + 8)
        #expect(bytes(Quantization(method: .fp8, blockSize: 128)) == weights + 4 * 32 * 32)
        #expect(bytes(Quantization(method: .int8)) == weights + 4 * 4096)
        // 32 groups of 128 inputs × 4096 outputs, each a 2-byte scale and a 4-bit zero.
        #expect(bytes(Quantization(method: .awq, groupSize: 128)) == weights / 2 + 32 * 4096 * 5 / 2)
        #expect(bytes(Quantization(method: .mxfp4)) == weights / 2 + weights / 32)
        #expect(bytes(Quantization(method: .nvfp4)) == weights / 2 + weights / 16 + 8)
    }

    // MARK: - Routing

    /// Uniform routing, by hand: one token hits exactly k experts; two tokens over 8 experts with k = 2 miss each
    /// expert with probability (3/4)², so 8 × (1 − 9/16) = 3.5 are hit; many tokens hit them all.
    @Test func expectedActiveExpertsUniform() {
        let moe = MixtureOfExperts(experts: 8, expertsPerToken: 2, expertFFNSize: 16, moeLayers: 1)
        #expect(abs(moe.expectedActiveExperts(tokens: 1) - 2) < 1e-12)
        #expect(abs(moe.expectedActiveExperts(tokens: 2) - 3.5) < 1e-12)
        #expect(abs(moe.expectedActiveExperts(tokens: 10_000) - 8) < 1e-9)
        #expect(moe.expectedActiveExperts(tokens: 0) == 0)
    }

    /// A skewed router concentrates tokens on fewer experts than a uniform one, and still hits k with one token.
    @Test func powerLawRoutingHitsFewerExperts() {
        var moe = MixtureOfExperts(experts: 128, expertsPerToken: 8, expertFFNSize: 768, moeLayers: 1)
        let uniform = moe.expectedActiveExperts(tokens: 16)
        moe.routing = .powerLaw(1.2)
        let skewed = moe.expectedActiveExperts(tokens: 16)
        #expect(skewed < uniform)
        #expect(moe.expectedActiveExperts(tokens: 1) <= 8 + 1e-9)
        #expect(moe.pickProbabilities().allSatisfy { $0 > 0 && $0 <= 1 })
    }

    // MARK: - config.json

    static func huggingFace(_ json: String) throws -> ModelSpec {
        try ModelSpec.fromHuggingFaceConfig(try ConfigNode.parse(json, file: "config.json"), name: "m")
    }

    @Test func mixtralConfig() throws {
        let model = try Self.huggingFace("""
        {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_attention_heads": 32,
         "num_key_value_heads": 8, "num_hidden_layers": 32, "num_local_experts": 8, "num_experts_per_tok": 2,
         "vocab_size": 32000, "max_position_embeddings": 32768, "tie_word_embeddings": false}
        """)
        #expect(model == TestExperiments.model("mixtral-8x7b").renamed("m"))
    }

    /// Qwen3-MoE's `mlp_only_layers` and `decoder_sparse_step` decide which layers have experts.
    @Test func qwen3MoEDenseLayers() throws {
        let model = try Self.huggingFace("""
        {"model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144, "moe_intermediate_size": 768,
         "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "num_hidden_layers": 8,
         "num_experts": 128, "num_experts_per_tok": 8, "decoder_sparse_step": 2, "mlp_only_layers": [3],
         "vocab_size": 151936, "max_position_embeddings": 40960}
        """)
        // Layers 1, 3, 5 and 7 have (i + 1) even; layer 3 is listed as dense.
        #expect(model.moe?.moeLayers == 3)
        #expect(model.denseLayers == 5)
        #expect(model.layerParameters == 8 * (model.attentionParametersPerLayer + model.smallParametersPerLayer)
                + 5 * 3 * 2048 * 6144 + 3 * model.moeMLPParametersPerLayer)
    }

    /// gpt-oss: MXFP4 experts, with attention kept in bf16 by `modules_to_not_convert`.
    @Test func gptOSSConfigWithItsQuantization() throws {
        let model = try Self.huggingFace("""
        {"model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880, "head_dim": 64,
         "num_attention_heads": 64, "num_key_value_heads": 8, "num_hidden_layers": 36, "num_local_experts": 128,
         "experts_per_token": 4, "vocab_size": 201088, "max_position_embeddings": 131072, "attention_bias": true,
         "tie_word_embeddings": false,
         "quantization_config": {"quant_method": "mxfp4",
           "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}}
        """)
        #expect(model.totalWeightBytes == TestExperiments.model("gpt-oss-120b").totalWeightBytes)
    }

    /// Llama-4 keeps its shape under `text_config`: 16 experts and a shared one; dense layers' MLP is `intermediate_size_mlp`.
    @Test func llama4TextConfig() throws {
        let model = try Self.huggingFace("""
        {"model_type": "llama4", "text_config": {"model_type": "llama4_text", "hidden_size": 5120,
         "intermediate_size": 8192, "intermediate_size_mlp": 16384, "num_attention_heads": 40, "num_key_value_heads": 8,
         "head_dim": 128, "num_hidden_layers": 48, "num_local_experts": 16, "num_experts_per_tok": 1,
         "interleave_moe_layer_step": 2, "vocab_size": 202048, "max_position_embeddings": 10485760}}
        """)
        let moe = try #require(model.moe)
        #expect((moe.experts, moe.sharedExperts, moe.sharedExpertFFNSize, moe.moeLayers) == (16, 1, 8192, 24))
        #expect(model.ffnSize == 16384)
    }

    /// quantization_config, as vLLM reads each method.
    @Test(arguments: [
        (#"{"quant_method": "fp8", "weight_block_size": [128, 128]}"#, Quantization(method: .fp8, blockSize: 128)),
        (#"{"quant_method": "fp8"}"#, Quantization(method: .fp8)),
        (#"{"quant_method": "modelopt", "quant_algo": "FP8"}"#, Quantization(method: .fp8)),
        (#"{"quant_method": "modelopt", "quantization": {"quant_algo": "NVFP4"}}"#, Quantization(method: .nvfp4)),
        (#"{"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": true}"#, Quantization(method: .awq, groupSize: 128)),
        (#"{"quant_method": "gptq", "bits": 4, "group_size": 64, "desc_act": false}"#, Quantization(method: .gptq, groupSize: 64)),
        (#"{"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": {"num_bits": 8, "type": "float", "strategy": "channel"}}}}"#,
         Quantization(method: .fp8)),
        (#"{"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": {"num_bits": 8, "type": "int"}}}}"#,
         Quantization(method: .int8)),
        (#"{"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": {"num_bits": 4, "type": "int", "group_size": 128}}}}"#,
         Quantization(method: .gptq, groupSize: 128)),
    ])
    func quantizationConfig(json: String, expected: Quantization) throws {
        #expect(try Quantization.fromHuggingFace(try ConfigNode.parse(json, file: "config.json")) == expected)
    }

    // MARK: - Instance keys and their errors

    static func instance(_ keys: String, model: String = "llama-3.1-8b", hardware: String = "x86-h100-sxm-pcie5") throws -> Experiment {
        try TestExperiments.experiment("""
        name: t
        hardware: \(hardware)
        instances:
          - model: \(model)
            gpu_memory_utilization: 0.9
        \(keys.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
        """)
    }

    static func message(_ keys: String, model: String = "llama-3.1-8b", hardware: String = "x86-h100-sxm-pcie5") -> String {
        do {
            _ = try instance(keys, model: model, hardware: hardware)
            return "loaded"
        } catch {
            return "\(error)"
        }
    }

    @Test func instanceKeysSetTheStorage() throws {
        let experiment = try Self.instance("dtype: bfloat16\nquantization: fp8\nweight_block_size: [128, 128]\nkv_cache_dtype: fp8")
        let model = experiment.instances[0].model
        #expect(model.quantization == Quantization(method: .fp8, blockSize: 128))
        #expect(model.kvCacheDtype == .fp8)
        #expect(experiment.warnings.isEmpty)
        let routed = try Self.instance("expert_routing: {power_law: 1.2}", model: "qwen3-30b-a3b", hardware: "gh200-144gb")
        #expect(routed.instances[0].model.moe?.routing == .powerLaw(1.2))
    }

    @Test(arguments: [
        ("quantization: int3", "instances.0.quantization: expected one of vLLM's quantization methods"),
        ("quantization: awq", "instances.0.group_size: is required with awq"),
        ("quantization: fp8\ngroup_size: 128", "instances.0.group_size: applies to awq and gptq only"),
        ("group_size: 128", "instances.0.group_size: needs `quantization` beside it"),
        ("dtype: float32", "instances.0.dtype: float32 serving is not modelled"),
        ("dtype: int8", "instances.0.dtype: expected one of auto, bfloat16"),
        ("kv_cache_dtype: int4", "instances.0.kv_cache_dtype: expected one of auto"),
        ("expert_routing: uniform", "instances.0.expert_routing: applies to mixture-of-experts models; llama-3.1-8b is dense"),
        ("quantization: fp8\nweight_block_size: [128, 64]", "instances.0.weight_block_size: expected a positive block size"),
    ])
    func badStorageKeys(keys: String, expected: String) {
        let message = Self.message(keys)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func badRoutingOnAnMoEModel() {
        let message = Self.message("expert_routing: {power_law: 0}", model: "qwen3-30b-a3b", hardware: "gh200-144gb")
        #expect(message.contains("instances.0.expert_routing.power_law: expected a number from 0.001 to 10"), "\(message)")
    }

    /// The A100's tables have no fp8 GEMMs: fp8 weights run weight-only there, said in one warning line.
    @Test func fp8WithoutFP8TensorCoresFallsBackWithAWarning() throws {
        let experiment = try Self.instance("quantization: fp8", hardware: "x86-a100-pcie4")
        #expect(experiment.warnings.count == 1)
        #expect(experiment.warnings.first?.message.contains("weight-only (W8A16)") == true)
        #expect(GEMMPrecision.resolve(Quantization(method: .fp8), on: TestExperiments.hardware("x86-a100-pcie4").gpu).computeRatio == 1)
        #expect(GEMMPrecision.resolve(Quantization(method: .fp8), on: TestExperiments.hardware("x86-h100-sxm-pcie5").gpu)
                == GEMMPrecision(computeRatio: 2, tableDtype: "fp8", fallbackNote: nil))
    }

    /// A KV dtype the attention tables never measured for the head size is refused.
    @Test func fp8KVWithoutTablesIsRefused() throws {
        let tables = try #require(TestExperiments.hardware("x86-a100-pcie4").gpu.kernelTables)
        let measured = tables.generationAttention.keys.contains { $0.kvDtype == "fp8" && $0.headDim == 128 }
        let message = Self.message("kv_cache_dtype: fp8", hardware: "x86-a100-pcie4")
        if measured {
            #expect(message == "loaded")
        } else {
            #expect(message.contains("instances.0.kv_cache_dtype: the a100-sxm kernel tables measured no fp8 KV-cache attention"), "\(message)")
        }
        #expect(Self.message("kv_cache_dtype: fp8") == "loaded")
    }

    // MARK: - Time, in directions

    static func step(_ model: ModelSpec, hardware: String = "x86-h100-sxm-pcie5", _ shape: BatchShape) -> Double {
        IterationTimeModel(model: model, gpu: TestExperiments.hardware(hardware).gpu, engineOverhead: .none).computeSeconds(of: shape)
    }

    static func decode(_ sequences: Int, context: Int = 1024) -> BatchShape {
        BatchShape(decodeSequences: sequences, decodeContextTokens: sequences * context, sampledSequences: sequences)
    }

    static let prefill = BatchShape(prefillTokens: 8192, prefillSequences: 4, prefillAttentionPairs: 4 * 2048.0 * 2049 / 2,
                                    sampledSequences: 4)

    /// fp8 halves the weight reads of a decode step and doubles the tensor-core rate of a long prefill; AWQ int4
    /// reads a quarter of the weights but multiplies at 16 bits, so it gains in decode and not in prefill.
    @Test func quantizationSpeedsUpWhereItShould() {
        let bf16 = TestExperiments.model("llama-3.1-8b")
        let fp8 = TestExperiments.model("llama-3.1-8b-fp8")
        var awq = bf16
        awq.quantization = Quantization(method: .awq, groupSize: 128)
        for hardware in ["x86-h100-sxm-pcie5", "gh200-96gb", "x86-rtx4090-pcie4"] {
            #expect(Self.step(fp8, hardware: hardware, Self.decode(1)) < Self.step(bf16, hardware: hardware, Self.decode(1)), "\(hardware)")
            #expect(Self.step(fp8, hardware: hardware, Self.prefill) < 0.8 * Self.step(bf16, hardware: hardware, Self.prefill), "\(hardware)")
            #expect(Self.step(awq, hardware: hardware, Self.decode(1)) < Self.step(fp8, hardware: hardware, Self.decode(1)), "\(hardware)")
            #expect(Self.step(awq, hardware: hardware, Self.prefill) > 0.9 * Self.step(bf16, hardware: hardware, Self.prefill), "\(hardware)")
        }
    }

    /// An fp8 KV cache makes long-context decode attention cheaper (the tables measured it on the H100).
    @Test func fp8KVCacheSpeedsUpLongDecode() {
        let bf16 = TestExperiments.model("llama-3.1-8b")
        var fp8 = bf16
        fp8.kvCacheDtype = .fp8
        #expect(Self.step(fp8, Self.decode(64, context: 16384)) < Self.step(bf16, Self.decode(64, context: 16384)))
    }

    /// Where the tables measured the layer, the routed experts are NVIDIA's measured fused-MoE latency: Qwen3-30B-A3B's
    /// layer on the H100 at 1,024 tokens is 0.528752 ms (parquet row 2425); at that many tokens every expert is active
    /// under uniform routing as under the table's balanced one, so the roofline ratio is 1. At one token both routings
    /// pick k experts. A GPU without the layer in its tables (the RTX 4090) falls back to the roofline.
    @Test func moeLayerUsesTheMeasuredKernel() throws {
        let model = TestExperiments.model("qwen3-30b-a3b")
        let h100 = TestExperiments.hardware("x86-h100-sxm-pcie5").gpu
        let experts = RoutedExperts(model: model, moe: try #require(model.moe), precision: .sixteenBit, tables: h100.kernelTables)
        #expect(experts.measured != nil)
        let seconds = experts.seconds(tokens: 1024, gpu: h100, efficiency: .fitted, activationBytes: 2)
        #expect(abs(seconds / 0.528752e-3 - 1) < 1e-3, "\(seconds)")
        #expect(abs(experts.seconds(tokens: 1, gpu: h100, efficiency: .fitted, activationBytes: 2) / 0.04907e-3 - 1) < 1e-3)
        let roofline = RoutedExperts(model: model, moe: try #require(model.moe), precision: .sixteenBit, tables: nil)
        #expect(roofline.measured == nil)
    }

    /// A decode step of an MoE model reads the experts its tokens chose: one sequence costs less than all of the
    /// experts' bytes at full bandwidth, and a large batch, which touches every expert, costs more than that.
    @Test func moeDecodeReadsTheChosenExperts() {
        let model = TestExperiments.model("qwen3-30b-a3b")
        let gpu = TestExperiments.hardware("x86-h100-sxm-pcie5").gpu
        let allExperts = Double(model.layerWeightBytes) / gpu.hbmBytesPerSecond
        #expect(Self.step(model, Self.decode(1)) < 0.5 * allExperts)
        #expect(Self.step(model, Self.decode(256)) > allExperts)
        #expect(Self.step(model, Self.decode(1)) < Self.step(model, Self.decode(8)))
    }
}

extension ModelSpec {
    /// The same model under another name.
    func renamed(_ name: String) -> ModelSpec {
        var copy = self
        copy.name = name
        return copy
    }
}
