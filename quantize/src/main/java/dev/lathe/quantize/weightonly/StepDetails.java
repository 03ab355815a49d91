package dev.lathe.quantize.weightonly;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link WeightOnlyQuantization} reports: counts, bytes, and every node left alone with the reason. */
final class StepDetails {
    private final List<Map<String, Object>> skipped = new ArrayList<>();
    private final List<Map<String, Object>> roundedToNearest = new ArrayList<>();
    private String method = "rtn";
    private int nodesQuantized;
    private int weightsQuantized;
    private int biasesFolded;
    private int gathersQuantized;
    private int tablesQuantized;
    private long weightBytesBefore;
    private long weightBytesAfter;
    private long tableBytesBefore;
    private long tableBytesAfter;
    private long calibrationTokens = -1;

    /** Records a node that stays as it is. */
    void skip(String node, String opType, String reason) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("node", node);
        entry.put("op", opType);
        entry.put("reason", reason);
        skipped.add(entry);
    }

    /** Records the rounding method used for weights. */
    void method(String name) {
        method = name;
    }

    /** Records a weight that GPTQ could not handle and that was rounded to nearest instead. */
    void roundedToNearest(String weight, String reason) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("weight", weight);
        entry.put("reason", reason);
        roundedToNearest.add(entry);
    }

    /** Records the number of calibration tokens GPTQ saw (the most any weight saw). */
    void calibrationTokens(long tokens) {
        calibrationTokens = Math.max(calibrationTokens, tokens);
    }

    /** Records one MatMul/Gemm node rewritten, and whether a bias Add was folded into it. */
    void nodeQuantized(boolean foldedBias) {
        nodesQuantized++;
        biasesFolded += foldedBias ? 1 : 0;
    }

    /** Records one weight quantized: its float bytes and the bytes that replace them. */
    void weightQuantized(long before, long after) {
        weightsQuantized++;
        weightBytesBefore += before;
        weightBytesAfter += after;
    }

    /** Records one Gather node rewritten. */
    void gatherQuantized() {
        gathersQuantized++;
    }

    /** Records one embedding table quantized: its float bytes and the bytes that replace them. */
    void tableQuantized(long before, long after) {
        tablesQuantized++;
        tableBytesBefore += before;
        tableBytesAfter += after;
    }

    /** Whether anything was rewritten. */
    boolean changedAnything() {
        return nodesQuantized + gathersQuantized > 0;
    }

    /** The details, in report order. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("method", method);
        map.put("nodesQuantized", nodesQuantized);
        map.put("weightsQuantized", weightsQuantized);
        map.put("biasesFolded", biasesFolded);
        map.put("weightBytesBefore", weightBytesBefore);
        map.put("weightBytesAfter", weightBytesAfter);
        map.put("gathersQuantized", gathersQuantized);
        map.put("tablesQuantized", tablesQuantized);
        map.put("tableBytesBefore", tableBytesBefore);
        map.put("tableBytesAfter", tableBytesAfter);
        if (calibrationTokens >= 0) {
            map.put("calibrationTokens", calibrationTokens);
        }
        if (!roundedToNearest.isEmpty()) {
            map.put("roundedToNearest", List.copyOf(roundedToNearest));
        }
        map.put("skipped", List.copyOf(skipped));
        return map;
    }
}
