package dev.lathe.core.testing;

import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.footprint.ShapeMethod;
import dev.lathe.core.provider.ProviderConfig;
import dev.lathe.core.report.Cost;
import dev.lathe.core.report.DataSources;
import dev.lathe.core.report.OptimizationReport;
import dev.lathe.core.report.Pricing;
import dev.lathe.core.report.StepRecord;
import dev.lathe.core.report.ValidationOutcome;
import dev.lathe.core.runtime.BenchmarkResult;
import dev.lathe.core.runtime.Fidelity;
import dev.lathe.core.runtime.LatencyStats;
import dev.lathe.core.runtime.OutputFidelity;
import dev.lathe.core.selection.ProviderDecision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Fully populated {@link OptimizationReport}s with fixed, hand-checkable numbers, for the report renderers'
 * tests. They describe a MiniLM-sized encoder (90.39 MB, 1.43 G MACs, 22.57 M float parameters) quantized
 * to int8 (150,528 float parameters left, a quarter of them zero) and then pruned to 25 % fewer MACs,
 * measured on "cpu (4 threads)" over 100 runs, with two outputs compared on 32 samples and an "accuracy"
 * evaluator metric. Every value is set; nothing is measured.
 *
 * <p>Some strings carry characters the renderers must escape: the first step's details hold
 * {@code <Softmax> & 'LayerNorm' | "fp32"}.
 */
public final class ReportFixtures {
    /** Size of the original model, bytes. */
    public static final long SIZE_BEFORE = 90_387_606L;
    /** Size of the optimized model, bytes. */
    public static final long SIZE_AFTER = 22_596_901L;
    /** MACs of the original model. */
    public static final long MACS_BEFORE = 1_434_451_968L;
    /** MACs of the optimized model (the pruned feed-forward layers do 25 % fewer). */
    public static final long MACS_AFTER = 1_075_838_976L;
    /** MACs of the attention products (QKᵀ and attention × V), which stay float32 after quantization. */
    public static final long MACS_ATTENTION = 75_497_472L;
    /** Peak memory of the original model, bytes. */
    public static final long MEMORY_BEFORE = 612_000_000L;
    /** Peak memory of the optimized model, bytes. */
    public static final long MEMORY_AFTER = 298_000_000L;

    /** The price the fixtures use: fixed here, so that a new default price does not change them. */
    public static final Pricing PRICING = new Pricing(0.1785, "USD", "fixture: AWS on-demand c7i.xlarge, 2024");

    private ReportFixtures() {
    }

    /** The report of a run that passed its validation gate, with peak memory measured in a forked JVM. */
    public static OptimizationReport passed() {
        ValidationOutcome validation = new ValidationOutcome(true, true,
                List.of("embedding-cosine >= 0.98", "overlap@10 >= 0.8"), List.of(), fidelity(), "sentence-embedding",
                ordered("embedding-cosine", 0.9981, "overlap@10", 0.953), Map.of("accuracy", new double[] {0.912, 0.905}),
                false);
        return report(MEMORY_BEFORE, MEMORY_AFTER, "forked", validation);
    }

    /**
     * The report of a run whose validation gate failed (one cosine threshold) but whose model was written
     * anyway on request, and whose peak memory was not measured (-1, memory method "none").
     */
    public static OptimizationReport failedWrittenAnyway() {
        ValidationOutcome validation = new ValidationOutcome(true, false, List.of("min-cosine=0.999"),
                List.of("cosineMin 0.997020 < 0.999 on output last_hidden_state"), fidelity(), "sentence-embedding",
                ordered("embedding-cosine", 0.9981, "overlap@10", 0.953),
                Map.of("accuracy", new double[] {0.912, 0.871}), false).markWritten();
        return report(-1, -1, "none", validation);
    }

    private static OptimizationReport report(long memoryBefore, long memoryAfter, String memoryMethod,
            ValidationOutcome validation) {
        Footprint before = footprint(SIZE_BEFORE, 22_565_428, 0, 0, MACS_BEFORE, 0, Map.of("FLOAT", 90_261_712L),
                Map.of("MatMul", 96L, "Add", 120L, "Softmax", 6L));
        Footprint quantized = footprint(23_104_110, 150_528, 22_414_900, 0, MACS_BEFORE, MACS_BEFORE - MACS_ATTENTION,
                Map.of("FLOAT", 602_112L, "INT8", 22_414_900L), Map.of("MatMulInteger", 72L, "MatMul", 24L));
        Footprint after = footprint(SIZE_AFTER, 150_528, 21_907_691, 37_632, MACS_AFTER, MACS_AFTER - MACS_ATTENTION,
                Map.of("FLOAT", 602_112L, "INT8", 21_907_691L), Map.of("MatMulInteger", 72L, "MatMul", 24L));
        BenchmarkResult measuredBefore = new BenchmarkResult("cpu (4 threads)", 412.5,
                new LatencyStats(24.1, 23.8, 26.4, 31.9, 22.9, 35.2, 100), 41.5, memoryBefore, memoryMethod,
                ordered("MatMul", 18.2, "Add", 2.1));
        BenchmarkResult measuredAfter = new BenchmarkResult("cpu (4 threads)", 198.25,
                new LatencyStats(10.6, 10.4, 11.8, 14.2, 9.9, 15.0, 100), 96.2, memoryAfter, memoryMethod,
                ordered("DynamicQuantizeMatMul", 7.1, "Add", 1.4));
        Map<String, Object> quantizeDetails = new LinkedHashMap<>();
        quantizeDetails.put("quantizedNodes", 72);
        quantizeDetails.put("kept", "<Softmax> & 'LayerNorm' | \"fp32\"");
        List<StepRecord> steps = List.of(
                new StepRecord("quantize.int8", ordered("mode", "dynamic", "per-channel", "true"), 1234.5,
                        StepRecord.Status.OK, quantizeDetails, quantized),
                new StepRecord("prune.structured", ordered("target", "ffn", "ratio", "0.25"), 456.25,
                        StepRecord.Status.OK, Map.of("removedChannels", 384), after));
        ProviderDecision provider = new ProviderDecision(ProviderConfig.Cpu.defaults().withIntraOpThreads(4), "fastest",
                List.of(new ProviderDecision.Candidate("cuda (device 0)", false, false,
                                "unavailable: Failed to find CUDA shared provider", OptionalDouble.empty()),
                        new ProviderDecision.Candidate("cpu (4 threads)", true, true, "fastest available",
                                OptionalDouble.of(23.8))));
        Cost cost = Cost.of(PRICING, measuredBefore, measuredAfter, before, after, 3.2);
        return new OptimizationReport("0.1.0-test", "models/all-minilm-l6-v2.onnx", Optional.of(
                "build/all-minilm-l6-v2.opt.onnx"), before, after, measuredBefore, measuredAfter, steps, provider,
                validation, new DataSources(Optional.of(new DataSources.Source(
                        "sentences.txt (400 texts), calibration 75 %: 300 samples", 128, false)),
                        new DataSources.Source("sentences.txt (400 texts), held-out 25 %: 100 samples", 32, false)), cost,
                Optional.empty());
    }

    private static Fidelity fidelity() {
        return new Fidelity(32, List.of(
                new OutputFidelity("last_hidden_state", 0.0412, 0.00315, 0.99871, 0.99702, OptionalDouble.empty()),
                new OutputFidelity("logits", 0.0123, 0.00101, 0.99953, 0.99811, OptionalDouble.of(0.96875))));
    }

    /** A MiniLM-like footprint whose {@code int8Macs} are MatMulInteger and the rest float32 MatMul. */
    private static Footprint footprint(long size, long parameters, long quantizedParameters, long zeros, long macs,
            long int8Macs, Map<String, Long> bytes, Map<String, Long> ops) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("input_ids", new long[] {1, 128});
        shapes.put("attention_mask", new long[] {1, 128});
        shapes.put("token_type_ids", new long[] {1, 128});
        long nodes = ops.values().stream().mapToLong(Long::longValue).sum();
        TreeMap<String, Long> byOpType = new TreeMap<>(Map.of("MatMul", macs - int8Macs));
        TreeMap<String, Long> byPrecision = new TreeMap<>(Map.of("float32", macs - int8Macs));
        if (int8Macs > 0) {
            byOpType.put("MatMulInteger", int8Macs);
            byPrecision.put("int8", int8Macs);
        }
        return new Footprint(size, parameters, quantizedParameters, new TreeMap<>(bytes), nodes, new TreeMap<>(ops), zeros, macs,
                byOpType, byPrecision, 5_046_272, shapes, ShapeMethod.STATIC, List.of(), List.of());
    }

    private static <V> Map<String, V> ordered(String firstKey, V firstValue, String secondKey, V secondValue) {
        Map<String, V> map = new LinkedHashMap<>();
        map.put(firstKey, firstValue);
        map.put(secondKey, secondValue);
        return map;
    }
}
