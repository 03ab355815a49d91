package dev.lathe.core.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A generator: draws a value from a seeded {@link Random}, so the same seed gives the same value. The static
 * methods make the few generators the fuzz suite needs and combine them.
 */
@FunctionalInterface
interface Gen<T> {

    /** The next value, drawn from {@code random}. */
    T next(Random random);

    /** The values of this generator passed through {@code function}. */
    default <R> Gen<R> map(Function<? super T, ? extends R> function) {
        return random -> function.apply(next(random));
    }

    /** Lists of {@code min} to {@code max} values (both inclusive) of this generator. */
    default Gen<List<T>> list(int min, int max) {
        return random -> {
            int size = random.nextInt(min, max + 1);
            List<T> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(next(random));
            }
            return values;
        };
    }

    /** An int in [min, max], both inclusive. */
    static Gen<Integer> ints(int min, int max) {
        return random -> (int) random.nextLong(min, max + 1L);
    }

    /** A long in [min, max], both inclusive (max below {@link Long#MAX_VALUE}). */
    static Gen<Long> longs(long min, long max) {
        return random -> random.nextLong(min, max + 1);
    }

    /** Any long. */
    static Gen<Long> longs() {
        return Random::nextLong;
    }

    /** Any byte. */
    static Gen<Byte> bytes() {
        return random -> (byte) random.nextInt();
    }

    /** Arrays of {@code min} to {@code max} random bytes. */
    static Gen<byte[]> byteArrays(int min, int max) {
        return random -> {
            byte[] bytes = new byte[random.nextInt(min, max + 1)];
            random.nextBytes(bytes);
            return bytes;
        };
    }

    /** One of {@code values}, each as likely. */
    static <T> Gen<T> of(List<T> values) {
        List<T> copy = List.copyOf(values);
        return random -> copy.get(random.nextInt(copy.size()));
    }

    /** A value of one of {@code generators}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... generators) {
        List<Gen<? extends T>> copy = List.of(generators);
        return random -> copy.get(random.nextInt(copy.size())).next(random);
    }

    /** A value of {@code first} {@code a} times in {@code a + b}, else of {@code second}. */
    static <T> Gen<T> weighted(int a, Gen<? extends T> first, int b, Gen<? extends T> second) {
        return random -> random.nextInt(a + b) < a ? first.next(random) : second.next(random);
    }

    /** Like {@link #weighted(int, Gen, int, Gen)}, with three generators. */
    static <T> Gen<T> weighted(int a, Gen<? extends T> first, int b, Gen<? extends T> second, int c,
            Gen<? extends T> third) {
        return weighted(a, first, b + c, weighted(b, second, c, third));
    }
}
