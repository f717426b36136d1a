package dev.haven.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Runs after every other integration test class of this module: every server the suite started is gone. */
@Order(Integer.MAX_VALUE)
class NoServerLeftIT {

    @Test
    void everyMariadbdStartedByTheSuiteHasExited() {
        assertThat(ProcessRegistry.startedPids()).as("servers started by this suite").isNotEmpty();
        for (long pid : ProcessRegistry.startedPids()) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("mariadbd %d is still running", pid).isFalse();
        }
    }
}
