package dev.lathe.core.pipeline;

import dev.lathe.core.model.ShapeBinding;
import dev.lathe.core.model.TensorData;
import java.util.List;
import java.util.Map;

/**
 * What a pipeline offers its passes: the input shapes the model is optimized for, calibration inputs for
 * data-aware passes, and a progress listener for long work.
 *
 * @param binding      the input shapes the pipeline was configured with
 * @param calibration  input samples for data-aware passes (generated or given by the user)
 * @param progress     where to report progress
 */
public record PassContext(ShapeBinding binding, List<Map<String, TensorData>> calibration, ProgressListener progress) {

    /** Copies the calibration list. */
    public PassContext {
        calibration = List.copyOf(calibration);
    }
}
