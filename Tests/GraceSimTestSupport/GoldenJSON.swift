import Foundation

/// A canonical JSON text for golden files (sorted keys, numbers to 9 significant digits, scalar arrays on
/// one line) and a readable diff between two parsed JSON trees.
public enum GoldenJSON {
    public static func canonical(_ value: Any) -> String {
        var out = ""
        write(value, indent: "", to: &out)
        return out + "\n"
    }

    /// Every leaf that moved, as `path: old → new` (`—` where a side has no value), in path order.
    public static func differences(old: Any, new: Any) -> [String] {
        var before: [String: String] = [:], after: [String: String] = [:]
        flatten(old, path: "", into: &before)
        flatten(new, path: "", into: &after)
        return Set(before.keys).union(after.keys).sorted().compactMap { path in
            let a = before[path], b = after[path]
            return a == b ? nil : "\(path): \(a ?? "—") → \(b ?? "—")"
        }
    }

    public static func scalar(_ value: Any) -> String {
        if let string = value as? String {
            let data = try! JSONEncoder().encode(string)
            return String(decoding: data, as: UTF8.self)
        }
        if let number = value as? NSNumber {
            let x = number.doubleValue
            if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
            return String(format: "%.9g", x)
        }
        return "null"
    }

    private static func write(_ value: Any, indent: String, to out: inout String) {
        let inner = indent + "  "
        if let object = value as? [String: Any] {
            guard !object.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (i, key) in object.keys.sorted().enumerated() {
                out += inner + scalar(key) + ": "
                write(object[key]!, indent: inner, to: &out)
                out += i + 1 < object.count ? ",\n" : "\n"
            }
            out += indent + "}"
        } else if let array = value as? [Any] {
            if array.allSatisfy({ !($0 is [Any]) && !($0 is [String: Any]) }) {
                out += "[" + array.map(scalar).joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (i, element) in array.enumerated() {
                out += inner
                write(element, indent: inner, to: &out)
                out += i + 1 < array.count ? ",\n" : "\n"
            }
            out += indent + "]"
        } else {
            out += scalar(value)
        }
    }

    private static func flatten(_ value: Any, path: String, into leaves: inout [String: String]) {
        if let object = value as? [String: Any] {
            for (key, child) in object { flatten(child, path: path.isEmpty ? key : "\(path).\(key)", into: &leaves) }
        } else if let array = value as? [Any] {
            for (i, child) in array.enumerated() { flatten(child, path: "\(path)[\(i)]", into: &leaves) }
        } else {
            leaves[path] = scalar(value)
        }
    }
}
