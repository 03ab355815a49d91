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
 *
 * <p>{@code lathe-core} itself holds only {@code cleanup}. The {@code quantize.*} passes come from
 * {@code dev.lathe:lathe-quantize} and the {@code prune.*} passes from {@code dev.lathe:lathe-prune}; they
 * are found at run time only when those modules are on the class path (a {@code runtime} dependency is
 * enough), and an unknown {@code quantize.} or {@code prune.} name says which module to add when no pass of
 * that family is present.
 *
 * <p>Each module lists its factories in {@code META-INF/services/dev.lathe.core.pipeline.PassFactory}. A
 * shaded ("fat") jar must merge these files rather than keep one of them, or the passes of the other
 * modules silently disappear: with the Maven Shade Plugin, add its {@code ServicesResourceTransformer}
 * ({@code <transformer implementation="org.apache.maven.plugins.shade.resource.ServicesResourceTransformer"/>}).
 * In containers and plug-in systems whose classes live in a different class loader than Lathe's, use
 * {@link #load(ClassLoader)}.
 */
public final class PassRegistry {
    /** The modules that hold the pass families outside {@code lathe-core}. */
    private static final Map<String, String> MODULES_BY_PREFIX = Map.of(
            "quantize.", "dev.lathe:lathe-quantize",
            "prune.", "dev.lathe:lathe-prune");

    private final Map<String, PassFactory> factories;

    private PassRegistry(Map<String, PassFactory> factories) {
        this.factories = factories;
    }

    /** The passes the class loader of this class can see. */
    public static PassRegistry load() {
        return load(PassRegistry.class.getClassLoader());
    }

    /**
     * The passes a class loader can see, found with {@link ServiceLoader#load(Class, ClassLoader)}: the
     * {@link PassFactory} entries in the {@code META-INF/services} files the loader (and its parents) can read.
     * Use it when Lathe's modules are loaded by another class loader than {@code lathe-core}, such as an
     * application server's or a plug-in's.
     *
     * @param loader the class loader to search, or {@code null} for the system class loader
     * @return the passes found, by name
     * @throws IllegalStateException when two factories have the same name
     * @throws java.util.ServiceConfigurationError when a service entry names a class that cannot be loaded or
     *                                             instantiated
     */
    public static PassRegistry load(ClassLoader loader) {
        Map<String, PassFactory> factories = new TreeMap<>();
        for (PassFactory factory : ServiceLoader.load(PassFactory.class, loader)) {
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
                    + String.join(", ", factories.keySet()) + missingModuleHint(name));
        }
        return factory.create(options);
    }

    /**
     * For a {@code quantize.} or {@code prune.} name when no pass of that family is registered: which module
     * to add. Empty otherwise (then the name is a typo, and the list of available passes says what exists).
     */
    private String missingModuleHint(String name) {
        for (Map.Entry<String, String> family : MODULES_BY_PREFIX.entrySet()) {
            String prefix = family.getKey();
            if (name.startsWith(prefix) && factories.keySet().stream().noneMatch(known -> known.startsWith(prefix))) {
                return "; the " + prefix + "* passes are in " + family.getValue()
                        + ": add it to the class path (a runtime dependency is enough)";
            }
        }
        return "";
    }
}
