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
    void aPasswordSettingNeverAppearsInTheError() {
        assertThatThrownBy(() -> HaDataSource.builder().url("jdbc:ha:mariadb://127.0.0.1:9/app")
                .setting("ha.admin.password", "s3cret-Value").setting("ha.probeInterval", "1x").build())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(String.valueOf(e)).doesNotContain("s3cret-Value"));
    }
}
