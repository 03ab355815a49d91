package dev.lathe.core.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The protobuf wire format as a tree, without a schema: each field is a tag and a payload, and a
 * length-delimited payload that itself parses as a message is kept as child fields. Structure-aware
 * mutations edit this tree and serialize it again; lengths of the enclosing messages are recomputed, so a
 * changed varint (a dimension, a data type, an attribute value) still parses and reaches the model checks
 * instead of failing as a truncated protobuf. A field can also be given a false length on purpose
 * ({@link Field#lengthOverride}), which is the "varint-length corruption".
 */
final class Wire {
    /** Deeper nesting than any ONNX model needs; keeps the speculative parse of blobs bounded. */
    private static final int MAX_DEPTH = 40;

    private Wire() {
    }

    /** A field: number, wire type, and the varint value, the raw payload, or child fields. */
    static final class Field {
        final int number;
        final int wireType;
        long varint;
        final byte[] source;
        final int start;
        final int end;
        List<Field> children;
        Long lengthOverride;

        Field(int number, int wireType, long varint, byte[] source, int start, int end) {
            this.number = number;
            this.wireType = wireType;
            this.varint = varint;
            this.source = source;
            this.start = start;
            this.end = end;
        }

        Field copy() {
            Field copy = new Field(number, wireType, varint, source, start, end);
            copy.lengthOverride = lengthOverride;
            if (children != null) {
                copy.children = new ArrayList<>();
                children.forEach(c -> copy.children.add(c.copy()));
            }
            return copy;
        }
    }

    /** The fields of a message, or null if the bytes are not a well-formed protobuf message. */
    static List<Field> parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length, 0);
    }

    private static List<Field> parse(byte[] b, int start, int end, int depth) {
        List<Field> fields = new ArrayList<>();
        int[] pos = {start};
        while (pos[0] < end) {
            long tag = readVarint(b, pos, end);
            if (tag < 0 || (tag >>> 3) == 0 || (tag >>> 3) > 536_870_911) {
                return null;
            }
            int number = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> {
                    int at = pos[0];
                    long value = readVarintValue(b, pos, end);
                    if (pos[0] < 0) {
                        return null;
                    }
                    fields.add(new Field(number, 0, value, b, at, pos[0]));
                }
                case 1, 5 -> {
                    int size = wireType == 1 ? 8 : 4;
                    if (end - pos[0] < size) {
                        return null;
                    }
                    fields.add(new Field(number, wireType, 0, b, pos[0], pos[0] + size));
                    pos[0] += size;
                }
                case 2 -> {
                    long length = readVarint(b, pos, end);
                    if (length < 0 || length > end - pos[0]) {
                        return null;
                    }
                    int from = pos[0];
                    int to = from + (int) length;
                    Field field = new Field(number, 2, 0, b, from, to);
                    if (depth < MAX_DEPTH && length > 0) {
                        field.children = parse(b, from, to, depth + 1);
                    }
                    fields.add(field);
                    pos[0] = to;
                }
                default -> {
                    return null;
                }
            }
        }
        return fields;
    }

    /** A non-negative varint below 2^63, or -1 (and pos[0] = -1) if malformed. */
    private static long readVarint(byte[] b, int[] pos, int end) {
        long value = readVarintValue(b, pos, end);
        return pos[0] < 0 || value < 0 ? -1 : value;
    }

    private static long readVarintValue(byte[] b, int[] pos, int end) {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos[0] >= end) {
                pos[0] = -1;
                return -1;
            }
            byte next = b[pos[0]++];
            value |= (long) (next & 0x7f) << shift;
            if (next >= 0) {
                return value;
            }
        }
        pos[0] = -1;
        return -1;
    }

    static byte[] serialize(List<Field> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(fields, out);
        return out.toByteArray();
    }

    private static void write(List<Field> fields, ByteArrayOutputStream out) {
        for (Field field : fields) {
            writeVarint(((long) field.number << 3) | field.wireType, out);
            switch (field.wireType) {
                case 0 -> writeVarint(field.varint, out);
                case 2 -> {
                    byte[] payload;
                    if (field.children != null) {
                        payload = serialize(field.children);
                    } else {
                        payload = java.util.Arrays.copyOfRange(field.source, field.start, field.end);
                    }
                    writeVarint(field.lengthOverride != null ? field.lengthOverride : payload.length, out);
                    out.write(payload, 0, payload.length);
                }
                default -> out.write(field.source, field.start, field.end - field.start);
            }
        }
    }

    static void writeVarint(long value, ByteArrayOutputStream out) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Every field in pre-order, each with the list that holds it (for removal and duplication). */
    static List<Located> flatten(List<Field> fields) {
        List<Located> all = new ArrayList<>();
        flatten(fields, all);
        return all;
    }

    private static void flatten(List<Field> fields, List<Located> all) {
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
            all.add(new Located(fields, field));
            if (field.children != null) {
                flatten(field.children, all);
            }
        }
    }

    static List<Field> copy(List<Field> fields) {
        List<Field> copy = new ArrayList<>();
        fields.forEach(f -> copy.add(f.copy()));
        return copy;
    }

    /** A field and the list of its siblings. */
    record Located(List<Field> siblings, Field field) {
    }
}
