/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DockerSupportTest {

    @Test
    void answersOnceWithAReasonAndNeverThrows() {
        long start = System.nanoTime();
        boolean available = DockerSupport.isDockerAvailable();
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("DockerSupport probe: available=" + available + " in " + firstMillis
                + " ms: " + DockerSupport.unavailableReason());

        assertThat(DockerSupport.isDockerAvailable()).as("cached answer").isEqualTo(available);
        assertThat(DockerSupport.unavailableReason()).isNotBlank();
        if (available) {
            assertThat(DockerSupport.unavailableReason()).isEqualTo("Docker is available");
        } else {
            assertThat(DockerSupport.unavailableReason()).isNotEqualTo("Docker is available");
        }
    }
}
