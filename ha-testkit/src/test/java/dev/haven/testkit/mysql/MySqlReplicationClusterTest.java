/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cluster builders' checks, which need no Docker. */
class MySqlReplicationClusterTest {

    @Test
    void builderRejectsBadValuesAtOnceNamingTheKey() {
        MySqlReplicationCluster.Builder b = MySqlReplicationCluster.builder();
        assertThatThrownBy(() -> b.replicas(-1)).hasMessageContaining("replicas").hasMessageContaining("-1");
        assertThatThrownBy(() -> b.replicas(10)).hasMessageContaining("replicas");
        assertThatThrownBy(() -> b.database("app; DROP")).hasMessageContaining("database");
        assertThatThrownBy(() -> b.appUser("o'brien", "long-enough"))
                .hasMessageContaining("appUser");
        assertThatThrownBy(() -> b.adminUser("admin", "short"))
                .hasMessageContaining("adminPassword").hasMessageNotContaining("short");
        assertThatThrownBy(() -> b.appUser("app", "it's-a-secret"))
                .hasMessageContaining("appPassword").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> b.startupTimeout(Duration.ZERO))
                .hasMessageContaining("startupTimeout");
        assertThatThrownBy(() -> MySqlReplicationCluster.builder()
                .appUser("same", "password1").adminUser("same", "password2").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must all differ");
    }

    @Test
    void groupBuilderRejectsBadValuesAtOnceNamingTheKey() {
        MySqlGroupReplicationCluster.Builder b = MySqlGroupReplicationCluster.builder();
        assertThatThrownBy(() -> b.members(0)).hasMessageContaining("members");
        assertThatThrownBy(() -> b.members(10)).hasMessageContaining("members");
        assertThatThrownBy(() -> b.database("a-b")).hasMessageContaining("database");
        assertThatThrownBy(() -> b.appUser("root", "password1").adminUser("x", "password2").start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must all differ");
    }

    @Test
    void startWithoutDockerFailsWithTheReason() {
        Assumptions.assumeFalse(DockerSupport.isDockerAvailable(), "Docker is available here");
        assertThatThrownBy(() -> MySqlReplicationCluster.builder().start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(DockerSupport.unavailableReason());
        assertThatThrownBy(() -> MySqlGroupReplicationCluster.builder().start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(DockerSupport.unavailableReason());
    }
}
