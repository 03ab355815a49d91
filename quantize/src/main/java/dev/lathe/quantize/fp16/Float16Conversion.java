package dev.lathe.quantize.fp16;

import dev.lathe.core.LatheException;
import dev.lathe.core.PassFailedException;
import dev.lathe.core.model.Graph;
import dev.lathe.core.model.OnnxModel;
import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.pipeline.Pass;
import dev.lathe.core.pipeline.PassContext;
import dev.lathe.core.pipeline.PassResult;
import dev.lathe.core.provider.Provider;
import dev.lathe.core.provider.ProviderConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code quantize.fp16} pass: converts a model's float32 constants and computation to float16, in the
 * main graph and in every {@code If}/{@code Loop}/{@code Scan} subgraph, halving the size of its weights.
 *
 * <p>Element types are propagated through the graph ({@link ElementTypes}); every node that computes in
 * float32 is converted unless its operator is on the block list, its name is excluded, or its operator is
 * not one the pass knows (operators of other domains, for instance), and every float value flowing between
 * converted nodes becomes float16. Where converted and float32 nodes meet, {@code Cast} nodes are inserted,
 * one per value and direction. Constants (initializers and {@code Constant} nodes) are stored in float16 when
 * a converted node reads them, clamped to ±65504 ({@link Float16Narrowing}); a float32 node reading such a
 * constant gets a float32 copy when the constant is small ({@value #SMALL_CONSTANT_ELEMENTS} elements or
 * fewer, which keeps ONNX Runtime's fusion patterns intact) and a Cast otherwise. Clamping is only allowed
 * where it keeps the meaning of the value (masks, bounds, selections: {@link OpTypeRules#CLAMP_SAFE}); any
 * other node reading a constant beyond float16's range stays float32 (PP-OCRv3's detector has a
 * BatchNormalization variance of 4.8·10⁷, which clamping would turn into garbage). A converted {@code Cast} to
 * float32 casts to float16 instead (unless only float32 nodes read its result), and a converted
 * {@code ConstantOfShape} fills with float16. Integer and bool tensors are never touched; converting a
 * converted model again changes nothing.
 *
 * <p>The block list is the union of {@link OpTypeRules#NUMERICALLY_SENSITIVE}, the operators whose ONNX type
 * constraints exclude float16, the user's {@code block} list and, for {@link Target#CPU}, every operator ONNX
 * Runtime's CPU provider has no float16 kernel for (it would otherwise wrap each such node in Casts of its
 * own). Softmax, ReduceMean and Pow are not blocked by default: on all-MiniLM-L6-v2 with target GPU,
 * blocking them left the cosine of last_hidden_state to float32 unchanged (0.999999 either way). The
 * boundaries of subgraphs keep their types: a subgraph's inputs and outputs stay float32, with Casts inside
 * it. The graph's own inputs and outputs stay float32 unless {@code keepIoTypes} is false. No operator set or
 * IR version needs raising (Cast and float16 exist since opset 6).
 */
public final class Float16Conversion implements Pass {
    /** The registered name. */
    public static final String NAME = "quantize.fp16";
    /** The providers {@link Target#AUTO} treats as GPUs, with float16 kernels for nearly every operator. */
    private static final Set<Provider> GPU_PROVIDERS = Set.of(Provider.CUDA, Provider.TENSORRT, Provider.ROCM,
            Provider.DIRECTML);
    /** Constants read by both converted and float32 nodes get a float32 copy up to this many elements. */
    public static final long SMALL_CONSTANT_ELEMENTS = 4096;
    /** With {@link Compute#FLOAT32}, constants of this many elements or fewer stay float32. */
    public static final long WEIGHT_MIN_ELEMENTS = 256;

    /** Which execution providers the converted model is meant for; decides the default block list. */
    public enum Target {
        /**
         * Follow the provider the pipeline selected: {@link #GPU} for CUDA, TensorRT, ROCm and DirectML, else
         * {@link #CPU}.
         */
        AUTO,
        /**
         * ONNX Runtime's CPU provider: operators without a CPU float16 kernel (Add, Mul, Softmax, Conv, ...)
         * stay float32, so only MatMul, Gemm, LayerNormalization and data movement run in float16. On x86-64,
         * ONNX Runtime 1.29's float16 MatMul is about five times slower than its float32 one (all-MiniLM-L6-v2
         * ran 3.3 to 6 times slower in one thread); there, {@link Compute#FLOAT32} keeps float32 speed at the
         * same file size.
         */
        CPU,
        /** GPU providers (CUDA, TensorRT, DirectML), which have float16 kernels for nearly every operator. */
        GPU
    }

    /** Where the arithmetic happens. */
    public enum Compute {
        /** {@link #FLOAT16} when the target is {@link Target#GPU}, {@link #FLOAT32} when it is {@link Target#CPU}. */
        AUTO,
        /** Converted nodes compute in float16. */
        FLOAT16,
        /**
         * Only weights are stored in float16: every constant of more than {@value #WEIGHT_MIN_ELEMENTS}
         * elements that known operators read only as data (not as Resize scales, say), and that fits float16's
         * range, is followed by a Cast to float32, which ONNX Runtime folds when it creates the session. The
         * model computes exactly as before from float16-rounded weights: half the file, float32 speed on CPUs
         * whose float16 kernels are slow.
         */
        FLOAT32
    }

    private final Map<String, String> options;
    private final Float16Settings settings;

    /** A pass with these settings; {@link #options()} gives every setting. */
    public Float16Conversion(Float16Settings settings) {
        this(settings.options(), settings);
    }

    /** A pass read from {@code options}, which {@link #options()} returns as given, in order. */
    Float16Conversion(Map<String, String> options, Float16Settings settings) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    /** The settings this pass converts with. */
    public Float16Settings settings() {
        return settings;
    }

    /**
     * Every operator type this pass keeps in float32 (unknown operators are kept too), sorted, for the target these
     * settings name ({@link Target#AUTO} without a selected provider is {@link Target#CPU}).
     */
    public Set<String> blockList() {
        return blockList(resolve(settings, Optional.empty()));
    }

    private static Set<String> blockList(Float16Settings settings) {
        Set<String> blocked = new TreeSet<>(OpTypeRules.NUMERICALLY_SENSITIVE);
        blocked.addAll(OpTypeRules.withoutFloat16Type());
        blocked.addAll(settings.block());
        if (settings.target() == Target.CPU) {
            blocked.addAll(OpTypeRules.withoutCpuFloat16Kernel());
        }
        return blocked;
    }

    /** The settings with {@link Target#AUTO} and {@link Compute#AUTO} decided for the selected provider. */
    private static Float16Settings resolve(Float16Settings settings, Optional<Provider> provider) {
        Target target = settings.target();
        if (target == Target.AUTO) {
            target = provider.filter(GPU_PROVIDERS::contains).isPresent() ? Target.GPU : Target.CPU;
        }
        Compute compute = settings.compute();
        if (compute == Compute.AUTO) {
            compute = target == Target.GPU ? Compute.FLOAT16 : Compute.FLOAT32;
        }
        return new Float16Settings(settings.keepIoTypes(), target, compute, settings.block(), settings.exclude());
    }

    @Override
    public PassResult apply(OnnxModel model, PassContext context) throws LatheException {
        long opset = model.opsetVersion("").orElse(0L);
        if (opset < 6) {
            throw new PassFailedException(NAME + ": " + model.source() + " imports the default ONNX domain at opset "
                    + opset + "; float16 conversion needs opset 6 or later (Cast with a numeric 'to')");
        }
        Set<String> missing = new TreeSet<>(settings.exclude());
        for (Graph graph : model.graph().withAllSubgraphs()) {
            for (NodeProto node : graph.nodes()) {
                missing.remove(node.getName());
            }
        }
        if (!missing.isEmpty()) {
            throw new PassFailedException(NAME + ": option exclude names nodes " + model.source() + " does not have: "
                    + String.join(", ", missing));
        }
        Float16Settings resolved = resolve(settings, context.provider().map(ProviderConfig::provider));
        Float16Rewrite rewrite = new Float16Rewrite(model, resolved, blockList(resolved));
        OnnxModel converted = rewrite.run();
        Map<String, Object> details = new LinkedHashMap<>();
        String provider = context.provider().map(p -> "the " + p.provider().cliName() + " provider")
                .orElse("no provider selected");
        details.put("target", resolved.target().name().toLowerCase(Locale.ROOT)
                + (settings.target() == Target.AUTO ? " (auto: " + provider + ")" : ""));
        details.put("compute", (resolved.compute() == Compute.FLOAT16 ? "fp16" : "fp32: weights stored in float16")
                + (settings.compute() != Compute.AUTO ? "" : resolved.compute() == Compute.FLOAT16
                        ? " (auto: GPU providers have float16 kernels)"
                        : " (auto: the CPU provider's float16 MatMul is several times slower than float32)"));
        details.put("keepIoTypes", settings.keepIoTypes());
        details.putAll(rewrite.details());
        return new PassResult(converted, details);
    }
}
