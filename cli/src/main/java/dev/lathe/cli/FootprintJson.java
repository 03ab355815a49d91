package dev.lathe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.footprint.Footprint;
import java.util.Map;

/**
 * Renders an {@link Inspection} as a JSON object for scripts. Keys: {@code model}, {@code sizeBytes},
 * {@code parameters}, {@code zeroParameters}, {@code sparsity} (a fraction), {@code nodeCount},
 * {@code opCounts}, {@code bytesByDataType}, {@code macs} (null when some nodes' shapes stayed unknown; then
 * {@code macsCounted} holds the lower bound), {@code macsByOpType}, {@code macsByPrecision} (precision such as
 * {@code float32} or {@code int8} to MACs), {@code elementwiseOps}, {@code inputShapes} (name to dimensions),
 * {@code shapeMethod}, {@code unresolvedNodes}, {@code notes} (how compute was counted where that is a choice or
 * a gap), {@code opsets} and {@code metadata}; for a model of another framework also {@code format} and
 * {@code details}.
 */
final class FootprintJson {
    private FootprintJson() {
    }

    private static ObjectNode toJson(Inspection inspection) {
        Footprint footprint = inspection.footprint();
        ObjectNode json = Json.object();
        json.put("model", inspection.model());
        inspection.format().ifPresent(format -> {
            json.put("format", format);
            ArrayNode details = json.putArray("details");
            inspection.details().forEach(details::add);
        });
        json.put("sizeBytes", footprint.sizeBytes());
        json.put("parameters", footprint.parameters());
        json.put("quantizedParameters", footprint.quantizedParameters());
        json.put("zeroParameters", footprint.zeroParameters());
        json.put("sparsity", footprint.sparsity());
        json.put("nodeCount", footprint.nodeCount());
        putLongs(json.putObject("opCounts"), footprint.opCounts());
        putLongs(json.putObject("bytesByDataType"), footprint.bytesByDataType());
        if (footprint.complete()) {
            json.put("macs", footprint.macs());
        } else {
            json.putNull("macs");
            json.put("macsCounted", footprint.macs());
        }
        putLongs(json.putObject("macsByOpType"), footprint.macsByOpType());
        putLongs(json.putObject("macsByPrecision"), footprint.macsByPrecision());
        json.put("elementwiseOps", footprint.elementwiseOps());
        Json.putShapes(json, "inputShapes", footprint.inputShapes());
        json.put("shapeMethod", footprint.shapeMethod().name());
        ArrayNode unresolved = json.putArray("unresolvedNodes");
        footprint.unresolvedNodes().forEach(unresolved::add);
        ArrayNode notes = json.putArray("notes");
        footprint.notes().forEach(notes::add);
        putLongs(json.putObject("opsets"), inspection.opsets());
        ObjectNode metadata = json.putObject("metadata");
        inspection.metadata().forEach(metadata::put);
        return json;
    }

    /** The report as pretty-printed JSON text, without a trailing line break. */
    static String render(Inspection inspection) throws JsonProcessingException {
        return Json.render(toJson(inspection));
    }

    private static void putLongs(ObjectNode object, Map<String, Long> values) {
        values.forEach(object::put);
    }
}
