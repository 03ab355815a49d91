package dev.lathe.core.provider;

import ai.onnxruntime.OrtProvider;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The ONNX Runtime execution providers Lathe knows by name. Which of them can run depends on the ONNX
 * Runtime artifact on the classpath ({@code onnxruntime} has CPU only, {@code onnxruntime_gpu} adds CUDA
 * and TensorRT) and on the native libraries of the host; see {@link ProviderCatalog}.
 */
public enum Provider {
    /** The default CPU provider, always present. */
    CPU("cpu", OrtProvider.CPU),
    /** NVIDIA CUDA (needs onnxruntime_gpu, CUDA 12 and cuDNN 9). */
    CUDA("cuda", OrtProvider.CUDA),
    /** NVIDIA TensorRT (needs onnxruntime_gpu and TensorRT libraries). */
    TENSORRT("tensorrt", OrtProvider.TENSOR_RT),
    /** Intel OpenVINO. */
    OPENVINO("openvino", OrtProvider.OPEN_VINO),
    /** Intel oneDNN. */
    DNNL("dnnl", OrtProvider.DNNL),
    /** XNNPACK CPU kernels. */
    XNNPACK("xnnpack", OrtProvider.XNNPACK),
    /** AMD ROCm. */
    ROCM("rocm", OrtProvider.ROCM),
    /** Apple Core ML. */
    COREML("coreml", OrtProvider.CORE_ML),
    /** Windows DirectML. */
    DIRECTML("directml", OrtProvider.DIRECT_ML);

    private final String cliName;
    private final OrtProvider ort;

    Provider(String cliName, OrtProvider ort) {
        this.cliName = cliName;
        this.ort = ort;
    }

    /** The lower-case name used on the command line and in reports ("cpu", "cuda", "tensorrt", ...). */
    public String cliName() {
        return cliName;
    }

    OrtProvider ort() {
        return ort;
    }

    /** The provider with this name (case-insensitive), if Lathe knows it. */
    public static Optional<Provider> fromName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        return Arrays.stream(values()).filter(p -> p.cliName.equals(wanted)).findFirst();
    }

    /** All names, for error messages: "cpu, cuda, tensorrt, ...". */
    public static String names() {
        return Arrays.stream(values()).map(Provider::cliName).collect(Collectors.joining(", "));
    }
}
