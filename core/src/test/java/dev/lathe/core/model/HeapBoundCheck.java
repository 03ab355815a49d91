package dev.lathe.core.model;

import java.nio.file.Path;

/**
 * Run in a child JVM with a small heap by {@link HeapBoundTest}: loads a model whose weights are much
 * larger than the heap, reads every tensor, and saves it with external data to another folder. Prints
 * the number of zero elements it read; exits with status 1 (and a stack trace) on any failure.
 *
 * <p>Arguments: the model file, then the file to save to.
 */
public final class HeapBoundCheck {
    private HeapBoundCheck() {
    }

    /** Loads {@code args[0]}, counts zeros in every tensor, saves to {@code args[1]}. */
    public static void main(String[] args) {
        try {
            OnnxModel model = OnnxModel.load(Path.of(args[0]));
            long zeros = 0;
            for (ConstantTensor constant : model.constants()) {
                zeros += model.tensorData(constant.tensor()).countZeros();
            }
            model.save(Path.of(args[1]), SaveOptions.external(SaveOptions.DEFAULT_THRESHOLD_BYTES));
            System.out.println("zeros=" + zeros);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }
}
