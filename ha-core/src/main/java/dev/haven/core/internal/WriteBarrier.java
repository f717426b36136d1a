package dev.haven.core.internal;

/**
 * Holds an application's new writes back while the primary role moves ({@link Switchover}), and tells when the
 * writes in progress are done. The JDBC layer implements it over its logical connections; core knows nothing of
 * them.
 */
public interface WriteBarrier {

    /** New writes wait (they get through again after {@link #open()}); writes in progress go on. */
    void close();

    /** New writes go through again. */
    void open();

    /** Waits until no write is in progress; false if that took longer than {@code timeoutNanos}. */
    boolean awaitDrained(long timeoutNanos) throws InterruptedException;

    /** The writes in progress now, for messages. */
    int active();
}
