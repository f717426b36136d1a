package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.haven.core.HavenConfig;
import dev.haven.spring.internal.PropertyNames;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Every Haven setting is a typed {@code haven.*} property, bound in Spring Boot's formats and documented in the metadata. */
class HavenPropertiesTest {

    @Test
    void namesFollowTheRule() {
        assertThat(PropertyNames.propertyOf("ha.maxReplicaLag")).isEqualTo("haven.max-replica-lag");
        assertThat(PropertyNames.propertyOf("ha.failover.minInterval")).isEqualTo("haven.failover.min-interval");
        assertThat(PropertyNames.propertyOf("ha.failover")).isEqualTo("haven.failover.mode");
        assertThat(PropertyNames.propertyOf("ha.consistency")).isEqualTo("haven.consistency.mode");
        assertThat(PropertyNames.propertyOf("ha.consistency.timeout")).isEqualTo("haven.consistency.timeout");
        assertThat(PropertyNames.propertyOf("ha.admin.password")).isEqualTo("haven.admin.password");
        assertThat(PropertyNames.propertyOf("ha.seeds")).as("the URL's hosts are the seeds").isNull();
    }

    /** A fencer class for binding; never called. */
    public static final class NoFencing implements dev.haven.core.PrimaryFencer {
        @Override
        public void fence(dev.haven.core.NodeAddress primary, long serverId) {
        }
    }

    @Test
    void everySettingBindsFromItsDefaultTextAndGivesHavenTheSameValue() {
        Map<String, String> source = new HashMap<>();
        Map<String, String> expected = new HashMap<>();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String property = PropertyNames.propertyOf(setting.key());
            if (property == null) {
                continue;
            }
            String text = setting.defaultValue() != null && !setting.defaultValue().isEmpty() ? setting.defaultValue()
                    : setting.key().equals("ha.zones") ? "db1:3306=eu-1a"
                    : setting.key().equals("ha.promotion") ? "db1:3306=never"
                    : setting.key().equals("ha.zone") ? "eu-1a"
                    : setting.key().equals("ha.failover.fencer") ? NoFencing.class.getName() : "text of " + setting.key();
            source.put(property, text);
            // as Haven writes it (60s is 1m); secrets are free text and stay as they are
            var type = dev.haven.core.internal.ConfigKey.find(setting.key()).type();
            expected.put(setting.key(), setting.secret() ? text : type.format(type.parse(setting.key(), text)));
        }
        HavenProperties bound = bind(source);
        assertThat(bound.settings()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(bound.settings()).hasSize(HavenConfig.settings().size() - 1);
        // a fencer needs promote mode, whose default is observe
        assertThat(HavenConfig.builder().seeds("db1").setAll(bound.settings()).set("ha.failover", "promote").build())
                .as("every value Haven receives is one it accepts").isNotNull();
    }

    @Test
    void springBootsFormatsAreAccepted() {
        assertThat(bind(Map.of("haven.max-replica-lag", "PT2S")).settings()).containsEntry("ha.maxReplicaLag", "2s");
        assertThat(bind(Map.of("haven.max-replica-lag", "2000")).settings()).as("a bare number is milliseconds")
                .containsEntry("ha.maxReplicaLag", "2s");
        assertThat(bind(Map.of("haven.max-replica-lag", "1500ms")).settings()).containsEntry("ha.maxReplicaLag", "1500ms");
        assertThat(bind(Map.of("haven.failover.min-interval", "2m")).settings()).containsEntry("ha.failover.minInterval", "2m");
        assertThat(bind(Map.of("haven.failover.mode", "PROMOTE")).settings()).containsEntry("ha.failover", "promote");
        assertThat(bind(Map.of("haven.read-strategy", "power-of-two")).getReadStrategy())
                .isEqualTo(HavenConfig.ReadStrategy.POWER_OF_TWO);
        assertThat(bind(Map.of("haven.consistency.mode", "read_your_writes")).settings())
                .containsEntry("ha.consistency", "read-your-writes");
        assertThat(bind(Map.of("haven.failover.rejoin", "TRUE")).getFailover().getRejoin()).isTrue();
        assertThat(bind(Map.of("haven.recover-after", "3")).getRecoverAfter()).isEqualTo(3);
    }

    @Test
    void aDurationFinerThanAMillisecondReachesHavenAsWrittenAndIsRefused() {
        Map<String, String> settings = bind(Map.of("haven.max-replica-lag", "1500us")).settings();
        assertThat(settings).containsEntry("ha.maxReplicaLag", "PT0.0015S");
        assertThatThrownBy(() -> HavenConfig.builder().setAll(settings))
                .hasMessageContaining("ha.maxReplicaLag").hasMessageContaining("PT0.0015S")
                .hasMessageContaining("allowed");
    }

    private static HavenProperties bind(Map<String, String> source) {
        return new Binder(new MapConfigurationPropertySource(source)).bind("haven", HavenProperties.class).get();
    }

    @Test
    void unsetPropertiesAreNotSettings() {
        assertThat(new HavenProperties().settings()).isEmpty();
    }

    @Test
    void theGeneratedMetadataDocumentsEverySettingWithItsDefault() throws Exception {
        ConfigurationMetadataRepository metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("metadata generated by spring-boot-configuration-processor").isNotNull();
            metadata = ConfigurationMetadataRepositoryJsonBuilder.create(in).build();
        }
        Map<String, ConfigurationMetadataProperty> properties = metadata.getAllProperties();
        for (HavenConfig.Setting setting : HavenConfig.settings()) {
            String name = PropertyNames.propertyOf(setting.key());
            if (name == null) {
                continue;
            }
            ConfigurationMetadataProperty p = properties.get(name);
            assertThat(p).as("metadata for %s (%s)", name, setting.key()).isNotNull();
            assertThat(p.getDescription()).as("description of %s", name).isNotBlank();
            assertThat(p.getDescription()).as("description of %s", name).contains(setting.key());
            if (setting.defaultValue() != null && !setting.defaultValue().isEmpty()) {
                assertThat(String.valueOf(p.getDefaultValue())).as("default of %s", name).isEqualTo(setting.defaultValue());
            } else {
                assertThat(p.getDefaultValue()).as("default of %s", name).isNull();
            }
            if (!setting.choices().isEmpty()) {
                assertThat(p.getHints().getValueHints()).as("choices of %s", name)
                        .extracting(h -> h.getValue()).containsExactlyElementsOf(setting.choices());
            }
        }
        assertThat(properties.keySet().stream().filter(k -> k.startsWith("haven."))).as("no other haven.* property")
                .hasSize(HavenConfig.settings().size() - 1);
        long typed = properties.values().stream().filter(p -> p.getId().startsWith("haven."))
                .filter(p -> !"java.lang.String".equals(p.getType())).count();
        assertThat(typed).as("haven.* properties typed other than String").isGreaterThanOrEqualTo(10);
        assertThat(properties.get("haven.max-replica-lag").getType()).isEqualTo("java.time.Duration");
        assertThat(properties.get("haven.failover.rejoin").getType()).isEqualTo("java.lang.Boolean");
        assertThat(properties.get("haven.recover-after").getType()).isEqualTo("java.lang.Integer");
        assertThat(properties.get("haven.read-strategy").getType()).isEqualTo("dev.haven.core.HavenConfig$ReadStrategy");
    }
}
