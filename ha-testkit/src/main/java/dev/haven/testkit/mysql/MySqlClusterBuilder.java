/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import static dev.haven.testkit.mysql.MySqlSupport.checkDistinctUsers;
import static dev.haven.testkit.mysql.MySqlSupport.checkName;
import static dev.haven.testkit.mysql.MySqlSupport.checkPassword;
import static dev.haven.testkit.mysql.MySqlSupport.randomPassword;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The settings every Testcontainers MySQL cluster shares (image, schema, accounts, start-up timeout), checked at
 * once, and how such a cluster is started: containers in parallel, then its own configuration, everything stopped
 * again on failure. {@link MySqlReplicationCluster.Builder} and {@link MySqlGroupReplicationCluster.Builder} add
 * their own settings.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class MySqlClusterBuilder<B extends MySqlClusterBuilder<B>> {

    String image = MySqlSupport.DEFAULT_IMAGE;
    String database = "app";
    String appUser = "app";
    String appPassword = randomPassword();
    String adminUser = "haven_admin";
    String adminPassword = randomPassword();
    Duration startupTimeout = Duration.ofMinutes(3);

    MySqlClusterBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The Docker image, MySQL 8.4 or later; default {@code mysql:8.4}. */
    public B image(String image) {
        this.image = Objects.requireNonNull(image, "image");
        return self();
    }

    /** The schema to create; letters, digits and {@code _}; default {@code app}. */
    public B database(String database) {
        this.database = checkName("database", database);
        return self();
    }

    /** The application user and password; default {@code app} with a random password. */
    public B appUser(String user, String password) {
        this.appUser = checkName("appUser", user);
        this.appPassword = checkPassword("appPassword", password);
        return self();
    }

    /** The admin user and password; default {@code haven_admin} with a random password. */
    public B adminUser(String user, String password) {
        this.adminUser = checkName("adminUser", user);
        this.adminPassword = checkPassword("adminPassword", password);
        return self();
    }

    /** How long each container and then the cluster's own set-up may take; default 3 min. */
    public B startupTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "startupTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be > 0, got " + timeout);
        }
        this.startupTimeout = timeout;
        return self();
    }

    /** What a cluster does once its containers run (users, replication or the group), closing on failure. */
    interface Setup<C extends AutoCloseable> {
        void configure(C cluster) throws Exception;
    }

    /**
     * Starts {@code nodes} in parallel and runs {@code setup} on {@code cluster}; call {@link #checkStartable} first.
     *
     * @param what         the cluster, for the error message ("MySQL group (mysql:8.4, 3 member(s))")
     * @throws IllegalStateException if Docker is unavailable or the set-up fails; every container is stopped again
     */
    <C extends AutoCloseable> C start(String what, List<MySQLContainer> nodes, C cluster,
                                      Setup<C> setup) {
        try {
            Startables.deepStart(nodes).join();
            setup.configure(cluster);
        } catch (Exception e) {
            try {
                cluster.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(what + " failed to start: " + cause.getMessage(), cause);
        }
        return cluster;
    }

    /** Fails before anything starts when the accounts clash or there is no Docker. */
    void checkStartable(String internalUser) {
        checkDistinctUsers(appUser, adminUser, internalUser);
        if (!DockerSupport.isDockerAvailable()) {
            throw new IllegalStateException("cannot start MySQL containers: " + DockerSupport.unavailableReason());
        }
    }
}
