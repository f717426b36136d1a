package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration tables name every setting there is, with its real default. */
class ReadmeConfigurationTest {

    @Test
    void everySettingIsDocumentedWithItsDefault() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            if (setting.key().equals("ha.seeds")) {
                continue; // the URL's host list
            }
            assertThat(readme).as("README documents %s", setting.key()).contains("`" + setting.key() + "`");
            String row = readme.lines().filter(l -> l.startsWith("| `" + setting.key() + "` |")).findFirst().orElse(null);
            if (row != null && setting.defaultValue() != null && !setting.defaultValue().isEmpty()) {
                assertThat(row).as("README default of %s", setting.key()).contains("`" + setting.defaultValue() + "`");
            }
        }
    }
}
