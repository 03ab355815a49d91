package dev.lathe.core.provider;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Provider configurations as short text, for the command line and for handing a configuration to a
 * child process: {@code name[:key=value,...]}, for example {@code cpu:threads=4,arena=false},
 * {@code cuda:device=1,mem-limit=4000000000}, {@code tensorrt:fp16=true,engine-cache=/tmp/trt},
 * {@code openvino:device_type=GPU}.
 *
 * <p>Keys: cpu {@code threads, inter-threads, arena} (keys with a dot are ONNX Runtime session config
 * entries); cuda {@code device, mem-limit, cudnn-search, cuda-graphs}; tensorrt {@code device, fp16,
 * int8, engine-cache, timing-cache, workspace, min-shapes, opt-shapes, max-shapes} (shapes as
 * {@code input:1x128;mask:1x128}). Other keys of cuda, tensorrt and the named providers go to ONNX
 * Runtime verbatim.
 */
public final class ProviderSpecs {
    private static final List<String> CPU_KEYS = List.of("threads", "inter-threads", "arena");

    private ProviderSpecs() {
    }

    /**
     * Parses a provider specification.
     *
     * @throws IllegalArgumentException naming the provider names or keys that are valid, when the text is
     *                                  not one
     */
    public static ProviderConfig parse(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        Provider provider = Provider.fromName(name.trim()).orElseThrow(() -> new IllegalArgumentException(
                "unknown provider '" + name + "'; valid providers: " + Provider.names()));
        Map<String, String> options = colon < 0 ? new LinkedHashMap<>() : options(spec, spec.substring(colon + 1));
        return switch (provider) {
            case CPU -> cpu(spec, options);
            case CUDA -> cuda(spec, options);
            case TENSORRT -> tensorRt(spec, options);
            default -> new ProviderConfig.Named(provider, options);
        };
    }

    /** The specification text of a configuration; {@link #parse} gives back an equal configuration. */
    public static String format(ProviderConfig config) {
        Map<String, String> options = new LinkedHashMap<>();
        if (config instanceof ProviderConfig.Cpu cpu) {
            options.put("threads", Integer.toString(cpu.intraOpThreads()));
            options.put("inter-threads", Integer.toString(cpu.interOpThreads()));
            options.put("arena", Boolean.toString(cpu.arena()));
        } else if (config instanceof ProviderConfig.Cuda cuda) {
            options.put("device", Integer.toString(cuda.deviceId()));
            options.put("mem-limit", Long.toString(cuda.memoryLimitBytes()));
            options.put("cudnn-search", cuda.convAlgorithmSearch());
            options.put("cuda-graphs", Boolean.toString(cuda.cudaGraphs()));
        } else if (config instanceof ProviderConfig.TensorRt trt) {
            options.put("device", Integer.toString(trt.deviceId()));
            trt.fp16().ifPresent(v -> options.put("fp16", v.toString()));
            trt.int8().ifPresent(v -> options.put("int8", v.toString()));
            trt.engineCache().ifPresent(v -> options.put("engine-cache", v.toString()));
            trt.timingCache().ifPresent(v -> options.put("timing-cache", v.toString()));
            options.put("workspace", Long.toString(trt.workspaceBytes()));
            trt.profileMinShapes().ifPresent(v -> options.put("min-shapes", v.replace(',', ';')));
            trt.profileOptShapes().ifPresent(v -> options.put("opt-shapes", v.replace(',', ';')));
            trt.profileMaxShapes().ifPresent(v -> options.put("max-shapes", v.replace(',', ';')));
        }
        options.putAll(config.extraOptions());
        StringBuilder text = new StringBuilder(config.provider().cliName());
        String separator = ":";
        for (Map.Entry<String, String> option : options.entrySet()) {
            text.append(separator).append(option.getKey()).append('=').append(option.getValue());
            separator = ",";
        }
        return text.toString();
    }

    private static Map<String, String> options(String spec, String text) {
        Map<String, String> options = new LinkedHashMap<>();
        if (text.isBlank()) {
            return options;
        }
        for (String pair : text.split(",")) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("provider option '" + pair + "' in '" + spec + "' is not key=value");
            }
            options.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return options;
    }

    private static ProviderConfig cpu(String spec, Map<String, String> options) {
        Map<String, String> extra = new LinkedHashMap<>();
        options.forEach((key, value) -> {
            if (!CPU_KEYS.contains(key)) {
                if (!key.contains(".")) {
                    throw new IllegalArgumentException("unknown cpu option '" + key + "' in '" + spec + "'; valid: "
                            + String.join(", ", CPU_KEYS) + ", or an ONNX Runtime session config key (with a dot)");
                }
                extra.put(key, value);
            }
        });
        return new ProviderConfig.Cpu(bool(spec, options, "arena", true), integer(spec, options, "threads", 0),
                integer(spec, options, "inter-threads", 0), extra);
    }

    private static ProviderConfig cuda(String spec, Map<String, String> options) {
        Map<String, String> extra = new LinkedHashMap<>(options);
        List.of("device", "mem-limit", "cudnn-search", "cuda-graphs").forEach(extra::remove);
        return new ProviderConfig.Cuda(integer(spec, options, "device", 0), longValue(spec, options, "mem-limit", 0),
                options.getOrDefault("cudnn-search", "EXHAUSTIVE").toUpperCase(java.util.Locale.ROOT),
                bool(spec, options, "cuda-graphs", false), extra);
    }

    private static ProviderConfig tensorRt(String spec, Map<String, String> options) {
        Map<String, String> extra = new LinkedHashMap<>(options);
        List.of("device", "fp16", "int8", "engine-cache", "timing-cache", "workspace", "min-shapes", "opt-shapes",
                "max-shapes").forEach(extra::remove);
        return new ProviderConfig.TensorRt(integer(spec, options, "device", 0),
                options.containsKey("fp16") ? Optional.of(bool(spec, options, "fp16", false)) : Optional.empty(),
                options.containsKey("int8") ? Optional.of(bool(spec, options, "int8", false)) : Optional.empty(),
                Optional.ofNullable(options.get("engine-cache")).map(Path::of),
                Optional.ofNullable(options.get("timing-cache")).map(Path::of),
                longValue(spec, options, "workspace", 0),
                Optional.ofNullable(options.get("min-shapes")).map(s -> s.replace(';', ',')),
                Optional.ofNullable(options.get("opt-shapes")).map(s -> s.replace(';', ',')),
                Optional.ofNullable(options.get("max-shapes")).map(s -> s.replace(';', ',')), extra);
    }

    private static int integer(String spec, Map<String, String> options, String key, int fallback) {
        long value = longValue(spec, options, key, fallback);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("provider option " + key + " in '" + spec + "' is too large");
        }
        return (int) value;
    }

    private static long longValue(String spec, Map<String, String> options, String key, long fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("provider option " + key + " in '" + spec + "' must be a number, got '"
                    + value + "'");
        }
    }

    private static boolean bool(String spec, Map<String, String> options, String key, boolean fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "on", "yes" -> true;
            case "false", "0", "off", "no" -> false;
            default -> throw new IllegalArgumentException("provider option " + key + " in '" + spec
                    + "' must be true or false, got '" + value + "'");
        };
    }
}
