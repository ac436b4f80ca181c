import GraceSimTestSupport
import Testing
@testable import GraceSim

/// The simulator's pass state machine (`Simulator+Pass.swift`): streamed layers on the real link, against the
/// pure ``RemapPipeline`` on an idle link, and by hand when another flow leaves the link mid-pass.
@Suite struct PassTimingTests {
    /// A strategy that streams fixed layers every pass and can put one foreign flow on the link.
    final class FixedStream: MemoryStrategy {
        var kind: StrategyKind { .remap }
        weak var context: SimulationContext?
        /// Layers streamed per pass, given the instance's layer count.
        let streamed: (Int) -> [Int]
        let buffers: Int
        /// Loads to start between passes, as ``SimulationContext/prefetch(_:of:instance:)``.
        let prefetch: Int
        /// Bytes of a flow started with the first pass only (0: none), beside the stream.
        let foreignBytes: Int64
        /// The only instance that streams (nil: every instance).
        var onlyInstance: Int?
        /// Per pass: the shape, the stall the simulator measured.
        var passes: [(shape: BatchShape, stallNs: Int64)] = []
        var shapes: [BatchShape] = []

        init(streamed: @escaping (Int) -> [Int], buffers: Int, prefetch: Int = 0, foreignBytes: Int64 = 0) {
            self.streamed = streamed
            self.buffers = buffers
            self.prefetch = prefetch
            self.foreignBytes = foreignBytes
        }

        func attach(to context: SimulationContext) { self.context = context }

        func stream(_ instance: ServingInstance) -> LayerStream {
            LayerStream(layers: streamed(instance.spec.model.layers), buffers: buffers,
                        bytesPerLoad: instance.spec.model.weightBytesPerLayer, purpose: .weightStream)
        }

        func planIteration(instance: ServingInstance, computeTime: SimTime, now: SimTime) -> IterationPlan {
            if shapes.isEmpty && foreignBytes > 0 {
                _ = context?.startTransfer(bytes: foreignBytes, direction: .hostToDevice, purpose: .weightReload, instance: instance.index)
            }
            if let only = onlyInstance, only != instance.index { return IterationPlan() }
            shapes.append(instance.batch.shape)
            return IterationPlan(stream: stream(instance))
        }

        func iterationFinished(instance: ServingInstance, now: SimTime) {
            if let only = onlyInstance, only != instance.index { return }
            passes.append((shapes[passes.count], context!.lastPassStall(instance: instance.index).ns))
            if prefetch > 0 { context?.prefetch(prefetch, of: stream(instance), instance: instance.index) }
        }
    }

    static func run(_ strategy: FixedStream, requests: [RequestSpec], model: String = "llama-2-13b") throws -> Simulator {
        let experiment = try TestExperiments.singleInstance(model: model, blocks: 2000)
        let simulator = try Simulator(experiment: experiment, requests: requests, strategy: strategy)
        _ = simulator.run()
        return simulator
    }

    /// The pipeline's stall for a pass of `shape` with `prefetched` loads in place, on an idle link.
    static func pipelineStallNs(_ simulator: Simulator, _ strategy: FixedStream, shape: BatchShape, prefetched: Int = 0) -> Int64 {
        let instance = simulator.instances[0]
        let model = instance.spec.model
        let stream = strategy.stream(instance)
        let hardware = simulator.experiment.hardware
        #expect(stream.layers == LayerStream.evenlySpaced(loads: stream.loads, of: model.layers))
        return RemapPipeline(
            layers: model.layers, loads: stream.loads, buffers: stream.buffers,
            layerCompute: SimTime.seconds(instance.timeModel.layerComputeSeconds(of: shape)),
            layerLoad: SharedLink.loneTransferTime(bytes: model.weightBytesPerLayer, direction: .hostToDevice, spec: hardware.link,
                                                         hostMemoryBytesPerSecond: hardware.cpu.memoryBytesPerSecond),
            prefetchedLoads: prefetched).stall.ns
    }

    /// On an otherwise idle link every pass stalls exactly as ``RemapPipeline`` computes, to the nanosecond: one
    /// and two slots, few and many loads, prefill and decode passes.
    @Test(arguments: [(1, 1), (2, 1), (6, 1), (10, 1), (2, 2), (6, 2), (12, 2), (20, 2)])
    func idleLinkMatchesThePipeline(loads: Int, buffers: Int) throws {
        let strategy = FixedStream(streamed: { LayerStream.evenlySpaced(loads: loads, of: $0) }, buffers: buffers)
        let requests = [TestExperiments.request(at: 0, prompt: 200, output: 4),
                        TestExperiments.request(at: 0, prompt: 30, output: 3)]
        let simulator = try Self.run(strategy, requests: requests)
        #expect(strategy.passes.count >= 4)
        var stalled = 0
        for pass in strategy.passes {
            let expected = Self.pipelineStallNs(simulator, strategy, shape: pass.shape)
            #expect(pass.stallNs == expected, "loads \(loads), buffers \(buffers), shape \(pass.shape)")
            if expected > 0 { stalled += 1 }
        }
        if loads >= 6 { #expect(stalled > 0, "the case must exercise stalls") }
        #expect(simulator.instances[0].metrics.transferStall.ns == strategy.passes.reduce(0) { $0 + $1.stallNs })
    }

    /// Loads started between passes count as the next pass's first loads: a request arriving long after the
    /// last pass finds them in place, as the pipeline's `prefetchedLoads`.
    @Test func prefetchedLoadsMatchThePipeline() throws {
        let strategy = FixedStream(streamed: { LayerStream.evenlySpaced(loads: 8, of: $0) }, buffers: 2, prefetch: 2)
        let requests = [TestExperiments.request(at: 0, prompt: 64, output: 1),
                        TestExperiments.request(at: 1, prompt: 64, output: 1)]
        let simulator = try Self.run(strategy, requests: requests)
        #expect(strategy.passes.count == 2)
        #expect(strategy.passes[0].stallNs == Self.pipelineStallNs(simulator, strategy, shape: strategy.passes[0].shape))
        let prefetched = Self.pipelineStallNs(simulator, strategy, shape: strategy.passes[1].shape, prefetched: 2)
        #expect(strategy.passes[1].stallNs == prefetched)
        #expect(prefetched < strategy.passes[0].stallNs)
    }

    /// Another instance's flow leaves the link 0.1 ms into the GPU part of a pass; the stall by hand.
    ///
    /// Llama-2-13b on gh200-96gb (H2D 427 GB/s one way, 2 µs latency per transfer), one streamed layer, layer 1,
    /// one slot. The foreign flow of F bytes starts with the pass (at 0); the host part (engine overhead) lasts h.
    /// The load starts at h with the GPU part and moves from h + 2 µs. So the foreign flow moves alone at
    /// 427 GB/s from 2 µs to h + 2 µs, then at 213.5 GB/s beside the load; F is chosen so that it ends at
    /// h + 100 µs: F = 427e9 · h + 213.5e9 · 98 µs. The load moves 213.5e9 · 98 µs = 20.923 MB by then and the
    /// rest of its B bytes alone: it arrives at h + 100 µs + (B − 20.923 MB) / 427e9. Layer 0 computes from h to
    /// h + c, so layer 1 waits: stall = 100 µs + (B − 20.923 MB) / 427e9 − c. Llama-2-13b's layer is
    /// B = 314.6 MB (its weights over 40 layers, ~0.737 ms at 427 GB/s alone), so the foreign flow costs the load
    /// about 49 µs against an idle link.
    @Test func flowLeavingMidPassByHand() throws {
        let model = TestExperiments.model("llama-2-13b")
        let experiment = try TestExperiments.singleInstance(model: "llama-2-13b", blocks: 2000)
        let timeModel = try Simulator(experiment: experiment, requests: []).instances[0].timeModel
        let shape = BatchShape.prefill(tokens: 16)
        let duration = timeModel.duration(of: shape)
        let gpuNs = SimTime.seconds(timeModel.computeSeconds(of: shape)).ns
        let h = Double(duration.ns - gpuNs) / 1e9
        let c = Double(SimTime.seconds(timeModel.layerComputeSeconds(of: shape)).ns) / 1e9
        let bytes = Double(model.weightBytesPerLayer)
        let foreign = Int64((427e9 * h + 213.5e9 * 98e-6).rounded())
        let expected = 100e-6 + (bytes - 213.5e9 * 98e-6) / 427e9 - c

        let strategy = FixedStream(streamed: { _ in [1] }, buffers: 1, foreignBytes: foreign)
        _ = try Self.run(strategy, requests: [TestExperiments.request(at: 0, prompt: 16, output: 1)])
        #expect(strategy.passes.count == 1)
        #expect(strategy.shapes[0] == shape)
        let measured = Double(strategy.passes[0].stallNs) / 1e9
        #expect(abs(measured - expected) <= 0.01 * expected, "measured \(measured) s, by hand \(expected) s")
        // Against an idle link (2 µs + B / 427 GB/s) the load would have arrived 98 µs − 20.923 MB / 427 GB/s
        // = 49 µs sooner.
        let idle = 2e-6 + bytes / 427e9 - c
        #expect(abs((measured - idle) - 49e-6) < 1e-6, "idle \(idle) s")
    }

    /// Under MPS a pass that waits for its load leaves the GPU to the others, and comes back when the load
    /// arrives; the times by hand.
    ///
    /// Two Llama-3-8B instances each prefill one 100-token prompt from t = 0; both host parts last h, both GPU
    /// parts need g of the whole GPU. Instance 0 streams layer 1 (one load of T = 2 µs + B / 427 GB/s, B its
    /// layer's bytes, started with its GPU part at h); a layer takes c. From h both share the GPU: instance 0's
    /// layer 0 ends at h + 2c. Its load is still moving (T > 2c), so instance 0 waits and instance 1 runs alone
    /// until h + T: by then it has done c + (T − 2c) of its g. Both share again: instance 1 has g + c − T left,
    /// instance 0 g − c, so instance 1 ends at h + T + 2(g + c − T) = h + 2g + 2c − T, and instance 0, alone for
    /// its last T − 2c, at h + 2g: the GPU never idled. Instance 0 stalled T − 2c.
    @Test func mpsPassWaitingForItsLoadLeavesTheGPUToTheOthers() throws {
        let experiment = try TestExperiments.experiment("""
        name: two
        hardware: gh200-96gb
        sharing: {mode: mps}
        instances:
          - {model: llama-3-8b, memory_fraction: 0.45}
          - {model: llama-3-8b, memory_fraction: 0.45}
        workload:
          max_requests: 1
          arrivals: {kind: poisson, rate: 1}
          lengths: {kind: fixed, prompt: 16, output: 16}
          shares: [1, 1]
        """)
        let strategy = FixedStream(streamed: { _ in [1] }, buffers: 1)
        strategy.onlyInstance = 0
        let simulator = try Simulator(experiment: experiment, requests: [
            TestExperiments.request(at: 0, prompt: 100, output: 1, instance: 0),
            TestExperiments.request(at: 0, prompt: 100, output: 1, instance: 1)], strategy: strategy)
        _ = simulator.run()

        let model = simulator.instances[0].timeModel
        let shape = BatchShape.prefill(tokens: 100)
        let g = SimTime.seconds(model.computeSeconds(of: shape)).ns
        let h = model.duration(of: shape).ns - g
        let c = SimTime.seconds(model.layerComputeSeconds(of: shape)).ns
        let hardware = simulator.experiment.hardware
        let t = SharedLink.loneTransferTime(bytes: simulator.instances[0].spec.model.weightBytesPerLayer, direction: .hostToDevice, spec: hardware.link,
                                                         hostMemoryBytesPerSecond: hardware.cpu.memoryBytesPerSecond).ns
        #expect(t > 2 * c)
        // Instance 0's layers are rounded to whole ns each: its GPU work may differ from g by up to half a ns
        // per layer.
        let slack = Int64(simulator.instances[0].spec.model.layers)
        let ttft0 = simulator.instances[0].metrics.ttftNs[0], ttft1 = simulator.instances[1].metrics.ttftNs[0]
        #expect(abs(ttft0 - (h + 2 * g)) <= slack, "instance 0: \(ttft0) ns")
        #expect(abs(ttft1 - (h + 2 * g + 2 * c - t)) <= slack, "instance 1: \(ttft1) ns")
        #expect(abs(strategy.passes[0].stallNs - (t - 2 * c)) <= 2)
    }
}
