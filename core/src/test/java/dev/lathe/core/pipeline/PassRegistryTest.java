package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.model.OnnxModel;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How passes are found: by {@link PassRegistry#load()} on lathe-core's class path (only {@code cleanup}, since
 * core's tests cannot see lathe-quantize or lathe-prune) and by {@link PassRegistry#load(ClassLoader)} through
 * another class loader.
 */
class PassRegistryTest {

    @Test
    void anUnknownQuantizeOrPrunePassNamesTheModuleToAdd() {
        PassRegistry registry = PassRegistry.load();

        assertThatThrownBy(() -> registry.create("quantize.int8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pass 'quantize.int8'; available passes: cleanup, fuse; the quantize.* passes are in "
                        + "dev.lathe:lathe-quantize: add it to the class path (a runtime dependency is enough)");
        assertThatThrownBy(() -> registry.create("prune.magnitude:sparsity=0.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown pass 'prune.magnitude'")
                .hasMessageContaining("the prune.* passes are in dev.lathe:lathe-prune");
        assertThatThrownBy(() -> registry.create("sharpen")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown pass 'sharpen'; available passes: cleanup, fuse");
    }

    @Test
    void aClassLoaderSeesTheServiceEntriesItCanRead(@TempDir Path folder) throws IOException {
        Path services = folder.resolve("META-INF/services/" + PassFactory.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, FakeQuantizeFactory.class.getName() + "\n", StandardCharsets.UTF_8);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {folder.toUri().toURL()},
                PassRegistryTest.class.getClassLoader())) {
            PassRegistry registry = PassRegistry.load(loader);

            assertThat(registry.factories()).containsOnlyKeys("cleanup", "fuse", "quantize.fake");
            assertThat(registry.create("quantize.fake").name()).isEqualTo("quantize.fake");
            // A quantize.* pass is present, so a wrong quantize.* name is a typo, not a missing module.
            assertThatThrownBy(() -> registry.create("quantize.int3")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown pass 'quantize.int3'; available passes: cleanup, fuse, quantize.fake");
        }
        assertThat(PassRegistry.load().factories()).containsOnlyKeys("cleanup", "fuse");
    }

    /** A pass registered only through the class loader of the test above. */
    public static final class FakeQuantizeFactory implements PassFactory {
        private static final PassOptionSet OPTIONS = PassOptionSet.of("quantize.fake", "Does nothing.");

        @Override
        public String name() {
            return "quantize.fake";
        }

        @Override
        public PassOptionSet options() {
            return OPTIONS;
        }

        @Override
        public Pass create(Map<String, String> options) {
            return new Pass() {
                @Override
                public String name() {
                    return "quantize.fake";
                }

                @Override
                public Map<String, String> options() {
                    return options;
                }

                @Override
                public PassResult apply(OnnxModel model, PassContext context) {
                    throw new UnsupportedOperationException("a registry test never applies this pass");
                }
            };
        }
    }
}
