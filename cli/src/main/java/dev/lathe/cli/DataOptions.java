package dev.lathe.cli;

import dev.lathe.core.LatheException;
import dev.lathe.core.data.SampleSource;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.pipeline.PipelineFile;
import dev.lathe.djl.DataFiles;
import dev.lathe.djl.audio.AudioSpec;
import dev.lathe.djl.image.ImageSpec;
import dev.lathe.djl.text.TextSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that give a command real data: {@code --data} with the few settings each kind of data
 * needs ({@code --tokenizer}, {@code --max-length}, {@code --image}, {@code --audio}).
 */
final class DataOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = "Real input samples: text (.txt, one a line, or .jsonl with \"text\" and optional \"text_pair\"), "
                    + "images (.png/.jpg or a folder of them), audio (.wav or a folder of them) or NumPy arrays (.npz/.npy, "
                    + "or a folder of them). optimize holds every 4th sample out for validation and calibrates on the rest, "
                    + "and takes input shapes from the data.")
    private Path data;

    @Option(names = "--tokenizer", paramLabel = "FILE|DIR",
            description = "The model's tokenizer.json (or its folder) for text data (default: tokenizer.json next to "
                    + "the model).")
    private Path tokenizer;

    @Option(names = "--max-length", paramLabel = "TOKENS",
            description = "Longest text encoding in tokens; longer texts are truncated (default: "
                    + TextSpec.DEFAULT_MAX_LENGTH + ").")
    private Integer maxLength;

    @Option(names = "--image", paramLabel = "SPEC", converter = ImageSpecConverter.class,
            description = "How images become inputs, e.g. size=640x640,mean=0.485/0.456/0.406,std=0.229/0.224/0.225,"
                    + "order=bgr,layout=nchw,scale=255 (default: the model's fixed size, ImageNet mean/std, RGB, NCHW).")
    private ImageSpec image;

    @Option(names = "--audio", paramLabel = "SPEC", converter = AudioSpecConverter.class,
            description = "How WAV files become inputs, e.g. rate=16000,window=512,state=zeros,tail=drop (the defaults; "
                    + "16-bit PCM mono only).")
    private AudioSpec audio;



    /** The {@code --data} location, if given. */
    Optional<Path> location() {
        return Optional.ofNullable(data);
    }

    /**
     * The samples of {@code --data} (or else of the pipeline file's {@code data:} section) for a model, if
     * either is given; close them when done. A setting given on the command line wins over the file's.
     *
     * @param modelFile the model's file (its folder may hold the tokenizer), or null
     * @param fromFile  the pipeline file's data section, if any
     * @throws IllegalArgumentException if the data cannot feed the model, or a setting in the file is
     *                                  invalid (the message says why)
     */
    Optional<SampleSource> open(OnnxModel model, Path modelFile, Optional<PipelineFile.DataSection> fromFile)
            throws IOException, LatheException {
        Optional<PipelineFile.DataSection> section = data != null ? Optional.empty() : fromFile;
        Path location = data != null ? data : section.map(PipelineFile.DataSection::path).orElse(null);
        if (location == null) {
            if (tokenizer != null || maxLength != null || image != null || audio != null) {
                throw new ParameterException(spec.commandLine(), "--tokenizer, --max-length, --image and --audio say how "
                        + "to read --data; give --data FILE|DIR with them");
            }
            return Optional.empty();
        }
        Optional<Path> tokenizerFile = tokenizer != null ? Optional.of(tokenizer)
                : section.flatMap(PipelineFile.DataSection::tokenizer);
        int tokens = maxLength != null ? maxLength
                : section.flatMap(PipelineFile.DataSection::maxLength).orElse(TextSpec.DEFAULT_MAX_LENGTH);
        ImageSpec imageSpec = image != null ? image
                : section.flatMap(PipelineFile.DataSection::image).map(ImageSpec::parse).orElse(ImageSpec.defaults());
        AudioSpec audioSpec = audio != null ? audio
                : section.flatMap(PipelineFile.DataSection::audio).map(AudioSpec::parse).orElse(AudioSpec.defaults());
        return Optional.of(DataFiles.open(location, model, modelFile, new DataFiles.Options(tokenizerFile,
                TextSpec.defaults().withMaxLength(tokens), imageSpec, audioSpec)));
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
