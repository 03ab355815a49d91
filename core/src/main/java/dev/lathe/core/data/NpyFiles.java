package dev.lathe.core.data;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.DataType;
import dev.lathe.core.model.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads and writes NumPy {@code .npy} arrays and {@code .npz} archives as {@link TensorData}, so that
 * inputs prepared in Python can be fed to Lathe. C-order arrays of float32/64, float16, int8/16/32/64,
 * uint8 and bool are supported.
 */
public final class NpyFiles {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFiles() {
    }

    /**
     * Reads a {@code .npy} file as one tensor, or a {@code .npz} archive as tensors named after its
     * entries (without the {@code .npy} suffix).
     *
     * @throws InvalidModelException if the file is not a supported NumPy array (the message names it)
     */
    public static Map<String, TensorData> read(Path file) throws IOException, InvalidModelException {
        String name = file.getFileName().toString();
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        if (name.toLowerCase(Locale.ROOT).endsWith(".npz")) {
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
                for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                    String entryName = entry.getName();
                    String key = entryName.endsWith(".npy") ? entryName.substring(0, entryName.length() - 4) : entryName;
                    tensors.put(key, parse(zip.readAllBytes(), file + "!" + entryName));
                }
            } catch (IllegalArgumentException e) {
                // ZipInputStream's way of saying an entry name is not valid UTF-8
                throw new InvalidModelException(file + ": not a valid .npz archive (" + e.getMessage() + ")", e);
            }
            if (tensors.isEmpty()) {
                throw new InvalidModelException(file + ": the .npz archive holds no arrays");
            }
        } else {
            String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
            tensors.put(key, parse(Files.readAllBytes(file), file.toString()));
        }
        return tensors;
    }

    /** Writes one tensor as a version 1.0 {@code .npy} file. */
    public static void write(TensorData tensor, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(tensor, out);
        }
    }

    private static void write(TensorData tensor, OutputStream out) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (long dim : tensor.shape()) {
            shape.append(dim).append(", ");
        }
        if (tensor.shape().length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (tensor.shape().length == 1) {
            shape.setLength(shape.length() - 1);
        }
        String header = "{'descr': '" + descr(tensor.dataType()) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 4 + header.length() + 1;
        header = header + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) (header.length() & 0xff), (byte) (header.length() >> 8)});
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer raw = tensor.rawBytes();
        byte[] bytes = new byte[raw.remaining()];
        raw.get(bytes);
        out.write(bytes);
    }

    private static String descr(DataType type) {
        return switch (type) {
            case FLOAT -> "<f4";
            case DOUBLE -> "<f8";
            case FLOAT16 -> "<f2";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            case INT16 -> "<i2";
            case INT8 -> "|i1";
            case UINT8 -> "|u1";
            case BOOL -> "|b1";
            default -> throw new IllegalArgumentException(type + " tensors cannot be written as .npy");
        };
    }

    private static TensorData parse(byte[] bytes, String source) throws InvalidModelException {
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new InvalidModelException(source + ": not a NumPy .npy array (bad magic)");
        }
        int major = bytes[6];
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new InvalidModelException(source + ": truncated .npy header");
            }
            headerLength = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            headerStart = 12;
        } else {
            throw new InvalidModelException(source + ": unsupported .npy format version " + major);
        }
        if (headerLength < 0 || headerLength > bytes.length - headerStart) {
            throw new InvalidModelException(source + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength, StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw new InvalidModelException(source + ": .npy header lacks descr, fortran_order or shape: " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new InvalidModelException(source + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        DataType type = switch (descr.group(1)) {
            case "<f4" -> DataType.FLOAT;
            case "<f8" -> DataType.DOUBLE;
            case "<f2" -> DataType.FLOAT16;
            case "<i8" -> DataType.INT64;
            case "<i4" -> DataType.INT32;
            case "<i2" -> DataType.INT16;
            case "|i1", "<i1" -> DataType.INT8;
            case "|u1", "<u1" -> DataType.UINT8;
            case "|b1" -> DataType.BOOL;
            default -> throw new InvalidModelException(source + ": unsupported .npy dtype '" + descr.group(1)
                    + "' (supported: <f4 <f8 <f2 <i8 <i4 <i2 |i1 |u1 |b1, little-endian)");
        };
        String[] dims = shapeMatch.group(1).split(",");
        long[] shape;
        long elements;
        try {
            shape = java.util.Arrays.stream(dims).map(String::trim).filter(d -> !d.isEmpty()).mapToLong(Long::parseLong).toArray();
            elements = TensorData.elementCount(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            // NumberFormatException (not an integer), a negative dimension, or more elements than a long counts
            throw new InvalidModelException(source + ": .npy shape (" + shapeMatch.group(1)
                    + ") is not a tuple of non-negative integers of a representable size");
        }
        int dataStart = headerStart + headerLength;
        long available = bytes.length - dataStart;
        // Every supported dtype has at least one byte per element: a larger count cannot fit (nor overflow below).
        long expected = elements > available ? -1 : type.storageBytes(elements);
        if (available != expected) {
            throw new InvalidModelException(source + ": .npy data has " + available + " bytes but shape "
                    + java.util.Arrays.toString(shape) + " of " + descr.group(1) + " needs "
                    + (expected < 0 ? "at least " + elements : expected));
        }
        return TensorData.wrap(type, shape, ByteBuffer.wrap(bytes, dataStart, (int) expected));
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}
