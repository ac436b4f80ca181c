import GraceSimTestSupport
import Testing

/// Guards `gracesim list`: every model and hardware preset in Configs, and the strategies, are listed.
@Suite struct ListCommandTests {
    static let models = ["llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3.1-8b", "llama-3-70b",
                         "mistral-7b-v0.1", "opt-6.7b", "opt-13b", "opt-30b", "qwen2.5-7b",
                         "llama-3.1-8b-fp8", "llama-3.1-70b", "llama-3.1-70b-fp8", "qwen3-32b", "qwen3-32b-fp8", "qwen3-30b-a3b",
                         "qwen3-30b-a3b-fp8",
                         "qwen3-235b-a22b-fp8", "gpt-oss-20b", "gpt-oss-120b", "mixtral-8x7b", "llama-4-scout"]
    static let hardware = ["dgx-h100", "dgx-h200", "gb200-nvl4", "gh200-nvl2", "x86-2x-rtxpro6000-pcie5", "gb200", "gh200-96gb", "gh200-96gb-measured", "gh200-144gb", "x86-a100-pcie4", "x86-h100-sxm-pcie5", "x86-h200-sxm-pcie5", "x86-rtx4090-pcie4",
                           "x86-rtxpro6000-pcie5"]

    /// The first column of each row under the header.
    private func names(_ result: GraceSimProcess.Result) -> [String] {
        result.stdoutText.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    @Test func listsEveryModel() async throws {
        let result = try await GraceSimProcess.run(["list", "models"])
        expectSuccess(result)
        #expect(names(result).sorted() == Self.models.sorted())
    }

    @Test func listsEveryHardwarePreset() async throws {
        let result = try await GraceSimProcess.run(["list", "hardware"])
        expectSuccess(result)
        #expect(names(result).sorted() == Self.hardware.sorted())
    }

    @Test func listsTheStrategies() async throws {
        let result = try await GraceSimProcess.run(["list", "strategies"])
        expectSuccess(result)
        #expect(names(result).contains("recompute"))
    }

    @Test func unknownSubjectIsAUsageError() async throws {
        let result = try await GraceSimProcess.run(["list", "bogus"])
        #expect(result.exited)
        #expect(result.status != 0)
        expectNoCrashText(result)
        #expect(result.stderrText.contains("models"))
    }
}
