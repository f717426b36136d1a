package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.core.HavenConfig;
import dev.haven.spring.internal.PropertyNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;

/**
 * Haven's table of settings ({@code ConfigKey}, seen through {@link HavenConfig#settings()}) is the one place a
 * setting is declared. This test holds everything else to it and names what is missing or stale:
 *
 * <ul>
 *   <li>{@link HavenProperties} has a property of the setting's type for every key but {@code ha.seeds}, and no
 *       other;</li>
 *   <li>{@code META-INF/additional-spring-configuration-metadata.json} (descriptions, defaults and hints, merged
 *       into the metadata that {@code spring-boot-configuration-processor} generates with the types) and
 *       {@code docs/configuration.md} are exactly what {@link ConfigurationReference} renders from the table.</li>
 * </ul>
 *
 * After adding a key: add its field to HavenProperties if this test asks, then rewrite both files with
 * {@value #REWRITE_HINT}.
 */
class ConfigurationSourceTest {

    static final String REWRITE_HINT = "./mvnw -B -o -q -pl ha-spring-boot-starter -am verify"
            + " -Dtest=ConfigurationSourceTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=none"
            + " -Dfailsafe.failIfNoSpecifiedTests=false -Dhaven.config.write=true";

    static final Path METADATA = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    static final Path REFERENCE = Path.of("../docs/configuration.md");

    @Test
    void everySettingHasATypedPropertyAndNoPropertyIsExtra() {
        BeanWrapper bean = new BeanWrapperImpl(new HavenProperties());
        List<String> missing = new ArrayList<>();
        TreeSet<String> expectedPaths = new TreeSet<>();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String path = PropertyNames.beanPathOf(setting.key());
            if (path == null) {
                continue;
            }
            expectedPaths.add(path);
            Class<?> type = ConfigurationReference.propertyType(setting);
            if (!bean.isReadableProperty(path) || !bean.isWritableProperty(path)) {
                missing.add(PropertyNames.propertyOf(setting.key()) + " (" + setting.key() + "): add a property of type "
                        + type.getSimpleName() + " at HavenProperties." + path);
            } else if (bean.getPropertyType(path) != type) {
                missing.add(PropertyNames.propertyOf(setting.key()) + " (" + setting.key() + "): HavenProperties." + path
                        + " is a " + bean.getPropertyType(path).getSimpleName() + ", should be a " + type.getSimpleName());
            }
        }
        assertThat(missing).as("HavenProperties against Haven's table of settings").isEmpty();
        assertThat(leafPaths(new HavenProperties(), "")).as("HavenProperties has only Haven's settings")
                .containsExactlyInAnyOrderElementsOf(expectedPaths);
    }

    /** Every writable property of the bean, nested groups walked. */
    private static List<String> leafPaths(Object object, String prefix) {
        BeanWrapper bean = new BeanWrapperImpl(object);
        List<String> paths = new ArrayList<>();
        for (var pd : bean.getPropertyDescriptors()) {
            if (pd.getName().equals("class")) {
                continue;
            }
            if (pd.getWriteMethod() != null) {
                paths.add(prefix + pd.getName());
            } else if (pd.getPropertyType().getName().startsWith(HavenProperties.class.getName())) {
                paths.addAll(leafPaths(bean.getPropertyValue(pd.getName()), prefix + pd.getName() + "."));
            }
        }
        return paths;
    }

    @Test
    void theMetadataFileIsRenderedFromTheTable() throws IOException {
        check(METADATA, ConfigurationReference.metadataJson());
    }

    @Test
    void theConfigurationReferenceIsRenderedFromTheTable() throws IOException {
        check(REFERENCE, ConfigurationReference.markdown());
    }

    @Test
    void typesCoverDurationsEnumsBooleansAndNumbers() {
        Map<Class<?>, Long> count = new java.util.HashMap<>();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            if (PropertyNames.propertyOf(setting.key()) != null) {
                count.merge(ConfigurationReference.propertyType(setting), 1L, Long::sum);
            }
        }
        assertThat(count.get(Duration.class)).isGreaterThanOrEqualTo(10);
        assertThat(count.get(Boolean.class)).isGreaterThanOrEqualTo(2);
        assertThat(count).containsKey(HavenConfig.FailoverMode.class).containsKey(Integer.class).containsKey(Long.class);
    }

    private static void check(Path file, String expected) throws IOException {
        if (Boolean.getBoolean("haven.config.write")) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, expected, StandardCharsets.UTF_8);
            return;
        }
        String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        assertThat(actual).as(file + " is stale against Haven's table of settings (ConfigKey); rewrite it with: "
                + REWRITE_HINT).isEqualTo(expected);
    }
}
