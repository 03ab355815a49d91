package dev.lathe.core.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * What this machine's CPU offers ONNX Runtime's kernels, read from Linux's {@code /proc/cpuinfo}.
 * Int8 matters most: without a VNNI dot-product instruction, ONNX Runtime's x86 u8s8 kernels multiply
 * pairs of 8-bit values into 16-bit sums that can saturate, which 7-bit weights avoid.
 */
public final class CpuFeatures {
    private static final Set<String> INT8_DOT_PRODUCT = Set.of("avx512_vnni", "avx_vnni", "amx_int8");

    private CpuFeatures() {
    }

    /**
     * Whether int8 weights can use their full range with ONNX Runtime's u8s8 kernels here: true on x86
     * with a VNNI or AMX int8 instruction and on other architectures; false on x86 without them.
     */
    public static boolean fullRangeInt8() {
        return fullRangeInt8(System.getProperty("os.arch", ""), flags());
    }

    /**
     * The decision of {@link #fullRangeInt8()} for a given architecture ({@code os.arch}) and CPU flags;
     * empty flags (no {@code /proc/cpuinfo}: macOS, Windows) count as no VNNI, the choice that is safe on
     * every x86 CPU.
     */
    static boolean fullRangeInt8(String osArch, Set<String> cpuFlags) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return true;
        }
        return cpuFlags.stream().anyMatch(INT8_DOT_PRODUCT::contains);
    }

    /**
     * One phrase on what {@link #fullRangeInt8()} found, for reports: e.g. {@code x86 with avx512_vnni:
     * full-range int8}, or that the flags could not be read and 7-bit weights were assumed.
     */
    public static String int8Summary() {
        String arch = System.getProperty("os.arch", "");
        Set<String> flags = flags();
        if (fullRangeInt8(arch, flags)) {
            return arch.equalsIgnoreCase("amd64") || arch.equalsIgnoreCase("x86_64")
                    ? "x86 with " + flags.stream().filter(INT8_DOT_PRODUCT::contains).sorted().findFirst().orElse("?")
                            + ": full-range int8 weights"
                    : arch + ": full-range int8 weights";
        }
        return flags.isEmpty() ? "x86, CPU flags unreadable (no /proc/cpuinfo): 7-bit weights assumed, safe everywhere"
                : "x86 without VNNI: 7-bit weights, so u8s8 sums cannot saturate";
    }

    private static Set<String> flags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        return Set.of();
    }
}
