/// What one forward pass needs besides its compute, as a memory strategy describes it. The simulator runs the
/// plan as a small state machine and is the one owner of the pass's timing (see `Simulator+Pass.swift`):
///
/// 1. The pass waits for ``waitFor`` (vLLM V0's synchronous swaps, offloading's KV copies).
/// 2. The engine's CPU overhead runs (the host part).
/// 3. The GPU computes the decoder layers in order, then the LM head. A layer of ``stream`` computes only once
///    its load has arrived; ``cpuTime`` of CPU work runs beside the GPU part.
/// 4. The pass ends when its compute, its CPU work and its ``sideFlows`` are all done.
///
/// Loads and side flows start when the pass starts (stream loads as soon as their slot and the stream allow), so
/// they may overlap the host part. Every flow is a flow on the shared link, so its rate follows whatever else
/// the link carries while it moves. The time the pass spends waiting (before it computes, for a load, or for
/// its side flows and CPU work at the end) is its transfer stall.
public struct IterationPlan: Sendable {
    /// Transfers that must finish before the pass computes.
    public var waitFor: [TransferID]
    /// Layers whose data is loaded over the link during the pass, one load per streamed layer.
    public var stream: LayerStream?
    /// Flows that start with the pass and that its end waits for (Pie's KV write-back).
    public var sideFlows: [FlowRequest]
    /// CPU work that runs beside the GPU part of the pass (offloaded attention).
    public var cpuTime: SimTime

    public init(waitFor: [TransferID] = [], stream: LayerStream? = nil, sideFlows: [FlowRequest] = [],
                cpuTime: SimTime = .zero) {
        self.waitFor = waitFor
        self.stream = stream
        self.sideFlows = sideFlows
        self.cpuTime = cpuTime
    }

    /// Whether the pass is its compute alone.
    var isComputeOnly: Bool { waitFor.isEmpty && (stream?.loads ?? 0) == 0 && sideFlows.isEmpty && cpuTime <= .zero }
}

/// A flow a pass asks the simulator to start on the link.
public struct FlowRequest: Sendable, Equatable {
    public var bytes: Int64
    public var direction: LinkDirection
    public var purpose: TransferPurpose

    public init(bytes: Int64, direction: LinkDirection, purpose: TransferPurpose) {
        self.bytes = bytes
        self.direction = direction
        self.purpose = purpose
    }
}

/// Layers streamed host to device through a few GPU buffer slots during a pass (MIRAGE's remapped weights, Pie's
/// host-resident KV).
///
/// The loads form one stream in layer order: load `j` starts once load `j − 1` has arrived and its slot is
/// free, and slot `j mod buffers` is freed when the layer of load `j − buffers` has been computed. Loads the
/// simulator already started for the instance between passes (``SimulationContext/prefetch(_:of:instance:)``)
/// count as this pass's first loads.
public struct LayerStream: Sendable, Equatable {
    /// The streamed decoder layers, ascending.
    public var layers: [Int]
    /// Buffer slots the loads pass through (1 or more).
    public var buffers: Int
    /// Bytes of each load.
    public var bytesPerLoad: Int64
    public var purpose: TransferPurpose

    public init(layers: [Int], buffers: Int, bytesPerLoad: Int64, purpose: TransferPurpose) {
        self.layers = layers
        self.buffers = max(1, buffers)
        self.bytesPerLoad = bytesPerLoad
        self.purpose = purpose
    }

    /// Loads per pass.
    public var loads: Int { layers.count }

    /// `loads` of a model's `layers` decoder layers spaced evenly: load `j` is layer ⌊(j + ½) · layers / loads⌋.
    public static func evenlySpaced(loads: Int, of layers: Int) -> [Int] {
        let loads = min(max(loads, 0), layers)
        return (0..<loads).map { Int((Double($0) + 0.5) * Double(layers) / Double(loads)) }
    }
}
