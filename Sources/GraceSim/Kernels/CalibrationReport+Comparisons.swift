import Foundation

/// The sections of `docs/calibration.md` that compare with outside measurements, and the roofline's constants.
extension CalibrationReport {
    func vidurSection() -> String {
        var out = "## 3. Against Vidur's H100 table\n\n"
        out += "Method: `IterationTimeModel.linearLayerSeconds` (a layer's four GEMMs and its norms, RoPE, activation and "
        out += "residual add; no attention) for Llama-2-7B on one H100 SXM, with the H100 tables and by the roofline, "
        out += "against the per-layer sum of the measured medians of the same ops in the \(vidur.rows.count) TP = 1 rows of "
        out += "`\(VidurLayerRow.file)` (Vidur's profile, `Configs/calibration/SOURCE.md`). Both models time the "
        out += "elementwise ops by the roofline, so the two differ in the GEMMs alone; the GEMM rows compare the four GEMMs "
        out += "with the table's four GEMM columns. Only the roofline's elementwise constants are fitted to these rows; "
        out += "its GEMMs are fitted to the H100 kernel tables (section 2), so here they follow the tables'.\n\n"
        out += "| model | ops | rows | median | bias | p90 | worst | at | median from 512 tokens |\n"
        out += "|---|---|---:|---:|---:|---:|---:|---|---:|\n"
        for (name, ops, e, large) in [("tables", "layer", vidur.tables, vidur.tablesFrom512 as ErrorSummary?),
                                      ("roofline", "layer", vidur.roofline, vidur.rooflineFrom512),
                                      ("tables", "GEMMs", vidur.tablesGEMMs, nil), ("roofline", "GEMMs", vidur.rooflineGEMMs, nil)] {
            out += "| \(name) | \(ops) | \(e.count) | \(Self.magnitude(e.medianAbsolute)) | \(Self.signed(e.medianSigned)) | "
            out += "\(Self.magnitude(e.p90Absolute)) | \(Self.signed(e.worst)) | \(e.worstAt) | "
            out += "\(large.map { Self.magnitude($0.medianAbsolute) } ?? "") |\n"
        }
        out += "\nPer layer, in ms:\n\n"
        out += "| tokens | Vidur | tables | error | roofline | error |\n|---:|---:|---:|---:|---:|---:|\n"
        for row in vidur.rows where KernelCalibration.vidurTokens.contains(row.tokens) {
            out += "| \(row.tokens) | \(Self.ms(row.measuredSeconds)) | \(Self.ms(row.tablesSeconds)) | "
            out += "\(Self.signed(row.tablesSeconds / row.measuredSeconds - 1)) | \(Self.ms(row.rooflineSeconds)) | "
            out += "\(Self.signed(row.rooflineSeconds / row.measuredSeconds - 1)) |\n"
        }
        out += "\nThe tables' GEMMs (aiconfigurator's newer vLLM, PyTorch and cuBLAS) are faster than Vidur's measurements "
        out += "of the older stack (bias \(Self.signed(vidur.tablesGEMMs.medianSigned))), most of all just past Vidur's "
        out += "tile steps (\(vidur.tablesGEMMs.worstAt): \(Self.signed(vidur.tablesGEMMs.worst))), where the older "
        out += "kernels jump and the newer ones do not. The roofline, fitted to the tables, inherits the difference (GEMMs: "
        out += "bias \(Self.signed(vidur.rooflineGEMMs.medianSigned))). The two tables measure different software; neither is "
        out += "taken as the error of the other [E].\n\n"
        return out
    }

    func inferenceSimSection() -> String {
        var out = "## 4. Against inference-sim's per-layer H100 profiles\n\n"
        out += "Method: gracesim's per-layer kernels with the H100 tables and by the roofline against the TP = 1 profiles "
        out += "in `Configs/calibration/inference-sim/` (inference-sim, Apache-2.0; vLLM 0.14 kernels queried from "
        out += "NVIDIA's measured database, µs per layer; see the `SOURCE.md` there), at every point of their grids: the "
        out += "layer's four GEMMs (`gemm`) and the LM head (`logits_gemm`) at each token count, decode attention at each "
        out += "(sequences, context) and prefill attention at each (sequences, tokens each). Prefill steps of more than "
        out += "\(KernelCalibration.prefillTokensLimit) tokens are reported apart: there many of the tables' points are fills (section 1), "
        out += "not measurements. The profiles come from the same kind of database as the tables (an older vLLM), so agreement "
        out += "checks the lookups, head mapping and shapes more than the measurements themselves.\n\n"
        out += "| model | kernel | points | tables: median | bias | worst | at | roofline: median | bias | worst | at |\n"
        out += "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|\n"
        for row in inferenceSim {
            let t = row.tables, r = row.roofline
            out += "| \(row.model) | \(row.kernel) | \(r.count) | \(Self.magnitude(t.medianAbsolute)) | \(Self.signed(t.medianSigned)) | "
            out += "\(Self.signed(t.worst)) | \(t.worstAt) | \(Self.magnitude(r.medianAbsolute)) | \(Self.signed(r.medianSigned)) | "
            out += "\(Self.signed(r.worst)) | \(r.worstAt) |\n"
        }
        return out + "\n"
    }

    func constantsSection() -> String {
        let e = ComputeEfficiency.fitted
        var out = "## The roofline's constants\n\n"
        out += "`Scripts/fit_compute_efficiency.py` fits the GEMM and attention constants to the H100 kernel tables "
        out += "(section 2) and the elementwise constants to Vidur's H100 table (section 3), which has the only measured "
        out += "elementwise kernels (norms, RoPE, activation, residual add; the KV-cache write, embedding lookup and final "
        out += "norm are timed with them). `python3 Scripts/fit_compute_efficiency.py` prints both fits, their held-out "
        out += "errors and their per-point tables.\n\n"
        let tables = "`Configs/kernels/h100-sxm.kernels`"
        out += "| constant | value | fitted to |\n|---|---|---|\n"
        for knot in e.computeFractionKnots {
            out += "| η_c at \(Int(knot.tokens)) tokens (`computeFractionKnots`) | \(knot.fraction) | \(tables) GEMMs |\n"
        }
        out += "| GEMM tile (`gemmTileTokens`) | \(Int(e.gemmTileTokens)) tokens | \(tables) GEMMs |\n"
        out += "| η_m (`gemmMemoryFraction`) | \(e.gemmMemoryFraction) | \(tables) GEMMs |\n"
        out += "| t_g (`gemmFixedSeconds`) | \(Self.microseconds(e.gemmFixedSeconds)) | \(tables) GEMMs |\n"
        out += "| η_a (`attentionComputeFraction`) | \(e.attentionComputeFraction) | \(tables) prefill attention |\n"
        out += "| η_kv (`attentionMemoryFraction`) | \(e.attentionMemoryFraction) | \(tables) decode attention |\n"
        out += "| t_a (`attentionFixedSeconds`) | \(Self.microseconds(e.attentionFixedSeconds)) | \(tables) decode attention |\n"
        out += "| η_e (`elementwiseMemoryFraction`) | \(e.elementwiseMemoryFraction) | `\(VidurLayerRow.file)` |\n"
        out += "| t_k (`elementwiseFixedSeconds`) | \(Self.microseconds(e.elementwiseFixedSeconds)) | `\(VidurLayerRow.file)` |\n"
        return out
    }

    /// Seconds as microseconds with one decimal: `2.6 µs`.
    static func microseconds(_ seconds: Double) -> String { String(format: "%.1f µs", seconds * 1e6) }

    /// Seconds as milliseconds with four decimals.
    static func ms(_ seconds: Double) -> String { String(format: "%.4f", seconds * 1e3) }
}
