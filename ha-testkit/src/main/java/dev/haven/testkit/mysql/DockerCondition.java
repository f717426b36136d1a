/*
 * Copyright 2025 the Haven authors.
 * Licensed under the Apache License, Version 2.0: https://www.apache.org/licenses/LICENSE-2.0
 */
package dev.haven.testkit.mysql;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The condition behind {@link RequiresDocker}. */
final class DockerCondition implements ExecutionCondition {

    private static final Logger log = LoggerFactory.getLogger(DockerCondition.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerSupport.isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("Docker is available");
        }
        String reason = "Docker is required and unavailable: " + DockerSupport.unavailableReason();
        // the build log shows this even with mvn -q, where test counts are not printed
        log.warn("Skipping {}: {}", context.getDisplayName(), reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
