package dev.lathe.core.data;

import dev.lathe.core.model.TensorData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A re-iterable, lazily read sequence of model input samples: each sample maps input names to tensors.
 * Every {@link #iterator()} starts from the first sample again and reads samples one by one, so that
 * memory stays bounded however many samples a source holds. A source says where its samples come from
 * ({@link #description()}, which reports print) and whether they are real data or generated.
 */
public interface SampleSource extends Iterable<Map<String, TensorData>> {

    /** Where the samples come from, for reports: a file or folder and a count, or "generated ...". */
    String description();

    /** How many samples the source holds, when that is known without reading them. */
    OptionalLong sizeHint();

    /** Whether the samples were generated (random values) rather than read from real data. */
    default boolean generated() {
        return false;
    }

    /**
     * The first {@code max} samples, read into a list.
     *
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    default List<Map<String, TensorData>> take(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("take needs max >= 1, got " + max);
        }
        List<Map<String, TensorData>> samples = new ArrayList<>();
        for (Map<String, TensorData> sample : this) {
            samples.add(sample);
            if (samples.size() == max) {
                break;
            }
        }
        return samples;
    }

    /**
     * At most the first {@code max} samples of this source, read lazily.
     *
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    default SampleSource limit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("limit needs max >= 1, got " + max);
        }
        SampleSource whole = this;
        OptionalLong size = whole.sizeHint();
        return new SampleSource() {
            @Override
            public String description() {
                return size.isPresent() && size.getAsLong() <= max ? whole.description()
                        : whole.description() + ", first " + max;
            }

            @Override
            public OptionalLong sizeHint() {
                return size.isPresent() ? OptionalLong.of(Math.min(size.getAsLong(), max)) : OptionalLong.empty();
            }

            @Override
            public boolean generated() {
                return whole.generated();
            }

            @Override
            public Iterator<Map<String, TensorData>> iterator() {
                Iterator<Map<String, TensorData>> all = whole.iterator();
                return new Iterator<>() {
                    private int taken;

                    @Override
                    public boolean hasNext() {
                        return taken < max && all.hasNext();
                    }

                    @Override
                    public Map<String, TensorData> next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        taken++;
                        return all.next();
                    }
                };
            }
        };
    }

    /**
     * The sample of median size (elements over all inputs) among the first {@code max}, samples of equal size
     * ordered by position; empty when the source has none. Two passes over those samples, so that only one is held.
     *
     * @throws IllegalStateException if the source gives fewer samples on its second reading
     */
    default Optional<Map<String, TensorData>> typical(int max) {
        List<long[]> sizes = new ArrayList<>();
        for (Map<String, TensorData> sample : limit(max)) {
            sizes.add(new long[] {sample.values().stream().mapToLong(TensorData::elementCount).sum(), sizes.size()});
        }
        if (sizes.isEmpty()) {
            return Optional.empty();
        }
        sizes.sort(Comparator.<long[]>comparingLong(size -> size[0]).thenComparingLong(size -> size[1]));
        long median = sizes.get(sizes.size() / 2)[1];
        int index = 0;
        for (Map<String, TensorData> sample : this) {
            if (index++ == median) {
                return Optional.of(sample);
            }
        }
        throw new IllegalStateException(description() + " gave fewer samples on a second reading");
    }

    /**
     * Real samples from any {@link Iterable}; it is iterated again for every pass over the source, so it
     * may read lazily.
     *
     * @param description where the samples come from, for reports
     */
    static SampleSource of(String description, Iterable<Map<String, TensorData>> samples) {
        OptionalLong size = samples instanceof java.util.Collection<?> collection
                ? OptionalLong.of(collection.size()) : OptionalLong.empty();
        return new SampleSource() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public OptionalLong sizeHint() {
                return size;
            }

            @Override
            public Iterator<Map<String, TensorData>> iterator() {
                return samples.iterator();
            }
        };
    }
}
