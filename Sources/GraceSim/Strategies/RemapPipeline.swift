/// The timing of one forward pass that streams remapped weight layers over the link (MIRAGE's transfer engine).
///
/// `loads` layers, spaced evenly through the `layers` of the model, are read over the link in layer order into
/// `buffers` shared GPU slots. A load waits for the previous load (one stream) and for a free slot: slot j is
/// freed when the layer loaded `buffers` loads earlier has been computed. A layer's compute waits for the
/// previous layer and, if it is streamed, for its load. With α layers remapped, `loads` is α + buffers: the
/// buffer slots are themselves made of layers that are no longer resident.
///
/// Pure and O(layers); times from the start of the GPU part of the pass, in whole nanoseconds, so that the
/// simulator's pass state machine (`Simulator+Pass.swift`) on an otherwise idle link gives exactly this result,
/// with `layerLoad` the time the link takes for one load alone (its latency plus the bytes at the one-way
/// rate, rounded up to a whole ns as the link rounds a flow's finish).
public struct RemapPipeline: Sendable, Equatable {
    /// Decoder layers of the model.
    public var layers: Int
    /// Layers loaded per pass (α + buffers), at most `layers`.
    public var loads: Int
    /// Buffer slots: 1, or 2 for double buffering.
    public var buffers: Int
    /// Compute time of one layer.
    public var layerCompute: SimTime
    /// Time to load one layer (latency plus bytes over the rate the link gives).
    public var layerLoad: SimTime
    /// The first loads already in their slots when the pass starts (prefetched while the instance was idle);
    /// at most `buffers`.
    public var prefetchedLoads: Int

    public init(layers: Int, loads: Int, buffers: Int, layerCompute: SimTime, layerLoad: SimTime,
                prefetchedLoads: Int = 0) {
        self.layers = layers
        self.loads = min(loads, layers)
        self.buffers = min(max(buffers, 1), 2)
        self.layerCompute = layerCompute
        self.layerLoad = layerLoad
        self.prefetchedLoads = min(max(prefetchedLoads, 0), max(buffers, 1), min(loads, layers))
    }

    /// Layer `j` of the `loads` streamed layers (0-based), evenly spaced: ⌊(j + ½) · layers / loads⌋, as
    /// ``LayerStream/evenlySpaced(loads:of:)``.
    public func streamedLayer(_ j: Int) -> Int {
        Int((Double(j) + 0.5) * Double(layers) / Double(loads))
    }

    /// The time from the start of the pass until its last layer is computed.
    public var passTime: SimTime {
        guard loads > 0 else { return layerCompute * layers }
        // Compute ends of the last two streamed layers (a slot is freed by the layer `buffers` loads back).
        var streamedEnds = (SimTime.zero, SimTime.zero)
        var loadEnd = SimTime.zero
        var next = 0  // index of the next streamed layer
        var nextLayer = streamedLayer(0)
        var t = SimTime.zero
        for layer in 0..<layers {
            if layer == nextLayer {
                if next < prefetchedLoads {
                    loadEnd = .zero
                } else {
                    let slotFree = next >= buffers ? (buffers == 1 ? streamedEnds.1 : streamedEnds.0) : .zero
                    loadEnd = max(next == 0 ? .zero : loadEnd, slotFree) + layerLoad
                }
                t = max(t, loadEnd) + layerCompute
                streamedEnds = (streamedEnds.1, t)
                next += 1
                nextLayer = next < loads ? streamedLayer(next) : -1
            } else {
                t += layerCompute
            }
        }
        return t
    }

    /// How much longer the pass takes than its compute alone (never negative).
    public var stall: SimTime {
        max(.zero, passTime - layerCompute * layers)
    }
}
