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
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return true;
        }
        return flags().stream().anyMatch(INT8_DOT_PRODUCT::contains);
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
