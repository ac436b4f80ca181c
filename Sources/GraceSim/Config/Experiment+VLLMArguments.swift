extension Experiment {
    /// vLLM engine arguments that gracesim accepts at the value that changes nothing, and refuses with one line
    /// pointing to `docs/model.md` at a value it does not model: `tensor_parallel_size` (1: one GPU per instance).
    static func checkUnmodelledArguments(_ o: ConfigObject) throws {
        if let node = o.optional("tensor_parallel_size") {
            let size = try node.int()
            guard size == 1 else {
                throw node.error("expected 1: tensor parallelism (\(size) GPUs per instance) is not modelled yet; each instance runs on one GPU (docs/model.md, \"What is not modelled\")")
            }
        }
    }
}
