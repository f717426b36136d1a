package dev.haven.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.haven.spring.autoconfigure.HavenAutoConfiguration;
import dev.haven.spring.internal.HavenFailureAnalyzer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Invalid configuration stops start-up, and the failure analysis says which property, which value, what is allowed. */
class FailureAnalysisTest {

    static final String URL = "spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL;
    static final String SECRET = "Adm1n-S3cret-pw";

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HavenAutoConfiguration.class, DataSourceAutoConfiguration.class));

    @Test
    void anInvalidDurationNamesThePropertyTheValueAndWhatIsAllowed() {
        FailureAnalysis analysis = analyse(URL, "haven.max-replica-lag=soon");
        assertThat(analysis.getDescription())
                .contains("Property: haven.max-replica-lag")
                .contains("Value: \"soon\"")
                .contains("allowed: a number with unit ms, s, m or h")
                .doesNotContain("ha.maxReplicaLag");
        assertThat(analysis.getAction()).contains("haven.max-replica-lag").contains("5s");
    }

    @Test
    void theOriginOfTheValueIsShown() {
        FailureAnalysis[] result = new FailureAnalysis[1];
        runner.withPropertyValues(URL)
                .withInitializer(context -> {
                    try {
                        new org.springframework.boot.env.PropertiesPropertySourceLoader()
                                .load("invalid", new org.springframework.core.io.ClassPathResource("haven-invalid.properties"))
                                .forEach(context.getEnvironment().getPropertySources()::addFirst);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .run(context -> result[0] = new HavenFailureAnalyzer().analyze(context.getStartupFailure()));
        assertThat(result[0].getDescription()).contains("Property: haven.max-replica-lag")
                .contains("Origin: class path resource [haven-invalid.properties]");
    }

    @Test
    void anInvalidChoiceListsTheChoices() {
        FailureAnalysis analysis = analyse(URL, "haven.failover.mode=sometimes");
        assertThat(analysis.getDescription())
                .contains("Property: haven.failover.mode")
                .contains("\"sometimes\"")
                .contains("observe").contains("promote");
    }

    @Test
    void settingsThatContradictEachOtherAreNamedAsTheirProperties() {
        FailureAnalysis analysis = analyse(URL, "haven.max-replica-lag=2s", "haven.lag-hysteresis=3s");
        assertThat(analysis.getDescription())
                .contains("haven.lag-hysteresis (3s) must be shorter than haven.max-replica-lag (2s)");
    }

    @Test
    void aSettingFromTheUrlKeepsItsUrlName() {
        FailureAnalysis analysis = analyse("spring.datasource.url=" + HavenAutoConfigurationTest.HAVEN_URL
                + "?ha.probeInterval=often");
        assertThat(analysis.getDescription()).contains("ha.probeInterval").contains("often").contains("the URL");
    }

    @Test
    void aBadUrlIsExplained() {
        FailureAnalysis analysis = analyse("spring.datasource.url=jdbc:ha:postgresql://db1/app?password=" + SECRET);
        assertThat(analysis.getDescription()).contains("postgresql").contains("mysql").doesNotContain(SECRET);
        assertThat(analysis.getAction()).contains("spring.datasource.url");
    }

    @Test
    void anUnknownPoolSettingNamesItsProperty() {
        FailureAnalysis analysis = analyse(URL, "spring.datasource.hikari.maximum-poolsize-typo=3");
        assertThat(analysis.getDescription()).contains("spring.datasource.hikari.maximum-poolsize-typo")
                .contains("maximum-pool-size");
    }

    @Test
    void thePasswordNeverAppears() {
        runner.withPropertyValues(URL, "haven.admin.user=admin", "haven.admin.password=" + SECRET,
                        "haven.probe-interval=1x")
                .run(context -> {
                    Throwable failure = context.getStartupFailure();
                    assertThat(failure).isNotNull();
                    StringBuilder all = new StringBuilder();
                    for (Throwable t = failure; t != null; t = t.getCause()) {
                        all.append(t).append('\n');
                    }
                    assertThat(all.toString()).contains("haven.probe-interval").doesNotContain(SECRET);
                    FailureAnalysis analysis = new HavenFailureAnalyzer().analyze(failure);
                    assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain(SECRET);
                });
        runner.withPropertyValues(URL, "haven.admin.password=" + SECRET)
                .run(context -> {
                    // a password without a user: refused, without the password
                    FailureAnalysis analysis = new HavenFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("haven.admin.password").contains("haven.admin.user")
                            .doesNotContain(SECRET);
                });
        HavenProperties properties = new HavenProperties();
        properties.getAdmin().setPassword(SECRET);
        assertThat(properties.toString()).doesNotContain(SECRET);
        assertThat(properties.getAdmin().toString()).doesNotContain(SECRET);
    }

    @Test
    void aFencerBeanWithoutPromoteModeIsExplainedInPropertyNames() {
        FailureAnalysis[] result = new FailureAnalysis[1];
        runner.withPropertyValues(URL)
                .withBean(dev.haven.core.PrimaryFencer.class, () -> (primary, serverId) -> { })
                .run(context -> {
                    assertThat(context).hasFailed();
                    result[0] = new HavenFailureAnalyzer().analyze(context.getStartupFailure());
                });
        assertThat(result[0].getDescription()).contains("a PrimaryFencer (PrimaryFencer) needs haven.failover.mode=promote"
                + " (is observe)");
        runner.withPropertyValues(URL, "haven.failover.mode=promote", "haven.admin.user=admin",
                        "haven.failover.fencer=" + HavenAutoConfigurationTest.NoFencer.class.getName())
                .withBean(dev.haven.core.PrimaryFencer.class, () -> (primary, serverId) -> { })
                .run(context -> {
                    assertThat(context).hasFailed();
                    result[0] = new HavenFailureAnalyzer().analyze(context.getStartupFailure());
                });
        assertThat(result[0].getDescription()).contains("two fencers: haven.failover.fencer is '"
                + HavenAutoConfigurationTest.NoFencer.class.getName() + "' and a PrimaryFencer");
    }

    @Test
    void theAnalyzerIsRegistered() throws Exception {
        List<String> analyzers = new java.util.ArrayList<>();
        var resources = getClass().getClassLoader().getResources("META-INF/spring.factories");
        while (resources.hasMoreElements()) {
            java.util.Properties factories = new java.util.Properties();
            try (var in = resources.nextElement().openStream()) {
                factories.load(in);
            }
            String names = factories.getProperty(FailureAnalyzer.class.getName(), "");
            for (String name : names.split(",")) {
                analyzers.add(name.trim());
            }
        }
        assertThat(analyzers).contains(HavenFailureAnalyzer.class.getName());
    }

    private FailureAnalysis analyse(String... properties) {
        FailureAnalysis[] result = new FailureAnalysis[1];
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            result[0] = new HavenFailureAnalyzer().analyze(context.getStartupFailure());
        });
        assertThat(result[0]).as("a failure analysis").isNotNull();
        return result[0];
    }
}
