/// The part of a model one GPU holds and computes under vLLM's tensor parallelism.
///
/// vLLM splits every decoder layer's attention by heads (QKV column-parallel, output projection row-parallel), its
/// MLP and each expert's MLP by intermediate size, and the token embedding and LM head by vocabulary; the hidden
/// size, the norms and an MoE router stay whole on every GPU. Where the model has fewer KV heads than GPUs, each
/// GPU keeps a copy of one KV head. A shard is therefore the same kind of model with narrower dimensions, and
/// everything derived from a ``ModelSpec`` (bytes, KV bytes per token, FLOPs, kernel shapes) is per GPU.
///
/// With expert parallelism (vLLM's `enable_expert_parallel`, without data parallelism) the routed experts are not
/// sliced: each GPU holds `experts / gpus` whole experts, and the attention and shared experts stay split as above.
extension ModelSpec {
    /// Why vLLM could not shard this model over `gpus` GPUs (with its experts spread whole over them when
    /// `expertParallel`), in words, or nil when it can.
    public func tensorParallelProblem(gpus: Int, expertParallel: Bool = false) -> String? {
        if expertParallel && moe == nil { return "\(name) has no experts to spread: it is a dense model" }
        if gpus == 1 { return nil }
        if attentionHeads % gpus != 0 {
            return "\(gpus) does not divide \(name)'s \(attentionHeads) attention heads"
        }
        if kvHeads % gpus != 0 && gpus % kvHeads != 0 {
            return "\(gpus) neither divides nor is a multiple of \(name)'s \(kvHeads) KV heads"
        }
        if ffnSize % gpus != 0 {
            return "\(gpus) does not divide \(name)'s MLP size \(ffnSize)"
        }
        guard let moe else { return nil }
        if expertParallel && moe.experts % gpus != 0 {
            return "\(gpus) does not divide \(name)'s \(moe.experts) experts"
        }
        if !expertParallel && moe.expertFFNSize % gpus != 0 {
            return "\(gpus) does not divide \(name)'s expert MLP size \(moe.expertFFNSize)"
        }
        if moe.sharedExpertFFNSize % gpus != 0 {
            return "\(gpus) does not divide \(name)'s shared expert MLP size \(moe.sharedExpertFFNSize)"
        }
        return nil
    }

    /// The shard one of `gpus` GPUs holds; the model itself for one GPU. `tensorParallelProblem(gpus:expertParallel:)`
    /// must be nil.
    public func shard(tensorParallel gpus: Int, expertParallel: Bool = false) -> ModelSpec {
        guard gpus > 1 else { return self }
        var shard = self
        shard.attentionHeads = attentionHeads / gpus
        shard.kvHeads = max(1, kvHeads / gpus)
        shard.ffnSize = ffnSize / gpus
        shard.vocabSize = (vocabSize + gpus - 1) / gpus
        if var moe {
            if expertParallel {
                moe.experts /= gpus
                shard.expertParallel = self.expertParallel * gpus
            } else {
                moe.expertFFNSize /= gpus
            }
            moe.sharedExpertFFNSize /= gpus
            shard.moe = moe
        }
        shard.tensorParallel = tensorParallel * gpus
        return shard
    }
}
