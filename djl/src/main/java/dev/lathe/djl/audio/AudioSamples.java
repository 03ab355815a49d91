package dev.lathe.djl.audio;

import dev.lathe.core.RuntimeFailureException;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.onnx.Onnx.TensorShapeProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.djl.audio.AudioSpec.StateMode;
import dev.lathe.djl.audio.AudioSpec.Tail;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Speech as model input samples: a WAV file, or a folder of them (in the order of their file names; names
 * starting with a dot are skipped), cut into consecutive windows of {@link AudioSpec#window()} samples, one
 * sample per window. Files must be 16-bit PCM mono at the spec's rate; their headers are checked when the
 * source is made, their samples read block by block while iterating. Audio values are {@code s / 32768}, in
 * [-1, 1).
 *
 * <p>Made for a model, each sample feeds every input the model has:
 * <ul>
 *   <li>the audio input, its only float input of rank 2 ({@code [batch, samples]}): float32 [1, window];</li>
 *   <li>a sample-rate input, an int64 input of one element (shape [] or [1], like Silero's {@code sr}): the
 *       spec's rate;</li>
 *   <li>recurrent state inputs, every other float input (Silero v4's {@code h} and {@code c} [2, batch, 64],
 *       v5's {@code state} [2, batch, 128]), with symbolic dimensions bound to 1: zeros with
 *       {@link StateMode#ZEROS}; with {@link StateMode#CARRY}, the previous window's matching output
 *       (zeros for a file's first window). The output matching state input {@code X} is the one named
 *       {@code X + "n"} in any case ({@code hn}, {@code cn}, {@code stateN}) or else {@code X + "_out"}.</li>
 * </ul>
 * Carrying runs the model once per window, on a {@link ModelSession} the caller owns (normally the
 * reference model's, so that an optimized model is calibrated or validated on the states the original
 * produces).
 */
public final class AudioSamples implements SampleSource {
    private static final int BLOCK_WINDOWS = 64;

    private final Path location;
    private final List<WavFile> files;
    private final AudioSpec spec;
    private final String audioInput;
    private final String rateInput;
    private final long[] rateShape;
    private final List<State> states;
    private final ModelSession session;
    private final long windows;

    /** A state input, the zeros it starts from, and (when carrying) the output it is carried from. */
    private record State(String input, TensorData zeros, String output) {
    }

    private AudioSamples(Path location, List<WavFile> files, AudioSpec spec, String audioInput, String rateInput,
            long[] rateShape, List<State> states, ModelSession session) {
        this.location = location;
        this.files = files;
        this.spec = spec;
        this.audioInput = audioInput;
        this.rateInput = rateInput;
        this.rateShape = rateShape;
        this.states = states;
        this.session = session;
        long count = 0;
        for (WavFile file : files) {
            count += windowsOf(file);
        }
        if (count == 0) {
            throw new IllegalArgumentException(location + ": no complete window of " + spec.window()
                    + " samples in " + (files.size() == 1 ? "the file" : "any of " + files.size() + " files")
                    + " (use tail=pad to keep shorter audio)");
        }
        this.windows = count;
    }

    /**
     * The windows of a WAV file or folder as samples holding only the audio, {@code {inputName: [1, window]}}.
     *
     * @throws IOException              if a file or the folder cannot be read
     * @throws IllegalArgumentException if the location holds no WAV file, a file is not 16-bit PCM mono at
     *                                  the spec's rate, there is no complete window, or the spec asks to carry
     *                                  state (each message names the file or option)
     */
    public static AudioSamples open(Path fileOrFolder, String inputName, AudioSpec spec) throws IOException {
        if (spec.state() == StateMode.CARRY) {
            throw new IllegalArgumentException(fileOrFolder + ": state=carry needs a model; use forModel(path, model,"
                    + " spec, session)");
        }
        return new AudioSamples(fileOrFolder, wavFiles(fileOrFolder, spec), spec, inputName, null, null, List.of(),
                null);
    }

    /**
     * The windows of a WAV file or folder as samples for {@code model}, with zero states (see the class
     * comment for how inputs are recognised).
     *
     * @throws IOException              if a file or the folder cannot be read
     * @throws IllegalArgumentException if the files are unfit (as for {@link #open}), the spec asks to carry
     *                                  state (use {@link #forModel(Path, OnnxModel, AudioSpec, ModelSession)}),
     *                                  or the model's inputs do not fit (naming the input and the option)
     */
    public static AudioSamples forModel(Path fileOrFolder, OnnxModel model, AudioSpec spec) throws IOException {
        if (spec.state() == StateMode.CARRY) {
            throw new IllegalArgumentException(model.source() + ": state=carry runs the model for every window;"
                    + " pass a session: forModel(path, model, spec, session)");
        }
        return forModel(fileOrFolder, model, spec, null);
    }

    /**
     * The windows of a WAV file or folder as samples for {@code model}; with {@link StateMode#CARRY}, state
     * inputs are carried over from the outputs {@code session} computes for the previous window. The session
     * stays the caller's to close; iterating the samples after closing it fails.
     *
     * @param session a session on {@code model} (or on a model with the same inputs and state outputs); used
     *                only with {@code state=carry}, may be null otherwise
     * @throws IOException              if a file or the folder cannot be read
     * @throws IllegalArgumentException if the files are unfit (as for {@link #open}), the model's inputs do not
     *                                  fit, a state input has no matching output, or {@code state=carry} comes
     *                                  without a session (each message names the input or option)
     */
    public static AudioSamples forModel(Path fileOrFolder, OnnxModel model, AudioSpec spec, ModelSession session)
            throws IOException {
        boolean carry = spec.state() == StateMode.CARRY;
        if (carry && session == null) {
            throw new IllegalArgumentException(model.source() + ": state=carry needs a session to run the model");
        }
        String source = model.source();
        List<ValueInfoProto> audio = new ArrayList<>();
        List<ValueInfoProto> rate = new ArrayList<>();
        List<ValueInfoProto> stateInputs = new ArrayList<>();
        for (ValueInfoProto input : model.graph().inputs()) {
            int type = input.getType().getTensorType().getElemType();
            long[] dims = dims(input);
            if (type == DataType.FLOAT.code() && dims.length == 2) {
                audio.add(input);
            } else if (type == DataType.FLOAT.code() && dims.length > 0) {
                stateInputs.add(input);
            } else if (type == DataType.INT64.code() && (dims.length == 0 || dims.length == 1 && dims[0] <= 1)) {
                rate.add(input);
            } else {
                throw new IllegalArgumentException(source + ": input " + input.getName() + " (" + describe(input)
                        + ") is neither audio (float [batch, samples]), a sample rate (int64 [] or [1]) nor a"
                        + " float state");
            }
        }
        if (audio.size() != 1) {
            throw new IllegalArgumentException(source + ": " + (audio.isEmpty() ? "no" : audio.size())
                    + " float rank-2 inputs " + audio.stream().map(ValueInfoProto::getName).toList()
                    + "; audio samples feed a model with exactly one audio input [batch, samples]");
        }
        if (rate.size() > 1) {
            throw new IllegalArgumentException(source + ": several one-element int64 inputs "
                    + rate.stream().map(ValueInfoProto::getName).toList() + "; cannot tell which is the sample rate");
        }
        long[] audioDims = dims(audio.get(0));
        String audioName = audio.get(0).getName();
        if (audioDims[0] > 1) {
            throw new IllegalArgumentException(source + ": audio input " + audioName + " has shape "
                    + shapeText(audioDims) + " with a fixed batch of " + audioDims[0] + "; audio samples have batch 1");
        }
        if (audioDims[1] > 0 && audioDims[1] != spec.window()) {
            throw new IllegalArgumentException(source + ": audio input " + audioName + " has shape "
                    + shapeText(audioDims) + " but the audio spec says window=" + spec.window() + "; set window="
                    + audioDims[1]);
        }
        List<String> outputs = model.graph().outputs().stream().map(ValueInfoProto::getName).toList();
        List<State> states = new ArrayList<>();
        for (ValueInfoProto input : stateInputs) {
            long[] shape = Arrays.stream(dims(input)).map(d -> d < 0 ? 1 : d).toArray();
            TensorData zeros = TensorData.ofFloats(shape, new float[Math.toIntExact(TensorData.elementCount(shape))]);
            String output = null;
            if (carry) {
                output = matchingOutput(input.getName(), outputs);
                if (output == null) {
                    throw new IllegalArgumentException(source + ": state input " + input.getName() + " has no matching"
                            + " output (" + input.getName() + "n or " + input.getName() + "_out) among " + outputs
                            + "; use state=zeros");
                }
            }
            states.add(new State(input.getName(), zeros, output));
        }
        String rateName = rate.isEmpty() ? null : rate.get(0).getName();
        long[] rateShape = rate.isEmpty() ? null : dims(rate.get(0)).length == 0 ? new long[0] : new long[] {1};
        return new AudioSamples(fileOrFolder, wavFiles(fileOrFolder, spec), spec, audioName, rateName, rateShape,
                List.copyOf(states), carry ? session : null);
    }

    private static String matchingOutput(String state, List<String> outputs) {
        for (String output : outputs) {
            if (output.equalsIgnoreCase(state + "n")) {
                return output;
            }
        }
        return outputs.contains(state + "_out") ? state + "_out" : null;
    }

    /** Whether a path names a regular file whose name ends in .wav (any case). */
    public static boolean isWavFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(path) && !name.startsWith(".") && name.endsWith(".wav");
    }

    private static List<WavFile> wavFiles(Path location, AudioSpec spec) throws IOException {
        List<Path> paths;
        if (Files.isDirectory(location)) {
            try (Stream<Path> children = Files.list(location)) {
                paths = children.filter(AudioSamples::isWavFile)
                        .sorted(Comparator.comparing(path -> path.getFileName().toString())).toList();
            }
            if (paths.isEmpty()) {
                throw new IllegalArgumentException(location + ": the folder holds no .wav files");
            }
        } else if (!Files.exists(location)) {
            throw new IllegalArgumentException(location + ": no such file or folder");
        } else if (!isWavFile(location)) {
            throw new IllegalArgumentException(location + ": not a .wav file or a folder of them");
        } else {
            paths = List.of(location);
        }
        List<WavFile> files = new ArrayList<>();
        for (Path path : paths) {
            WavFile file = WavFile.read(path);
            file.requirePcm16Mono(spec.sampleRate());
            files.add(file);
        }
        return List.copyOf(files);
    }

    private long windowsOf(WavFile file) {
        long samples = file.sampleCount();
        long full = samples / spec.window();
        return spec.tail() == Tail.PAD && samples % spec.window() != 0 ? full + 1 : full;
    }

    private static long[] dims(ValueInfoProto input) {
        if (!input.getType().getTensorType().hasShape()) {
            return new long[0];
        }
        List<TensorShapeProto.Dimension> list = input.getType().getTensorType().getShape().getDimList();
        long[] dims = new long[list.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = list.get(i).hasDimValue() && list.get(i).getDimValue() > 0 ? list.get(i).getDimValue() : -1;
        }
        return dims;
    }

    private static String describe(ValueInfoProto input) {
        int code = input.getType().getTensorType().getElemType();
        return DataType.fromCode(code).map(Enum::name).orElse("type " + code) + " " + shapeText(dims(input));
    }

    private static String shapeText(long[] dims) {
        return Arrays.toString(Arrays.stream(dims).mapToObj(d -> d < 0 ? "?" : Long.toString(d)).toArray());
    }

    /** The spec the samples follow. */
    public AudioSpec spec() {
        return spec;
    }

    /** The input the audio windows feed. */
    public String audioInput() {
        return audioInput;
    }

    /** The WAV files, in the order their windows come. */
    public List<Path> files() {
        return files.stream().map(WavFile::path).toList();
    }

    @Override
    public String description() {
        return location + " (" + files.size() + (files.size() == 1 ? " WAV file, " : " WAV files, ") + spec.sampleRate()
                + " Hz, " + windows + (windows == 1 ? " window of " : " windows of ") + spec.window() + " samples"
                + (states.isEmpty() ? "" : ", state=" + spec.state().name().toLowerCase(Locale.ROOT)) + ")";
    }

    @Override
    public OptionalLong sizeHint() {
        return OptionalLong.of(windows);
    }

    /**
     * Reads the windows one by one; with {@code state=carry}, runs the session on each window before handing
     * out the next one of the same file.
     *
     * @throws UncheckedIOException  from {@code next()} when a file cannot be read (naming it)
     * @throws IllegalStateException from {@code next()} when carrying state fails: the session cannot run, or
     *                               an output does not fit its state input (naming the file and window)
     */
    @Override
    public Iterator<Map<String, TensorData>> iterator() {
        return new Windows();
    }

    /** The iteration over every window of every file. */
    private final class Windows implements Iterator<Map<String, TensorData>> {
        private long emitted;
        private int fileIndex;
        private long windowInFile;
        private float[] block;
        private long blockStart;
        private Map<String, TensorData> previous;

        @Override
        public boolean hasNext() {
            return emitted < windows;
        }

        @Override
        public Map<String, TensorData> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            while (windowInFile >= windowsOf(files.get(fileIndex))) {
                fileIndex++;
                windowInFile = 0;
                block = null;
                previous = null;
            }
            WavFile file = files.get(fileIndex);
            Map<String, TensorData> carried = previous == null ? Map.of() : carry(file, previous);
            Map<String, TensorData> sample = new LinkedHashMap<>();
            sample.put(audioInput, TensorData.ofFloats(new long[] {1, spec.window()}, window(file, windowInFile)));
            if (rateInput != null) {
                sample.put(rateInput, TensorData.ofLongs(rateShape, spec.sampleRate()));
            }
            for (State state : states) {
                sample.put(state.input(), carried.getOrDefault(state.input(), state.zeros()));
            }
            previous = session == null ? null : sample;
            windowInFile++;
            emitted++;
            return sample;
        }

        private Map<String, TensorData> carry(WavFile file, Map<String, TensorData> sample) {
            String where = file.path() + ": window " + (windowInFile - 1);
            Map<String, TensorData> outputs;
            try {
                outputs = session.run(sample);
            } catch (RuntimeFailureException e) {
                throw new IllegalStateException(where + ": running the model to carry state failed: " + e.getMessage(), e);
            }
            Map<String, TensorData> next = new LinkedHashMap<>();
            for (State state : states) {
                TensorData value = outputs.get(state.output());
                if (value == null || value.dataType() != DataType.FLOAT
                        || !Arrays.equals(value.shape(), state.zeros().shape())) {
                    throw new IllegalStateException(where + ": output " + state.output() + " ("
                            + (value == null ? "missing" : value.dataType() + " " + Arrays.toString(value.shape()))
                            + ") cannot be carried into state input " + state.input() + " (FLOAT "
                            + Arrays.toString(state.zeros().shape()) + ")");
                }
                next.put(state.input(), value);
            }
            return next;
        }

        /** Window {@code index} of a file, read in blocks of {@value #BLOCK_WINDOWS} windows. */
        private float[] window(WavFile file, long index) {
            int size = spec.window();
            if (block == null || index < blockStart || index >= blockStart + block.length / size) {
                block = readBlock(file, index);
                blockStart = index;
            }
            int from = Math.toIntExact((index - blockStart) * size);
            return Arrays.copyOfRange(block, from, from + size);
        }

        private float[] readBlock(WavFile file, long firstWindow) {
            int size = spec.window();
            long firstSample = firstWindow * size;
            long count = Math.min((long) BLOCK_WINDOWS * size, (windowsOf(file) - firstWindow) * size);
            long available = Math.max(0, Math.min(count, file.sampleCount() - firstSample));
            float[] values = new float[Math.toIntExact(count)];
            ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(available * 2)).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
                long position = file.dataOffset() + firstSample * 2;
                while (bytes.hasRemaining()) {
                    if (channel.read(bytes, position + bytes.position()) < 0) {
                        throw new IOException("the file ended inside its data chunk");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(file.path() + ": cannot read audio: " + e.getMessage(), e);
            }
            bytes.flip();
            for (int i = 0; i < available; i++) {
                values[i] = bytes.getShort() / 32768f;
            }
            return values;
        }
    }

    /** The same text as {@link #description()}. */
    @Override
    public String toString() {
        return description();
    }
}
