import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Which rows of the silicon table gracesim can express, on hand-made rows: one expressible row, and one row failing
/// for each reason.
@Suite struct SiliconClassifierTests {
    static let classifier = SiliconClassifier(catalog: Repository.catalog)

    /// A bf16 Llama-3.1-8B-Instruct on one H100 (the catalog's llama-3.1-8b lists that hf_id), changed by `change`.
    static func row(_ change: (inout SiliconRow) -> Void = { _ in }) -> SiliconRow {
        var row = SiliconRow(id: "r", backendVersion: "0.12.0", modelPath: "meta-llama/Llama-3.1-8B-Instruct",
                             system: "h100_sxm", inputTokens: 1024, outputTokens: 128, concurrency: 8, ttftMs: 60,
                             tpotMs: 8)
        change(&row)
        return row
    }

    @Test func denseBF16OnOneH100IsExpressible() throws {
        let setup = try #require(Self.classifier.classify(Self.row()).setup)
        #expect(setup.hardwarePreset == "x86-h100-sxm-pcie5")
        #expect(setup.modelPreset == "llama-3.1-8b")
        #expect(setup.engineOverhead == "vllm-v1")
        #expect(setup.chunkedPrefill)
        #expect(setup.gpuMemoryUtilization == 0.9)
        // vLLM V1's defaults on a GPU of at least 70 GiB that is not an A100.
        #expect(setup.maxNumBatchedTokens == 8192)
        #expect(setup.maxNumSeqs == 1024)
        #expect((setup.concurrency, setup.inputTokens, setup.outputTokens) == (8, 1024, 128))
        #expect((setup.warmupRequests, setup.measuredRequests, setup.totalRequests) == (16, 160, 176))
        let yaml = setup.yaml(name: "r", requests: 160)
        for line in ["max_requests: 160", "arrivals: {kind: closed, clients: 8, think_time_s: 0}",
                     "lengths: {kind: fixed, prompt: 1024, output: 128, num_dataset_entries: 100, dataset_sampling_strategy: shuffle}",
                     "enable_chunked_prefill: true", "engine: vllm-v1"] {
            #expect(yaml.contains(line), "\(line) in \(yaml)")
        }
    }

    @Test func otherSpellingsOfSixteenBitWeightsAreExpressible() {
        for (precision, quant) in [("bf16", nil), (nil, "bfloat16"), ("fp16", nil), (nil, "float16")] as [(String?, String?)] {
            let row = Self.row { $0.precision = precision; $0.gemmQuantMode = quant }
            #expect(Self.classifier.classify(row).setup != nil, "\(String(describing: precision)) \(String(describing: quant))")
        }
    }

    @Test func moreClientsThanVLLMsDefaultRaiseMaxNumSeqs() throws {
        let setup = try #require(Self.classifier.classify(Self.row { $0.concurrency = 2000 }).setup)
        #expect(setup.maxNumSeqs == 2000)
    }

    @Test func modelIDsAreMatchedWithoutCase() {
        #expect(Self.classifier.modelPreset(for: "META-LLAMA/llama-3.1-8b-instruct") == "llama-3.1-8b")
        #expect(Self.classifier.modelPreset(for: "Qwen/Qwen3-32B") == "qwen3-32b")
        #expect(Self.classifier.modelPreset(for: "MiniMaxAI/MiniMax-M2.5") == nil)
    }

    /// A 16-bit preset with an fp8 row is quantized by vLLM at load: the instance says `quantization: fp8`, with
    /// 128 × 128 blocks for `fp8_block`; a preset of a quantized checkpoint keeps its own format whatever the label.
    @Test func quantizedRowsMapToTheInstancesQuantization() throws {
        let fp8 = try #require(Self.classifier.classify(Self.row { $0.precision = "fp8"; $0.gemmQuantMode = "fp8" }).setup)
        #expect(fp8.quantization == .online(method: "fp8", blockSize: nil))
        #expect(fp8.yaml(name: "r", requests: 1).contains("    quantization: fp8\n"))
        let block = try #require(Self.classifier.classify(Self.row { $0.gemmQuantMode = "fp8_block" }).setup)
        #expect(block.yaml(name: "r", requests: 1).contains("weight_block_size: [128, 128]"))
        let checkpoint = try #require(Self.classifier.classify(Self.row {
            $0.modelPath = "nvidia/Llama-3.1-8B-Instruct-FP8"; $0.gemmQuantMode = "fp8"
        }).setup)
        #expect(checkpoint.modelPreset == "llama-3.1-8b-fp8")
        #expect(checkpoint.quantization == .checkpoint)
        #expect(!checkpoint.yaml(name: "r", requests: 1).contains("quantization"))
        let gptOSS = try #require(Self.classifier.classify(Self.row {
            $0.modelPath = "openai/gpt-oss-120b"; $0.isMoE = true; $0.precision = "fp4"; $0.gemmQuantMode = "nvfp4"
            $0.system = "h200_sxm"
        }).setup)
        #expect(gptOSS.modelPreset == "gpt-oss-120b")
        #expect(gptOSS.quantization == .checkpoint)
    }

    /// One row per reason, each failing for that reason alone.
    @Test(arguments: [
        ("not in catalog", SiliconReason.modelNotInCatalog(model: "MiniMaxAI/MiniMax-M2.5")),
        ("int4 weights", .quantizedWeights(precision: "int4_wo")),
        ("tensor parallel", .tensorParallel(16)),
        ("pipeline parallel", .pipelineParallel(2)),
        ("attention data parallel", .attentionDataParallel(2)),
        ("expert parallel", .expertParallel(8)),
        ("no preset", .noHardwarePreset(system: "b200_sxm")),
    ])
    func eachReasonAlone(name: String, reason: SiliconReason) {
        let row = Self.row { row in
            switch name {
            case "not in catalog": row.modelPath = "MiniMaxAI/MiniMax-M2.5"
            case "int4 weights": row.precision = "int4"; row.gemmQuantMode = "int4_wo"
            case "tensor parallel": row.tensorParallel = 16
            case "pipeline parallel": row.pipelineParallel = 2
            case "attention data parallel": row.attentionDataParallel = 2
            case "expert parallel": row.moeExpertParallel = 8
            default: row.system = "b200_sxm"
            }
        }
        #expect(Self.classifier.classify(row).reasons == [reason])
    }

    /// Every reason that applies is listed, in order. Tensor parallelism is a reason only beyond the GPUs of the
    /// system's preset (8 on the H100 node); a system without a preset has no GPUs to count.
    @Test func everyReasonInOrder() {
        let row = Self.row {
            $0.modelPath = "MiniMaxAI/MiniMax-M2.5"; $0.isMoE = true; $0.precision = "fp4"; $0.gemmQuantMode = "nvfp4"
            $0.tensorParallel = 16; $0.attentionDataParallel = 4; $0.moeExpertParallel = 16
        }
        let reasons = Self.classifier.classify(row).reasons
        #expect(reasons == [.modelNotInCatalog(model: "MiniMaxAI/MiniMax-M2.5"), .tensorParallel(16),
                            .attentionDataParallel(4), .expertParallel(16)])
        #expect(reasons.map(\.description) == ["MiniMaxAI/MiniMax-M2.5 not in the model catalog", "tensor parallel 16",
                                               "attention data parallel 4", "expert parallel 16"])
        var elsewhere = row
        elsewhere.system = "b200_sxm"
        #expect(Self.classifier.classify(elsewhere).reasons == [.modelNotInCatalog(model: "MiniMaxAI/MiniMax-M2.5"),
                                                                 .attentionDataParallel(4), .expertParallel(16),
                                                                 .noHardwarePreset(system: "b200_sxm")])
    }

    /// Llama-2-70B in bf16 (140 GB of weights) does not fit one 80 GB H100: the experiment's own check says so.
    @Test func weightsThatDoNotFitAreAReason() throws {
        let verdict = Self.classifier.classify(Self.row { $0.modelPath = "meta-llama/Llama-2-70b-hf" })
        #expect(verdict.setup == nil)
        let reason = try #require(verdict.reasons.first)
        guard case .experimentDoesNotLoad = reason else {
            Issue.record("expected experimentDoesNotLoad, found \(reason)")
            return
        }
        #expect(verdict.reasons.count == 1)
    }

    @Test func vllmBatchDefaultsByGPU() {
        #expect(SiliconSetup.vllmDefaults(hardware: TestExperiments.hardware("x86-h100-sxm-pcie5")) == (8192, 1024))
        #expect(SiliconSetup.vllmDefaults(hardware: TestExperiments.hardware("x86-a100-pcie4")) == (2048, 256))
        #expect(SiliconSetup.vllmDefaults(hardware: TestExperiments.hardware("x86-rtx4090-pcie4")) == (2048, 256))
    }

    /// The committed table's rows of catalog models on H100 and H200 without attention-data parallelism are
    /// expressible, on one GPU or split over up to eight of a node, experts spread whole over the GPUs where the row's
    /// expert-parallel size is its tensor-parallel size: Llama-3.1-8B-FP8, Llama-3.1-70B in fp8, gpt-oss-120b,
    /// Qwen3-32B and, at TP 2 to 8, Qwen3-235B-A22B-FP8, whose 236 GB do not fit one H200. Every other row has a reason.
    @Test func theCommittedTablesRowsOfCatalogModelsAreExpressible() throws {
        let rows = try SiliconRow.load(path: Repository.path("Workloads/silicon/vllm-agg.csv"))
        let verdicts = rows.map(Self.classifier.classify)
        let expressible = Dictionary(grouping: zip(rows, verdicts).filter { $0.1.setup != nil }, by: { $0.0.modelPath })
            .mapValues(\.count)
        #expect(expressible == ["nvidia/Llama-3.1-8B-Instruct-FP8": 21, "meta-llama/Llama-3.1-70B": 105,
                                "openai/gpt-oss-120b": 144, "Qwen/Qwen3-32B": 93, "Qwen/Qwen3-235B-A22B-FP8": 38])
        #expect(verdicts.allSatisfy { $0.setup != nil || !$0.reasons.isEmpty })
        let big = zip(rows, verdicts).filter { $0.0.modelPath == "Qwen/Qwen3-235B-A22B-FP8" && $0.0.tensorParallel == 1 }
        #expect(!big.isEmpty && big.allSatisfy { if case .experimentDoesNotLoad = $0.1.reasons.first { true } else { false } })
    }
}
