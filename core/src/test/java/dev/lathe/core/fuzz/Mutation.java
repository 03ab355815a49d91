package dev.lathe.core.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One edit of an input. Positions and field indexes are taken modulo what the input has, so that any
 * mutation applies to any input. {@link #toString()} is what a failure report shows.
 */
sealed interface Mutation {

    /** The mutated bytes; the input is not changed. */
    byte[] apply(byte[] input);

    /** Flips one bit. */
    record FlipBit(int position, int bit) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length == 0) {
                return input;
            }
            byte[] out = input.clone();
            out[position % out.length] ^= (byte) (1 << (bit & 7));
            return out;
        }
    }

    /** Replaces one byte. */
    record SetByte(int position, byte value) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length == 0) {
                return input;
            }
            byte[] out = input.clone();
            out[position % out.length] = value;
            return out;
        }
    }

    /** Overwrites 1, 2, 4 or 8 bytes with a little-endian integer (a length, a count, an offset). */
    record WriteInt(int position, int width, long value) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length == 0) {
                return input;
            }
            byte[] out = input.clone();
            int at = position % out.length;
            for (int i = 0; i < width && at + i < out.length; i++) {
                out[at + i] = (byte) (value >>> (8 * i));
            }
            return out;
        }
    }

    /**
     * Sets the header length of a {@code .npy} file: bytes 8-9 in format version 1, bytes 8-11 in versions
     * 2 and 3 (the version is byte 6). Shorter inputs are unchanged.
     */
    record NpyHeaderLength(long value) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length < 12) {
                return input;
            }
            return new WriteInt(8, input[6] == 1 ? 2 : 4, value).apply(input);
        }
    }

    /** Keeps only the first {@code length % input.length} bytes. */
    record Truncate(int length) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            return input.length == 0 ? input : Arrays.copyOf(input, length % input.length);
        }
    }

    /** Inserts bytes before a position. */
    record Insert(int position, byte[] bytes) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            int at = position % (input.length + 1);
            return splice(input, at, at, bytes);
        }

        @Override
        public String toString() {
            return "Insert[position=" + position + ", bytes=" + HexFormat.of().formatHex(bytes) + "]";
        }
    }

    /** Copies a range of the input and inserts the copy elsewhere. */
    record Duplicate(int from, int length, int to) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length == 0) {
                return input;
            }
            int start = from % input.length;
            int end = start + Math.min(length, input.length - start);
            int at = to % (input.length + 1);
            return splice(input, at, at, Arrays.copyOfRange(input, start, end));
        }
    }

    /** Removes a range. */
    record Delete(int from, int length) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            if (input.length == 0) {
                return input;
            }
            int start = from % input.length;
            return splice(input, start, start + Math.min(length, input.length - start), new byte[0]);
        }
    }

    /**
     * Gives a length-delimited protobuf field (the {@code field}-th in pre-order) a false length; the
     * payload stays as it was. Not a protobuf: unchanged.
     */
    record CorruptLength(int field, long length) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            return editWire(input, fields -> {
                List<Wire.Located> delimited = fields.stream().filter(f -> f.field().wireType == 2).toList();
                if (!delimited.isEmpty()) {
                    delimited.get(field % delimited.size()).field().lengthOverride = length;
                }
            });
        }
    }

    /**
     * Sets a varint protobuf field (the {@code field}-th in pre-order: a dimension, a data type, an
     * attribute value, a version) to a new value; enclosing lengths stay consistent.
     */
    record SetVarint(int field, long value) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            return editWire(input, fields -> {
                List<Wire.Located> varints = fields.stream().filter(f -> f.field().wireType == 0).toList();
                if (!varints.isEmpty()) {
                    varints.get(field % varints.size()).field().varint = value;
                }
            });
        }
    }

    /** Removes a protobuf field (a node, an input, a dimension...); enclosing lengths stay consistent. */
    record DropField(int field) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            return editWire(input, fields -> {
                if (!fields.isEmpty()) {
                    Wire.Located located = fields.get(field % fields.size());
                    located.siblings().remove(located.field());
                }
            });
        }
    }

    /** Repeats a protobuf field right after itself; enclosing lengths stay consistent. */
    record RepeatField(int field) implements Mutation {
        @Override
        public byte[] apply(byte[] input) {
            return editWire(input, fields -> {
                if (!fields.isEmpty()) {
                    Wire.Located located = fields.get(field % fields.size());
                    int index = located.siblings().indexOf(located.field());
                    located.siblings().add(index + 1, located.field().copy());
                }
            });
        }
    }

    /**
     * Replaces a text token (a run of letters, digits, {@code _ . + -}, or one punctuation character) of
     * an ISO-8859-1 reading of the input: a dtype, a shape, a key, a number, a bracket.
     */
    record ReplaceToken(int token, String replacement) implements Mutation {
        private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.+\\-<|]+|[^\\sA-Za-z0-9_.+\\-<|]");

        @Override
        public byte[] apply(byte[] input) {
            String text = new String(input, StandardCharsets.ISO_8859_1);
            List<int[]> tokens = new ArrayList<>();
            Matcher matcher = TOKEN.matcher(text);
            while (matcher.find()) {
                tokens.add(new int[] {matcher.start(), matcher.end()});
            }
            if (tokens.isEmpty()) {
                return input;
            }
            int[] span = tokens.get(token % tokens.size());
            return splice(input, span[0], span[1], replacement.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] editWire(byte[] input, java.util.function.Consumer<List<Wire.Located>> edit) {
        List<Wire.Field> fields = Wire.parse(input);
        if (fields == null) {
            return input;
        }
        edit.accept(Wire.flatten(fields));
        return Wire.serialize(fields);
    }

    private static byte[] splice(byte[] input, int from, int to, byte[] replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(input.length - (to - from) + replacement.length);
        out.write(input, 0, from);
        out.write(replacement, 0, replacement.length);
        out.write(input, to, input.length - to);
        return out.toByteArray();
    }
}
