package dev.lathe.djl.serving;

import ai.djl.Device;
import dev.lathe.core.provider.Provider;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How DJL's ONNX Runtime engine runs a served model: the execution provider and device, thread counts and
 * graph optimization level. These become DJL {@code Criteria} options, under the names DJL 0.38's
 * {@code OrtModel} reads ({@code intraOpNumThreads}, {@code interOpNumThreads}, {@code optLevel},
 * {@code ortDevice}); CUDA is chosen by DJL's device (a GPU device with no {@code ortDevice} option), TensorRT
 * by {@code ortDevice=TensorRT} on a GPU device. Instances are immutable.
 *
 * @param provider       CPU, CUDA, TENSORRT, ROCM or COREML: the execution providers DJL's engine can add
 * @param deviceId       the GPU index for CUDA and TensorRT; 0 otherwise
 * @param intraOpThreads threads inside one operator; 0 keeps ONNX Runtime's default (one per core)
 * @param interOpThreads threads across independent operators; 0 keeps ONNX Runtime's default
 * @param optimization   ONNX Runtime's graph optimization level for the session
 */
public record ServingOptions(Provider provider, int deviceId, int intraOpThreads, int interOpThreads,
        Optimization optimization) {

    /** The providers DJL 0.38's ONNX Runtime engine knows how to add. */
    public static final Set<Provider> SUPPORTED = EnumSet.of(Provider.CPU, Provider.CUDA, Provider.TENSORRT,
            Provider.ROCM, Provider.COREML);

    /** ONNX Runtime's graph optimization levels, as DJL's {@code optLevel} option names them. */
    public enum Optimization {
        /** No graph optimization. */
        NONE("NO_OPT"),
        /** Constant folding and redundant node elimination. */
        BASIC("BASIC_OPT"),
        /** Basic plus node fusions; the level whose optimized files stay portable. */
        EXTENDED("EXTENDED_OPT"),
        /** Everything, including layout optimizations (ONNX Runtime's default). */
        ALL("ALL_OPT");

        private final String ortName;

        Optimization(String ortName) {
            this.ortName = ortName;
        }

        /** The name DJL passes to {@code OptLevel.valueOf}. */
        public String ortName() {
            return ortName;
        }
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if the provider is not one DJL's engine supports, or a count or the
     *                                  device index is negative
     */
    public ServingOptions {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(optimization, "optimization");
        if (!SUPPORTED.contains(provider)) {
            throw new IllegalArgumentException("serving options: provider " + provider.cliName()
                    + " is not supported by DJL's ONNX Runtime engine; use one of "
                    + SUPPORTED.stream().map(Provider::cliName).toList());
        }
        if (deviceId < 0 || intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("serving options: device " + deviceId + ", intra-op threads "
                    + intraOpThreads + " and inter-op threads " + interOpThreads + " must not be negative");
        }
    }

    /** CPU with ONNX Runtime's default threads and full optimization. */
    public static ServingOptions cpu() {
        return new ServingOptions(Provider.CPU, 0, 0, 0, Optimization.ALL);
    }

    /** CUDA on GPU {@code deviceId} (needs {@code onnxruntime_gpu}, CUDA 12 and cuDNN 9), CPU as fallback. */
    public static ServingOptions cuda(int deviceId) {
        return new ServingOptions(Provider.CUDA, deviceId, 0, 0, Optimization.ALL);
    }

    /** TensorRT on GPU {@code deviceId} (needs {@code onnxruntime_gpu} and TensorRT libraries). */
    public static ServingOptions tensorrt(int deviceId) {
        return new ServingOptions(Provider.TENSORRT, deviceId, 0, 0, Optimization.ALL);
    }

    /** A copy with the given thread counts (0 keeps ONNX Runtime's default). */
    public ServingOptions withThreads(int intraOp, int interOp) {
        return new ServingOptions(provider, deviceId, intraOp, interOp, optimization);
    }

    /** A copy with the given optimization level. */
    public ServingOptions withOptimization(Optimization level) {
        return new ServingOptions(provider, deviceId, intraOpThreads, interOpThreads, level);
    }

    /**
     * The DJL device: GPU {@code deviceId} for CUDA and TensorRT, else the CPU (DJL adds ROCm and Core ML by
     * the {@code ortDevice} option alone).
     */
    public Device device() {
        return switch (provider) {
            case CUDA, TENSORRT -> Device.gpu(deviceId);
            default -> Device.cpu();
        };
    }

    /** The {@code Criteria.optOption} entries these options give, under the names DJL's engine reads. */
    public Map<String, String> criteriaOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        if (intraOpThreads > 0) {
            options.put("intraOpNumThreads", Integer.toString(intraOpThreads));
        }
        if (interOpThreads > 0) {
            options.put("interOpNumThreads", Integer.toString(interOpThreads));
        }
        options.put("optLevel", optimization.ortName());
        switch (provider) {
            case TENSORRT -> options.put("ortDevice", "TensorRT");
            case ROCM -> options.put("ortDevice", "ROCM");
            case COREML -> options.put("ortDevice", "CoreML");
            default -> {
                // CPU needs nothing; CUDA follows from the GPU device.
            }
        }
        return options;
    }
}
