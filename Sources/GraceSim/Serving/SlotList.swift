/// A doubly linked list of small integer slots kept in two arrays, for least-recently-used orders: O(1) append,
/// removal of any slot and removal of the first, and no allocation once the arrays have grown.
struct SlotList {
    private var previous: [Int32] = []
    private var next: [Int32] = []
    /// The first slot (the least recently appended), or -1 when empty.
    private(set) var first: Int32 = -1
    private var last: Int32 = -1
    /// Slots in the list.
    private(set) var count = 0

    /// Makes room for slots below `capacity`.
    mutating func reserve(_ capacity: Int) {
        while previous.count < capacity {
            previous.append(-1)
            next.append(-1)
        }
    }

    /// Appends `slot` (not in the list) at the end.
    mutating func append(_ slot: Int32) {
        reserve(Int(slot) + 1)
        previous[Int(slot)] = last
        next[Int(slot)] = -1
        if last >= 0 { next[Int(last)] = slot } else { first = slot }
        last = slot
        count += 1
    }

    /// Removes `slot`, which is in the list.
    mutating func remove(_ slot: Int32) {
        let p = previous[Int(slot)], n = next[Int(slot)]
        if p >= 0 { next[Int(p)] = n } else { first = n }
        if n >= 0 { previous[Int(n)] = p } else { last = p }
        previous[Int(slot)] = -1
        next[Int(slot)] = -1
        count -= 1
    }

    /// The slots in order, for invariant checks.
    var slots: [Int32] {
        var out: [Int32] = []
        var slot = first
        while slot >= 0 && out.count <= count {
            out.append(slot)
            slot = next[Int(slot)]
        }
        return out
    }
}
