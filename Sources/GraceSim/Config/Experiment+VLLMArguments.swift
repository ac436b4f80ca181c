extension Experiment {
    /// vLLM engine arguments that gracesim accepts at the value that changes nothing, and refuses with one line
    /// pointing to `docs/model.md` at a value it does not model: `tensor_parallel_size` (1: one GPU per instance)
    /// and `enable_prefix_caching` (false: every prompt computed in full).
    static func checkUnmodelledArguments(_ o: ConfigObject) throws {
        if let node = o.optional("tensor_parallel_size") {
            let size = try node.int()
            guard size == 1 else {
                throw node.error("expected 1: tensor parallelism (\(size) GPUs per instance) is not modelled yet; each instance runs on one GPU (docs/model.md, \"What is not modelled\")")
            }
        }
        if let node = o.optional("enable_prefix_caching") {
            guard try !node.bool() else {
                throw node.error("expected false: prefix caching is not modelled yet; every prompt is computed in full (docs/model.md, \"What is not modelled\")")
            }
        }
    }
}
