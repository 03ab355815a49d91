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
 * validate: min-cosine=0.99         # a ValidationGate specification
 * </pre>
 *
 * @param passes   the passes, created through the registry
 * @param provider the provider setting, if given
 * @param binding  the input shapes
 * @param validate the validation gate specification, if given
 */
public record PipelineFile(List<Pass> passes, Optional<String> provider, ShapeBinding binding, Optional<String> validate) {
    private static final Set<String> KEYS = Set.of("passes", "provider", "shapes", "bind", "validate");

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
                        + "shapes, bind, validate");
            }
        }
        List<Pass> passes = new ArrayList<>();
        for (JsonNode pass : root.path("passes")) {
            if (pass.isTextual()) {
                passes.add(registry.create(pass.asText()));
            } else if (pass.isObject() && pass.has("name")) {
                Map<String, String> options = new LinkedHashMap<>();
                pass.path("options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
                passes.add(registry.create(pass.get("name").asText(), options));
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
            binding = binding.withInputShape(shape.getKey(), dims);
        }
        for (Iterator<Map.Entry<String, JsonNode>> dims = root.path("bind").fields(); dims.hasNext(); ) {
            Map.Entry<String, JsonNode> dim = dims.next();
            if (!dim.getValue().canConvertToLong()) {
                throw new IllegalArgumentException(file + ": dimension '" + dim.getKey() + "' must be an integer");
            }
            binding = binding.withDimension(dim.getKey(), dim.getValue().asLong());
        }
        return new PipelineFile(passes, text(root, "provider"), binding, text(root, "validate"));
    }

    private static Optional<String> text(JsonNode root, String key) {
        return root.hasNonNull(key) ? Optional.of(root.get(key).asText()) : Optional.empty();
    }
}
