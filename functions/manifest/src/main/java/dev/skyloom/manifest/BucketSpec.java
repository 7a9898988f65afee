package dev.skyloom.manifest;

/**
 * An S3 bucket: private, TLS only, versioned.
 *
 * @param expireAfterDays current objects expire after this many days; 0 keeps them forever
 * @param noncurrentVersionExpireDays old versions expire after this many days
 */
public record BucketSpec(String name, String description, int expireAfterDays, int noncurrentVersionExpireDays) {
    public BucketSpec {
        Names.requireLogical("bucket", name);
        Names.requireRange("expireAfterDays of bucket " + name, expireAfterDays, 0, 3650);
        Names.requireRange("noncurrentVersionExpireDays of bucket " + name, noncurrentVersionExpireDays, 1, 3650);
    }
}
