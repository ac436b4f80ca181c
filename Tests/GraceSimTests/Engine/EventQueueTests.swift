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
