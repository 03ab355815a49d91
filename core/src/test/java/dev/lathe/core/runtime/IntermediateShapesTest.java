package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runtime shape probe, where it cannot run. */
class IntermediateShapesTest {

    @Test
    void inputsTooLargeToGenerateAreARuntimeFailure() {
        // Found by ModelLoaderFuzzTest (a CNN whose input dimensions were repeated): InputGenerator refused the
        // inputs with IllegalArgumentException, which escaped the footprint instead of its fallback note.
        Map<String, long[]> shapes = Map.of("x", new long[] {1L << 16, 1L << 16});

        assertThatThrownBy(() -> IntermediateShapes.probe(TestModels.mlp(), shapes, Map.of()))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageStartingWith("mlp: cannot generate inputs to run: ")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inputsWhoseElementCountOverflowsAreARuntimeFailure() {
        // Found by ModelLoaderFuzzTest (an input dimension set to 2^62): counting the elements threw
        // ArithmeticException out of the footprint.
        Map<String, long[]> shapes = Map.of("x", new long[] {1L << 62, 4});

        assertThatThrownBy(() -> IntermediateShapes.probe(TestModels.mlp(), shapes, Map.of()))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageStartingWith("mlp: cannot generate inputs to run: ");
    }
}
