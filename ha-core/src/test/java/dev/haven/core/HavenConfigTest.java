package dev.haven.core;

import dev.haven.core.HavenConfig.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HavenConfigTest {

    private static HavenConfig.Builder seeded() {
        return HavenConfig.builder().seeds("db1:3306");
    }

    @Test
    void defaultsAreDocumentedOnes() {
        HavenConfig c = seeded().build();
        assertThat(c.discovery()).isEqualTo(HavenConfig.Discovery.AUTO);
        assertThat(c.probeInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.probeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.suspectAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.deadAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.initialGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.recoverAfter()).isEqualTo(2);
        assertThat(c.maxReplicaLag()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.lagHysteresis()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.readStrategy()).isEqualTo(HavenConfig.ReadStrategy.ROUND_ROBIN);
        assertThat(c.zone()).isNull();
        assertThat(c.zones()).isEmpty();
        assertThat(c.promotion()).isEmpty();
        assertThat(c.readFallback()).isEqualTo(HavenConfig.ReadFallback.PRIMARY);
        assertThat(c.routing()).isEqualTo(HavenConfig.Routing.EXPLICIT);
        assertThat(c.consistency()).isEqualTo(HavenConfig.Consistency.EVENTUAL);
        assertThat(c.consistencyTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.failover()).isEqualTo(HavenConfig.FailoverMode.OBSERVE);
        assertThat(c.failoverTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.failoverMinInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.failoverMaxDataLoss()).isZero();
        assertThat(c.failoverRejoin()).isFalse();
        assertThat(c.failoverAutoFailback()).isFalse();
        assertThat(c.adminUser()).isNull();
        assertThat(c.adminPassword()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "2s,2000", "1m,60000", "1h,3600000", " 3s ,3000", "10MS,10", "0ms,0"})
    void parsesDurationsWithUnits(String text, long millis) {
        HavenConfig c = seeded().set("ha.consistency.timeout", text).build();
        assertThat(c.consistencyTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void badDurationNamesKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> seeded().set("ha.maxReplicaLag", "5x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ha.maxReplicaLag: '5x' is not a duration; allowed: a number with unit ms, s, m or h, e.g. 2s, from 1ms to 24h");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ha.probeInterval|5|is not a duration",
            "ha.probeInterval|1.5s|is not a duration",
            "ha.probeInterval|-1s|is not a duration",
            "ha.probeInterval|s|is not a duration",
            "ha.probeInterval|5ms|is too short",
            "ha.probeInterval|25h|is too long",
            "ha.probeInterval|99999999999999999h|is not a duration",
            "ha.recoverAfter|0|is out of range",
            "ha.recoverAfter|101|is out of range",
            "ha.recoverAfter|two|is not a whole number",
            "ha.failover.maxDataLoss|-1|is out of range",
            "ha.failover.rejoin|yes|is not a boolean",
            "ha.readStrategy|random|is not a valid value",
            "ha.discovery|galera|is not a valid value",
            "ha.zone|eu 1|is not a zone name",
            "ha.seeds|db1:0|is not a host list",
            "ha.seeds|db1,,db2|has an empty entry",
            "ha.seeds|db1,DB1:3306|names a host twice",
            "ha.seeds|::1|is not a host list",
            "ha.zones|db1:3306|has an entry without '='",
            "ha.zones|db1:3306=eu 1|has a bad value for db1:3306",
            "ha.promotion|db1:3306=always|has a bad value for db1:3306",
            "ha.promotion|db1=never,db1:3306=prefer|names db1:3306 twice",
    })
    void rejectsBadValuesNamingKeyAndValue(String key, String value, String problem) {
        assertThatThrownBy(() -> seeded().set(key, value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + ": '" + value + "' " + problem)
                .hasMessageContaining("; allowed: ");
    }

    @Test
    void enumMessageListsAllowedValuesInKebabCase() {
        assertThatThrownBy(() -> seeded().set("ha.readStrategy", "random"))
                .hasMessage("ha.readStrategy: 'random' is not a valid value; allowed: round-robin, power-of-two, least-outstanding, latency-weighted");
    }

    @Test
    void enumsAcceptKebabAndConstantCase() {
        assertThat(seeded().set("ha.readStrategy", "least-outstanding").build().readStrategy())
                .isEqualTo(HavenConfig.ReadStrategy.LEAST_OUTSTANDING);
        assertThat(seeded().set("ha.readStrategy", "POWER_OF_TWO").build().readStrategy())
                .isEqualTo(HavenConfig.ReadStrategy.POWER_OF_TWO);
        assertThat(seeded().set("ha.discovery", "group-replication").build().discovery())
                .isEqualTo(HavenConfig.Discovery.GROUP_REPLICATION);
        assertThat(seeded().set("ha.consistency", "read-your-writes").build().consistency())
                .isEqualTo(HavenConfig.Consistency.READ_YOUR_WRITES);
    }

    /** A fencer for the class-name checks; never called. */
    public static final class NoFencing implements dev.haven.core.PrimaryFencer {
        @Override
        public void fence(NodeAddress primary, long serverId) {
        }
    }

    @Test
    void aFencerIsAClassImplementingPrimaryFencerAndNeedsPromoteMode() {
        String name = NoFencing.class.getName();
        assertThat(seeded().set("ha.failover", "promote").set("ha.failover.fencer", name).build().failoverFencer())
                .isEqualTo(name);
        assertThat(seeded().set("ha.failover", "promote").failoverFencer(name).build().failoverFencer())
                .isEqualTo(name);
        assertThat(seeded().build().failoverFencer()).isNull();
        assertThatThrownBy(() -> seeded().set("ha.failover.fencer", name).build())
                .hasMessage("ha.failover.fencer needs ha.failover=promote (is observe): only a promoting instance"
                        + " fences the old primary");
        assertThatThrownBy(() -> seeded().set("ha.failover.fencer", "com.example.NoSuchFencer"))
                .hasMessage("ha.failover.fencer: 'com.example.NoSuchFencer' is not a class that can be loaded;"
                        + " allowed: the name of a class implementing dev.haven.core.PrimaryFencer with a public"
                        + " no-argument constructor");
        assertThatThrownBy(() -> seeded().set("ha.failover.fencer", String.class.getName()))
                .hasMessageStartingWith("ha.failover.fencer: 'java.lang.String' does not implement"
                        + " dev.haven.core.PrimaryFencer;");
        HavenConfig.Builder b = seeded().set("ha.failover", "promote").set("ha.failover.fencer", name);
        assertThatThrownBy(() -> b.set("ha.failover.fencer", "nope.Nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.build().failoverFencer()).as("a refused value changes nothing").isEqualTo(name);
    }

    @Test
    void failedSetChangesNothing() {
        HavenConfig.Builder b = seeded().set("ha.maxReplicaLag", "2s");
        assertThatThrownBy(() -> b.set("ha.maxReplicaLag", "nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxReplicaLag(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxReplicaLag(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.build().maxReplicaLag()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void setAllIsAllOrNothing() {
        HavenConfig.Builder b = seeded();
        Map<String, String> input = new LinkedHashMap<>();
        input.put("ha.maxReplicaLag", "2s");
        input.put("ha.recoverAfter", "zero");
        assertThatThrownBy(() -> b.setAll(input)).hasMessageStartingWith("ha.recoverAfter: 'zero'");
        assertThat(b.build().maxReplicaLag()).isEqualTo(Duration.ofSeconds(5));

        input.put("ha.recoverAfter", "3");
        HavenConfig c = b.setAll(input).build();
        assertThat(c.maxReplicaLag()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.recoverAfter()).isEqualTo(3);
    }

    @Test
    void unknownKeyIsRejectedWithTheValidKeys() {
        assertThatThrownBy(() -> seeded().set("ha.maxLag", "2s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown setting 'ha.maxLag'; valid settings: ha.seeds, ha.discovery,")
                .hasMessageContaining("ha.maxReplicaLag")
                .hasMessageContaining("ha.failover.autoFailback");
    }

    @Test
    void keysAreCaseInsensitive() {
        assertThat(seeded().set("HA.MAXREPLICALAG", "2s").build().maxReplicaLag()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void seedsParseIpv6AndDefaultPort() {
        HavenConfig c = HavenConfig.builder().set("ha.seeds", "db1, db2:3307,[::1]:3308,[fe80::1]").build();
        assertThat(c.seeds()).containsExactly(
                NodeAddress.of("db1", 3306), NodeAddress.of("db2", 3307),
                NodeAddress.of("::1", 3308), NodeAddress.of("fe80::1", 3306));
    }

    @Test
    void seedsAreRequired() {
        assertThatThrownBy(() -> HavenConfig.builder().build())
                .hasMessageStartingWith("ha.seeds: required");
        assertThatThrownBy(() -> HavenConfig.builder().set("ha.seeds", "").build())
                .hasMessageStartingWith("ha.seeds: required");
    }

    @Test
    void zonesAndPromotionRulesParse() {
        HavenConfig c = seeded()
                .set("ha.zone", "eu-1a")
                .set("ha.zones", "db1:3306=eu-1a,db2:3306=eu-1b,[::1]:3307=eu-1c")
                .set("ha.promotion", "db3:3306=never,db1=PREFER")
                .build();
        assertThat(c.zone()).isEqualTo("eu-1a");
        assertThat(c.zoneOf(NodeAddress.parse("db2:3306"))).isEqualTo("eu-1b");
        assertThat(c.zoneOf(NodeAddress.parse("[::1]:3307"))).isEqualTo("eu-1c");
        assertThat(c.zoneOf(NodeAddress.parse("db9"))).isNull();
        assertThat(c.promotionRuleOf(NodeAddress.parse("db3"))).isEqualTo(PromotionRule.NEVER);
        assertThat(c.promotionRuleOf(NodeAddress.parse("db1"))).isEqualTo(PromotionRule.PREFER);
        assertThat(c.promotionRuleOf(NodeAddress.parse("db2"))).isEqualTo(PromotionRule.NEUTRAL);
    }

    @Test
    void withStaticDiscoveryPromotionAndZonesMustNameSeeds() {
        assertThatThrownBy(() -> HavenConfig.builder().set("ha.seeds", "db1,db2").set("ha.discovery", "static")
                .set("ha.promotion", "db3=prefer").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ha.promotion names db3:3306").hasMessageContaining("db1:3306, db2:3306");
        assertThatThrownBy(() -> HavenConfig.builder().set("ha.seeds", "db1,db2").set("ha.discovery", "static")
                .set("ha.zones", "db1=a,db2:3307=b").build())
                .hasMessageContaining("ha.zones names db2:3307");
        HavenConfig ok = HavenConfig.builder().set("ha.seeds", "db1,db2").set("ha.discovery", "static")
                .set("ha.zones", "db1=a,db2=b").set("ha.promotion", "db2=never").build();
        assertThat(ok.zoneOf(NodeAddress.parse("db2"))).isEqualTo("b");
        // With discovery, other nodes may join later: accepted here, checked against the topology once discovered.
        assertThat(seeded().set("ha.promotion", "db9=prefer").build().promotion()).hasSize(1);
    }

    @Test
    void typedMapsAreValidatedAndCopied() {
        Map<NodeAddress, String> zones = new LinkedHashMap<>();
        zones.put(NodeAddress.parse("db1"), "eu 1a");
        assertThatThrownBy(() -> seeded().zones(zones)).hasMessageStartingWith("ha.zones:");
        zones.put(NodeAddress.parse("db1"), "eu-1a");
        HavenConfig c = seeded().zones(zones).build();
        zones.clear();
        assertThat(c.zones()).hasSize(1);
    }

    @Test
    void suspectAfterMustBeAtLeastProbeInterval() {
        assertThatThrownBy(() -> seeded().set("ha.probeInterval", "2s").build())
                .hasMessage("ha.suspectAfter (1s) must be at least ha.probeInterval (2s), otherwise a node is suspected between two healthy probes");
        assertThat(seeded().set("ha.probeInterval", "2s").set("ha.suspectAfter", "2s").set("ha.deadAfter", "5s").build().suspectAfter())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void deadAfterMustExceedSuspectAfter() {
        assertThatThrownBy(() -> seeded().set("ha.deadAfter", "1s").build())
                .hasMessageStartingWith("ha.deadAfter (1s) must be longer than ha.suspectAfter (1s)");
    }

    @Test
    void lagHysteresisMustBeBelowMaxReplicaLag() {
        assertThatThrownBy(() -> seeded().set("ha.maxReplicaLag", "500ms").build())
                .hasMessageStartingWith("ha.lagHysteresis (1s) must be shorter than ha.maxReplicaLag (500ms)");
        assertThat(seeded().set("ha.maxReplicaLag", "500ms").set("ha.lagHysteresis", "100ms").build().lagHysteresis())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void rejoinAndFailbackNeedPromoteMode() {
        assertThatThrownBy(() -> seeded().failoverAutoFailback(true).build())
                .hasMessageContaining("need ha.failover=promote (is observe)");
        assertThat(seeded().failover(HavenConfig.FailoverMode.PROMOTE).failoverRejoin(true).replication("repl", "pw")
                .build().failoverRejoin()).isTrue();
    }

    @Test
    void autoFailbackNeedsRejoin() {
        assertThatThrownBy(() -> seeded().failover(HavenConfig.FailoverMode.PROMOTE).failoverAutoFailback(true).build())
                .hasMessageStartingWith("ha.failover.autoFailback=true needs ha.failover.rejoin=true");
        assertThat(seeded().failover(HavenConfig.FailoverMode.PROMOTE).failoverRejoin(true).replication("r", "p")
                .failoverAutoFailback(true).build().failoverAutoFailback()).isTrue();
    }

    @Test
    void rejoinNeedsReplicationCredentialsThatAreNeverPrinted() {
        assertThatThrownBy(() -> seeded().failover(HavenConfig.FailoverMode.PROMOTE).failoverRejoin(true).build())
                .hasMessageStartingWith("ha.failover.rejoin=true needs ha.replication.user");
        assertThatThrownBy(() -> seeded().set("ha.replication.password", "x").build())
                .hasMessage("ha.replication.password is set but ha.replication.user is not");
        HavenConfig c = seeded().replication("repl", "r3pl-Secret").build();
        assertThat(c.replicationUser()).isEqualTo("repl");
        assertThat(c.toString()).doesNotContain("r3pl-Secret").contains("ha.replication.password=****");
    }

    @Test
    void passwordNeverPrinted() {
        String secret = "s3cr3t-Pa55";
        HavenConfig c = seeded().admin("haven", secret).build();
        assertThat(c.adminPassword()).isEqualTo(secret);
        assertThat(c.toString()).doesNotContain(secret).contains("ha.admin.password=****").contains("ha.admin.user=haven");

        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> seeded().set("ha.admin.password", secret).build());
        assertThat(t).hasMessage("ha.admin.password is set but ha.admin.user is not");
        assertThat(t.getMessage()).doesNotContain(secret);
    }

    @Test
    void toStringShowsCanonicalValues() {
        String s = seeded().set("ha.readStrategy", "POWER_OF_TWO").set("ha.maxReplicaLag", "1500ms").build().toString();
        assertThat(s).contains("ha.seeds=db1:3306", "ha.readStrategy=power-of-two", "ha.maxReplicaLag=1500ms", "ha.failover.timeout=10s");
    }

    @Test
    void toBuilderRoundTripsAndEqualsCompareValues() {
        HavenConfig a = seeded().set("ha.zone", "z1").build();
        HavenConfig b = a.toBuilder().build();
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(a.toBuilder().set("ha.zone", "z2").build()).isNotEqualTo(a);
        assertThat(a.zone()).isEqualTo("z1");
    }

    @Test
    void settingsTableDescribesEveryKeyOnce() {
        List<Setting> settings = HavenConfig.settings();
        Set<String> keys = new HashSet<>();
        for (Setting s : settings) {
            assertThat(keys.add(s.key())).as("duplicate %s", s.key()).isTrue();
            assertThat(s.key()).startsWith("ha.");
            assertThat(s.description()).as(s.key()).isNotBlank().endsWith(".");
            assertThat(s.allowedValues()).as(s.key()).isNotBlank();
            if (s.defaultValue() != null) {
                // every documented default is accepted by the key's own parser
                seeded().set(s.key(), s.defaultValue());
            }
        }
        assertThat(keys).contains("ha.seeds", "ha.discovery", "ha.probeInterval", "ha.connectTimeout", "ha.probeTimeout",
                "ha.suspectAfter", "ha.deadAfter", "ha.initialGrace", "ha.recoverAfter", "ha.maxReplicaLag",
                "ha.lagHysteresis", "ha.readStrategy", "ha.zone", "ha.zones", "ha.promotion", "ha.readFallback",
                "ha.routing", "ha.consistency", "ha.consistency.timeout", "ha.failover", "ha.failover.timeout",
                "ha.failover.minInterval", "ha.failover.maxDataLoss", "ha.failover.rejoin", "ha.failover.autoFailback",
                "ha.admin.user", "ha.admin.password");
        Setting strategy = settings.stream().filter(s -> s.key().equals("ha.readStrategy")).findFirst().orElseThrow();
        assertThat(strategy.choices()).containsExactly("round-robin", "power-of-two", "least-outstanding", "latency-weighted");
        assertThat(strategy.defaultValue()).isEqualTo("round-robin");
        Setting seeds = settings.stream().filter(s -> s.key().equals("ha.seeds")).findFirst().orElseThrow();
        assertThat(seeds.required()).isTrue();
        Setting password = settings.stream().filter(s -> s.key().equals("ha.admin.password")).findFirst().orElseThrow();
        assertThat(password.secret()).isTrue();
    }
}
