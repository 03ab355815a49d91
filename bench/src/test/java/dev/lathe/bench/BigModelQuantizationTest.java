package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.pipeline.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ~1B-shaped decoder (3.8 GB of float32 weights in external data) quantized to int4 with a heap that
 * could not hold a tenth of it: the pass streams weights from the memory map and spills its results, so
 * the heap stays small, and the result loads and runs in ONNX Runtime.
 */
@Tag("slow")
class BigModelQuantizationTest {
    /** Far below the model's 3.8 GB, and below one copy of its embedding table and LM head (2 × 262 MB) plus the rest. */
    private static final long HEAP_LIMIT = 512L << 20;

    @TempDir
    Path folder;

    @Test
    void aDecoderOfABillionParametersIsQuantizedToInt4WithASmallHeap() throws Exception {
        Path model = SyntheticDecoder.write(folder, SyntheticDecoder.Shape.ONE_B, 1);
        List<String> progress = new ArrayList<>();

        BigModelQuantization.Outcome outcome = BigModelQuantization.quantize(model, "quantize.int4",
                folder.resolve("quantized").resolve("model.onnx"), new ProgressListener() {
                    @Override
                    public void started(String task, long total) {
                    }

                    @Override
                    public void progressed(String task, long done, long total) {
                        progress.add(done + "/" + total);
                    }

                    @Override
                    public void finished(String task) {
                    }
                });

        assertThat(outcome.inputBytes()).isGreaterThan(3_800_000_000L);
        assertThat(outcome.peakHeapBytes()).as("peak heap").isLessThan(HEAP_LIMIT);
        assertThat((double) outcome.outputBytes() / outcome.inputBytes()).isBetween(0.15, 0.25);
        assertThat(outcome.opTypes()).containsEntry("MatMulNBits", 16 * 7 + 1).containsEntry("GatherBlockQuantized", 1);
        assertThat(outcome.floatMatMuls()).isZero();
        assertThat(progress).hasSize(113).endsWith("113/113");
        assertThat(BigModelQuantization.run(folder.resolve("quantized").resolve("model.onnx")))
                .startsWith("ran in ONNX Runtime").endsWith("256000 of 256000 finite");
    }
}
