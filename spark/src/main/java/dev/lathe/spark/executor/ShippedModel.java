package dev.lathe.spark.executor;

import dev.lathe.core.InvalidModelException;
import dev.lathe.core.model.OnnxModel;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model as it travels to executors (in a broadcast variable): its serialized bytes, their SHA-256 (the key
 * under which executors keep its session) and where it came from. Models with weights in external data files
 * are refused: their bytes would not hold the weights (put such a model on a shared filesystem and load it
 * there; not supported yet). A protobuf message is limited to 2 GB, which bounds the models that travel.
 *
 * @param bytes  the model's serialized {@code ModelProto}
 * @param sha256 the hex SHA-256 of the bytes
 * @param source where the model came from, for messages
 */
public record ShippedModel(byte[] bytes, String sha256, String source) implements Serializable {

    /**
     * The bytes of a model, ready to ship.
     *
     * @throws IllegalArgumentException if the model keeps weights in external data files
     */
    public static ShippedModel of(OnnxModel model) {
        if (model.usesExternalData()) {
            throw new IllegalArgumentException(model.source() + ": keeps weights in external data files, which cannot be "
                    + "shipped to Spark executors as bytes; use a model with its weights inside the .onnx file");
        }
        byte[] bytes = model.proto().toByteArray();
        try {
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            return new ShippedModel(bytes, hash, model.source());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * The model, parsed from the bytes.
     *
     * @throws InvalidModelException if the bytes are not a valid model
     */
    public OnnxModel load() throws InvalidModelException {
        return OnnxModel.fromBytes(bytes, source);
    }
}
