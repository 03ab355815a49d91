package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** The JSON side of the reports: one shared mapper, pretty printing, and the pieces several reports hold. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** A new, empty JSON object. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The JSON as pretty-printed text, without a trailing line break. */
    static String render(JsonNode json) throws JsonProcessingException {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
    }

    /** Puts an object under {@code key} that maps each input name to its dimensions. */
    static void putShapes(ObjectNode json, String key, Map<String, long[]> shapes) {
        ObjectNode object = json.putObject(key);
        shapes.forEach((input, shape) -> {
            ArrayNode dims = object.putArray(input);
            for (long dim : shape) {
                dims.add(dim);
            }
        });
    }
}
