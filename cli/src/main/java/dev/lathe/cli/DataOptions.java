package dev.lathe.cli;

import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.djl.DataFiles;
import dev.lathe.djl.audio.AudioSpec;
import dev.lathe.djl.image.ImageSpec;
import dev.lathe.djl.text.TextSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that give a command real data: {@code --data} with the few settings each kind of data
 * needs, and {@code --calibrate-on-generated} to let data-aware passes calibrate on generated inputs.
 */
final class DataOptions {

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "Real input samples: text (.txt, one a line, or .jsonl with \"text\" and optional \"text_pair\"), "
                    + "images (.png/.jpg or a folder of them), audio (.wav or a folder of them) or NumPy arrays (.npz/.npy, "
                    + "or a folder of them). Every 4th sample is held out for validation, the rest calibrate data-aware "
                    + "passes; input shapes come from the data.")
    private Path data;

    @Option(names = "--tokenizer", paramLabel = "FILE|DIR",
            description = "The model's tokenizer.json (or its folder) for text data (default: tokenizer.json next to "
                    + "the model).")
    private Path tokenizer;

    @Option(names = "--max-length", paramLabel = "TOKENS", defaultValue = "" + TextSpec.DEFAULT_MAX_LENGTH,
            description = "Longest text encoding in tokens; longer texts are truncated (default: ${DEFAULT-VALUE}).")
    private int maxLength;

    @Option(names = "--image", paramLabel = "SPEC", converter = ImageSpecConverter.class,
            description = "How images become inputs, e.g. size=640x640,mean=0.485/0.456/0.406,std=0.229/0.224/0.225,"
                    + "order=bgr,layout=nchw,scale=255 (default: the model's fixed size, ImageNet mean/std, RGB, NCHW).")
    private ImageSpec image = ImageSpec.defaults();

    @Option(names = "--audio", paramLabel = "SPEC", converter = AudioSpecConverter.class,
            description = "How WAV files become inputs, e.g. rate=16000,window=512,state=zeros,tail=drop (the defaults; "
                    + "16-bit PCM mono only).")
    private AudioSpec audio = AudioSpec.defaults();

    @Option(names = "--calibrate-on-generated",
            description = "Without --data, let data-aware passes (SmoothQuant, GPTQ, Wanda) calibrate on generated "
                    + "inputs instead of using their data-free form or refusing; generated inputs calibrate far "
                    + "worse than real data.")
    private boolean calibrateOnGenerated;

    /** Whether data-aware passes may calibrate on generated inputs. */
    boolean calibrateOnGenerated() {
        return calibrateOnGenerated;
    }

    /** The {@code --data} location, if given. */
    Optional<Path> location() {
        return Optional.ofNullable(data);
    }

    /**
     * The samples of {@code --data} for a model, if given; close them when done.
     *
     * @param modelFile the model's file (its folder may hold the tokenizer), or null
     * @throws IllegalArgumentException if the data cannot feed the model (the message says why)
     */
    Optional<SampleSource> open(OnnxModel model, Path modelFile) throws IOException {
        if (data == null) {
            return Optional.empty();
        }
        TextSpec text = TextSpec.defaults().withMaxLength(maxLength);
        return Optional.of(DataFiles.open(data, model, modelFile,
                new DataFiles.Options(Optional.ofNullable(tokenizer), text, image, audio)));
    }

    /** Parses {@code --image} with {@link ImageSpec#parse}; the message names the valid keys. */
    static final class ImageSpecConverter implements ITypeConverter<ImageSpec> {
        @Override
        public ImageSpec convert(String value) {
            try {
                return ImageSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parses {@code --audio} with {@link AudioSpec#parse}; the message names the valid keys. */
    static final class AudioSpecConverter implements ITypeConverter<AudioSpec> {
        @Override
        public AudioSpec convert(String value) {
            try {
                return AudioSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
