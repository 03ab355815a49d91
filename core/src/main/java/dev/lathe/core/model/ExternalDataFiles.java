package dev.lathe.core.model;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.onnx.Onnx.StringStringEntryProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Resolves tensors whose bytes live in external data files, relative to the folder of the model that
 * names them. Bytes are memory-mapped, never read into the Java heap. A {@code location} that is
 * absolute or escapes the model's folder is rejected.
 */
final class ExternalDataFiles {
    private final Path baseDirectory;
    private final String source;

    /**
     * @param baseDirectory the model's folder, or null when the model did not come from a file
     * @param source        how error messages name the model
     */
    ExternalDataFiles(Path baseDirectory, String source) {
        this.baseDirectory = baseDirectory == null ? null : baseDirectory.toAbsolutePath().normalize();
        this.source = source;
    }

    Path baseDirectory() {
        return baseDirectory;
    }

    /** Where an external tensor's bytes are: file, offset and length. */
    record Location(Path file, String location, long offset, long length) {
    }

    /** Reads and checks the external_data fields of a tensor, verifying that the file holds its bytes. */
    Location locate(TensorProto tensor, long expectedBytes) throws InvalidModelException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto entry : tensor.getExternalDataList()) {
            try {
                switch (entry.getKey()) {
                    case "location" -> location = entry.getValue();
                    case "offset" -> offset = Long.parseLong(entry.getValue());
                    case "length" -> length = Long.parseLong(entry.getValue());
                    default -> {
                        // "checksum" and future keys are informational.
                    }
                }
            } catch (NumberFormatException e) {
                throw invalid(tensor, "external_data " + entry.getKey() + " is not a number: '" + entry.getValue() + "'");
            }
        }
        if (location == null || location.isEmpty()) {
            throw invalid(tensor, "external data has no location");
        }
        if (offset < 0 || length < -1) {
            throw invalid(tensor, "external data has a negative offset or length");
        }
        if (length == -1) {
            length = expectedBytes;
        } else if (length != expectedBytes) {
            throw invalid(tensor, "external data length " + length + " does not match its shape, which needs "
                    + expectedBytes + " bytes");
        }
        Path file = resolve(tensor, location);
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw invalid(tensor, "external data file '" + location + "' is missing (looked in " + baseDirectory + ")");
        } catch (IOException e) {
            throw invalid(tensor, "external data file '" + location + "' cannot be read: " + e.getMessage());
        }
        if (offset > size || length > size - offset) {
            // The end can pass Long.MAX_VALUE for a corrupt offset: state it exactly, not overflowed.
            throw invalid(tensor, "external data file '" + location + "' is too short: needs bytes " + offset + ".."
                    + java.math.BigInteger.valueOf(offset).add(java.math.BigInteger.valueOf(length)) + " but has " + size);
        }
        return new Location(file, location, offset, length);
    }

    /** Memory-maps an external tensor's bytes (read-only, little-endian). */
    ByteBuffer map(TensorProto tensor, Location where) throws InvalidModelException {
        if (where.length() > Integer.MAX_VALUE) {
            throw invalid(tensor, "tensor is " + where.length() + " bytes; tensors over 2 GiB each are not supported yet");
        }
        try (FileChannel channel = FileChannel.open(where.file(), StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, where.offset(), where.length()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw invalid(tensor, "external data file '" + where.location() + "' cannot be mapped: " + e.getMessage());
        }
    }

    private Path resolve(TensorProto tensor, String location) throws InvalidModelException {
        if (baseDirectory == null) {
            throw invalid(tensor, "tensor uses external data file '" + location
                    + "' but the model was not loaded from a file, so there is no folder to find it in");
        }
        Path relative;
        try {
            relative = Path.of(location);
        } catch (RuntimeException e) {
            throw invalid(tensor, "external data location '" + location + "' is not a valid path");
        }
        if (relative.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw invalid(tensor, "external data location '" + location + "' is absolute; it must be relative to the model's folder");
        }
        Path resolved = baseDirectory.resolve(relative).normalize();
        if (!resolved.startsWith(baseDirectory) || resolved.equals(baseDirectory)) {
            throw invalid(tensor, "external data location '" + location + "' escapes the model's folder " + baseDirectory);
        }
        try {
            if (Files.exists(resolved) && !resolved.toRealPath().startsWith(baseDirectory.toRealPath())) {
                throw invalid(tensor, "external data location '" + location + "' links outside the model's folder " + baseDirectory);
            }
        } catch (IOException e) {
            throw invalid(tensor, "external data location '" + location + "' cannot be resolved: " + e.getMessage());
        }
        return resolved;
    }

    private InvalidModelException invalid(TensorProto tensor, String problem) {
        return new InvalidModelException(source + ": tensor '" + tensor.getName() + "': " + problem);
    }
}
