package dev.lathe.core.fuzz;

import java.util.List;

/**
 * A mutated input: the target it is for, the seed it was made from, the mutations applied, and the
 * resulting bytes. Reports show the seed and the mutations, never the bytes.
 */
record Mutant(String target, String seed, List<Mutation> mutations, byte[] bytes) {

    static Mutant of(String target, String seed, byte[] seedBytes, List<Mutation> mutations) {
        byte[] bytes = seedBytes;
        for (Mutation mutation : mutations) {
            bytes = mutation.apply(bytes);
        }
        return new Mutant(target, seed, List.copyOf(mutations), bytes);
    }

    @Override
    public String toString() {
        return seed + " " + mutations + " (" + bytes.length + " bytes)";
    }
}
