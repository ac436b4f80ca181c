/// How the instances of an experiment share the one GPU (`sharing.mode` in an experiment).
public enum SharingMode: String, Sendable, CaseIterable, Codable {
    /// One iteration at a time on the whole GPU; a ``GPUScheduler`` picks the next instance.
    case temporal
    /// CUDA MPS: every instance runs its own iterations back to back, and iterations of different instances run
    /// at the same time on the whole GPU, sharing its SMs and HBM bandwidth equally (see ``GPUShare``).
    case mps
    /// Multi-Instance GPU: every instance owns a fixed slice of SMs, HBM capacity and HBM bandwidth
    /// (its ``MIGProfile``) and runs its own iterations back to back on it, undisturbed by the others.
    case mig

    /// Whether every instance is active at once (MPS, MIG): each then reclaims only its own weight memory.
    public var isSpatial: Bool { self != .temporal }
}
