package dev.lathe.core.fuzz;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A fuzz campaign: {@code tries} mutants of {@code target} drawn from a generator, each handed to a
 * {@link Check}. Try {@code i} draws from a {@link Random} seeded from the campaign's seed and {@code i}
 * alone, so runs are deterministic and a seed and a try index regenerate one mutant. Failures are collected
 * (the campaign stops at {@value #MAX_FAILURES}) and reported together, each with its try index and, from the
 * oracle ({@link Fuzz}), the saved input. A summary line counts the outcomes.
 *
 * <p>System properties, for every campaign:
 * <ul>
 *   <li>{@code lathe.fuzz.tries=N}: N tries instead of the short default (N / {@code cost} for a costly
 *       campaign, at least 1), for a long run before a release;
 *   <li>{@code lathe.fuzz.seed=S}: seed S instead of the campaign's fixed seed, to explore other inputs;
 *   <li>{@code lathe.fuzz.try=I}: only try I (of the seed in force), to regenerate one reported mutant;
 *   <li>{@code lathe.fuzz.replay=PATH}: no mutants; check the saved inputs at PATH (a file, or a folder such as
 *       {@code target/fuzz-failures}; relative to {@code core/}) that fit the campaign's target instead.
 *       Campaigns with none are skipped.
 * </ul>
 *
 * @param target the file name the mutants stand for ({@code model.onnx}); names saved inputs
 * @param seed the fixed seed
 * @param tries the short default budget
 * @param cost how many typical tries one try of this campaign costs; divides {@code lathe.fuzz.tries}
 */
record Campaign(String target, long seed, int tries, int cost) {
    static final String TRIES = "lathe.fuzz.tries";
    static final String SEED = "lathe.fuzz.seed";
    static final String TRY = "lathe.fuzz.try";
    static final String REPLAY = "lathe.fuzz.replay";
    static final int MAX_FAILURES = 5;

    /** The code under test with its oracle: an outcome label for the summary, or an AssertionError. */
    @FunctionalInterface
    interface Check {
        String run(Mutant mutant) throws Exception;
    }

    /** A campaign of typical cost. */
    Campaign(String target, long seed, int tries) {
        this(target, seed, tries, 1);
    }

    /** Runs the campaign (or replays saved inputs) and fails with every failure found. */
    void run(Gen<Mutant> mutants, Check check) throws IOException {
        String replay = property(REPLAY);
        if (replay != null) {
            List<Path> files = Fuzz.savedInputs(target, Path.of(replay));
            assumeFalse(files.isEmpty(), "no saved " + target + " input at " + replay);
            execute("replay of " + replay, 0, files.size(), i -> files.get(i).toString(), i -> read(files.get(i)),
                    check);
            return;
        }
        long seed = property(SEED) == null ? this.seed : Long.parseLong(property(SEED));
        String only = property(TRY);
        int from = only == null ? 0 : Integer.parseInt(only);
        int to = only == null ? budget() : from + 1;
        execute("seed " + seed, from, to, i -> "try " + i + " (-D" + SEED + "=" + seed + " -D" + TRY + "=" + i + ")",
                i -> mutants.next(new Random(mix(seed, i))), check);
    }

    /**
     * Checks mutants {@code from} to {@code to - 1}, counting outcomes; prints the summary, then fails if any
     * check failed.
     */
    private void execute(String run, int from, int to, IntFunction<String> label, IntFunction<Mutant> mutant,
            Check check) {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<Throwable> causes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = from; i < to && failures.size() < MAX_FAILURES; i++) {
            try {
                outcomes.merge(check.run(mutant.apply(i)), 1, Integer::sum);
            } catch (Exception | AssertionError e) {
                failures.add(label.apply(i) + ": " + e);
                causes.add(e);
            }
        }
        System.out.printf("fuzz %s, %s: %s, %d failures, %.1f s%n", target, run, outcomes, failures.size(),
                (System.nanoTime() - start) / 1e9);
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " failing " + target + " input(s), " + run
                    + (failures.size() == MAX_FAILURES ? " (stopped there)" : "") + ":\n  "
                    + String.join("\n  ", failures) + "\nReplay a saved input with -D" + REPLAY + "=FILE.",
                    causes.get(0));
            causes.subList(1, causes.size()).forEach(error::addSuppressed);
            throw error;
        }
    }

    private int budget() {
        Integer override = Integer.getInteger(TRIES);
        return override == null ? tries : Math.max(1, override / cost);
    }

    private Mutant read(Path file) {
        try {
            return new Mutant(target, file.toString(), List.of(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A property's value, or null if it is unset or blank. */
    private static String property(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The seed of try {@code index}: SplitMix64's finalizer, so that neighbouring tries draw unrelated values. */
    static long mix(long seed, int index) {
        long z = seed + (index + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
