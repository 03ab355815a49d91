package dev.lathe.core.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The passes on the class path, by name, found through {@link PassFactory} service entries. A pass
 * specification is {@code name[:key=value,...]}, such as {@code cleanup} or {@code quantize.int4:block=32,sym}
 * (a key without a value means {@code true}).
 */
public final class PassRegistry {
    private final Map<String, PassFactory> factories;

    private PassRegistry(Map<String, PassFactory> factories) {
        this.factories = factories;
    }

    /** The passes the class loader of this class can see. */
    public static PassRegistry load() {
        Map<String, PassFactory> factories = new TreeMap<>();
        for (PassFactory factory : ServiceLoader.load(PassFactory.class, PassRegistry.class.getClassLoader())) {
            PassFactory previous = factories.putIfAbsent(factory.name(), factory);
            if (previous != null) {
                throw new IllegalStateException("two passes are named '" + factory.name() + "': "
                        + previous.getClass().getName() + " and " + factory.getClass().getName());
            }
        }
        return new PassRegistry(Collections.unmodifiableMap(factories));
    }

    /** Factories by pass name, sorted. */
    public Map<String, PassFactory> factories() {
        return factories;
    }

    /**
     * A pass from its specification.
     *
     * @throws IllegalArgumentException for an unknown pass (listing the known ones) or bad options
     */
    public Pass create(String spec) {
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim();
        Map<String, String> options = new LinkedHashMap<>();
        if (colon >= 0 && !spec.substring(colon + 1).isBlank()) {
            for (String option : spec.substring(colon + 1).split(",")) {
                int equals = option.indexOf('=');
                options.put((equals < 0 ? option : option.substring(0, equals)).trim(),
                        equals < 0 ? "true" : option.substring(equals + 1).trim());
            }
        }
        return create(name, options);
    }

    /** A pass by name with options. */
    public Pass create(String name, Map<String, String> options) {
        PassFactory factory = factories.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown pass '" + name + "'; available passes: "
                    + String.join(", ", factories.keySet()));
        }
        return factory.create(options);
    }
}
