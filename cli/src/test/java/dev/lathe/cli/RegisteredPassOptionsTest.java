package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassOption;
import dev.lathe.core.pipeline.PassRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every registered pass (core, quantize, prune and the test pass) follows from its declared options. */
class RegisteredPassOptionsTest {
    private static final Map<String, PassFactory> FACTORIES = PassRegistry.load().factories();

    @Test
    void everyPassIsRegistered() {
        assertThat(FACTORIES).containsKeys("cleanup", "quantize.int8", "quantize.int4", "quantize.int8-weights", "quantize.fp16",
                "prune.magnitude", "prune.wanda", "prune.nm", "prune.structured", ScalePassFactory.NAME);
    }

    @Test
    void theDescriptionListsEveryKeyAndDefault() {
        FACTORIES.forEach((name, factory) -> {
            String description = factory.description();
            assertThat(description).as(name).isEqualTo(factory.options().description());
            for (PassOption<?> option : factory.options().options()) {
                String shown = option.defaultText().isEmpty() ? "none" : option.defaultText();
                assertThat(description).as(name).contains(option.key() + "=", "(default " + shown + ")", option.doc());
            }
        });
    }

    @Test
    void createdPassesReturnTheirOptionsAsGivenInTheGivenOrder() {
        FACTORIES.forEach((name, factory) -> {
            List<PassOption<?>> declared = new ArrayList<>(factory.options().options());
            java.util.Collections.reverse(declared);
            Map<String, String> given = new LinkedHashMap<>();
            for (PassOption<?> option : declared) {
                if (option.defaultValue() != null) {
                    given.put(option.key(), option.defaultText());
                }
            }
            assertThat(factory.create(given).options()).as(name).containsExactlyEntriesOf(given);
            assertThat(factory.create(Map.of()).options()).as(name).isEmpty();
            assertThat(factory.create(Map.of()).name()).isEqualTo(name);
        });
    }

    @Test
    void unknownKeysAndBadValuesAreRejectedByEveryPass() {
        FACTORIES.forEach((name, factory) -> {
            assertThatThrownBy(() -> factory.create(Map.of("no-such-option", "1"))).as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("unknown option 'no-such-option' of pass " + name + "; valid options: ")
                    .hasMessageContaining(factory.options().options().get(0).key());
            PassOption<?> first = factory.options().options().get(0);
            if (!first.valid().equals("a non-empty text") && !first.valid().equals("a +-separated list")) {
                assertThatThrownBy(() -> factory.create(Map.of(first.key(), "?bad?"))).as(name)
                        .hasMessage("option " + first.key() + " of pass " + name + " must be " + first.valid() + ", got '?bad?'");
            }
        });
    }
}
