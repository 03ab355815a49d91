package dev.lathe.core.provider;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import java.util.Map;

/** Turns Lathe's provider configurations into ONNX Runtime session options. */
public final class ProviderOptions {
    private ProviderOptions() {
    }

    /** Adds one provider, with its options, to the session options (CPU needs nothing added). */
    public static void addProvider(SessionOptions options, ProviderConfig config, ModelPrecision precision) throws OrtException {
        if (config instanceof ProviderConfig.Cpu cpu) {
            options.setCPUArenaAllocator(cpu.arena());
            if (cpu.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(cpu.intraOpThreads());
            }
            if (cpu.interOpThreads() > 0) {
                options.setInterOpNumThreads(cpu.interOpThreads());
            }
            for (Map.Entry<String, String> entry : cpu.extraOptions().entrySet()) {
                options.addConfigEntry(entry.getKey(), entry.getValue());
            }
        } else if (config instanceof ProviderConfig.Cuda cuda) {
            // ONNX Runtime copies provider options when they are appended, so they can be closed at once.
            try (OrtCUDAProviderOptions cudaOptions = new OrtCUDAProviderOptions(cuda.deviceId())) {
                for (Map.Entry<String, String> entry : cuda.ortOptions().entrySet()) {
                    cudaOptions.add(entry.getKey(), entry.getValue());
                }
                options.addCUDA(cudaOptions);
            }
        } else if (config instanceof ProviderConfig.TensorRt tensorRt) {
            try (OrtTensorRTProviderOptions trtOptions = new OrtTensorRTProviderOptions(tensorRt.deviceId())) {
                for (Map.Entry<String, String> entry : tensorRt.ortOptions(precision).entrySet()) {
                    trtOptions.add(entry.getKey(), entry.getValue());
                }
                options.addTensorrt(trtOptions);
            }
        } else {
            addNamed(options, (ProviderConfig.Named) config);
        }
    }

    private static void addNamed(SessionOptions options, ProviderConfig.Named named) throws OrtException {
        Map<String, String> extra = named.extraOptions();
        switch (named.provider()) {
            case OPENVINO -> options.addOpenVINO(extra.getOrDefault("device_type", "CPU"));
            case DNNL -> options.addDnnl(!"0".equals(extra.getOrDefault("use_arena", "1")));
            case XNNPACK -> options.addXnnpack(extra);
            case ROCM -> options.addROCM(Integer.parseInt(extra.getOrDefault("device_id", "0")));
            case COREML -> options.addCoreML(extra);
            case DIRECTML -> options.addDirectML(Integer.parseInt(extra.getOrDefault("device_id", "0")));
            default -> throw new IllegalArgumentException(named.provider() + " has a typed configuration");
        }
    }
}
