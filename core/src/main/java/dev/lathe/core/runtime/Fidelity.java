package dev.lathe.core.runtime;

import java.util.List;

/**
 * Fidelity of a candidate model against a reference over {@code samples} input samples, per output and
 * in aggregate: the aggregate cosine figures are the worst output's, the errors the largest.
 *
 * @param samples how many input samples both models ran
 * @param outputs per-output figures, in the reference model's output order
 */
public record Fidelity(int samples, List<OutputFidelity> outputs) {

    /** Copies the list. */
    public Fidelity {
        outputs = List.copyOf(outputs);
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("fidelity needs at least one compared output");
        }
    }

    /** The lowest per-output mean cosine similarity. */
    public double cosineMean() {
        return outputs.stream().mapToDouble(OutputFidelity::cosineMean).min().orElseThrow();
    }

    /** The lowest cosine similarity of any sample of any output. */
    public double cosineMin() {
        return outputs.stream().mapToDouble(OutputFidelity::cosineMin).min().orElseThrow();
    }

    /** The largest absolute error of any element of any output. */
    public double maxAbsError() {
        return outputs.stream().mapToDouble(OutputFidelity::maxAbsError).max().orElseThrow();
    }

    /** The largest per-output mean absolute error. */
    public double meanAbsError() {
        return outputs.stream().mapToDouble(OutputFidelity::meanAbsError).max().orElseThrow();
    }
}
