package dev.lathe.tensorflow;

import java.nio.file.Path;

/** The test SavedModels, written into a folder and loaded, for tests in other packages. */
public final class TestModelAccess {
    private TestModelAccess() {
    }

    /** {@link TestSavedModels#mlp}, loaded. */
    public static SavedModel mlp(Path dir) throws Exception {
        return TestSavedModels.load(TestSavedModels.mlp(dir.resolve("mlp")));
    }

    /** {@link TestSavedModels#cnn}, loaded. */
    public static SavedModel cnn(Path dir) throws Exception {
        return TestSavedModels.load(TestSavedModels.cnn(dir.resolve("cnn")));
    }

    /** {@link TestSavedModels#encoderBlock}, loaded. */
    public static SavedModel encoder(Path dir) throws Exception {
        return TestSavedModels.load(TestSavedModels.encoderBlock(dir.resolve("encoder")));
    }
}
