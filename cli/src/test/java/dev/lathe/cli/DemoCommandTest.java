package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class DemoCommandTest {

    @Test
    void demoReportsTheMiniLmMatMulMacsAndParameters() {
        CommandRun run = CommandRun.of("demo");

        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("all-MiniLM-L6-v2 at batch 1, sequence 128: 1,434,451,968 MatMul MACs (1.43 G), 22.57 M parameters")
                .containsPattern("(?m)^Input shapes +input_ids=1x128, attention_mask=1x128, token_type_ids=1x128$");
    }
}
