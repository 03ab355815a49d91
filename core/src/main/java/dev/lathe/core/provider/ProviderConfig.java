package dev.lathe.core.provider;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How to configure one execution provider. Each kind has typed settings for what users tune most, and
 * {@code extraOptions}, passed to ONNX Runtime verbatim, for the rest (the provider's own option keys).
 */
public sealed interface ProviderConfig {

    /** The provider this configures. */
    Provider provider();

    /** Provider options passed to ONNX Runtime as given (keys as ONNX Runtime documents them). */
    Map<String, String> extraOptions();

    /** A short description for reports and logs, such as "cpu (4 threads)". */
    String describe();

    /** The default configuration of a provider. */
    static ProviderConfig defaults(Provider provider) {
        return switch (provider) {
            case CPU -> Cpu.defaults();
            case CUDA -> Cuda.defaults();
            case TENSORRT -> TensorRt.defaults();
            default -> new Named(provider, Map.of());
        };
    }

    /**
     * The CPU provider.
     *
     * @param arena          whether ONNX Runtime's CPU memory arena is on (faster, holds on to memory)
     * @param intraOpThreads threads inside one operator; 0 lets ONNX Runtime choose (one per core)
     * @param interOpThreads threads across operators; 0 lets ONNX Runtime choose
     */
    record Cpu(boolean arena, int intraOpThreads, int interOpThreads, Map<String, String> extraOptions)
            implements ProviderConfig {
        /** Validates the settings. */
        public Cpu {
            if (intraOpThreads < 0 || interOpThreads < 0) {
                throw new IllegalArgumentException("thread counts must be >= 0 (0 = ONNX Runtime default)");
            }
            extraOptions = Map.copyOf(extraOptions);
        }

        /** Arena on, ONNX Runtime's default thread counts. */
        public static Cpu defaults() {
            return new Cpu(true, 0, 0, Map.of());
        }

        /** These settings with another intra-op thread count. */
        public Cpu withIntraOpThreads(int threads) {
            return new Cpu(arena, threads, interOpThreads, extraOptions);
        }

        @Override
        public Provider provider() {
            return Provider.CPU;
        }

        @Override
        public String describe() {
            return "cpu" + (intraOpThreads > 0 ? " (" + intraOpThreads + (intraOpThreads == 1 ? " thread)" : " threads)") : "");
        }
    }

    /**
     * The CUDA provider.
     *
     * @param deviceId          the GPU to use
     * @param memoryLimitBytes  cap on the CUDA memory arena; 0 for no cap
     * @param convAlgorithmSearch cuDNN convolution algorithm search: EXHAUSTIVE, HEURISTIC or DEFAULT
     * @param cudaGraphs        whether to capture CUDA graphs (static shapes only)
     */
    record Cuda(int deviceId, long memoryLimitBytes, String convAlgorithmSearch, boolean cudaGraphs,
            Map<String, String> extraOptions) implements ProviderConfig {
        /** Validates the settings. */
        public Cuda {
            if (deviceId < 0 || memoryLimitBytes < 0) {
                throw new IllegalArgumentException("CUDA device id and memory limit must be >= 0");
            }
            if (!java.util.Set.of("EXHAUSTIVE", "HEURISTIC", "DEFAULT").contains(convAlgorithmSearch)) {
                throw new IllegalArgumentException("cuDNN convolution algorithm search must be EXHAUSTIVE, HEURISTIC or "
                        + "DEFAULT, got '" + convAlgorithmSearch + "'");
            }
            extraOptions = Map.copyOf(extraOptions);
        }

        /** Device 0, no memory cap, exhaustive search (ONNX Runtime's default), no CUDA graphs. */
        public static Cuda defaults() {
            return new Cuda(0, 0, "EXHAUSTIVE", false, Map.of());
        }

        @Override
        public Provider provider() {
            return Provider.CUDA;
        }

        @Override
        public String describe() {
            return "cuda (device " + deviceId + ")";
        }

        /** The options as ONNX Runtime's CUDA provider names them. */
        Map<String, String> ortOptions() {
            Map<String, String> options = new TreeMap<>();
            options.put("device_id", Integer.toString(deviceId));
            if (memoryLimitBytes > 0) {
                options.put("gpu_mem_limit", Long.toString(memoryLimitBytes));
            }
            options.put("cudnn_conv_algo_search", convAlgorithmSearch);
            options.put("enable_cuda_graph", cudaGraphs ? "1" : "0");
            options.putAll(extraOptions);
            return options;
        }
    }

    /**
     * The TensorRT provider.
     *
     * @param deviceId        the GPU to use
     * @param fp16            fp16 kernels; empty follows the model (on for float16 models)
     * @param int8            int8 kernels; empty follows the model (on for QDQ-quantized models)
     * @param engineCache     folder to cache built engines in, if any (engine builds take minutes)
     * @param timingCache     folder to cache layer timings in, if any
     * @param workspaceBytes  TensorRT workspace size; 0 for ONNX Runtime's default
     * @param profileMinShapes TensorRT optimization profile, e.g. {@code input_ids:1x1,attention_mask:1x1}
     * @param profileOptShapes the shapes to optimize for
     * @param profileMaxShapes the largest shapes
     */
    record TensorRt(int deviceId, Optional<Boolean> fp16, Optional<Boolean> int8, Optional<Path> engineCache,
            Optional<Path> timingCache, long workspaceBytes, Optional<String> profileMinShapes,
            Optional<String> profileOptShapes, Optional<String> profileMaxShapes, Map<String, String> extraOptions)
            implements ProviderConfig {
        /** Validates the settings. */
        public TensorRt {
            if (deviceId < 0 || workspaceBytes < 0) {
                throw new IllegalArgumentException("TensorRT device id and workspace size must be >= 0");
            }
            extraOptions = Map.copyOf(extraOptions);
        }

        /** Device 0, precision following the model, no caches, default workspace, no profile. */
        public static TensorRt defaults() {
            return new TensorRt(0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 0,
                    Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
        }

        @Override
        public Provider provider() {
            return Provider.TENSORRT;
        }

        @Override
        public String describe() {
            return "tensorrt (device " + deviceId + ")";
        }

        /** The options as ONNX Runtime's TensorRT provider names them, precision resolved for a model. */
        Map<String, String> ortOptions(ModelPrecision precision) {
            Map<String, String> options = new TreeMap<>();
            options.put("device_id", Integer.toString(deviceId));
            options.put("trt_fp16_enable", fp16.orElse(precision.float16()) ? "1" : "0");
            options.put("trt_int8_enable", int8.orElse(precision.int8()) ? "1" : "0");
            engineCache.ifPresent(path -> {
                options.put("trt_engine_cache_enable", "1");
                options.put("trt_engine_cache_path", path.toString());
            });
            timingCache.ifPresent(path -> {
                options.put("trt_timing_cache_enable", "1");
                options.put("trt_timing_cache_path", path.toString());
            });
            if (workspaceBytes > 0) {
                options.put("trt_max_workspace_size", Long.toString(workspaceBytes));
            }
            profileMinShapes.ifPresent(s -> options.put("trt_profile_min_shapes", s));
            profileOptShapes.ifPresent(s -> options.put("trt_profile_opt_shapes", s));
            profileMaxShapes.ifPresent(s -> options.put("trt_profile_max_shapes", s));
            options.putAll(extraOptions);
            return options;
        }
    }

    /**
     * A provider configured by name and key-value options only: OpenVINO (option {@code device_type}, such
     * as CPU or GPU), DNNL (option {@code use_arena}), XNNPACK and the others.
     */
    record Named(Provider provider, Map<String, String> extraOptions) implements ProviderConfig {
        /** Validates the settings. */
        public Named {
            if (provider == Provider.CPU || provider == Provider.CUDA || provider == Provider.TENSORRT) {
                throw new IllegalArgumentException(provider.cliName() + " has a typed configuration; use it");
            }
            extraOptions = Map.copyOf(extraOptions);
        }

        @Override
        public String describe() {
            return provider.cliName();
        }
    }
}
