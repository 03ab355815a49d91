package dev.lathe.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.core.task.TaskMetrics;
import dev.lathe.spark.data.SparkTextSamples;
import dev.lathe.spark.executor.ShippedModel;
import dev.lathe.spark.recipes.RecipeEvaluation;
import dev.lathe.spark.recipes.RecipeScore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two MiniLM recipes scored on local[2], one row each, equal to the rows computed in one JVM. */
class RecipeEvaluationTest {
    @TempDir
    static Path folder;
    private static SparkTestSession session;

    @BeforeAll
    static void start() throws Exception {
        session = new SparkTestSession(folder);
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    @Test
    void eachCandidateIsScoredOnAnExecutorAsInOneJvm() throws Exception {
        List<String> texts = SparkTestSession.sentences(60);
        SparkTextSamples calibration = session.samples(texts.subList(0, 16), 2);
        SparkTextSamples validation = session.samples(texts.subList(16, 60), 3);
        List<List<String>> candidates = List.of(List.of("quantize.int8"), List.of("quantize.int8-weights"));

        List<RecipeScore> rows = LatheSpark.evaluateRecipes(session.miniLm, candidates, calibration, 16, validation, 30);

        assertThat(rows).extracting(RecipeScore::recipe).containsExactlyElementsOf(candidates);
        for (RecipeScore row : rows) {
            RecipeScore one = RecipeEvaluation.score(ShippedModel.of(session.miniLm), row.recipe(), texts.subList(0, 16),
                    texts.subList(16, 46), session.encoding);
            assertThat(row.modelBytes()).isEqualTo(one.modelBytes()).isLessThan(session.miniLm.proto().getSerializedSize() / 2);
            assertThat(row.taskMetrics()).containsKey(TaskMetrics.OVERLAP).isEqualTo(one.taskMetrics());
            assertThat(row.cosineMean()).isEqualTo(one.cosineMean());
            assertThat(row.passed()).isEqualTo(one.passed());
        }
        assertThatThrownBy(() -> LatheSpark.evaluateRecipes(session.miniLm, List.of(List.of("quantize.nope")), calibration,
                16, validation, 30)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantize.nope");
    }
}
