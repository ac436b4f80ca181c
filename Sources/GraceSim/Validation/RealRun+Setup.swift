import Foundation

extension RealRun {
    /// Reads the run at `path` as ``load(path:)`` does, with what it records about its setup: the `meta.json` in a
    /// run folder or beside a `requests.jsonl` (none: no setup), or a saved result's own fields. A result gracesim
    /// saved also gives each request's arrival time and instance, so that its replay sends the same requests at the
    /// same times to the same instances.
    /// - Throws: ``ConfigError`` naming the file and key of the first problem.
    public static func read(path: String) throws -> RealRun {
        var run = try load(path: path)
        var isFolder: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if isFolder.boolValue || path.hasSuffix(".jsonl") {
            let folder = isFolder.boolValue ? path : (path as NSString).deletingLastPathComponent
            let meta = (folder.isEmpty ? "." : folder as NSString).appendingPathComponent("meta.json")
            if FileManager.default.fileExists(atPath: meta) { run.setup = try RunSetup.fromMetaJSON(path: meta) }
            return run
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(try readText(path).utf8))) as? [String: Any] else {
            return run
        }
        run.setup = try RunSetup.fromSaveResult(object, file: path)
        try run.attachArrivals(object, file: path)
        return run
    }

    /// Gives each request the arrival time and instance in the `gracesim` object of a saved result (lists with one
    /// entry per request of `input_lens`; the failed requests, left out of the run, are skipped).
    mutating func attachArrivals(_ object: [String: Any], file: String) throws {
        guard let gracesim = object["gracesim"] as? [String: Any], let times = gracesim["arrival_times"] else { return }
        guard let arrivals = times as? [NSNumber], let outputs = object["output_lens"] as? [NSNumber], arrivals.count == outputs.count else {
            throw ConfigError(file: file, key: "gracesim.arrival_times", "expected a list of numbers with one entry per request of output_lens")
        }
        let instances = gracesim["request_instances"] as? [NSNumber]
        if let instances, instances.count != outputs.count {
            throw ConfigError(file: file, key: "gracesim.request_instances", "expected one entry per request of output_lens")
        }
        var index = 0
        for (entry, output) in outputs.enumerated() where output.doubleValue >= 1 {
            let seconds = arrivals[entry].doubleValue
            guard seconds.isFinite, seconds >= 0, seconds <= ConfigObject.maxSeconds else {
                throw ConfigError(file: file, key: "gracesim.arrival_times.\(entry)",
                                  "expected a number of seconds from 0 to \(ConfigObject.maxSeconds), found \(seconds)")
            }
            guard index < requests.count else { break }
            requests[index].arrivalSeconds = seconds
            if let instances {
                let value = instances[entry].doubleValue
                guard value >= 0, value < 1_000_000, value == value.rounded() else {
                    throw ConfigError(file: file, key: "gracesim.request_instances.\(entry)", "expected an instance index, found \(value)")
                }
                requests[index].instance = Int(value)
            }
            index += 1
        }
    }
}
