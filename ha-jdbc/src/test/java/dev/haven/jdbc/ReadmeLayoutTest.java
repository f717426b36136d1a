package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a newcomer needs first stays first, and the documentation stays inside the repository: the coordinates and
 * both quick starts end before line 80 of the README, every relative link of the README and of docs/ points to a
 * file that exists, none points outside the repository, and CI runs the test command the README gives.
 */
class ReadmeLayoutTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    private static List<String> readme() throws IOException {
        return Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    }

    @Test
    void coordinatesAndBothQuickStartsComeBeforeLine80() throws IOException {
        List<String> lines = readme();
        int coordinates = lines.indexOf("## Maven coordinates");
        int java = lines.indexOf("## Quick start: plain Java");
        int spring = lines.indexOf("## Quick start: Spring Boot");
        assertThat(coordinates).isNotNegative().isLessThan(java);
        assertThat(java).isLessThan(spring);
        int afterSpring = spring + 1;
        while (afterSpring < lines.size() && !lines.get(afterSpring).startsWith("## ")) {
            afterSpring++;
        }
        assertThat(afterSpring + 1).as("line of the section after the Spring Boot quick start").isLessThanOrEqualTo(80);
        assertThat(String.join("\n", lines.subList(coordinates, afterSpring)))
                .contains("<artifactId>haven-bom</artifactId>", "<artifactId>haven-jdbc</artifactId>",
                        "haven-spring-boot-starter", "HaDataSource.builder()", "spring:", "jdbc:ha:");
    }

    @Test
    void everyLinkStaysInTheRepositoryAndResolves() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            Matcher m = LINK.matcher(Files.readString(page, StandardCharsets.UTF_8));
            while (m.find()) {
                String target = m.group(1);
                assertThat(target).as("link in %s", ROOT.relativize(page)).doesNotContainPattern("^[a-z]+:");
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                if (file.isEmpty()) {
                    continue;
                }
                Path resolved = page.getParent().resolve(file).normalize();
                assertThat(resolved.startsWith(ROOT)).as("link %s in %s stays in the repository", target,
                        ROOT.relativize(page)).isTrue();
                assertThat(resolved).as("link %s in %s", target, ROOT.relativize(page)).exists();
            }
        }
    }

    @Test
    void ciRunsTheTestCommandTheReadmeGives() throws IOException {
        List<String> lines = readme();
        int section = lines.indexOf("## Running the tests");
        assertThat(section).isNotNegative();
        String command = lines.subList(section, lines.size()).stream().filter(l -> l.startsWith("./mvnw"))
                .findFirst().orElseThrow();
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run"), StandardCharsets.UTF_8);
        assertThat(ci).contains(command);
    }
}
