/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;

/**
 * Whether Testcontainers can reach a Docker engine on this machine, asked once per JVM.
 *
 * <p>Tests that need Docker skip themselves with {@link #unavailableReason()} as the stated reason:
 *
 * <pre>{@code
 * @BeforeAll
 * static void requireDocker() {
 *     Assumptions.assumeTrue(DockerSupport.isDockerAvailable(), DockerSupport::unavailableReason);
 * }
 * }</pre>
 *
 * <p>The probe never throws: any failure, including a missing class or an engine that does not
 * answer within {@value #PROBE_TIMEOUT_SECONDS} s, counts as "no Docker". Where no engine is
 * configured at all (no {@code DOCKER_HOST}, no socket) Testcontainers gives up within a second or
 * two.
 */
public final class DockerSupport {

    /** How long the probe may take before Docker is declared unavailable. */
    public static final int PROBE_TIMEOUT_SECONDS = 20;

    private static volatile Probe probe;

    private DockerSupport() {
    }

    /** True if Testcontainers found a working Docker engine. */
    public static boolean isDockerAvailable() {
        return probe().available;
    }

    /**
     * Why Docker is considered unavailable, for skip messages; a short "Docker is available"
     * otherwise.
     */
    public static String unavailableReason() {
        return probe().reason;
    }

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (DockerSupport.class) {
                p = probe;
                if (p == null) {
                    p = runProbe();
                    probe = p;
                }
            }
        }
        return p;
    }

    private static Probe runProbe() {
        CompletableFuture<Boolean> check = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                check.complete(DockerClientFactory.instance().isDockerAvailable());
            } catch (Throwable e) { // NoClassDefFoundError and the like included
                check.completeExceptionally(e);
            }
        }, "haven-docker-probe");
        t.setDaemon(true);
        t.start();
        try {
            if (check.get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return new Probe(true, "Docker is available");
            }
            String dockerHost = System.getenv("DOCKER_HOST");
            return new Probe(false, "Testcontainers found no Docker engine ("
                    + (dockerHost == null ? "DOCKER_HOST is not set" : "DOCKER_HOST=" + dockerHost)
                    + "; its log lists each place it tried)");
        } catch (TimeoutException e) {
            return new Probe(false, "the Docker engine did not answer within "
                    + PROBE_TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            return new Probe(false, "checking for Docker failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(false, "interrupted while checking for Docker");
        } catch (RuntimeException | LinkageError e) {
            return new Probe(false, "checking for Docker failed: " + e);
        }
    }

    private static final class Probe {
        final boolean available;
        final String reason;

        Probe(boolean available, String reason) {
            this.available = available;
            this.reason = reason;
        }
    }
}
