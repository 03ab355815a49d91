package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
    private final StringWriter err = new StringWriter();
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void linesSayWhenEachTaskStartsAndHowLongItTook() {
        try (ProgressPrinter printer = printer(ProgressPrinter.Mode.LINES)) {
            printer.started("step cleanup", -1);
            nanos.addAndGet(1_250_000_000L);
            printer.progressed("step cleanup", 1, 2);
            printer.finished("step cleanup");
        }

        assertThat(err).hasToString("lathe: step cleanup...\nlathe: step cleanup done in 1.3 s\n");
    }

    @Test
    void linesReportCountAndTimeLeftAtMostEveryTenSeconds() {
        try (ProgressPrinter printer = printer(ProgressPrinter.Mode.LINES)) {
            printer.started("quantizing 113 weights", 113);
            nanos.addAndGet(4_000_000_000L);
            printer.progressed("quantizing 113 weights", 10, 113);
            nanos.addAndGet(6_000_000_000L);
            printer.progressed("quantizing 113 weights", 20, 113);
            nanos.addAndGet(1_000_000_000L);
            printer.progressed("quantizing 113 weights", 22, 113);
            nanos.addAndGet(600_000_000_000L);
            printer.progressed("quantizing 113 weights", 112, 113);
            printer.finished("quantizing 113 weights");
        }

        assertThat(err).hasToString("lathe: quantizing 113 weights...\n"
                + "lathe: quantizing 113 weights 20/113 (18 %), 47 s left\n"
                + "lathe: quantizing 113 weights 112/113 (99 %), 5 s left\n"
                + "lathe: quantizing 113 weights done in 611.0 s\n");
    }

    @Test
    void terminalRedrawsOneLineWithABarOnceProgressIsReportedAndErasesItAtTheEnd() {
        try (ProgressPrinter printer = printer(ProgressPrinter.Mode.TERMINAL, 100)) {
            printer.started("benchmark original", 40);
            nanos.addAndGet(2_000_000_000L);
            printer.progressed("benchmark original", 10, 40);
            printer.started("inner", -1);
            printer.finished("inner");
            printer.finished("benchmark original");
        }

        String[] frames = err.toString().split("\r", -1);
        assertThat(frames[1]).isEqualTo("lathe: benchmark original 0.0 s");
        assertThat(frames[2]).isEqualTo("lathe: benchmark original [#####...............]  25 % 10/40, 6 s left, 2.0 s");
        assertThat(frames[3]).startsWith("lathe: inner 0.0 s");
        assertThat(frames[4]).startsWith("lathe: benchmark original [#####");
        assertThat(frames[2]).hasSize(77);
        assertThat(frames[5]).isBlank().hasSize(frames[2].length());
        assertThat(frames[6]).isEmpty();
        assertThat(frames).hasSize(7);
        assertThat(err.toString()).doesNotContain("\n");
    }

    @Test
    void terminalLinesAreCutToTheWidth() {
        try (ProgressPrinter printer = printer(ProgressPrinter.Mode.TERMINAL, 40)) {
            printer.started("x".repeat(100), -1);
            assertThat(err.toString().substring(1)).hasSize(39);
        }
    }

    @Test
    void silentPrintsNothing() {
        try (ProgressPrinter printer = printer(ProgressPrinter.Mode.SILENT)) {
            printer.started("validation", 8);
            printer.progressed("validation", 4, 8);
            printer.finished("validation");
        }

        assertThat(err.toString()).isEmpty();
    }

    private ProgressPrinter printer(ProgressPrinter.Mode mode) {
        return printer(mode, 80);
    }

    private ProgressPrinter printer(ProgressPrinter.Mode mode, int columns) {
        return new ProgressPrinter(new PrintWriter(err, true), mode, nanos::get, columns, false);
    }
}
