package dev.lathe.djl;

import dev.lathe.core.LatheException;
import dev.lathe.core.data.NpySamples;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.model.TensorData;
import dev.lathe.core.runtime.ModelSession;
import dev.lathe.core.runtime.SessionSettings;
import dev.lathe.djl.audio.AudioSamples;
import dev.lathe.djl.audio.AudioSpec;
import dev.lathe.djl.image.ImageSamples;
import dev.lathe.djl.image.ImageSpec;
import dev.lathe.djl.text.TextSamples;
import dev.lathe.djl.text.TextSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Real samples for a model from whatever file or folder a user points at, by kind: {@code .txt} and
 * {@code .jsonl} are text, tokenized with the model's {@code tokenizer.json} ({@link TextSamples});
 * PNG/JPEG images ({@link ImageSamples}); WAV audio cut into windows ({@link AudioSamples});
 * {@code .npz}/{@code .npy} arrays ({@link NpySamples}). A folder is of the kind of the files it holds
 * (images, WAV files, or NumPy samples).
 */
public final class DataFiles {
    private DataFiles() {
    }

    /**
     * How to read data files.
     *
     * @param tokenizer the {@code tokenizer.json} (or its folder) for text; empty means the one next to the model
     * @param text      how text becomes inputs
     * @param image     how images become inputs
     * @param audio     how audio becomes inputs
     */
    public record Options(Optional<Path> tokenizer, TextSpec text, ImageSpec image, AudioSpec audio) {
        /** The tokenizer next to the model, and the text, image and audio defaults. */
        public static Options defaults() {
            return new Options(Optional.empty(), TextSpec.defaults(), ImageSpec.defaults(), AudioSpec.defaults());
        }
    }

    /**
     * Opens the samples of a file or folder for a model. Close the result when it is {@link AutoCloseable}
     * (text samples hold a native tokenizer).
     *
     * @param modelFile the model's file, whose folder may hold {@code tokenizer.json}; may be null for a model
     *                  loaded from a stream
     * @throws IllegalArgumentException if the location does not exist, is of an unknown kind, or cannot feed
     *                                  the model (the message names it and what would)
     * @throws LatheException           if audio with {@code state=carry} needs the model run and ONNX Runtime
     *                                  cannot open it
     */
    public static SampleSource open(Path location, OnnxModel model, Path modelFile, Options options)
            throws IOException, LatheException {
        if (!Files.exists(location)) {
            throw new IllegalArgumentException(location + ": no such file or folder");
        }
        if (TextSamples.isTextFile(location)) {
            Path tokenizer = options.tokenizer().orElseGet(() -> modelFile == null ? null
                    : modelFile.toAbsolutePath().getParent().resolve("tokenizer.json"));
            if (tokenizer == null || !Files.exists(tokenizer)) {
                throw new IllegalArgumentException(location + ": text data needs the model's tokenizer.json; pass it with "
                        + "--tokenizer FILE (none found " + (tokenizer == null ? "for a model without a folder" : "at "
                        + tokenizer) + ")");
            }
            return TextSamples.forModel(location, model, tokenizer, options.text());
        }
        if (ImageSamples.isImageFile(location) || Files.isDirectory(location) && holds(location, ImageSamples::isImageFile)) {
            return ImageSamples.forModel(location, model, options.image());
        }
        if (AudioSamples.isWavFile(location) || Files.isDirectory(location) && holds(location, AudioSamples::isWavFile)) {
            return options.audio().state() == AudioSpec.StateMode.CARRY ? CarriedAudio.open(location, model, options.audio())
                    : AudioSamples.forModel(location, model, options.audio());
        }
        if (NpySamples.isArrayFile(location) || Files.isDirectory(location)) {
            return NpySamples.open(location);
        }
        throw new IllegalArgumentException(location + ": unknown kind of data; use text (.txt, .jsonl), images (.png, "
                + ".jpg), audio (.wav), NumPy arrays (.npz, .npy), or a folder of images, WAV files or NumPy samples");
    }

    /** Audio windows whose states are carried from window to window by a session this source owns. */
    private static final class CarriedAudio implements SampleSource, AutoCloseable {
        private final AudioSamples windows;
        private final ModelSession session;

        private CarriedAudio(AudioSamples windows, ModelSession session) {
            this.windows = windows;
            this.session = session;
        }

        static CarriedAudio open(Path location, OnnxModel model, AudioSpec spec) throws IOException, LatheException {
            ModelSession session = ModelSession.open(model, SessionSettings.cpu());
            try {
                return new CarriedAudio(AudioSamples.forModel(location, model, spec, session), session);
            } catch (IOException | RuntimeException e) {
                session.close();
                throw e;
            }
        }

        @Override
        public String description() {
            return windows.description();
        }

        @Override
        public OptionalLong sizeHint() {
            return windows.sizeHint();
        }

        @Override
        public Iterator<Map<String, TensorData>> iterator() {
            return windows.iterator();
        }

        /** Closes the session that carries the states. */
        @Override
        public void close() {
            session.close();
        }
    }

    private static boolean holds(Path folder, Predicate<Path> kind) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.anyMatch(kind);
        }
    }
}
