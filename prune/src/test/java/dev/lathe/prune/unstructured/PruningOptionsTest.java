package dev.lathe.prune.unstructured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.pipeline.PassFactory;
import dev.lathe.core.pipeline.PassRegistry;
import dev.lathe.prune.unstructured.SparsityPattern.SemiStructured;
import dev.lathe.prune.unstructured.SparsityPattern.Unstructured;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three passes are registered, read their options with the documented defaults, and reject bad ones clearly. */
class PruningOptionsTest {

    private static PruningSettings settings(String spec) {
        return ((SparsityPruning) PassRegistry.load().create(spec)).settings();
    }

    private static void assertRejected(String spec, String... messageParts) {
        assertThatThrownBy(() -> PassRegistry.load().create(spec)).as(spec).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void passesAreRegisteredAndSayTheyDoNotSpeedUpTheCpu() {
        Map<String, PassFactory> factories = PassRegistry.load().factories();

        assertThat(factories).containsKeys("prune.magnitude", "prune.wanda", "prune.nm");
        for (String name : new String[] {"prune.magnitude", "prune.wanda", "prune.nm"}) {
            assertThat(factories.get(name).description()).as(name).contains("no speed-up on ONNX Runtime CPU");
            assertThat(PassRegistry.load().create(name + ":ops=Conv").name()).isEqualTo(name);
        }
    }

    @Test
    void defaultsFollowTheImportance() {
        assertThat(settings("prune.magnitude")).extracting(PruningSettings::pattern, PruningSettings::importance)
                .containsExactly(new Unstructured(0.5, Scope.LAYER), Importance.MAGNITUDE);
        assertThat(settings("prune.magnitude:importance=wanda,sparsity=0.3").pattern())
                .isEqualTo(new Unstructured(0.3, Scope.OUTPUT));
        assertThat(settings("prune.wanda")).extracting(PruningSettings::pattern, PruningSettings::importance)
                .containsExactly(new Unstructured(0.5, Scope.OUTPUT), Importance.WANDA);
        assertThat(settings("prune.wanda:scope=GLOBAL").pattern()).isEqualTo(new Unstructured(0.5, Scope.GLOBAL));
        assertThat(settings("prune.nm").pattern()).isEqualTo(new SemiStructured(2, 4));
        assertThat(settings("prune.nm:m=2").pattern()).isEqualTo(new SemiStructured(1, 2));
        assertThat(settings("prune.nm").filter().opTypes()).containsExactlyInAnyOrder("MatMul", "Gemm", "Conv");
        assertThat(settings("prune.nm").filter().minWeightElements()).isZero();
    }

    @Test
    void badOptionsNameTheOptionAndWhatIsValid() {
        assertRejected("prune.magnitude:sparsity=1.5", "option sparsity of pass prune.magnitude", "from 0.0 to 1.0", "1.5");
        assertRejected("prune.magnitude:sparsity=half", "option sparsity", "half");
        assertRejected("prune.magnitude:scope=row", "option scope", "output, layer, global");
        assertRejected("prune.magnitude:importance=taylor", "option importance", "magnitude, wanda");
        assertRejected("prune.magnitude:ops=MatMul+Add", "option ops of pass prune.magnitude", "Conv, Gemm, MatMul", "'Add'");
        assertRejected("prune.magnitude:sparsty=0.5", "unknown option 'sparsty' of pass prune.magnitude", "sparsity");
        assertRejected("prune.wanda:importance=magnitude", "unknown option 'importance' of pass prune.wanda");
        assertRejected("prune.nm:n=4,m=4", "option n of pass prune.nm", "from 1 to 3");
        assertRejected("prune.nm:m=1", "option m of pass prune.nm");
        assertRejected("prune.nm:sparsity=0.5", "unknown option 'sparsity' of pass prune.nm");
        assertRejected("prune.nm:min-size=-1", "option min-size");
    }

    @Test
    void buildersEqualParsedSettingsAndEverySettingReadsBack() {
        assertThat(PruningSettings.builder("prune.nm").m(2).importance(Importance.WANDA).build())
                .isEqualTo(settings("prune.nm:m=2,importance=wanda"));
        assertThat(PruningSettings.builder("prune.magnitude").sparsity(0.3).scope(Scope.GLOBAL).build())
                .isEqualTo(settings("prune.magnitude:sparsity=0.3,scope=global"));
        for (String spec : new String[] {"prune.magnitude", "prune.magnitude:importance=wanda", "prune.wanda:scope=layer",
            "prune.nm:n=1,m=8,exclude=a+b"}) {
            PruningSettings read = settings(spec);
            assertThat(PruningSettings.from(read.pass(), read.options())).as(spec).isEqualTo(read);
            assertThat(new SparsityPruning(read).settings()).isEqualTo(read);
        }
        assertThatThrownBy(() -> PruningSettings.builder("prune.nm").sparsity(0.5).build())
                .hasMessageContaining("unknown option 'sparsity' of pass prune.nm");
    }

    @Test
    void optionsAreReportedAsGivenAndDescribedFromTheDeclarations() {
        Map<String, String> given = new java.util.LinkedHashMap<>();
        given.put("sparsity", "0.25");
        given.put("min-size", "10");
        given.put("scope", "global");
        assertThat(PassRegistry.load().create("prune.wanda", given).options()).containsExactlyEntriesOf(given);

        assertThat(PassRegistry.load().factories().get("prune.magnitude").description()).contains(
                "sparsity=0..1 (default 0.5)", "scope=output|layer|global (default layer; output with importance=wanda)",
                "importance=magnitude|wanda (default magnitude)", "ops=Op1+Op2 (default Conv+Gemm+MatMul)", "min-size=N (default 0)");
        assertThat(PassRegistry.load().factories().get("prune.nm").description()).contains("n=1..65535 (default 2; 1 when m=2)",
                "m=2..65536 (default 4)");
        assertThat(PassRegistry.load().factories().get("prune.wanda").description()).contains("(default output)")
                .doesNotContain("importance=");
    }
}
