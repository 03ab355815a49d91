package dev.lathe.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.core.onnx.Onnx.ModelProto;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.testing.TestModels;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading, reading and saving never hold all weights on the heap: external weights far larger than the
 * heap pass through a child JVM with {@code -Xmx64m}, and tensors past the 2 GiB mark of a data file read
 * correctly.
 */
class HeapBoundTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path folder;

    /**
     * A model reading {@code count} float weights of {@code rows}×{@code cols} from {@code model.onnx.data},
     * back to back from offset 0, chained by MatMul: {@code x [1, rows]} → … → {@code y}. The proto only
     * refers to the data file; the caller writes it.
     */
    private static ModelProto chainOfExternalWeights(long rows, long cols, int count) {
        TestModels.Builder g = TestModels.builder("heap_bound");
        String value = g.input("x", DataType.FLOAT, 1, rows);
        long bytes = rows * cols * 4;
        for (int i = 0; i < count; i++) {
            String weight = g.initializer(TensorProto.newBuilder().setName("w" + i).setDataType(DataType.FLOAT.code())
                    .addDims(rows).addDims(cols)
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", "model.onnx.data"))
                    .addExternalData(entry("offset", Long.toString(i * bytes)))
                    .addExternalData(entry("length", Long.toString(bytes)))
                    .build());
            value = g.node("MatMul", value, weight).output();
        }
        g.output(value, DataType.FLOAT, 1, cols);
        return g.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /**
     * Streams {@code bytes} bytes of floats to {@code file} in 1 MiB chunks: every fourth float is zero, the
     * others are 1 to 3. Returns the number of zero floats.
     */
    private static long writeFloats(Path file, long bytes) throws Exception {
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) MIB).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; chunk.hasRemaining(); i++) {
            chunk.putFloat(i % 4 == 0 ? 0f : 1 + i % 3);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; written += MIB) {
                chunk.clear().limit((int) Math.min(MIB, bytes - written));
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
        }
        return bytes / 16;
    }

    @Test
    void threeHundredMegabytesOfWeightsLoadReadAndSaveWithinA64MegabyteHeap() throws Exception {
        long rows = 5000;
        long cols = 5000;
        long tensorBytes = rows * cols * 4;
        Path model = folder.resolve("model.onnx");
        Files.write(model, chainOfExternalWeights(rows, cols, 3).toByteArray());
        long zeros = writeFloats(folder.resolve("model.onnx.data"), 3 * tensorBytes);
        Path saved = folder.resolve("saved").resolve("model.onnx");
        Path log = folder.resolve("child.log");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), HeapBoundCheck.class.getName(),
                model.toString(), saved.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = child.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly();
        }

        String output = Files.readString(log);
        assertThat(finished).as("child finished; output:%n%s", output).isTrue();
        assertThat(child.exitValue()).as("child exit status; output:%n%s", output).isZero();
        assertThat(output).contains("zeros=" + zeros);
        Path savedData = saved.resolveSibling("model.onnx.data");
        assertThat(saved).exists();
        assertThat(Files.size(saved)).isLessThan(4096);

        OnnxModel reloaded = OnnxModel.load(saved);
        assertThat(reloaded.externalDataFiles()).containsExactly(Map.entry(savedData.toAbsolutePath(), 3 * tensorBytes));
        long end = 0;
        for (TensorProto tensor : reloaded.graph().initializers().values()) {
            assertThat(reloaded.tensorData(tensor).countZeros()).isEqualTo(zeros / 3);
            long offset = Long.parseLong(tensor.getExternalDataList().stream()
                    .filter(e -> e.getKey().equals("offset")).findFirst().orElseThrow().getValue());
            end = Math.max(end, offset + tensorBytes);
        }
        assertThat(Files.size(savedData)).isEqualTo(end);
    }

    @Test
    void tensorsBeyondTheTwoGigabyteMarkOfASparseDataFileRead() throws Exception {
        long rows = 27_500;
        long cols = 10_000;
        long tensorBytes = rows * cols * 4;
        Path file = folder.resolve("model.onnx");
        Files.write(file, chainOfExternalWeights(rows, cols, 2).toByteArray());
        try (RandomAccessFile data = new RandomAccessFile(folder.resolve("model.onnx.data").toFile(), "rw")) {
            data.setLength(2 * tensorBytes);
        }

        OnnxModel model = OnnxModel.load(file);

        assertThat(model.externalDataFiles().values()).containsExactly(2 * tensorBytes);
        assertThat(2 * tensorBytes).isGreaterThan(Integer.MAX_VALUE);
        TensorData second = model.tensorData(model.graph().initializer("w1").orElseThrow());
        assertThat(second.byteSize()).isEqualTo(tensorBytes);
        ByteBuffer tail = second.rawBytes().position((int) (tensorBytes - 64 * MIB));
        TensorData lastRows = TensorData.wrap(DataType.FLOAT, new long[] {64 * MIB / 4}, tail);
        assertThat(lastRows.countZeros()).isEqualTo(64 * MIB / 4);
    }
}
