package dev.lathe.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) run headless on a local HTML file, for tests that need a
 * real browser: the DOM after parsing, or a screenshot. Each run gets a fresh profile folder and has
 * networking, sync and updates switched off; a run that takes over {@link #TIMEOUT_SECONDS} is killed, with the processes it started.
 * Tests get one from {@link #assumeInstalled(Path)}, so that they are skipped, not failed, on a developer's machine
 * without Chromium; where the environment variable {@code CI} is set (as CI services set it, to anything but
 * {@code false}) a missing browser fails the test instead, since {@code .ci/run} installs it.
 */
public final class HeadlessChromium {
    /** Where Debian's {@code chromium} package puts the browser. */
    public static final Path BINARY = Path.of("/usr/bin/chromium");
    /** The most a single browser run may take. */
    public static final long TIMEOUT_SECONDS = 60;

    private final Path workFolder;

    private HeadlessChromium(Path workFolder) {
        this.workFolder = workFolder;
    }

    /**
     * A browser that keeps its profiles and output in {@code workFolder}. When Chromium is not installed, skips the
     * calling test (a JUnit assumption), or fails it under CI.
     */
    public static HeadlessChromium assumeInstalled(Path workFolder) {
        if (!Files.isExecutable(BINARY)) {
            String message = BINARY + " not found: install Debian's Chromium (apt-get install chromium) to run the browser tests";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
                throw new AssertionError(message + " (CI=" + ci + " is set, so the test fails rather than skips)");
            }
            assumeTrue(false, message);
        }
        return new HeadlessChromium(workFolder);
    }

    /** Loads {@code page} and returns the DOM as Chromium serializes it after parsing and layout. */
    public String dumpDom(Path page) throws IOException, InterruptedException {
        Path dom = Files.createTempFile(workFolder, "dom-", ".html");
        run(page, dom, "--dump-dom");
        return Files.readString(dom, StandardCharsets.UTF_8);
    }

    /** Loads {@code page} in a window of {@code width} × {@code height} pixels and saves a PNG screenshot. */
    public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        run(page, Files.createTempFile(workFolder, "screenshot-", ".log"), "--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height);
    }

    private void run(Path page, Path stdout, String... arguments) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workFolder, "profile-");
        Path stderr = Files.createTempFile(workFolder, "chromium-", ".err");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(arguments));
        command.add(page.toAbsolutePath().toUri().toString());
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("chromium took over " + TIMEOUT_SECONDS + " s on " + page + "; its stderr: "
                    + tail(stderr));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("chromium exited with " + process.exitValue() + " on " + page
                    + "; its stderr: " + tail(stderr));
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }
}
