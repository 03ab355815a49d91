package dev.lathe.core.fuzz;

import java.util.List;
import java.util.Map;

/** Generators of {@link Mutation}s, and of {@link Mutant}s made from a seed corpus. */
final class Mutations {
    /** Values that break size arithmetic: zero, signs, powers of two around int and long limits. */
    private static final List<Long> INTERESTING = List.of(0L, 1L, 2L, 3L, 7L, 8L, 127L, 128L, 255L, 256L, 65_535L,
            65_536L, -1L, -2L, (long) Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE,
            0xFFFF_FFFFL, 1L << 32, 1L << 40, 1L << 53, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 128,
            Long.MAX_VALUE / 128 + 1, 1L << 28, 1L << 30);
    private static final List<Byte> INTERESTING_BYTES = List.of((byte) 0, (byte) 0xFF, (byte) 0x7F, (byte) 0x80,
            (byte) 0x01, (byte) 0x0A);

    private Mutations() {
    }

    /** Any position, with a bias towards the first bytes, where headers and their lengths are. */
    private static Gen<Integer> position() {
        return Gen.weighted(1, Gen.ints(0, 63), 3, Gen.ints(0, Integer.MAX_VALUE));
    }

    private static Gen<Byte> interestingByte() {
        return Gen.weighted(1, Gen.of(INTERESTING_BYTES), 2, Gen.bytes());
    }

    /** Mostly values that break size arithmetic, else small counts or any long. */
    static Gen<Long> interestingLong() {
        return Gen.weighted(3, Gen.of(INTERESTING), 1, Gen.longs(-1_000, 1_000_000), 1, Gen.longs());
    }

    /** Bit flips, byte replacements, little-endian integers written over bytes, truncation, insertion, duplication and removal of ranges. */
    static Gen<Mutation> bytes() {
        Gen<Integer> position = position();
        Gen<Integer> width = Gen.of(List.of(1, 2, 4, 8));
        Gen<Integer> bit = Gen.ints(0, 7);
        Gen<Integer> copyLength = Gen.ints(1, 4096);
        Gen<Integer> deleteLength = Gen.ints(1, 256);
        Gen<byte[]> inserted = Gen.byteArrays(1, 16);
        Gen<Byte> value = interestingByte();
        Gen<Long> integer = interestingLong();
        return Gen.oneOf(
                r -> new Mutation.FlipBit(position.next(r), bit.next(r)),
                r -> new Mutation.SetByte(position.next(r), value.next(r)),
                r -> new Mutation.WriteInt(position.next(r), width.next(r), integer.next(r)),
                r -> new Mutation.Truncate(position.next(r)),
                r -> new Mutation.Insert(position.next(r), inserted.next(r)),
                r -> new Mutation.Duplicate(position.next(r), copyLength.next(r), position.next(r)),
                r -> new Mutation.Delete(position.next(r), deleteLength.next(r)));
    }

    /** Protobuf-aware edits: false lengths, new varint values, removed and repeated fields. */
    static Gen<Mutation> protobuf() {
        Gen<Integer> field = position();
        Gen<Long> integer = interestingLong();
        return Gen.oneOf(
                r -> new Mutation.CorruptLength(field.next(r), integer.next(r)),
                r -> new Mutation.SetVarint(field.next(r), integer.next(r)),
                r -> new Mutation.DropField(field.next(r)),
                r -> new Mutation.RepeatField(field.next(r)));
    }

    /** Text edits: a token replaced by one of {@code replacements} or by a number that breaks arithmetic. */
    static Gen<Mutation> text(List<String> replacements) {
        Gen<Integer> token = position();
        Gen<String> replacement = Gen.oneOf(Gen.of(replacements), interestingLong().map(String::valueOf));
        return r -> new Mutation.ReplaceToken(token.next(r), replacement.next(r));
    }

    /**
     * Mutants of the seeds: a seed and 1 to {@code maxMutations} mutations drawn from {@code mutation},
     * applied in order.
     */
    static Gen<Mutant> mutants(String target, Map<String, byte[]> seeds, Gen<Mutation> mutation, int maxMutations) {
        Gen<String> seed = Gen.of(List.copyOf(seeds.keySet()));
        Gen<List<Mutation>> edits = mutation.list(1, maxMutations);
        return r -> {
            String name = seed.next(r);
            return Mutant.of(target, name, seeds.get(name), edits.next(r));
        };
    }
}
