package dev.skyloom.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.local.cloud.LocalCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Project member roles through the local API Gateway (decision 0300): a viewer reads, an editor writes tasks, an
 * owner manages the project; a non-member does not see the project; the tenant admin key is not bound by roles.
 * And deleting a project removes its tasks.
 */
class ProjectAccessIT {
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path dataDir;

    @Test
    void projectRoles_areEnforced_andDeletingAProject_removesItsTasks() throws Exception {
        try (LocalCloud cloud = PlatformIT.start(dataDir)) {
            ApiClient api = new ApiClient(cloud.apiEndpoint().orElseThrow());
            String admin = api.newTenant(Files.readString(dataDir.resolve("admin.key")).trim(), "acme");
            String olivia = login(api, admin, "olivia@example.com");
            String vic = login(api, admin, "vic@example.com");
            String ed = login(api, admin, "ed@example.com");
            String stan = login(api, admin, "stan@example.com");
            String vicId = api.get("/api/v1/me", vic).json().path("userId").asText();
            String edId = api.get("/api/v1/me", ed).json().path("userId").asText();

            ApiClient.Response project = api.post("/api/v1/projects", olivia, "{\"name\":\"Website\"}");
            assertThat(project.status()).as(project.toString()).isEqualTo(201);
            String id = project.json().path("id").asText();
            String p = "/api/v1/projects/" + id;
            assertThat(api.send("PUT", p + "/members/" + vicId, olivia, "{\"role\":\"viewer\"}").status())
                    .isEqualTo(200);
            assertThat(api.send("PUT", p + "/members/" + edId, olivia, "{\"role\":\"editor\"}").status())
                    .isEqualTo(200);

            // viewer: reads, cannot write
            assertThat(api.get(p, vic).status()).isEqualTo(200);
            assertThat(api.get(p + "/tasks", vic).status()).isEqualTo(200);
            ApiClient.Response viewerWrites = api.post(p + "/tasks", vic, "{\"title\":\"by a viewer\"}");
            assertThat(viewerWrites.status()).as(viewerWrites.toString()).isEqualTo(403);
            assertThat(viewerWrites.json().path("error").path("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(viewerWrites.json().path("error").path("message").asText())
                    .isEqualTo("Your role in project " + id + " is viewer; to create tasks you need editor or owner");

            // editor: writes tasks, cannot change the project, its members, or delete it
            ApiClient.Response task = api.post(p + "/tasks", ed, "{\"title\":\"by an editor\"}");
            assertThat(task.status()).as(task.toString()).isEqualTo(201);
            assertThat(api.send("PUT", p + "/tasks/" + task.json().path("id").asText(), ed,
                    "{\"title\":\"renamed\",\"status\":\"todo\"}").status()).isEqualTo(200);
            assertThat(api.send("PUT", p, ed, "{\"name\":\"Mine now\"}").status()).isEqualTo(403);
            assertThat(api.send("PUT", p + "/members/" + edId, ed, "{\"role\":\"owner\"}").status()).isEqualTo(403);
            assertThat(api.send("DELETE", p, ed, null).status()).isEqualTo(403);

            // non-member: the project does not exist for them
            assertThat(api.get(p, stan).status()).isEqualTo(404);
            assertThat(api.get(p + "/tasks", stan).status()).isEqualTo(404);
            assertThat(api.post(p + "/tasks", stan, "{\"title\":\"x\"}").status()).isEqualTo(404);
            assertThat(api.get("/api/v1/projects", stan).json().path("items")).isEmpty();
            assertThat(api.get("/api/v1/projects", vic).json().path("items")).hasSize(1);

            // the tenant admin key (scope *) is not bound by project roles, nor is a narrow key a tenant admin
            // user minted (keys are bound exactly when their creator is)
            assertThat(api.get(p, admin).status()).isEqualTo(200);
            assertThat(api.post("/api/v1/users", admin, "{\"email\":\"root@example.com\",\"password\":\""
                    + PASSWORD + "\",\"roles\":[\"tenant-admin\"]}").status()).isEqualTo(201);
            String root = api.post("/api/v1/auth/login", null, "{\"email\":\"root@example.com\",\"password\":\""
                    + PASSWORD + "\"}").json().path("accessToken").asText();
            String ciKey = api.post("/api/v1/api-keys", root, "{\"name\":\"ci\",\"scopes\":[\"projects:read\","
                    + "\"tasks:read\"]}").json().path("token").asText();
            assertThat(api.get(p + "/tasks", ciKey).status()).isEqualTo(200);
            assertThat(api.post(p + "/tasks", ciKey, "{\"title\":\"x\"}").status()).isEqualTo(403);

            // delete: the owner deletes the project, its tasks go with it
            for (int i = 0; i < 5; i++) {
                assertThat(api.post(p + "/tasks", olivia, "{\"title\":\"t" + i + "\"}").status()).isEqualTo(201);
            }
            ApiClient.Response deleted = api.send("DELETE", p, olivia, null);
            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
            assertThat(api.get(p, olivia).status()).isEqualTo(404);
            assertThat(api.get(p + "/tasks", admin).status()).isEqualTo(404);
            assertThat(api.get("/api/v1/projects", admin).json().path("items")).isEmpty();
            try (DynamoDbClient dynamoDb = PlatformIT.dynamoDb(cloud.edgeEndpoint())) {
                assertThat(dynamoDb.query(b -> b.tableName("skyloom-main").consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("TENANT#acme"),
                                ":prefix", AttributeValue.fromS("TASK#" + id + "#")))).items()).isEmpty();
                assertThat(dynamoDb.getItem(b -> b.tableName("skyloom-main").consistentRead(true).key(Map.of(
                        "pk", AttributeValue.fromS("TENANT#acme"), "sk", AttributeValue.fromS("PROJECT#" + id))))
                        .item()).isEmpty();
            }
        }
    }

    /** Creates a user with the tenant role editor and answers an access token of theirs. */
    private static String login(ApiClient api, String admin, String email) {
        ApiClient.Response created = api.post("/api/v1/users", admin, "{\"email\":\"" + email + "\",\"password\":\""
                + PASSWORD + "\",\"roles\":[\"editor\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        ApiClient.Response login = api.post("/api/v1/auth/login", null, "{\"email\":\"" + email
                + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return login.json().path("accessToken").asText();
    }
}
