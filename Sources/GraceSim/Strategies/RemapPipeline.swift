/// The timing of one forward pass that streams remapped weight layers over the link (MIRAGE's transfer engine).
///
/// `loads` layers, spaced evenly through the `layers` of the model, are read over the link in layer order into
/// `buffers` shared GPU slots. A load waits for the previous load (one stream) and for a free slot: slot j is
/// freed when the layer loaded `buffers` loads earlier has been computed. A layer's compute waits for the
/// previous layer and, if it is streamed, for its load. With α layers remapped, `loads` is α + buffers: the
/// buffer slots are themselves made of layers that are no longer resident.
///
/// Pure and O(layers); times in seconds from the start of the pass.
public struct RemapPipeline: Sendable, Equatable {
    /// Decoder layers of the model.
    public var layers: Int
    /// Layers loaded per pass (α + buffers), at most `layers`.
    public var loads: Int
    /// Buffer slots: 1, or 2 for double buffering.
    public var buffers: Int
    /// Compute time of one layer, seconds.
    public var layerComputeSeconds: Double
    /// Time to load one layer, seconds (latency plus bytes over the rate the link gives).
    public var layerLoadSeconds: Double
    /// The first loads already in their slots when the pass starts (prefetched while the instance was idle);
    /// at most `buffers`.
    public var prefetchedLoads: Int

    public init(layers: Int, loads: Int, buffers: Int, layerComputeSeconds: Double, layerLoadSeconds: Double,
                prefetchedLoads: Int = 0) {
        self.layers = layers
        self.loads = min(loads, layers)
        self.buffers = min(max(buffers, 1), 2)
        self.layerComputeSeconds = layerComputeSeconds
        self.layerLoadSeconds = layerLoadSeconds
        self.prefetchedLoads = min(max(prefetchedLoads, 0), max(buffers, 1), min(loads, layers))
    }

    /// Layer `j` of the `loads` streamed layers (0-based), evenly spaced: ⌊(j + ½) · layers / loads⌋.
    public func streamedLayer(_ j: Int) -> Int {
        Int((Double(j) + 0.5) * Double(layers) / Double(loads))
    }

    /// Seconds from the start of the pass until its last layer is computed.
    public var passSeconds: Double {
        guard loads > 0 else { return Double(layers) * layerComputeSeconds }
        // Compute ends of the last two streamed layers (a slot is freed by the layer `buffers` loads back).
        var streamedEnds = (0.0, 0.0)
        var loadEnd = 0.0
        var next = 0  // index of the next streamed layer
        var nextLayer = streamedLayer(0)
        var t = 0.0
        for layer in 0..<layers {
            if layer == nextLayer {
                if next < prefetchedLoads {
                    loadEnd = 0
                } else {
                    let slotFree = next >= buffers ? (buffers == 1 ? streamedEnds.1 : streamedEnds.0) : 0
                    loadEnd = max(next == 0 ? 0 : loadEnd, slotFree) + layerLoadSeconds
                }
                t = max(t, loadEnd) + layerComputeSeconds
                streamedEnds = (streamedEnds.1, t)
                next += 1
                nextLayer = next < loads ? streamedLayer(next) : -1
            } else {
                t += layerComputeSeconds
            }
        }
        return t
    }

    /// How much longer the pass takes than its compute alone, seconds (never negative).
    public var stallSeconds: Double {
        max(0, passSeconds - Double(layers) * layerComputeSeconds)
    }
}
