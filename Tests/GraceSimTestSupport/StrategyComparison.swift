import Foundation
import GraceSim

/// Compares reports of one experiment run under different memory strategies.
public enum StrategyComparison {
    /// The report as JSON with sorted keys, without what only names or describes the strategy: the top-level
    /// `strategy` and each instance's `strategy` section.
    public static func jsonWithoutStrategy(_ report: RunReport) throws -> Data {
        var tree = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as! [String: Any]
        tree.removeValue(forKey: "strategy")
        for key in ["instances"] {
            tree[key] = (tree[key] as! [[String: Any]]).map { instance in
                var instance = instance
                instance.removeValue(forKey: "strategy")
                return instance
            }
        }
        var overall = tree["overall"] as! [String: Any]
        overall.removeValue(forKey: "strategy")
        tree["overall"] = overall
        return try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys])
    }

    /// How `report` differs from `baseline` apart from the strategy, as readable lines (empty when the JSON is
    /// byte for byte the same).
    public static func differences(_ report: RunReport, from baseline: RunReport) throws -> [String] {
        let a = try jsonWithoutStrategy(baseline), b = try jsonWithoutStrategy(report)
        guard a != b else { return [] }
        let moves = GoldenJSON.differences(old: try JSONSerialization.jsonObject(with: a), new: try JSONSerialization.jsonObject(with: b))
        return moves.isEmpty ? ["the JSON differs beyond 9 significant digits"] : moves
    }
}
