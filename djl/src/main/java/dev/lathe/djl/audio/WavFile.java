package dev.lathe.djl.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The header of a RIFF/WAVE file and where its sample data lie; read without reading the data. Only what
 * {@link AudioSamples} accepts is checked by {@link #requirePcm16Mono(int)}.
 */
record WavFile(Path path, int format, int channels, int sampleRate, int bitsPerSample, long dataOffset,
        long dataBytes) {
    private static final int PCM = 1;
    private static final int IEEE_FLOAT = 3;
    private static final int EXTENSIBLE = 0xFFFE;

    /**
     * Reads the header chunks up to the {@code data} chunk.
     *
     * @throws IOException              if the file cannot be read
     * @throws IllegalArgumentException if it is not a RIFF/WAVE file or lacks a fmt or data chunk (naming it)
     */
    static WavFile read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = read(channel, 0, 12);
            if (head == null || !tag(head, 0).equals("RIFF") || !tag(head, 8).equals("WAVE")) {
                throw new IllegalArgumentException(path + ": not a WAV file (no RIFF/WAVE header)");
            }
            long position = 12;
            ByteBuffer fmt = null;
            while (position + 8 <= size) {
                ByteBuffer chunk = read(channel, position, 8);
                String id = tag(chunk, 0);
                long length = Integer.toUnsignedLong(chunk.getInt(4));
                long body = position + 8;
                if (id.equals("fmt ")) {
                    fmt = read(channel, body, (int) Math.min(length, 40));
                    if (fmt == null || fmt.limit() < 16) {
                        throw new IllegalArgumentException(path + ": WAV fmt chunk is truncated");
                    }
                } else if (id.equals("data")) {
                    if (fmt == null) {
                        throw new IllegalArgumentException(path + ": WAV data chunk comes before any fmt chunk");
                    }
                    int format = fmt.getShort(0) & 0xffff;
                    if (format == EXTENSIBLE && fmt.limit() >= 26) {
                        format = fmt.getShort(24) & 0xffff; // the first two bytes of the sub-format GUID
                    }
                    // Streaming writers leave the length at 0 or 0xFFFFFFFF; trust the file's size then.
                    long available = size - body;
                    long bytes = length == 0 || length > available ? available : length;
                    return new WavFile(path, format, fmt.getShort(2) & 0xffff, fmt.getInt(4),
                            fmt.getShort(14) & 0xffff, body, bytes);
                }
                position = body + length + (length & 1);
            }
            throw new IllegalArgumentException(path + ": WAV file has no " + (fmt == null ? "fmt" : "data") + " chunk");
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                return buffer.position() == 0 ? null : buffer.flip();
            }
        }
        return buffer.flip();
    }

    private static String tag(ByteBuffer buffer, int offset) {
        byte[] bytes = new byte[4];
        buffer.get(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * Checks that the file holds 16-bit PCM mono at {@code expectedRate}.
     *
     * @throws IllegalArgumentException naming the file, what it holds and what is expected
     */
    void requirePcm16Mono(int expectedRate) {
        String found = describe();
        if (format != PCM || bitsPerSample != 16) {
            throw new IllegalArgumentException(path + ": " + found + "; only 16-bit PCM WAV is read"
                    + " (convert with e.g. ffmpeg -i IN -ac 1 -ar " + expectedRate + " -c:a pcm_s16le OUT.wav)");
        }
        if (channels != 1) {
            throw new IllegalArgumentException(path + ": " + found + "; only mono WAV is read"
                    + " (mix down with e.g. ffmpeg -i IN -ac 1 OUT.wav)");
        }
        if (sampleRate != expectedRate) {
            throw new IllegalArgumentException(path + ": " + found + ", but the audio spec expects rate="
                    + expectedRate + " (resample with e.g. ffmpeg -i IN -ar " + expectedRate + " OUT.wav, or set rate=)");
        }
    }

    /** The number of 16-bit mono samples in the data chunk. */
    long sampleCount() {
        return dataBytes / 2;
    }

    private String describe() {
        String kind = switch (format) {
            case PCM -> bitsPerSample + "-bit PCM";
            case IEEE_FLOAT -> bitsPerSample + "-bit float";
            default -> "format " + format + " (" + bitsPerSample + "-bit)";
        };
        return kind + ", " + channels + (channels == 1 ? " channel, " : " channels, ") + sampleRate + " Hz";
    }
}
