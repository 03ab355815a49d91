package dev.lathe.core.summation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sums that do not depend on the order of their terms or on how they were split into parts. */
class CompensatedSumsTest {

    @Test
    void sumsOfShuffledAndSplitTermsAreEqualBitForBit() {
        Random random = new Random(3);
        List<Double> terms = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            // Magnitudes over twelve decades and both signs: plain double sums differ with the order.
            terms.add((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(12)));
        }
        CompensatedSums inOrder = sum(terms);
        double plain = terms.stream().mapToDouble(Double::doubleValue).sum();
        Collections.shuffle(terms, random);
        CompensatedSums firstPart = sum(terms.subList(0, 30_000));
        CompensatedSums secondPart = sum(terms.subList(30_000, terms.size()));
        secondPart.add(firstPart);
        double shuffledPlain = 0;
        for (double term : terms) {
            shuffledPlain += term;
        }

        assertThat(secondPart.value(0)).isEqualTo(inOrder.value(0));
        assertThat(secondPart.values()).containsExactly(inOrder.values());
        assertThat(shuffledPlain).as("the plain double sum depends on the order").isNotEqualTo(plain);
    }

    @Test
    void floatsAddSlotBySlotAndSizesMustMatch() {
        CompensatedSums sums = new CompensatedSums(3);
        sums.add(1, new float[] {1e8f, 1f});
        sums.add(1, new float[] {-1e8f, 0.5f});
        assertThat(sums.values()).containsExactly(0, 0, 1.5);
        CompensatedSums copy = sums.copy();
        copy.add(sums);
        assertThat(copy.values()).containsExactly(0, 0, 3);
        assertThat(sums.values()).containsExactly(0, 0, 1.5);
        assertThatThrownBy(() -> sums.add(2, new float[2])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sums.add(new CompensatedSums(2))).hasMessageContaining("cannot add 2 sums to 3 sums");
    }

    private static CompensatedSums sum(List<Double> terms) {
        CompensatedSums sums = new CompensatedSums(1);
        terms.forEach(term -> sums.add(0, term));
        return sums;
    }
}
