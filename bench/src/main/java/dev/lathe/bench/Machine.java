package dev.lathe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Manifest;

/**
 * The machine a benchmark ran on, for its report: CPU model and cores (from Linux's /proc/cpuinfo, where
 * there is one), whether the CPU has AVX2 and AVX-512, the Java runtime and the ONNX Runtime version on
 * the class path.
 *
 * @param cpuModel          the CPU's model name, or "unknown"
 * @param logicalCpus       logical CPUs listed in /proc/cpuinfo (0 where unknown)
 * @param availableCpus     the CPUs this JVM may use
 * @param vectorExtensions  AVX2 / AVX-512 / AVX-VNNI flags the CPU reports
 * @param java              Java vendor and version
 * @param os                operating system and architecture
 * @param onnxRuntime       ONNX Runtime's version, from its jar's manifest, or "unknown"
 */
public record Machine(String cpuModel, int logicalCpus, int availableCpus, List<String> vectorExtensions, String java,
        String os, String onnxRuntime) {
    private static final List<String> VECTOR_FLAGS = List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16");

    /** Copies the flag list. */
    public Machine {
        vectorExtensions = List.copyOf(vectorExtensions);
    }

    /** Describes the machine this JVM runs on. */
    public static Machine current() {
        String model = "unknown";
        int logical = 0;
        List<String> flags = List.of();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
            for (String line : lines) {
                String key = line.contains(":") ? line.substring(0, line.indexOf(':')).strip() : "";
                String value = line.contains(":") ? line.substring(line.indexOf(':') + 1).strip() : "";
                if (key.equals("processor")) {
                    logical++;
                } else if (key.equals("model name") && model.equals("unknown")) {
                    model = value;
                } else if (key.equals("flags") && flags.isEmpty()) {
                    List<String> present = List.of(value.split("\\s+"));
                    flags = VECTOR_FLAGS.stream().filter(present::contains).toList();
                }
            }
        } catch (IOException e) {
            // Not Linux: the model stays unknown.
        }
        return new Machine(model, logical, Runtime.getRuntime().availableProcessors(), flags,
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), onnxRuntimeVersion());
    }

    /** One line for the report. */
    public String describe() {
        return cpuModel + ", " + (logicalCpus > 0 ? logicalCpus + " logical CPUs" : "CPUs unknown") + " ("
                + availableCpus + " available to the JVM)" + (vectorExtensions.isEmpty() ? "" : ", " + String.join(" ", vectorExtensions));
    }

    /**
     * The Implementation-Version of the ONNX Runtime jar on the class path (the CPU and the GPU artifact both
     * name themselves {@code onnxruntime*} in Implementation-Title).
     */
    static String onnxRuntimeVersion() {
        try {
            Enumeration<URL> manifests = Machine.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
            while (manifests.hasMoreElements()) {
                try (InputStream stream = manifests.nextElement().openStream()) {
                    var attributes = new Manifest(stream).getMainAttributes();
                    String title = attributes.getValue("Implementation-Title");
                    String version = attributes.getValue("Implementation-Version");
                    if (title != null && title.startsWith("onnxruntime") && version != null) {
                        return version;
                    }
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
