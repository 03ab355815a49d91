package dev.lathe.djl.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.core.testing.TestModels;
import dev.lathe.djl.DataFiles;
import dev.lathe.djl.audio.AudioSpec.StateMode;
import dev.lathe.djl.audio.AudioSpec.Tail;
import dev.lathe.djl.image.ImageSpec;
import dev.lathe.djl.text.TextSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AudioSamplesTest {
    @TempDir
    Path dir;

    /** A 440 Hz sine at amplitude 12000 of {@code count} samples, as 16-bit values. */
    private static short[] sine(int count, int rate) {
        short[] samples = new short[count];
        for (int i = 0; i < count; i++) {
            samples[i] = (short) Math.round(12000 * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        return samples;
    }

    /** Writes a WAV file by hand: RIFF header, a fmt chunk, a LIST chunk to skip, then the data chunk. */
    private Path wav(String name, int format, int channels, int rate, int bits, short[] samples) throws IOException {
        int dataBytes = samples.length * 2;
        byte[] list = "INFOISFT\4\0\0\0test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer buffer = ByteBuffer.allocate(12 + 24 + 8 + list.length + 8 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put("RIFF".getBytes()).putInt(buffer.capacity() - 8).put("WAVE".getBytes());
        buffer.put("fmt ".getBytes()).putInt(16).putShort((short) format).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        buffer.put("LIST".getBytes()).putInt(list.length).put(list);
        buffer.put("data".getBytes()).putInt(dataBytes);
        for (short sample : samples) {
            buffer.putShort(sample);
        }
        return Files.write(dir.resolve(name), buffer.array());
    }

    private Path wav(String name, short[] samples) throws IOException {
        return wav(name, 1, 1, 16_000, 16, samples);
    }

    /**
     * A stand-in for Silero VAD v4: {@code input} float [batch, samples], {@code sr} int64 [], {@code h} and
     * {@code c} float [2, batch, 4]; outputs {@code output} = ReduceSum(input), {@code hn} = h + 1,
     * {@code cn} = c + 1.
     */
    private static OnnxModel vadLike(Object window) {
        TestModels.Builder g = TestModels.builder("vad_like");
        String input = g.input("input", DataType.FLOAT, "batch", window);
        g.input("sr", DataType.INT64);
        String h = g.input("h", DataType.FLOAT, 2, "batch", 4);
        String c = g.input("c", DataType.FLOAT, 2, "batch", 4);
        g.node("ReduceSum", input, g.int64Initializer("axes", new long[] {1}, 1)).output("output");
        g.node("Add", h, g.scalar("one", 1f)).output("hn");
        g.node("Add", c, "one").output("cn");
        g.output("output", DataType.FLOAT, "batch", 1);
        g.output("hn", DataType.FLOAT, 2, "batch", 4);
        g.output("cn", DataType.FLOAT, 2, "batch", 4);
        return TestModels.model(g.build());
    }

    @Test
    void cutsASineIntoWindowsScaledToMinusOneToOne() throws IOException {
        short[] sine = sine(1600, 16_000);
        Path file = wav("sine.wav", sine);

        AudioSamples samples = AudioSamples.open(file, "input", AudioSpec.defaults());
        assertThat(samples.sizeHint()).hasValue(3); // 1600 / 512, the last 64 samples dropped
        List<Map<String, TensorData>> all = samples.take(10);
        assertThat(all).hasSize(3);
        for (int w = 0; w < 3; w++) {
            TensorData window = all.get(w).get("input");
            assertThat(window.dataType()).isEqualTo(DataType.FLOAT);
            assertThat(window.shape()).containsExactly(1, 512);
            float[] values = window.toFloatArray();
            for (int i = 0; i < 512; i++) {
                assertThat(values[i]).isEqualTo(sine[w * 512 + i] / 32768f);
            }
        }
        assertThat(samples.description()).contains("sine.wav").contains("1 WAV file").contains("16000 Hz")
                .contains("3 windows of 512 samples");

        AudioSamples padded = AudioSamples.open(file, "input", new AudioSpec(16_000, 512, StateMode.ZEROS, Tail.PAD));
        assertThat(padded.sizeHint()).hasValue(4);
        float[] last = padded.take(4).get(3).get("input").toFloatArray();
        assertThat(last[63]).isEqualTo(sine[1599] / 32768f);
        assertThat(last[64]).isZero();
        assertThat(last[511]).isZero();
    }

    @Test
    void readsAcrossBlocksAndFilesInNameOrder() throws IOException {
        short[] longer = new short[512 * 70 + 10]; // more than one 64-window block
        for (int i = 0; i < longer.length; i++) {
            longer[i] = (short) (i % 30000);
        }
        wav("b.wav", longer);
        wav("a.wav", sine(512, 16_000));
        Files.writeString(dir.resolve("readme.txt"), "not audio");

        AudioSamples samples = AudioSamples.open(dir, "x", AudioSpec.parse("window=512"));
        assertThat(samples.files()).extracting(p -> p.getFileName().toString()).containsExactly("a.wav", "b.wav");
        assertThat(samples.sizeHint()).hasValue(71);
        int count = 0;
        for (Map<String, TensorData> sample : samples) {
            float[] values = sample.get("x").toFloatArray();
            if (count > 0) {
                int first = (count - 1) * 512;
                assertThat(values[0]).isEqualTo((first % 30000) / 32768f);
                assertThat(values[511]).isEqualTo(((first + 511) % 30000) / 32768f);
            }
            count++;
        }
        assertThat(count).isEqualTo(71);
    }

    @Test
    void forModelFillsTheSampleRateAndZeroStates() throws Exception {
        Path file = wav("sine.wav", sine(1100, 16_000));
        OnnxModel model = vadLike("samples");

        AudioSamples samples = AudioSamples.forModel(file, model, AudioSpec.defaults());
        List<Map<String, TensorData>> all = samples.take(10);
        assertThat(all).hasSize(2);
        for (Map<String, TensorData> sample : all) {
            assertThat(sample).containsOnlyKeys("input", "sr", "h", "c");
            assertThat(sample.get("sr").dataType()).isEqualTo(DataType.INT64);
            assertThat(sample.get("sr").shape()).isEmpty();
            assertThat(sample.get("sr").toLongArray()).containsExactly(16_000);
            assertThat(sample.get("h").shape()).containsExactly(2, 1, 4);
            assertThat(sample.get("h").toFloatArray()).containsOnly(0f).hasSize(8);
            assertThat(sample.get("c").toFloatArray()).containsOnly(0f);
        }
        assertThat(samples.description()).contains("state=zeros");
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            assertThat(session.run(all.get(0)).get("hn").toFloatArray()).containsOnly(1f);
        }
    }

    @Test
    void carryFeedsThePreviousWindowsStateOutputsAndResetsPerFile() throws Exception {
        wav("a.wav", sine(512 * 3, 16_000));
        wav("b.wav", sine(512 * 2, 16_000));
        OnnxModel model = vadLike(512);
        AudioSpec carry = AudioSpec.parse("state=carry");

        assertThatThrownBy(() -> AudioSamples.forModel(dir, model, carry))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state=carry")
                .hasMessageContaining("session");
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            AudioSamples samples = AudioSamples.forModel(dir, model, carry, session);
            List<Map<String, TensorData>> all = samples.take(10);
            assertThat(all).hasSize(5);
            float[] expected = {0, 1, 2, 0, 1}; // h + 1 per window, back to zeros for b.wav
            for (int w = 0; w < 5; w++) {
                assertThat(all.get(w).get("h").toFloatArray()).as("window %d", w).containsOnly(expected[w]);
                assertThat(all.get(w).get("c").toFloatArray()).as("window %d", w).containsOnly(expected[w]);
            }
            assertThat(samples.description()).contains("2 WAV files").contains("5 windows").contains("state=carry");
        }
    }

    @Test
    void dataFilesCarriesStatesWithASessionItOwns() throws Exception {
        wav("a.wav", sine(512 * 3, 16_000));
        OnnxModel model = vadLike(512);
        DataFiles.Options options = new DataFiles.Options(java.util.Optional.empty(), TextSpec.defaults(),
                ImageSpec.defaults(), AudioSpec.parse("state=carry"));

        SampleSource samples = DataFiles.open(dir, model, null, options);
        try {
            assertThat(samples).isInstanceOf(AutoCloseable.class);
            assertThat(samples.take(3)).extracting(sample -> sample.get("h").toFloatArray()[0]).containsExactly(0f, 1f, 2f);
        } finally {
            ((AutoCloseable) samples).close();
        }
        assertThat(DataFiles.open(dir, model, null, DataFiles.Options.defaults())).isInstanceOf(AudioSamples.class);
    }

    @Test
    void carryMatchesSileroV5Names() throws Exception {
        wav("a.wav", sine(1024, 16_000));
        TestModels.Builder g = TestModels.builder("silero_v5_like");
        String input = g.input("input", DataType.FLOAT, 1, "samples");
        String state = g.input("state", DataType.FLOAT, 2, 1, 3);
        g.input("sr", DataType.INT64, 1);
        g.node("ReduceSum", input, g.int64Initializer("axes", new long[] {1}, 1)).output("output");
        g.node("Add", state, g.scalar("two", 2f)).output("stateN");
        g.output("output", DataType.FLOAT, 1, 1);
        g.output("stateN", DataType.FLOAT, 2, 1, 3);
        OnnxModel model = TestModels.model(g.build());
        try (ModelSession session = ModelSession.open(model, SessionSettings.cpu())) {
            List<Map<String, TensorData>> all = AudioSamples.forModel(dir, model, AudioSpec.parse("state=carry"), session)
                    .take(2);
            assertThat(all.get(0).get("sr").shape()).containsExactly(1);
            assertThat(all.get(1).get("state").toFloatArray()).containsOnly(2f).hasSize(6);
        }
    }

    @Test
    void rejectsOtherFormatsAndRatesNamingTheFile() throws IOException {
        Path loud = wav("cd.wav", 1, 1, 44_100, 16, sine(2048, 44_100));
        assertThatThrownBy(() -> AudioSamples.open(loud, "x", AudioSpec.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cd.wav").hasMessageContaining("44100 Hz").hasMessageContaining("rate=16000");
        assertThat(AudioSamples.open(loud, "x", AudioSpec.parse("rate=44100")).sizeHint()).hasValue(4);

        Path stereo = wav("stereo.wav", 1, 2, 16_000, 16, sine(2048, 16_000));
        assertThatThrownBy(() -> AudioSamples.open(stereo, "x", AudioSpec.defaults()))
                .hasMessageContaining("stereo.wav").hasMessageContaining("2 channels").hasMessageContaining("mono");
        Path floats = wav("float.wav", 3, 1, 16_000, 32, sine(2048, 16_000));
        assertThatThrownBy(() -> AudioSamples.open(floats, "x", AudioSpec.defaults()))
                .hasMessageContaining("float.wav").hasMessageContaining("32-bit float").hasMessageContaining("16-bit PCM");
        Path notWav = Files.write(dir.resolve("noise.wav"), new byte[] {'O', 'g', 'g', 'S', 0, 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> AudioSamples.open(notWav, "x", AudioSpec.defaults()))
                .hasMessageContaining("noise.wav: not a WAV file");
        Path tiny = wav("tiny.wav", sine(100, 16_000));
        assertThatThrownBy(() -> AudioSamples.open(tiny, "x", AudioSpec.defaults()))
                .hasMessageContaining("tiny.wav").hasMessageContaining("no complete window of 512").hasMessageContaining("tail=pad");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> AudioSamples.open(empty, "x", AudioSpec.defaults()))
                .hasMessageContaining("empty").hasMessageContaining("no .wav files");
    }

    @Test
    void forModelChecksTheModelsInputs() throws Exception {
        Path file = wav("sine.wav", sine(1024, 16_000));
        assertThatThrownBy(() -> AudioSamples.forModel(file, vadLike(576), AudioSpec.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input").hasMessageContaining("[?, 576]").hasMessageContaining("set window=576");
        assertThatThrownBy(() -> AudioSamples.forModel(file, TestModels.cnnWithBatchNorm(), AudioSpec.defaults()))
                .hasMessageContaining("no float rank-2 inputs");
        assertThatThrownBy(() -> AudioSamples.forModel(file, TestModels.transformerBlock(), AudioSpec.defaults()))
                .hasMessageContaining("input_ids").hasMessageContaining("INT64 [?, ?]");

        TestModels.Builder g = TestModels.builder("no_state_output");
        String input = g.input("input", DataType.FLOAT, 1, 512);
        g.input("h", DataType.FLOAT, 2, 1, 4);
        g.node("Identity", input).output("output");
        g.output("output", DataType.FLOAT, 1, 512);
        OnnxModel noOutput = TestModels.model(g.build());
        try (ModelSession session = ModelSession.open(noOutput, SessionSettings.cpu())) {
            assertThatThrownBy(() -> AudioSamples.forModel(file, noOutput, AudioSpec.parse("state=carry"), session))
                    .hasMessageContaining("state input h has no matching output").hasMessageContaining("[output]");
        }
    }

    @Test
    void specParsesAndRejectsBadKeys() {
        assertThat(AudioSpec.parse("")).isEqualTo(AudioSpec.defaults());
        AudioSpec spec = AudioSpec.parse("rate=8000,window=256,state=CARRY,tail=pad");
        assertThat(spec).isEqualTo(new AudioSpec(8000, 256, StateMode.CARRY, Tail.PAD));
        assertThat(AudioSpec.parse(spec.toString())).isEqualTo(spec);
        assertThatThrownBy(() -> AudioSpec.parse("hop=160")).hasMessageContaining("unknown key \"hop\"")
                .hasMessageContaining("window=SAMPLES");
        assertThatThrownBy(() -> AudioSpec.parse("state=keep")).hasMessageContaining("[zeros, carry]");
        assertThatThrownBy(() -> AudioSpec.parse("window=0")).hasMessageContaining("window=0 must be positive");
        assertThatThrownBy(() -> AudioSpec.parse("rate=16k")).hasMessageContaining("rate").hasMessageContaining("16k");
    }
}
