/// The part of a model one GPU holds and computes under vLLM's tensor parallelism.
///
/// vLLM splits every decoder layer's attention by heads (QKV column-parallel, output projection row-parallel), its
/// MLP and each expert's MLP by intermediate size, and the token embedding and LM head by vocabulary; the hidden
/// size, the norms and an MoE router stay whole on every GPU. Where the model has fewer KV heads than GPUs, each
/// GPU keeps a copy of one KV head. A shard is therefore the same kind of model with narrower dimensions, and
/// everything derived from a ``ModelSpec`` (bytes, KV bytes per token, FLOPs, kernel shapes) is per GPU.
///
/// With expert parallelism (vLLM's `enable_expert_parallel`) the routed experts are not sliced: each GPU holds
/// `experts / gpus` whole experts, and the attention and shared experts stay split as above.
///
/// With data parallelism (vLLM's `data_parallel_size`, MoE models only) each of `ranks` engines holds the attention
/// (split over its own `gpus`), and the MoE layers form one group over all `ranks × gpus` GPUs: whole experts with
/// expert parallelism, else each expert sliced over the whole group.
extension ModelSpec {
    /// Why vLLM could not shard this model over `gpus` GPUs per data-parallel rank and `ranks` ranks (with its
    /// experts spread whole over them when `expertParallel`), in words, or nil when it can.
    public func tensorParallelProblem(gpus: Int, expertParallel: Bool = false, dataParallel ranks: Int = 1) -> String? {
        if expertParallel && moe == nil { return "\(name) has no experts to spread: it is a dense model" }
        if ranks > 1 && moe == nil {
            return "\(name) is a dense model, whose data-parallel replicas are independent servers; data parallelism is modelled for MoE models, whose ranks step together"
        }
        if gpus > 1 {
            if attentionHeads % gpus != 0 {
                return "\(gpus) does not divide \(name)'s \(attentionHeads) attention heads"
            }
            if kvHeads % gpus != 0 && gpus % kvHeads != 0 {
                return "\(gpus) neither divides nor is a multiple of \(name)'s \(kvHeads) KV heads"
            }
            if ffnSize % gpus != 0 {
                return "\(gpus) does not divide \(name)'s MLP size \(ffnSize)"
            }
        }
        guard let moe else { return nil }
        let group = gpus * ranks
        if group == 1 { return nil }
        if expertParallel && moe.experts % group != 0 {
            return "\(group) does not divide \(name)'s \(moe.experts) experts"
        }
        if !expertParallel && moe.expertFFNSize % group != 0 {
            return "\(group) does not divide \(name)'s expert MLP size \(moe.expertFFNSize)"
        }
        if moe.sharedExpertFFNSize % gpus != 0 {
            return "\(gpus) does not divide \(name)'s shared expert MLP size \(moe.sharedExpertFFNSize)"
        }
        return nil
    }

    /// The shard one of `gpus` GPUs of one of `ranks` data-parallel ranks holds; the model itself for one GPU.
    /// `tensorParallelProblem(gpus:expertParallel:dataParallel:)` must be nil.
    public func shard(tensorParallel gpus: Int, expertParallel: Bool = false, dataParallel ranks: Int = 1) -> ModelSpec {
        let group = gpus * ranks
        guard group > 1 else { return self }
        var shard = self
        shard.attentionHeads = attentionHeads / gpus
        shard.kvHeads = max(1, kvHeads / gpus)
        shard.ffnSize = ffnSize / gpus
        shard.vocabSize = (vocabSize + gpus - 1) / gpus
        if var moe {
            if expertParallel {
                moe.experts /= group
                shard.expertParallel = self.expertParallel * group
            } else {
                moe.expertFFNSize /= group
            }
            moe.sharedExpertFFNSize /= gpus
            shard.moe = moe
        }
        shard.tensorParallel = tensorParallel * gpus
        shard.dataParallel = dataParallel * ranks
        return shard
    }
}
