extension OffloadStrategy {
    /// `strategy: {kind: offload, host_kv_gib: 64, cpu_cores: 72}`.
    public struct Options: StrategyOptions {
        /// CPU memory each instance may fill with offloaded KV, in bytes. Default 64 GiB [E]: about an eighth of
        /// Grace's 480 GB of LPDDR5X, leaving room for the OS, the serving engines and the other instances (a
        /// per-instance bound, as vLLM's `swap_space` is).
        public var hostKVBytes: Int64
        /// Cores that run offloaded attention; nil means all of the host's (NEO uses the whole CPU).
        public var cpuCores: Int?

        public init(hostKVBytes: Int64 = 64 << 30, cpuCores: Int? = nil) {
            self.hostKVBytes = hostKVBytes
            self.cpuCores = cpuCores
        }

        public static func load(from o: ConfigObject) throws -> Options {
            let gib = try o.double("host_kv_gib", in: 0...1_000_000, default: 64)
            let cores = o.has("cpu_cores") ? try o.positiveInt("cpu_cores", atMost: 1_000_000) : nil
            return Options(hostKVBytes: Int64(gib * Double(1 << 30)), cpuCores: cores)
        }
    }
}
