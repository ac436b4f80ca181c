import GraceSimTestSupport
import PropertyBased
import Testing
@testable import GraceSim

/// docs/model.md ("Time and events"): events pop in (time, rank, insertion sequence) order.
@Suite struct EventQueueTests {
    @Test func simultaneousEventsPopByRankThenPushOrder() {
        var queue = EventQueue<String>()
        queue.push("arrival-1", at: SimTime(ns: 10), rank: .arrival)
        queue.push("done", at: SimTime(ns: 10), rank: .iterationDone)
        queue.push("early", at: SimTime(ns: 5), rank: .arrival)
        queue.push("arrival-2", at: SimTime(ns: 10), rank: .arrival)
        queue.push("transfer", at: SimTime(ns: 10), rank: .transferDone)
        #expect(queue.count == 5)
        #expect(queue.nextTime == SimTime(ns: 5))
        var order: [String] = []
        while let (_, payload) = queue.pop() { order.append(payload) }
        #expect(order == ["early", "transfer", "done", "arrival-1", "arrival-2"])
        #expect(queue.isEmpty && queue.nextTime == nil)
    }

    /// Stale events are dropped from the front only: the next time is that of the first event still counting,
    /// and stale events behind it stay until they reach the front.
    @Test func dropStaleRemovesStaleEventsAtTheFront() {
        var queue = EventQueue<String>()
        queue.push("stale-1", at: SimTime(ns: 1), rank: .transferDone)
        queue.push("stale-2", at: SimTime(ns: 2), rank: .iterationDone)
        queue.push("live", at: SimTime(ns: 3), rank: .arrival)
        queue.push("stale-3", at: SimTime(ns: 4), rank: .transferDone)
        queue.dropStale { $0.hasPrefix("stale") }
        #expect(queue.nextTime == SimTime(ns: 3) && queue.count == 2)
        #expect(queue.pop()?.payload == "live")
        queue.dropStale { $0.hasPrefix("stale") }
        #expect(queue.isEmpty && queue.nextTime == nil)
    }

    /// 10,000 pushes at few distinct times and random ranks pop sorted by (time, rank, push order).
    @Test func randomPushesPopSorted() async {
        await propertyCheck(count: 5, input: Gen.int(in: 0...Int.max)) { seed in
            var random = RandomStream(seed: UInt64(seed), name: "event-queue-test")
            let ranks: [EventRank] = [.transferDone, .iterationDone, .arrival]
            var queue = EventQueue<Int>()
            var pushed: [(time: Int64, rank: EventRank, sequence: Int)] = []
            for sequence in 0..<10_000 {
                let time = Int64(random.nextInt(below: 50))
                let rank = ranks[random.nextInt(below: ranks.count)]
                queue.push(sequence, at: SimTime(ns: time), rank: rank)
                pushed.append((time, rank, sequence))
            }
            let expected = pushed.sorted { ($0.time, $0.rank.rawValue, $0.sequence) < ($1.time, $1.rank.rawValue, $1.sequence) }.map(\.sequence)
            var popped: [Int] = []
            while let (time, sequence) = queue.pop() {
                #expect(time.ns == pushed[sequence].time)
                popped.append(sequence)
            }
            #expect(popped == expected)
        }
    }
}
