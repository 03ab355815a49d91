package dev.lathe.cli;

import dev.lathe.core.model.ShapeBinding;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that size a model's inputs, shared by every command that takes a model: {@code --shape}
 * for the full shape of one input, {@code --bind} for a symbolic dimension of all inputs and {@code --value}
 * for the values of a small integer input.
 */
final class ShapeOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--shape", paramLabel = "NAME=D0xD1x...", converter = InputShapeArgument.Converter.class,
            description = "Full shape of an input, e.g. input_ids=1x128. Repeatable; wins over --bind.")
    private List<InputShapeArgument> shapes = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "DIM=VALUE", converter = DimensionArgument.Converter.class,
            description = "Size of a symbolic input dimension, e.g. sequence_length=128. Repeatable; "
                    + "unbound dimensions get sizes by kind (batch 1, sequence 128, image 224, audio window 512), "
                    + "or from --data where a command takes it.")
    private List<DimensionArgument> dimensions = new ArrayList<>();

    @Option(names = "--value", paramLabel = "NAME=V[,V...]", converter = InputValueArgument.Converter.class,
            description = "Values of a small integer input, e.g. sr=16000: what depends on them (the branch an If "
                    + "takes) is then known statically, and generated inputs hold them. Repeatable.")
    private List<InputValueArgument> values = new ArrayList<>();

    /**
     * The binding the options give.
     *
     * @throws ParameterException if an input or a dimension is given twice
     */
    ShapeBinding binding() {
        ShapeBinding binding = ShapeBinding.none();
        Set<String> seen = new HashSet<>();
        for (InputShapeArgument shape : shapes) {
            if (!seen.add(shape.input())) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--shape': input '" + shape.input() + "' is given twice");
            }
            binding = binding.withInputShape(shape.input(), shape.shape());
        }
        seen.clear();
        for (DimensionArgument dimension : dimensions) {
            if (!seen.add(dimension.dimension())) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--bind': dimension '" + dimension.dimension() + "' is given twice");
            }
            binding = binding.withDimension(dimension.dimension(), dimension.value());
        }
        seen.clear();
        for (InputValueArgument value : values) {
            if (!seen.add(value.input())) {
                throw new ParameterException(spec.commandLine(),
                        "Invalid value for option '--value': input '" + value.input() + "' is given twice");
            }
            binding = binding.withInputValue(value.input(), value.values());
        }
        return binding;
    }

    /**
     * The binding the options give on top of {@code defaults} (such as a pipeline file's): a {@code --shape}
     * replaces the default shape of the same input, a {@code --bind} the default value of the same
     * dimension; the other defaults stay.
     *
     * @throws ParameterException if an input or a dimension is given twice on the command line
     */
    ShapeBinding binding(ShapeBinding defaults) {
        ShapeBinding given = binding();
        ShapeBinding merged = defaults;
        for (String input : given.boundInputs()) {
            merged = merged.withInputShape(input, given.inputShape(input).orElseThrow());
        }
        for (String dimension : given.boundDimensions()) {
            merged = merged.withDimension(dimension, given.dimension(dimension).orElseThrow());
        }
        for (java.util.Map.Entry<String, long[]> value : given.inputValues().entrySet()) {
            merged = merged.withInputValue(value.getKey(), value.getValue());
        }
        return merged;
    }
}
