/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips a test class or method, with the reason from {@link DockerSupport#unavailableReason()},
 * where no Docker engine is reachable. Class-level skips happen before {@code @BeforeAll}, so no
 * container is started, and Maven's Surefire/Failsafe count every test of the class as skipped.
 *
 * <pre>{@code
 * @RequiresDocker
 * class MySqlReplicationClusterIT { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(DockerCondition.class)
public @interface RequiresDocker {
}
