package dev.lathe.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.RuntimeFailureException;
import org.junit.jupiter.api.Test;

/** The check before ONNX Runtime loads a model whose weights may not fit the machine. */
class MachineMemoryTest {
    @Test
    void weightsBeyondTheMachinesMemoryFailBeforeLoadingSayingWhatIsNeededAndWhatThereIs() {
        assertThat(MachineMemory.available()).as("known on the machines we build on").isPresent();

        assertThatThrownBy(() -> MachineMemory.require("big.onnx: validating it runs it", 40_000_000_000_000L, "Do this instead."))
                .isInstanceOf(RuntimeFailureException.class)
                .hasMessageStartingWith("big.onnx: validating it runs it, which needs at least 40000.0 GB of memory")
                .hasMessageContaining("GB available. Do this instead.");
        assertThatCode(() -> MachineMemory.require("small.onnx", 1 << 20, "")).doesNotThrowAnyException();
    }
}
