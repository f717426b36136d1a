package dev.haven.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Settings given apart from the URL ({@code HaDataSource.setSetting}) are checked by the one configuration. */
class HaDataSourceSettingsTest {

    @Test
    void anInvalidSettingFailsTheStartNamingKeyAndValue() {
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app")
                .setting("ha.maxReplicaLag", "soon").build())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("ha.maxReplicaLag")
                .hasMessageContaining("soon");
    }

    @Test
    void aSettingOverridesTheUrlsValue() {
        // the URL's value is valid, the setting's is not: the setting is the one checked
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app?ha.routing=auto")
                .setting("ha.routing", "sometimes").build())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("sometimes");
    }

    @Test
    void onlyHavenKeysAreSettings() {
        assertThatThrownBy(() -> new HaDataSource().setSetting("sslMode", "REQUIRED"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sslMode");
    }

    @Test
    void aFencerInstanceNeedsPromoteModeAndNoFencerClassBesideIt() {
        dev.haven.core.PrimaryFencer fencer = (primary, serverId) -> { };
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app").fencer(fencer).build())
                .isInstanceOf(SQLException.class)
                .hasMessage("invalid Haven settings: a PrimaryFencer (PrimaryFencer) needs ha.failover=promote"
                        + " (is observe): only a promoting instance fences the old primary")
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((SQLException) e).getSQLState())
                        .isEqualTo("08001"));
        String fencerClass = NoFencer.class.getName();
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app?ha.failover=promote"
                        + "&ha.admin.user=admin&ha.failover.fencer=" + fencerClass).fencer(fencer).build())
                .isInstanceOf(SQLException.class)
                .hasMessage("invalid Haven settings: two fencers: ha.failover.fencer is '" + fencerClass
                        + "' and a PrimaryFencer (PrimaryFencer) was given as well; keep one");
    }

    @Test
    void aFencerIsGivenBeforeTheStartOnly() throws SQLException {
        try (HaDataSource ds = HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app?ha.failover=promote"
                + "&ha.admin.user=admin").fencer(new NoFencer()).build()) {
            org.assertj.core.api.Assertions.assertThat(ds.getFencer()).isInstanceOf(NoFencer.class);
            assertThatThrownBy(() -> ds.setFencer(null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already started");
        }
    }

    /** A fencer with nothing to do, for the checks above. */
    public static final class NoFencer implements dev.haven.core.PrimaryFencer {
        @Override
        public void fence(dev.haven.core.NodeAddress primary, long serverId) {
        }
    }

    @Test
    void aPasswordSettingNeverAppearsInTheError() {
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app")
                .setting("ha.admin.password", "s3cret-Value").setting("ha.probeInterval", "1x").build())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(String.valueOf(e)).doesNotContain("s3cret-Value"));
    }
}
