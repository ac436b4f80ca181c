import GraceSimTestSupport
import Testing
@testable import GraceSim

@Suite("Hardware file errors")
struct HardwareLoadingErrorTests {
    static let valid = """
        name: box
        summary: a test machine
        gpu:
          hbm_gib: 80
          hbm_gb_per_s: 2000
          peak_tflops: 300
          sm_count: 100
        cpu:
          cores: 32
          memory_gb: 512
          memory_gb_per_s: 200
        link:
          kind: pcie4-x16
          h2d_gb_per_s: 26
          d2h_gb_per_s: 26
          mixed_total_gb_per_s: 40
          latency_us: 5
        """

    func load(_ text: String) throws -> HardwareSpec {
        try HardwareSpec.load(from: try ConfigNode.parse(text, file: "hardware/box.yaml"))
    }

    func error(_ text: String) throws -> ConfigError {
        try #require(configError { _ = try load(text) })
    }

    @Test func validFileIsConvertedToBaseUnits() throws {
        let spec = try load(Self.valid)
        #expect(spec.gpu.hbmBytes == 80 * 1_073_741_824)
        #expect(spec.gpu.hbmBytesPerSecond == 2e12)
        #expect(spec.gpu.peakFlopsPerSecond == 300e12)
        #expect(spec.cpu.memoryBytes == 512_000_000_000)
        #expect(spec.cpu.memoryBytesPerSecond == 200e9)
        #expect(spec.link.hostToDeviceBytesPerSecond == 26e9)
        #expect(spec.link.mixedTotalBytesPerSecond == 40e9)
        #expect(spec.link.latency == .nanoseconds(5_000))
    }

    @Test func hbmInBytesOrMiB() throws {
        #expect(try load(Self.valid.replacingOccurrences(of: "hbm_gib: 80", with: "hbm_bytes: 1000")).gpu.hbmBytes == 1000)
        #expect(try load(Self.valid.replacingOccurrences(of: "hbm_gib: 80", with: "hbm_mib: 2")).gpu.hbmBytes == 2_097_152)
    }

    @Test func hbmGivenTwiceOrNever() throws {
        let twice = try error(Self.valid.replacingOccurrences(of: "hbm_gib: 80", with: "hbm_gib: 80\n  hbm_mib: 81920"))
        #expect(twice.key == "gpu")
        let never = try error(Self.valid.replacingOccurrences(of: "  hbm_gib: 80\n", with: ""))
        #expect(never.description == "hardware/box.yaml: gpu.hbm_mib: is required but missing")
    }

    @Test func mixedTotalAboveBothDirections() throws {
        let e = try error(Self.valid.replacingOccurrences(of: "mixed_total_gb_per_s: 40", with: "mixed_total_gb_per_s: 60"))
        #expect(e.file == "hardware/box.yaml")
        #expect(e.key == "link.mixed_total_gb_per_s")
    }

    @Test func nonPositiveNumber() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "cores: 32", with: "cores: 0")).key == "cpu.cores")
        #expect(try error(Self.valid.replacingOccurrences(of: "hbm_gb_per_s: 2000", with: "hbm_gb_per_s: -1")).key == "gpu.hbm_gb_per_s")
        #expect(try error(Self.valid.replacingOccurrences(of: "latency_us: 5", with: "latency_us: -1")).key == "link.latency_us")
    }

    @Test func wrongTypeAndUnknownKey() throws {
        #expect(try error(Self.valid.replacingOccurrences(of: "sm_count: 100", with: "sm_count: many")).key == "gpu.sm_count")
        let unknown = try error(Self.valid.replacingOccurrences(of: "  cores: 32", with: "  cores: 32\n  threads: 64"))
        #expect(unknown.key == "cpu.threads")
        #expect(unknown.message.hasPrefix("unknown key"))
    }

    /// Several GPUs need a fabric; a fabric needs several GPUs; the GPUs per CPU divide the GPUs.
    @Test func severalGPUsAndTheirFabric() throws {
        let fabric = "\nfabric:\n  kind: nvlink\n  gb_per_s: 450\n  latency_us: 5\n  measured_allreduce: false"
        let pair = try load(Self.valid + "\ngpus: 2" + fabric)
        #expect(pair.gpuCount == 2 && pair.gpusPerCPU == 1)
        #expect(pair.fabric == FabricSpec(kind: "nvlink", bytesPerSecond: 450e9, latencySeconds: 5e-6, measuredAllReduce: false))
        #expect(try load(Self.valid).gpuCount == 1 && (try load(Self.valid)).fabric == nil)
        #expect(try error(Self.valid + "\ngpus: 2").description == "hardware/box.yaml: fabric: is required but missing")
        #expect(try error(Self.valid + fabric).key == "fabric")
        #expect(try error(Self.valid + "\ngpus: 4\ngpus_per_cpu: 3" + fabric).key == "gpus_per_cpu")
        #expect(try error(Self.valid + "\ngpus: 0" + fabric).key == "gpus")
        #expect(try error(Self.valid + "\ngpus: 2" + fabric.replacingOccurrences(of: "gb_per_s: 450", with: "gb_per_s: 0"))
            .key == "fabric.gb_per_s")
        #expect(try error(Self.valid + "\ngpus: 2" + fabric.replacingOccurrences(of: "latency_us: 5", with: "latency_us: -5"))
            .key == "fabric.latency_us")
    }

    @Test func missingSection() throws {
        let text = Self.valid.components(separatedBy: "link:")[0]
        #expect(try error(text).description == "hardware/box.yaml: link: is required but missing")
    }
}
