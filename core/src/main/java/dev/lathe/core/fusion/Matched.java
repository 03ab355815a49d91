package dev.lathe.core.fusion;

import java.util.Optional;

/**
 * The outcome of trying one fusion on one place of the graph: the match, or the reason the pattern does not match
 * exactly there.
 *
 * @param match  the match, when there is one
 * @param reason why there is none, else ""
 * @param <T>    the kind of match
 */
record Matched<T>(Optional<T> match, String reason) {
    static <T> Matched<T> of(T match) {
        return new Matched<>(Optional.of(match), "");
    }

    static <T> Matched<T> no(String reason) {
        return new Matched<>(Optional.empty(), reason);
    }
}
