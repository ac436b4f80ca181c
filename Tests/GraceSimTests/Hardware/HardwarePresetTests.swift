import GraceSimTestSupport
import Foundation
import Testing
@testable import GraceSim

@Suite("Hardware presets")
struct HardwarePresetTests {
    /// The four of the design (GH200 96 and 144 GB, x86 with H100 or A100), the GH200 with measured link figures, the
    /// two GPUs of the validation runs, and one GPU of a GB200 superchip.
    @Test func catalogListsThePresets() throws {
        #expect(try Repository.catalog.hardwareNames() == ["dgx-h100", "dgx-h200", "gb200", "gb200-nvl4", "gh200-144gb", "gh200-96gb",
                                                          "gh200-96gb-measured", "gh200-nvl2", "x86-2x-rtxpro6000-pcie5", "x86-a100-pcie4",
                                                          "x86-h100-sxm-pcie5", "x86-h200-sxm-pcie5", "x86-rtx4090-pcie4", "x86-rtxpro6000-pcie5"])
    }

    /// The machines of several GPUs: their counts, what shares a CPU, their fabric, and whether their GPUs' tables
    /// measured all-reduces on it (each with 2-GPU curves graph and eager).
    @Test func multiGPUPresets() throws {
        let expected: [(String, Int, Int, String, Bool)] = [
            ("dgx-h100", 8, 8, "nvswitch", true), ("dgx-h200", 8, 8, "nvswitch", true), ("gh200-nvl2", 2, 1, "nvlink", false),
            ("gb200-nvl4", 4, 2, "nvlink", true), ("x86-2x-rtxpro6000-pcie5", 2, 2, "pcie5", false),
        ]
        for (name, gpus, perCPU, kind, measured) in expected {
            let spec = try Repository.catalog.hardware(named: name, file: "test", key: "hardware")
            #expect(spec.gpuCount == gpus && spec.gpusPerCPU == perCPU, "\(name)")
            let fabric = try #require(spec.fabric)
            #expect(fabric.kind == kind && fabric.measuredAllReduce == measured, "\(name)")
            if measured {
                let tables = try #require(spec.gpu.kernelTables)
                #expect(tables.allReduce[AllReduceKey(gpus: 2, captured: true)] != nil && tables.allReduce[AllReduceKey(gpus: 2, captured: false)] != nil)
            }
        }
        // Each GH200 of the pair is a gh200-144gb.
        let nvl2 = try Repository.catalog.hardware(named: "gh200-nvl2", file: "test", key: "hardware")
        let single = try Repository.catalog.hardware(named: "gh200-144gb", file: "test", key: "hardware")
        #expect(nvl2.gpu == single.gpu && nvl2.cpu == single.cpu && nvl2.link == single.link)
    }

    /// Configs/hardware/gb200.yaml: one Blackwell GPU with half a Grace and half its NVLink-C2C, timed by the tables
    /// measured on the same GPU, so no kernel is scaled (the tables' peaks are the preset's).
    @Test func gb200LoadsWithItsOwnMeasuredTables() throws {
        let gb200 = try Repository.catalog.hardware(named: "gb200", file: "test", key: "hardware")
        #expect(gb200.gpu.hbmBytes == 189_471 * 1_048_576)
        #expect(gb200.gpu.hbmBytesPerSecond == 8e12 && gb200.gpu.peakFlopsPerSecond == 2500e12)
        #expect(gb200.gpu.smCount == 152)
        #expect(gb200.cpu.cores == 36 && gb200.cpu.memoryBytes == 240_000_000_000 && gb200.cpu.memoryBytesPerSecond == 256e9)
        #expect(gb200.link.kind == "nvlink-c2c")
        #expect(gb200.link.hostToDeviceBytesPerSecond == 213.5e9 && gb200.link.mixedTotalBytesPerSecond == 183e9)
        #expect(gb200.link.deviceToHostBytesPerSecond < gb200.link.hostToDeviceBytesPerSecond)
        let tables = try #require(gb200.gpu.kernelTables)
        #expect(tables.name == "gb200")
        #expect(tables.peakFlopsPerSecond == gb200.gpu.peakFlopsPerSecond && tables.hbmBytesPerSecond == gb200.gpu.hbmBytesPerSecond)
        #expect(tables.gemms.keys.sorted() == ["bfloat16", "fp8", "fp8_block", "nvfp4"])
        #expect(!tables.contextAttention.isEmpty && !tables.generationAttention.isEmpty)
        // Qwen3-30B-A3B's MoE layer in NVFP4 has a curve of its own on this GPU (none on the Hopper files).
        let nvfp4 = try #require(tables.moeCurve(dtype: "nvfp4", hiddenSize: 2048, interSize: 768, experts: 128,
                                                 expertsPerToken: 8, distribution: "balanced"))
        #expect(nvfp4.logSizes.count == 27)
    }

    @Test func everyPresetLoadsUnderItsOwnName() throws {
        for name in try Repository.catalog.hardwareNames() {
            let spec = try Repository.catalog.hardware(named: name, file: "test", key: "hardware")
            #expect(spec.name == name)
            #expect(spec.link.mixedTotalBytesPerSecond <= spec.link.hostToDeviceBytesPerSecond + spec.link.deviceToHostBytesPerSecond)
        }
    }

    /// docs/paper.md and docs/sources.md: 427 GB/s CPU-to-GPU, 366 GB/s with reads and writes mixed.
    @Test func gh200LinkIsAsTheReferenceSays() throws {
        let gh200 = try Repository.catalog.hardware(named: "gh200-96gb", file: "test", key: "hardware")
        #expect(gh200.link.kind == "nvlink-c2c")
        #expect(gh200.link.hostToDeviceBytesPerSecond == 427e9)
        #expect(gh200.link.mixedTotalBytesPerSecond == 366e9)
        #expect(gh200.link.deviceToHostBytesPerSecond < gh200.link.hostToDeviceBytesPerSecond)
        #expect(gh200.gpu.hbmBytes == 97_871 * 1_048_576)
        #expect(gh200.gpu.hbmBytesPerSecond == 4.0e12)
        #expect(gh200.gpu.peakFlopsPerSecond == 989e12)
        #expect(gh200.gpu.smCount == 132)
        #expect(gh200.cpu.cores == 72)
        #expect(gh200.link.latency == .nanoseconds(2_000))
    }

    /// docs/sources.md, "Hardware": HBM over link bandwidth is ≈ 8 on GH200 and ≈ 60 over PCIe Gen5.
    @Test func hbmOverLinkRatioContrast() throws {
        func ratio(_ name: String) throws -> Double {
            let spec = try Repository.catalog.hardware(named: name, file: "test", key: "hardware")
            return spec.gpu.hbmBytesPerSecond / spec.link.hostToDeviceBytesPerSecond
        }
        #expect((8.0...10.0).contains(try ratio("gh200-96gb")))
        #expect((55.0...70.0).contains(try ratio("x86-h100-sxm-pcie5")))
    }

    @Test func h100AndA100CapacitiesAreWhatTheDriverReports() throws {
        let h100 = try Repository.catalog.hardware(named: "x86-h100-sxm-pcie5", file: "test", key: "hardware")
        let a100 = try Repository.catalog.hardware(named: "x86-a100-pcie4", file: "test", key: "hardware")
        #expect(h100.gpu.hbmBytes == 81_559 * 1_048_576)
        #expect(a100.gpu.hbmBytes == 81_920 * 1_048_576)
    }

    /// Every number in a preset carries a source tag ([P], [R], [D] or [E]) on its line.
    @Test func everyNumberHasASourceTag() throws {
        for name in try Repository.catalog.hardwareNames() {
            let path = "\(Repository.catalog.hardwareDirectory)/\(name).yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                let value = line.split(separator: "#", maxSplits: 1)[0].split(separator: ":", maxSplits: 1).last ?? ""
                guard Double(value.trimmingCharacters(in: .whitespaces)) != nil else { continue }
                let tagged = ["[P]", "[R]", "[D]", "[E]"].contains { line.contains($0) }
                #expect(tagged, "\(name).yaml: \(line)")
            }
        }
    }
}
