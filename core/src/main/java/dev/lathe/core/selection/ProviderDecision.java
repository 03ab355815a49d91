package dev.lathe.core.selection;

import dev.lathe.core.provider.ProviderConfig;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The provider a policy chose, with the reason for every candidate it considered.
 *
 * @param selected   the configuration to run with
 * @param policy     the policy's name
 * @param candidates every candidate, in the order considered
 */
public record ProviderDecision(ProviderConfig selected, String policy, List<Candidate> candidates) {

    /** Copies the list. */
    public ProviderDecision {
        candidates = List.copyOf(candidates);
    }

    /**
     * One candidate and what became of it.
     *
     * @param provider        the candidate's description ("cuda (device 0)", "cpu (4 threads)")
     * @param available       whether it could be used here
     * @param selected        whether it won
     * @param reason          why it won or lost, in words
     * @param medianLatencyMs the measured median latency, for the "fastest" policy
     */
    public record Candidate(String provider, boolean available, boolean selected, String reason,
            OptionalDouble medianLatencyMs) {
    }

    /**
     * One line: the choice and why, then every other candidate's fate, e.g. "cpu (prefer: first available
     * (fallback)); tensorrt (device 0): unavailable: ...".
     */
    public String summary() {
        StringBuilder text = new StringBuilder(selected.describe()).append(" (").append(policy);
        candidates.stream().filter(Candidate::selected).findFirst()
                .ifPresent(chosen -> text.append(": ").append(chosen.reason()));
        text.append(')');
        for (Candidate candidate : candidates) {
            if (!candidate.selected()) {
                text.append("; ").append(candidate.provider()).append(": ").append(candidate.reason());
            }
        }
        return text.toString();
    }
}
