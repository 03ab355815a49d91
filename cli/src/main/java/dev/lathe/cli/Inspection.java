package dev.lathe.cli;

import dev.lathe.core.conversion.ImportedModel;
import dev.lathe.core.footprint.Footprint;
import dev.lathe.core.model.OnnxModel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code lathe inspect} reports about one model: its footprint plus the facts about the model file that
 * the footprint does not hold.
 *
 * @param model     how the report names the model (its path, or a label for the embedded one)
 * @param footprint the static footprint for the chosen input shapes
 * @param opsets    operator set version per domain ("" is the default ONNX domain)
 * @param metadata  the model's metadata_props (producer notes, provenance), in file order
 * @param format    for a model of another framework, what it is (e.g. {@code TensorFlow SavedModel (signature
 *                  serving_default)}); empty for an ONNX model
 * @param details   for a model of another framework, lines on its tags and signatures; empty otherwise
 */
record Inspection(String model, Footprint footprint, SortedMap<String, Long> opsets, Map<String, String> metadata,
        Optional<String> format, List<String> details) {

    /** Copies the maps so that the inspection stays immutable. */
    Inspection {
        opsets = Collections.unmodifiableSortedMap(new TreeMap<>(opsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        details = List.copyOf(details);
    }

    /** The inspection of a loaded model and its footprint, under the given name. */
    static Inspection of(String model, OnnxModel loaded, Footprint footprint) {
        return new Inspection(model, footprint, new TreeMap<>(loaded.opsets()), loaded.metadata(), Optional.empty(),
                List.of());
    }

    /** The inspection of a model of another framework, its footprint stated in the original's own terms. */
    static Inspection of(String model, ImportedModel imported, Footprint footprint) {
        return new Inspection(model, footprint, new TreeMap<>(), Map.of(), Optional.of(imported.format()),
                imported.details());
    }
}
