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
                     "lengths: {kind: fixed, prompt: 1024, output: 128}", "enable_chunked_prefill: true"] {
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
        #expect(Self.classifier.modelPreset(for: "Qwen/Qwen3-32B") == nil)
    }

    /// One row per reason, each failing for that reason alone.
    @Test(arguments: [
        ("MoE", SiliconReason.mixtureOfExperts),
        ("not in catalog", .modelNotInCatalog(model: "Qwen/Qwen3-32B")),
        ("fp8 weights", .quantizedWeights(precision: "fp8")),
        ("fp8 label", .quantizedWeights(precision: "fp8")),
        ("tensor parallel", .tensorParallel(4)),
        ("pipeline parallel", .pipelineParallel(2)),
        ("attention data parallel", .attentionDataParallel(2)),
        ("expert parallel", .expertParallel(8)),
        ("no preset", .noHardwarePreset(system: "h200_sxm")),
    ])
    func eachReasonAlone(name: String, reason: SiliconReason) {
        let row = Self.row { row in
            switch name {
            case "MoE": row.isMoE = true
            case "not in catalog": row.modelPath = "Qwen/Qwen3-32B"
            case "fp8 weights": row.precision = "fp8"; row.gemmQuantMode = "fp8"
            case "fp8 label": row.precision = "fp8"
            case "tensor parallel": row.tensorParallel = 4
            case "pipeline parallel": row.pipelineParallel = 2
            case "attention data parallel": row.attentionDataParallel = 2
            case "expert parallel": row.moeExpertParallel = 8
            default: row.system = "h200_sxm"
            }
        }
        #expect(Self.classifier.classify(row).reasons == [reason])
    }

    /// A MoE model is not also reported missing from the catalog; every other reason is listed, in order.
    @Test func everyReasonInOrder() {
        let row = Self.row {
            $0.modelPath = "MiniMaxAI/MiniMax-M2.5"; $0.isMoE = true; $0.precision = "fp4"; $0.gemmQuantMode = "nvfp4"
            $0.system = "b200_sxm"; $0.tensorParallel = 4; $0.attentionDataParallel = 4; $0.moeExpertParallel = 16
        }
        let reasons = Self.classifier.classify(row).reasons
        #expect(reasons == [.mixtureOfExperts, .quantizedWeights(precision: "nvfp4"), .tensorParallel(4),
                            .attentionDataParallel(4), .expertParallel(16), .noHardwarePreset(system: "b200_sxm")])
        #expect(reasons.map(\.description) == ["MoE model", "nvfp4 weights", "tensor parallel 4", "attention data parallel 4",
                                               "expert parallel 16", "no hardware preset for b200_sxm"])
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

    /// Nothing in the committed table is expressible today: every row is MoE, quantized, split over GPUs, on a GPU
    /// without a preset, or a model outside the catalog.
    @Test func theCommittedTableHasNoExpressibleRowYet() throws {
        let rows = try SiliconRow.load(path: Repository.path("Workloads/silicon/vllm-agg.csv"))
        let verdicts = rows.map(Self.classifier.classify)
        #expect(verdicts.allSatisfy { $0.setup == nil })
        #expect(verdicts.allSatisfy { !$0.reasons.isEmpty })
    }
}
