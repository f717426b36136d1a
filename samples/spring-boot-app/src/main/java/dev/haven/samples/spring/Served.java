package dev.haven.samples.spring;

/**
 * A response body: the data, and the {@code @@server_id} of the database server the transaction ran on (a replica
 * for reads, the primary for writes).
 */
public record Served<T>(long serverId, T data) {
}
