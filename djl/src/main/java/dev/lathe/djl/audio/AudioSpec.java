package dev.lathe.djl.audio;

import dev.lathe.djl.SpecText;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How audio becomes model input samples: the sample rate files must have, the window length (samples per
 * model call), what recurrent state inputs receive and what happens to a last, incomplete window. The
 * defaults suit Silero VAD: 16 000 Hz, windows of 512 samples (32 ms), zero states, incomplete tail dropped.
 * Instances are immutable.
 *
 * @param sampleRate the rate every file must have, in Hz; also the value fed to a sample-rate input
 * @param window     samples per window, the length of the audio input's last dimension
 * @param state      what state inputs receive
 * @param tail       what happens to samples left over after the last full window of a file
 */
public record AudioSpec(int sampleRate, int window, StateMode state, Tail tail) {
    /** The keys {@link #parse(String)} accepts. */
    public static final Set<String> KEYS = Set.of("rate", "window", "state", "tail");

    /** What recurrent state inputs (such as Silero's {@code h}/{@code c} or {@code state}) receive. */
    public enum StateMode {
        /** Zeros for every window: each window is seen as the start of a stream. Needs no model run. */
        ZEROS,
        /**
         * The matching outputs of the previous window of the same file (zeros for a file's first window), as in
         * streaming use; computing them runs the model once per window.
         */
        CARRY
    }

    /** What happens to the samples after a file's last full window. */
    public enum Tail {
        /** They are left out. */
        DROP,
        /** They become one more window, padded with zeros (silence). */
        PAD
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if the rate or window is not positive or a mode is null
     */
    public AudioSpec {
        if (sampleRate < 1) {
            throw new IllegalArgumentException("audio spec: rate=" + sampleRate + " must be positive");
        }
        if (window < 1) {
            throw new IllegalArgumentException("audio spec: window=" + window + " must be positive");
        }
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(tail, "tail");
    }

    /** The defaults: 16 000 Hz, windows of 512 samples, zero states, tail dropped (Silero VAD). */
    public static AudioSpec defaults() {
        return new AudioSpec(16_000, 512, StateMode.ZEROS, Tail.DROP);
    }

    /**
     * Parses command-line text of comma-separated {@code key=value} pairs, each key at most once, for example
     * {@code rate=16000,window=512,state=carry,tail=pad}. Keys: {@code rate} (Hz), {@code window} (samples),
     * {@code state} ({@code zeros} or {@code carry}), {@code tail} ({@code drop} or {@code pad}). Keys left
     * out keep their {@link #defaults()}; blank text gives the defaults.
     *
     * @throws IllegalArgumentException naming the bad key or value and listing the valid ones
     */
    public static AudioSpec parse(String text) {
        AudioSpec spec = defaults();
        for (Map.Entry<String, String> pair : SpecText.pairs("audio spec", text, KEYS, keyList()).entrySet()) {
            String key = pair.getKey();
            String value = pair.getValue();
            spec = switch (key) {
                case "rate" -> new AudioSpec(integer(key, value), spec.window, spec.state, spec.tail);
                case "window" -> new AudioSpec(spec.sampleRate, integer(key, value), spec.state, spec.tail);
                case "state" -> new AudioSpec(spec.sampleRate, spec.window, choice(key, value, StateMode.class), spec.tail);
                case "tail" -> new AudioSpec(spec.sampleRate, spec.window, spec.state, choice(key, value, Tail.class));
                default -> throw new IllegalStateException(key);
            };
        }
        return spec;
    }

    private static String keyList() {
        return "rate=HZ, window=SAMPLES, state=zeros|carry, tail=drop|pad";
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("audio spec: " + key + " has \"" + value + "\", not a whole number", e);
        }
    }

    private static <E extends Enum<E>> E choice(String key, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("audio spec: " + key + "=" + value + " is not one of "
                + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
    }

    /** A copy with another state mode. */
    public AudioSpec withState(StateMode mode) {
        return new AudioSpec(sampleRate, window, mode, tail);
    }

    /** The spec as {@link #parse(String)} text; parsing it gives an equal spec. */
    @Override
    public String toString() {
        return "rate=" + sampleRate + ",window=" + window + ",state=" + state.name().toLowerCase(Locale.ROOT)
                + ",tail=" + tail.name().toLowerCase(Locale.ROOT);
    }
}
