package ai.lepton.api;

import java.time.Instant;

/**
 * A project: datasets, jobs and models live in one.
 *
 * @param departmentId the department it belongs to, or null for the organization itself
 */
public record Project(String id, String organizationId, String departmentId, String name,
    String description, Instant createdAt) {}
