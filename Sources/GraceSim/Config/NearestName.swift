/// The known name nearest to a misspelt one, for "did you mean …" in error messages.
///
/// Names are compared case-insensitively with `-` read as `_` (so `gpu-memory-utilization` finds
/// `gpu_memory_utilization`), by Levenshtein distance. A name is suggested only when it is close: at most 2 edits,
/// or a third of the longer name's length for long names. Ties go to the name that sorts first, so the answer
/// never depends on the order of `known`.
public enum NearestName {
    /// The nearest of `known` to `name`, or nil when none is close (or `name` is itself known).
    public static func suggestion(for name: String, among known: [String]) -> String? {
        guard !known.contains(name) else { return nil }
        let target = normalized(name)
        var best: (name: String, distance: Int)?
        for candidate in known.sorted() {
            let distance = editDistance(target, normalized(candidate))
            let limit = max(2, max(target.count, candidate.count) / 3)
            guard distance <= limit else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.name
    }

    /// ` (did you mean "X"?)`-style text: `did you mean "X"? ` when there is a suggestion, else "".
    public static func hint(for name: String, among known: [String]) -> String {
        suggestion(for: name, among: known).map { "did you mean \"\($0)\"? " } ?? ""
    }

    static func normalized(_ text: String) -> [Character] {
        Array(text.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Levenshtein distance (insertions, deletions and substitutions each cost 1).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
