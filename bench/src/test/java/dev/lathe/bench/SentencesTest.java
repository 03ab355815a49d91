package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;

class SentencesTest {

    @Test
    void fileHas400NonEmptyUniqueLines() throws Exception {
        String text;
        try (InputStream stream = Sentences.class.getResourceAsStream(Sentences.RESOURCE)) {
            text = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> lines = List.of(text.split("\n", -1)).subList(0, text.endsWith("\n") ? text.split("\n", -1).length - 1
                : text.split("\n", -1).length);

        assertThat(lines).hasSize(400).allSatisfy(line -> assertThat(line).isNotBlank().isEqualTo(line.strip()));
        assertThat(new HashSet<>(lines)).hasSize(400);
        assertThat(Sentences.all()).isEqualTo(lines);
    }

    @Test
    void firstTakesAPrefix() {
        assertThat(Sentences.first(3)).isEqualTo(Sentences.all().subList(0, 3));
        assertThatThrownBy(() -> Sentences.first(401)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sentences.first(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
