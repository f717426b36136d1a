package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference (docs/configuration.md) names every setting there is, and every table row for a
 * setting, there and in the README's essentials, shows its real default.
 */
class ReadmeConfigurationTest {

    @Test
    void everySettingIsDocumentedWithItsDefault() throws IOException {
        String reference = Files.readString(Path.of("..", "docs", "configuration.md"), StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            if (setting.key().equals("ha.seeds")) {
                continue; // the URL's host list
            }
            assertThat(reference).as("docs/configuration.md documents %s", setting.key())
                    .contains("`" + setting.key() + "`");
            for (String text : new String[] {reference, readme}) {
                String row = text.lines().filter(l -> l.startsWith("| `" + setting.key() + "` |")).findFirst().orElse(null);
                if (row != null && setting.defaultValue() != null && !setting.defaultValue().isEmpty()) {
                    assertThat(row).as("documented default of %s", setting.key())
                            .contains("`" + setting.defaultValue() + "`");
                }
            }
        }
    }
}
