package dev.lathe.core.pipeline;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.PassFailedException;
import org.junit.jupiter.api.Test;

/** The heap check a step makes before its expensive work. */
class HeapBudgetTest {
    @Test
    void aStepNeedingMoreThanTheJvmsLimitFailsSayingWhatItNeedsAndHowToRaiseIt() {
        long limit = Runtime.getRuntime().maxMemory();

        assertThatThrownBy(() -> HeapBudget.require("model.onnx: quantize.int4", limit + (1L << 30)))
                .isInstanceOf(PassFailedException.class)
                .hasMessageStartingWith("model.onnx: quantize.int4 needs about " + HeapBudget.megabytes(limit + (1L << 30)))
                .hasMessageContaining("of the JVM's " + HeapBudget.megabytes(limit))
                .hasMessageContaining("-Xmx");
        assertThatCode(() -> HeapBudget.require("small step", 1 << 20)).doesNotThrowAnyException();
    }
}
