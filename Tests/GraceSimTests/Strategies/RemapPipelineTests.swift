import GraceSimTestSupport
import Testing
@testable import GraceSim

/// Timing of one pass that streams remapped layers, worked by hand (times in ns; the comments read them as s).
@Suite struct RemapPipelineTests {
    /// Nothing streamed: the pass is its compute.
    @Test func noLoadsIsPureCompute() {
        let p = RemapPipeline(layers: 4, loads: 0, buffers: 1, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(5))
        #expect(p.passTime == .nanoseconds(4))
        #expect(p.stall == .nanoseconds(0))
    }

    /// 4 layers, one streamed (layer ⌊0.5·4⌋ = 2), load 2 s, compute 1 s per layer: the load runs while layers 0
    /// and 1 compute (0–2 s), so layer 2 starts at 2 s and the pass ends at 4 s with no stall.
    @Test func oneLoadHiddenBehindTwoLayers() {
        let p = RemapPipeline(layers: 4, loads: 1, buffers: 1, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(2))
        #expect(p.streamedLayer(0) == 2)
        #expect(p.passTime == .nanoseconds(4))
    }

    /// 4 layers, two streamed (layers 1 and 3), one slot, load 3 s, compute 1 s.
    /// Load 0: 0–3 s; layer 0 computes 0–1, layer 1 waits until 3 and computes 3–4.
    /// Load 1 needs the slot, free when layer 1 is computed (4 s): 4–7 s; layer 2 computes 4–5, layer 3 waits
    /// until 7 and computes 7–8. Pass 8 s, stall 4 s.
    @Test func singleBufferSerialisesLoads() {
        let p = RemapPipeline(layers: 4, loads: 2, buffers: 1, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(3))
        #expect([p.streamedLayer(0), p.streamedLayer(1)] == [1, 3])
        #expect(p.passTime == .nanoseconds(8))
        #expect(p.stall == .nanoseconds(4))
    }

    /// The same with two slots: load 1 follows load 0 at once (3–6 s), so layer 3 starts at 6 s: pass 7 s.
    @Test func doubleBufferingLoosensTheDependency() {
        let p = RemapPipeline(layers: 4, loads: 2, buffers: 2, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(3))
        #expect(p.passTime == .nanoseconds(7))
    }

    /// Prefetched first loads are in place at the start: with both loads of the last case prefetched, the pass
    /// is pure compute.
    @Test func prefetchedLoadsCostNothing() {
        let p = RemapPipeline(layers: 4, loads: 2, buffers: 2, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(3), prefetchedLoads: 2)
        #expect(p.passTime == .nanoseconds(4))
        let one = RemapPipeline(layers: 4, loads: 2, buffers: 2, layerCompute: .nanoseconds(1), layerLoad: .nanoseconds(3), prefetchedLoads: 1)
        // Load 1 starts at 0 (its slot is free and the stream idle): 0–3 s, layer 3 starts at 3 s: pass 4 s.
        #expect(one.passTime == .nanoseconds(4))
    }
}
