package dev.skyloom.aws;

/**
 * The key design of the main table (see docs/decisions/0003-data-model.md). Every item of a tenant carries the
 * tenant in its partition key or in the index key it is found by.
 */
final class MainTableKeys {
    static final String PK = "pk";
    static final String SK = "sk";
    static final String GSI1 = "gsi1";
    static final String GSI1_PK = "gsi1pk";
    static final String GSI1_SK = "gsi1sk";

    static final String PLATFORM_PK = "PLATFORM";
    static final String BOOTSTRAP_SK = "BOOTSTRAP";
    static final String TENANT_SK = "TENANT";
    static final String API_KEY_SK = "APIKEY";

    private MainTableKeys() {
    }

    static String tenant(String tenantId) {
        return "TENANT#" + tenantId;
    }

    static String user(String userId) {
        return "USER#" + userId;
    }

    static String email(String email) {
        return "EMAIL#" + email;
    }

    static String apiKey(String keyId) {
        return "APIKEY#" + keyId;
    }

    /** The sort key of a document in a collection of a tenant's partition. */
    static String document(String collection, String id) {
        return collection + "#" + id;
    }

    static String tenantApiKeys(String tenantId) {
        return "TENANT#" + tenantId + "#APIKEYS";
    }
}
