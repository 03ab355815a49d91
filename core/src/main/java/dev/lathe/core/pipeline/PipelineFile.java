package dev.lathe.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lathe.core.model.ShapeBinding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pipeline written down as YAML ({@code .yaml}/{@code .yml}) or JSON ({@code .json}), so that a recipe
 * can be kept with a project:
 *
 * <pre>
 * passes:
 *   - cleanup                       # a pass by name
 *   - name: cleanup                 # or with options
 *     options: {fold: false}
 * provider: auto                    # auto, fastest, cpu, cuda, tensorrt or a spec like cpu:threads=4
 * shapes: {input_ids: [1, 128]}     # explicit input shapes
 * bind: {sequence_length: 128}      # symbolic dimensions
 * validate: min-overlap=0.95       # a ValidationGate specification
 * data:                             # real samples (lathe-djl reads them), paths relative to this file
 *   path: sentences.txt             # text, images, WAV audio or NumPy samples
 *   tokenizer: tokenizer.json       # for text
 *   max-length: 128                 # for text
 *   image: size=640x640,order=bgr   # for images
 *   audio: window=512               # for audio
 * </pre>
 *
 * @param passes   the passes, created through the registry
 * @param provider the provider setting, if given
 * @param binding  the input shapes
 * @param validate the validation gate specification, if given
 * @param data     the data section, if given
 */
public record PipelineFile(List<Pass> passes, Optional<String> provider, ShapeBinding binding, Optional<String> validate,
        Optional<DataSection> data) {
    private static final Set<String> KEYS = Set.of("passes", "provider", "shapes", "bind", "validate", "data");
    private static final Set<String> DATA_KEYS = Set.of("path", "tokenizer", "max-length", "image", "audio");

    /**
     * The {@code data:} section: where real samples are and the settings their kind needs, as written (the
     * {@code lathe-djl} module interprets them). Paths are resolved against the pipeline file's folder.
     *
     * @param path      the data file or folder
     * @param tokenizer the tokenizer.json for text, if given
     * @param maxLength the longest text encoding in tokens, if given
     * @param image     the image spec text, if given
     * @param audio     the audio spec text, if given
     */
    public record DataSection(Path path, Optional<Path> tokenizer, Optional<Integer> maxLength, Optional<String> image,
            Optional<String> audio) {
    }

    /** Copies the pass list. */
    public PipelineFile {
        passes = List.copyOf(passes);
    }

    /**
     * Reads a pipeline file.
     *
     * @throws IllegalArgumentException naming the file and the problem (unknown key, unknown pass, bad
     *                                  shape)
     * @throws IOException              if the file cannot be read or parsed
     */
    public static PipelineFile read(Path file, PassRegistry registry) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        if (!name.endsWith(".json") && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw new IllegalArgumentException(file + ": a pipeline file must end in .yaml, .yml or .json");
        }
        JsonNode root = mapper.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a pipeline file must hold a mapping with the keys " + KEYS);
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "'; valid keys: passes, provider, "
                        + "shapes, bind, validate, data");
            }
        }
        List<Pass> passes = new ArrayList<>();
        for (JsonNode pass : root.path("passes")) {
            if (pass.isTextual()) {
                passes.add(naming(file, () -> registry.create(pass.asText())));
            } else if (pass.isObject() && pass.has("name")) {
                Map<String, String> options = new LinkedHashMap<>();
                pass.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
                passes.add(naming(file, () -> registry.create(pass.get("name").asText(), options)));
            } else {
                throw new IllegalArgumentException(file + ": each pass is a name or {name: ..., options: {...}}, got " + pass);
            }
        }
        ShapeBinding binding = ShapeBinding.none();
        for (Iterator<Map.Entry<String, JsonNode>> shapes = root.path("shapes").fields(); shapes.hasNext(); ) {
            Map.Entry<String, JsonNode> shape = shapes.next();
            long[] dims = new long[shape.getValue().size()];
            for (int i = 0; i < dims.length; i++) {
                JsonNode dim = shape.getValue().get(i);
                if (!dim.canConvertToLong()) {
                    throw new IllegalArgumentException(file + ": shape of input '" + shape.getKey() + "' must be a list of integers");
                }
                dims[i] = dim.asLong();
            }
            ShapeBinding before = binding;
            binding = naming(file, () -> before.withInputShape(shape.getKey(), dims));
        }
        for (Iterator<Map.Entry<String, JsonNode>> dims = root.path("bind").fields(); dims.hasNext(); ) {
            Map.Entry<String, JsonNode> dim = dims.next();
            if (!dim.getValue().canConvertToLong()) {
                throw new IllegalArgumentException(file + ": dimension '" + dim.getKey() + "' must be an integer");
            }
            ShapeBinding before = binding;
            binding = naming(file, () -> before.withDimension(dim.getKey(), dim.getValue().asLong()));
        }
        return new PipelineFile(passes, text(root, "provider"), binding, text(root, "validate"), data(file, root.path("data")));
    }

    /**
     * A pass from the registry, or a binding: their errors ("unknown pass", a bad option, a negative dimension)
     * do not know the file, so they get its name.
     */
    private static <T> T naming(Path file, java.util.function.Supplier<T> create) {
        try {
            return create.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Optional<DataSection> data(Path file, JsonNode data) {
        if (data.isMissingNode() || data.isNull()) {
            return Optional.empty();
        }
        if (!data.isObject() || !data.hasNonNull("path")) {
            throw new IllegalArgumentException(file + ": data must be a mapping with at least 'path'; valid keys: "
                    + new java.util.TreeSet<>(DATA_KEYS));
        }
        for (Iterator<String> keys = data.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!DATA_KEYS.contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key 'data." + key + "'; valid keys: "
                        + new java.util.TreeSet<>(DATA_KEYS));
            }
        }
        Path folder = file.toAbsolutePath().getParent();
        Optional<Integer> maxLength = Optional.empty();
        if (data.hasNonNull("max-length")) {
            if (!data.get("max-length").canConvertToInt()) {
                throw new IllegalArgumentException(file + ": data.max-length must be an integer");
            }
            maxLength = Optional.of(data.get("max-length").asInt());
        }
        return Optional.of(new DataSection(folder.resolve(data.get("path").asText()),
                text(data, "tokenizer").map(folder::resolve), maxLength, text(data, "image"), text(data, "audio")));
    }

    private static Optional<String> text(JsonNode root, String key) {
        return root.hasNonNull(key) ? Optional.of(root.get(key).asText()) : Optional.empty();
    }
}
