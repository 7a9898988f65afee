package dev.skyloom.core.identity;

import java.time.Instant;

/** A tenant: every object other than the platform's own belongs to exactly one. */
public record Tenant(TenantId id, String name, String status, Instant createdAt) {
}
