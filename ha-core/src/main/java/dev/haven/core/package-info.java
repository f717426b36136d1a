/**
 * Haven's engine: the topology model, discovery, failure detection, routing and failover rules.
 * Knows no vendor driver, no pool and no Spring.
 */
package dev.haven.core;
