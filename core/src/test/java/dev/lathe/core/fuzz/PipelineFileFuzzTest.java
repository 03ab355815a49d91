package dev.lathe.core.fuzz;

import dev.lathe.core.LatheException;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.core.pipeline.PipelineFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link PipelineFile#read} on YAML and JSON recipes (the examples of PipelineFileTest and of the
 * class javadoc) mutated at the byte level and token by token: keys, pass names and options, numbers that
 * overflow, YAML anchors, aliases, tags, block scalars and unbalanced brackets.
 *
 * <p>Oracle: {@code read} may fail only with {@link IOException} (unreadable or unparsable text), with
 * {@link IllegalArgumentException}, which it documents for a recipe that parses but is wrong (an unknown
 * key or pass, a bad shape) with a message naming the file, or with a {@link LatheException}. Anything
 * else fails the test, and the recipe is saved as
 * {@code core/target/fuzz-failures/pipeline-read-<hash>.yaml} (or {@code .json}); replay it with
 * {@code PipelineFile.read(file, PassRegistry.load())} or {@code -Dlathe.fuzz.replay=FILE}.
 *
 * <p>Budget: a fixed seed and a short run; {@code -Dlathe.fuzz.tries=100000} for a long one (see {@link Campaign}).
 */
class PipelineFileFuzzTest {
    private static final List<Class<? extends Throwable>> ALLOWED = List.of(IOException.class,
            IllegalArgumentException.class, LatheException.class);
    private static final PassRegistry REGISTRY = PassRegistry.load();
    private static final Map<String, byte[]> YAML = Map.of(
            "readsYaml", utf8("""
                    passes:
                      - cleanup
                      - name: cleanup
                        options: {fold: false}
                    provider: cpu:threads=2
                    bind: {batch: 3}
                    validate: min-cosine=0.99
                    """),
            "dataSection", utf8("""
                    passes: [cleanup]
                    shapes: {input_ids: [1, 128], attention_mask: [1, 128]}
                    data:
                      path: data/sentences.txt
                      tokenizer: tokenizer.json
                      max-length: 64
                      image: size=640x640
                      audio: window=512
                    """),
            "javadoc", utf8("""
                    passes:
                      - cleanup                       # a pass by name
                      - name: cleanup                 # or with options
                        options: {fold: false}
                    provider: auto
                    shapes: {input_ids: [1, 128]}     # explicit input shapes
                    bind: {sequence_length: 128}      # symbolic dimensions
                    validate: min-overlap=0.95
                    data:
                      path: sentences.txt
                      tokenizer: tokenizer.json
                      max-length: 128
                    """));
    private static final Map<String, byte[]> JSON = Map.of(
            "readsJson", utf8("{\"passes\": [\"cleanup\"], \"shapes\": {\"x\": [5, 4]}}"),
            "everything", utf8("""
                    {"passes": ["cleanup", {"name": "cleanup", "options": {"fold": "false"}}],
                     "provider": "cpu:threads=2", "shapes": {"x": [5, 4]}, "bind": {"batch": 3},
                     "validate": "min-cosine=0.99", "data": {"path": "d.txt", "max-length": 64}}
                    """));
    private static final List<String> TOKENS = List.of("passes", "provider", "shapes", "bind", "validate", "data",
            "path", "tokenizer", "max-length", "image", "audio", "name", "options", "fold", "cleanup", "cleanup:fold",
            "cleanup:fold=maybe", "cleanup:", ":", "=", ",", "null", "~", "true", "[]", "{}", "[", "]", "{", "}", "-",
            "- ", "? ", "\"", "'", "&a", "*a", "*b", "<<: *a", "!!binary", "!!float", "!!map", "!!set", "!!timestamp",
            "|", ">", "#", "---", "...", "%YAML 1.1\n", "\t", "\n", "\n  ", "\u0000", "\u00e9", "\ud83d\ude00", "1e400",
            "-1", "0", "99999999999999999999", "0x10", "1.5", ".inf", ".nan", "[[[[[[[[[[[[[[[[", "{a: {b: {c: {d:");

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Gen<Mutation> mutation() {
        return Gen.weighted(1, Mutations.bytes(), 3, Mutations.text(TOKENS));
    }

    @Test
    void mutatedYamlRecipesReadOrFailWithADocumentedException() throws IOException {
        // A TreeMap: Map.of's iteration order changes from one JVM to the next, and the seeds must not.
        new Campaign("pipeline.yaml", 1309, 15_000).run(
                Mutations.mutants("pipeline.yaml", new TreeMap<>(YAML), mutation(), 4),
                mutant -> check(mutant, ".yaml"));
    }

    @Test
    void mutatedJsonRecipesReadOrFailWithADocumentedException() throws IOException {
        new Campaign("pipeline.json", 1310, 10_000).run(
                Mutations.mutants("pipeline.json", new TreeMap<>(JSON), mutation(), 4),
                mutant -> check(mutant, ".json"));
    }

    /**
     * Reads the mutant from a pipeline file; the outcome is "reads" or the exception's simple name. An
     * IllegalArgumentException must name the file.
     */
    private static String check(Mutant mutant, String suffix) throws IOException {
        Path folder = Files.createTempDirectory("lathe-fuzz");
        Path file = folder.resolve("pipeline" + suffix);
        try {
            Files.write(file, mutant.bytes());
            Throwable rejected = Fuzz.expectOnly(mutant, "read", () -> PipelineFile.read(file, REGISTRY), ALLOWED);
            if (rejected instanceof IllegalArgumentException && !String.valueOf(rejected.getMessage()).contains(file.toString())) {
                Path saved = Fuzz.save(mutant, "read");
                throw new AssertionError("pipeline " + suffix + " (read): IllegalArgumentException that does not name the "
                        + "file: " + rejected.getMessage() + " on " + mutant + "; input saved to " + saved, rejected);
            }
            return rejected == null ? "reads" : rejected.getClass().getSimpleName();
        } finally {
            Files.deleteIfExists(file);
            Files.delete(folder);
        }
    }
}
