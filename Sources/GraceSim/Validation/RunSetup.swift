import Foundation

/// What a real run records about how it was served: the model, the GPU, the vLLM version and the engine arguments
/// gracesim models, under vLLM's names. Read from the `meta.json` beside a run's `requests.jsonl`, or from a saved
/// benchmark result (`model_id`, and the `gracesim` object gracesim writes).
///
/// `gracesim replay` builds the experiment that mirrors a run from it, and names every difference between it and an
/// experiment it is given.
public struct RunSetup: Sendable, Equatable {
    /// One engine argument: vLLM's name and its value as vLLM writes it (`128`, `true`, `0.9`, `null`).
    public struct Argument: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The file the setup was read from.
    public var file: String
    /// The model as the run names it (a Hugging Face id, or what a gracesim experiment wrote).
    public var model: String?
    /// The GPU as it reports itself (`NVIDIA GeForce RTX 4090`).
    public var gpu: String?
    /// The hardware preset (gracesim's own results).
    public var hardware: String?
    /// The vLLM version (`0.19.0`).
    public var vllmVersion: String?
    /// The engine arguments, in a fixed order (``modelledArguments``); absent ones are vLLM's defaults.
    public var arguments: [Argument]

    public init(file: String, model: String? = nil, gpu: String? = nil, hardware: String? = nil, vllmVersion: String? = nil,
                arguments: [Argument] = []) {
        self.file = file
        self.model = model
        self.gpu = gpu
        self.hardware = hardware
        self.vllmVersion = vllmVersion
        self.arguments = arguments
    }

    /// The engine arguments compared with an experiment, with vLLM's defaults: what gracesim models, and the
    /// parallelism and caching it does not (which a run may have used).
    public static let modelledArguments: [(name: String, vllmDefault: String)] = [
        ("max_num_seqs", "256"), ("max_num_batched_tokens", "null"), ("max_model_len", "null"), ("block_size", "16"),
        ("gpu_memory_utilization", "0.9"), ("enable_chunked_prefill", "false"), ("tensor_parallel_size", "1"),
        ("data_parallel_size", "1"), ("enable_expert_parallel", "false"), ("enable_prefix_caching", "false"),
    ]

    /// The value of engine argument `name`, or nil when the run does not record it.
    public func argument(_ name: String) -> String? {
        arguments.first { $0.name == name }?.value
    }

    /// Whether the vLLM version is 0.10 or later, whose only engine is V1: prefills are chunked and prefixes cached
    /// unless the run says otherwise.
    var isV1Only: Bool {
        guard let parts = vllmVersion?.split(separator: ".").compactMap({ Int($0.prefix { $0.isNumber }) }), parts.count >= 2 else {
            return false
        }
        return parts[0] > 0 || parts[1] >= 10
    }
}

extension RunSetup {
    /// Reads the `meta.json` at `path` (as written beside the runs of `Workloads/vllm-runs/`): `model`,
    /// `vllm_version`, `engine_kwargs`, `kv_cache` (`block_size`, `gpu_memory_utilization`, `enable_prefix_caching`),
    /// `hardware.device_name` and `resolved_config.scheduler_config.enable_chunked_prefill`. Under a V1-only vLLM,
    /// chunked prefill and prefix caching that the file does not record are on, as V1 defaults them.
    /// - Throws: ``ConfigError`` naming the file and key when it is not a JSON object or a key has the wrong type.
    public static func fromMetaJSON(path: String) throws -> RunSetup {
        let text = try RealRun.readText(path)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw ConfigError(file: path, key: "", "expected a JSON object (a run's meta.json)")
        }
        func section(_ key: String, in parent: [String: Any], at path_: String) throws -> [String: Any]? {
            guard let value = parent[key], !(value is NSNull) else { return nil }
            guard let mapping = value as? [String: Any] else {
                throw ConfigError(file: path, key: path_.isEmpty ? key : "\(path_).\(key)", "expected a JSON object")
            }
            return mapping
        }
        let engine = try section("engine_kwargs", in: object, at: "") ?? [:]
        let cache = try section("kv_cache", in: object, at: "") ?? [:]
        let hardware = try section("hardware", in: object, at: "") ?? [:]
        let scheduler = try section("resolved_config", in: object, at: "").flatMap { try section("scheduler_config", in: $0, at: "resolved_config") }
        var setup = RunSetup(file: path, model: try string(object["model"] ?? engine["model"], key: "model", file: path),
                             gpu: try string(hardware["device_name"], key: "hardware.device_name", file: path),
                             vllmVersion: try string(object["vllm_version"], key: "vllm_version", file: path))
        let sources: [(name: String, value: Any?, key: String)] = [
            ("max_num_seqs", engine["max_num_seqs"], "engine_kwargs.max_num_seqs"),
            ("max_num_batched_tokens", engine["max_num_batched_tokens"], "engine_kwargs.max_num_batched_tokens"),
            ("max_model_len", engine["max_model_len"], "engine_kwargs.max_model_len"),
            ("block_size", cache["block_size"] ?? engine["block_size"], "kv_cache.block_size"),
            ("gpu_memory_utilization", cache["gpu_memory_utilization"] ?? engine["gpu_memory_utilization"], "kv_cache.gpu_memory_utilization"),
            ("enable_chunked_prefill", scheduler?["enable_chunked_prefill"] ?? engine["enable_chunked_prefill"],
             "resolved_config.scheduler_config.enable_chunked_prefill"),
            ("tensor_parallel_size", engine["tensor_parallel_size"], "engine_kwargs.tensor_parallel_size"),
            ("data_parallel_size", engine["data_parallel_size"], "engine_kwargs.data_parallel_size"),
            ("enable_expert_parallel", engine["enable_expert_parallel"], "engine_kwargs.enable_expert_parallel"),
            ("enable_prefix_caching", cache["enable_prefix_caching"] ?? engine["enable_prefix_caching"], "kv_cache.enable_prefix_caching"),
        ]
        for source in sources {
            if let value = try jsonScalar(source.value, key: source.key, file: path) {
                setup.arguments.append(Argument(source.name, value))
            } else if setup.isV1Only, source.name == "enable_chunked_prefill" || source.name == "enable_prefix_caching" {
                setup.arguments.append(Argument(source.name, "true"))
            }
        }
        return setup
    }

    /// Reads what a saved benchmark result records: `model_id`, and in the `gracesim` object gracesim writes,
    /// `hardware` and the first instance's engine arguments.
    public static func fromSaveResult(_ object: [String: Any], file: String) throws -> RunSetup {
        var setup = RunSetup(file: file, model: try string(object["model_id"], key: "model_id", file: file))
        guard let value = object["gracesim"], !(value is NSNull) else { return setup }
        guard let gracesim = value as? [String: Any] else { throw ConfigError(file: file, key: "gracesim", "expected a JSON object") }
        setup.hardware = try string(gracesim["hardware"], key: "gracesim.hardware", file: file)
        guard let instances = gracesim["instances"] as? [[String: Any]], let first = instances.first else { return setup }
        if let model = try string(first["model"], key: "gracesim.instances.0.model", file: file) { setup.model = model }
        for (name, _) in modelledArguments {
            if let value = try jsonScalar(first[name], key: "gracesim.instances.0.\(name)", file: file) {
                setup.arguments.append(Argument(name, value))
            }
        }
        return setup
    }

    private static func string(_ value: Any?, key: String, file: String) throws -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw ConfigError(file: file, key: key, "expected a string") }
        return text
    }

    /// A JSON scalar as vLLM's Python writes it: `null`, `true`/`false`, a number; nil when absent.
    private static func jsonScalar(_ value: Any?, key: String, file: String) throws -> String? {
        guard let value else { return nil }
        if value is NSNull { return "null" }
        if let number = value as? NSNumber {
            // JSON's true and false come back as numbers of Objective-C type `c` (char).
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            let double = number.doubleValue
            guard double.isFinite else { throw ConfigError(file: file, key: key, "expected a finite number") }
            return double == double.rounded() && abs(double) < 1e15 ? String(Int64(double)) : "\(double)"
        }
        throw ConfigError(file: file, key: key, "expected a number, true, false or null")
    }
}
