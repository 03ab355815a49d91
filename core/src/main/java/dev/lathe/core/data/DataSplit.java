package dev.lathe.core.data;

import dev.lathe.core.model.TensorData;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * A deterministic split of one source into a calibration set and a held-out validation set that never
 * overlap: sample {@code i} (counting from 0) is held out for validation exactly when
 * {@code floor((i + 1) * f) > floor(i * f)} for the validation fraction {@code f}. With the default
 * {@value #DEFAULT_VALIDATION_FRACTION} that is every fourth sample (3, 7, 11, ...): evenly spread over
 * the source, so topics that come in runs are in both sets, and the same for every run without a seed.
 *
 * @param calibration the samples data-aware passes calibrate on
 * @param validation  the held-out samples the optimized model is judged on
 */
public record DataSplit(SampleSource calibration, SampleSource validation) {
    /** The default share of samples held out for validation. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.25;

    /** Splits a source with the default validation fraction. */
    public static DataSplit of(SampleSource source) {
        return of(source, DEFAULT_VALIDATION_FRACTION);
    }

    /**
     * Splits a source, holding out {@code validationFraction} of its samples.
     *
     * @throws IllegalArgumentException if the fraction is not strictly between 0 and 1, or the source is
     *                                  known to hold fewer than 2 samples
     */
    public static DataSplit of(SampleSource source, double validationFraction) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("the validation fraction must be between 0 and 1 (exclusive), got "
                    + validationFraction);
        }
        if (source.sizeHint().isPresent() && source.sizeHint().getAsLong() < 2) {
            throw new IllegalArgumentException(source.description() + ": splitting into calibration and validation "
                    + "samples needs at least 2 samples");
        }
        return new DataSplit(new Part(source, validationFraction, false), new Part(source, validationFraction, true));
    }

    /** Whether sample {@code index} is held out for validation at this fraction. */
    public static boolean heldOut(long index, double validationFraction) {
        return Math.floor((index + 1) * validationFraction) > Math.floor(index * validationFraction);
    }

    /** One side of the split, read lazily from the whole source. */
    private record Part(SampleSource whole, double fraction, boolean validation) implements SampleSource {
        @Override
        public String description() {
            String share = String.format(Locale.ROOT, "%.0f %%", 100 * (validation ? fraction : 1 - fraction));
            OptionalLong size = sizeHint();
            return whole.description() + ", " + (validation ? "held-out " : "calibration ") + share
                    + (size.isPresent() ? ": " + size.getAsLong() + " samples" : "");
        }

        @Override
        public OptionalLong sizeHint() {
            if (whole.sizeHint().isEmpty()) {
                return OptionalLong.empty();
            }
            long total = whole.sizeHint().getAsLong();
            long held = (long) Math.floor(total * fraction + 1e-9);
            return OptionalLong.of(validation ? held : total - held);
        }

        @Override
        public boolean generated() {
            return whole.generated();
        }

        @Override
        public Iterator<Map<String, TensorData>> iterator() {
            Iterator<Map<String, TensorData>> all = whole.iterator();
            return new Iterator<>() {
                private long index;
                private Map<String, TensorData> ahead;

                @Override
                public boolean hasNext() {
                    while (ahead == null && all.hasNext()) {
                        Map<String, TensorData> sample = all.next();
                        if (heldOut(index++, fraction) == validation) {
                            ahead = sample;
                        }
                    }
                    return ahead != null;
                }

                @Override
                public Map<String, TensorData> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Map<String, TensorData> sample = ahead;
                    ahead = null;
                    return sample;
                }
            };
        }
    }
}
