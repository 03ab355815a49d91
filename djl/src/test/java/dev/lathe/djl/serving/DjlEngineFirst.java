package dev.lathe.djl.serving;

import dev.lathe.core.RuntimeFailureException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts DJL's ONNX Runtime engine before any test runs: DJL must create the process's ONNX Runtime
 * environment itself (see {@link ServedModel}), and the tests of this module share one JVM in which
 * {@code ModelSession}s would otherwise create it first. Registered in
 * {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class DjlEngineFirst implements LauncherSessionListener {

    /** Starts the engine, offline, when the test run starts. */
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true"); // no telemetry probe from tests
        }
        try {
            ServedModel.startEngine();
        } catch (RuntimeFailureException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
