package dev.lathe.djl;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the short {@code key=value,key=value} texts that describe how data becomes inputs
 * ({@code --image size=640x640,order=bgr}, {@code --audio window=512}): keys are lower-cased, values
 * stripped, and every mistake named with the valid keys.
 */
public final class SpecText {
    private SpecText() {
    }

    /**
     * The pairs of a spec text, in order; empty for a blank text.
     *
     * @param kind     what the spec describes, for messages ("image spec")
     * @param keys     the valid keys
     * @param keyHelp  the valid keys with their forms, for messages
     * @throws IllegalArgumentException if a part is not key=value, a key is unknown or given twice
     */
    public static Map<String, String> pairs(String kind, String text, Set<String> keys, String keyHelp) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return pairs;
        }
        for (String part : text.split(",")) {
            String pair = part.strip();
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(kind + " \"" + text + "\": \"" + pair + "\" is not key=value; keys: "
                        + keyHelp);
            }
            String key = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(kind + ": unknown key \"" + key + "\"; valid keys: " + keyHelp);
            }
            if (pairs.put(key, pair.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException(kind + ": key \"" + key + "\" given twice");
            }
        }
        return pairs;
    }
}
