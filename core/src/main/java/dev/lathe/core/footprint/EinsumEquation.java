package dev.lathe.core.footprint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An Einsum equation bound to concrete operand shapes: the size of every letter, the output shape and the
 * MACs of contracting the operands left to right. An ellipsis stands for broadcast dimensions, aligned
 * from the right across operands; without {@code ->} the output is the ellipsis followed by the letters
 * used once, in alphabetical order, as the ONNX specification says.
 */
public final class EinsumEquation {
    /** Ellipsis dimensions get the labels '0', '1', ... (digits are not Einsum letters). */
    private static final char FIRST_ELLIPSIS_LABEL = '0';

    private final List<String> operands;
    private final String output;
    private final Map<Character, Long> sizes;

    private EinsumEquation(List<String> operands, String output, Map<Character, Long> sizes) {
        this.operands = operands;
        this.output = output;
        this.sizes = sizes;
    }

    /**
     * Parses {@code equation} for operands of the given shapes.
     *
     * @throws IllegalArgumentException if the equation does not fit the operands
     */
    public static EinsumEquation parse(String equation, long[][] shapes) {
        String compact = equation.replace(" ", "");
        int arrow = compact.indexOf("->");
        String[] terms = (arrow < 0 ? compact : compact.substring(0, arrow)).split(",", -1);
        if (terms.length != shapes.length) {
            throw new IllegalArgumentException("Einsum equation '" + equation + "' has " + terms.length
                    + " operands, the node has " + shapes.length + " inputs");
        }
        int ellipsisRank = 0;
        for (int i = 0; i < terms.length; i++) {
            int letters = terms[i].replace("...", "").length();
            if (terms[i].contains("...")) {
                ellipsisRank = Math.max(ellipsisRank, shapes[i].length - letters);
            } else if (letters != shapes[i].length) {
                throw new IllegalArgumentException("Einsum term '" + terms[i] + "' of '" + equation + "' does not fit rank "
                        + shapes[i].length);
            }
        }
        String ellipsis = ellipsisLabels(0, ellipsisRank);
        Map<Character, Long> sizes = new HashMap<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            int own = shapes[i].length - terms[i].replace("...", "").length();
            String labels = terms[i].replace("...", ellipsisLabels(ellipsisRank - own, ellipsisRank));
            for (int d = 0; d < labels.length(); d++) {
                long size = shapes[i][d];
                sizes.merge(labels.charAt(d), size, (known, next) -> known == 1 ? next : known);
            }
            operands.add(labels);
        }
        String output;
        if (arrow >= 0) {
            output = compact.substring(arrow + 2).replace("...", ellipsis);
        } else {
            Map<Character, Integer> uses = new HashMap<>();
            String.join("", terms).replace("...", "").chars().forEach(c -> uses.merge((char) c, 1, Integer::sum));
            StringBuilder implicit = new StringBuilder(ellipsis);
            new TreeSet<>(uses.keySet()).stream().filter(c -> uses.get(c) == 1).forEach(implicit::append);
            output = implicit.toString();
        }
        return new EinsumEquation(operands, output, sizes);
    }

    /** The shape of the result. */
    public long[] outputShape() {
        long[] shape = new long[output.length()];
        for (int i = 0; i < shape.length; i++) {
            Long size = sizes.get(output.charAt(i));
            if (size == null) {
                throw new IllegalArgumentException("Einsum output letter '" + output.charAt(i) + "' is in no operand");
            }
            shape[i] = size;
        }
        return shape;
    }

    /**
     * MACs of contracting the operands left to right: each step multiplies the running result with the next
     * operand, costing the product of the sizes of all letters the two hold, and keeps the letters that the
     * output or a later operand still needs.
     */
    public long macs() {
        Set<Character> running = letters(operands.get(0));
        long macs = 0;
        for (int i = 1; i < operands.size(); i++) {
            Set<Character> step = new LinkedHashSet<>(running);
            step.addAll(letters(operands.get(i)));
            long cost = 1;
            for (char letter : step) {
                cost *= sizes.get(letter);
            }
            macs += cost;
            Set<Character> needed = letters(output);
            for (int j = i + 1; j < operands.size(); j++) {
                needed.addAll(letters(operands.get(j)));
            }
            step.retainAll(needed);
            running = step;
        }
        return macs;
    }

    private static Set<Character> letters(String labels) {
        Set<Character> set = new LinkedHashSet<>();
        labels.chars().forEach(c -> set.add((char) c));
        return set;
    }

    private static String ellipsisLabels(int from, int to) {
        StringBuilder labels = new StringBuilder();
        for (int i = from; i < to; i++) {
            labels.append((char) (FIRST_ELLIPSIS_LABEL + i));
        }
        return labels.toString();
    }
}
