package dev.haven.testkit;

import org.opentest4j.TestAbortedException;

/**
 * The chosen server cannot run on this machine (MySQL without the system's {@code libaio.so.1}). It is an
 * opentest4j {@link TestAbortedException}, so a test that starts a {@link LocalCluster} itself is skipped with this
 * reason rather than failed; elsewhere (the launcher, the drill) it is an error with the same message.
 */
public final class ServerUnavailableException extends TestAbortedException {

    private static final long serialVersionUID = 1L;

    ServerUnavailableException(String reason) {
        super(reason);
    }
}
