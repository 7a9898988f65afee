package dev.skyloom.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.ApiRequest;
import dev.skyloom.core.api.ApiResponse;
import dev.skyloom.core.api.Cursor;
import dev.skyloom.core.api.Json;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.api.Router;
import dev.skyloom.core.identity.IdentityService;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.identity.StoredApiKey;
import dev.skyloom.core.identity.TenantId;
import dev.skyloom.core.identity.User;
import dev.skyloom.core.identity.UserService;
import dev.skyloom.core.usage.LlmCallStore;
import dev.skyloom.core.usage.UsageDay;
import dev.skyloom.core.usage.UsageService;
import dev.skyloom.core.resources.Agent;
import dev.skyloom.core.resources.AgentService;
import dev.skyloom.core.resources.Check;
import dev.skyloom.core.resources.Documents;
import dev.skyloom.core.resources.Project;
import dev.skyloom.core.resources.ProjectService;
import dev.skyloom.core.resources.Stored;
import dev.skyloom.core.resources.Task;
import dev.skyloom.core.resources.TaskService;
import dev.skyloom.core.resources.Pipeline;
import dev.skyloom.core.resources.PipelineService;
import dev.skyloom.core.resources.Skill;
import dev.skyloom.core.runs.RunService;
import dev.skyloom.core.resources.SkillService;
import dev.skyloom.core.secrets.Secret;
import dev.skyloom.core.secrets.SecretService;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every route of the REST API under {@code /api/v1}: its scope, and a short handler that parses, calls a service
 * and maps the result. Authentication, scopes, size limits and errors are {@link dev.skyloom.core.api.Api}'s.
 */
final class ApiRoutes {
    static final String V1 = "/api/v1";

    private ApiRoutes() {
    }

    /** The services the routes call. */
    record Services(Supplier<JsonNode> health, IdentityService identity, ProjectService projects,
                    AgentService agents, TaskService tasks, SecretService secrets, SkillService skills,
                    PipelineService pipelines, UserService users, UsageService usage) {
    }

    record TenantInput(String id, String name) {
    }

    record ApiKeyInput(String name, List<String> scopes, String expiresAt, Integer rateLimitPerMinute) {
    }

    /** The body of {@code POST /swarms}, for the OpenAPI document ({@link dev.skyloom.core.swarm.SwarmValidator} reads it). */
    record SwarmInput(List<SwarmTaskInput> tasks, String goal, String planner, Integer maxConcurrent,
                      String failurePolicy, Integer globalTimeoutSeconds, SwarmBudget budget, String name,
                      String projectId) {
    }

    record SwarmTaskInput(String key, String title, String prompt, String agent, List<String> dependencies,
                          Integer timeoutSeconds, String model) {
    }

    record SwarmBudget(Double maxDollars, Long maxTokens) {
    }

    /** The request body of each route that reads one, for the OpenAPI document. */
    static final java.util.Map<String, Class<?>> BODIES = java.util.Map.ofEntries(
            java.util.Map.entry("POST " + V1 + "/auth/login", UserService.Login.class),
            java.util.Map.entry("POST " + V1 + "/auth/refresh", UserService.Refresh.class),
            java.util.Map.entry("POST " + V1 + "/users", UserService.NewUser.class),
            java.util.Map.entry("PUT " + V1 + "/users/{userId}", UserService.UserUpdate.class),
            java.util.Map.entry("POST " + V1 + "/me/password", UserService.PasswordChange.class),
            java.util.Map.entry("POST " + V1 + "/tenants", TenantInput.class),
            java.util.Map.entry("POST " + V1 + "/api-keys", ApiKeyInput.class),
            java.util.Map.entry("POST " + V1 + "/projects", Project.Input.class),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}", Project.Input.class),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}/members/{userId}", Project.MemberInput.class),
            java.util.Map.entry("POST " + V1 + "/projects/{projectId}/tasks", Task.Input.class),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}/tasks/{taskId}", Task.Input.class),
            java.util.Map.entry("POST " + V1 + "/projects/{projectId}/tasks/{taskId}/claim", Task.Claim.class),
            java.util.Map.entry("POST " + V1 + "/agents", Agent.class),
            java.util.Map.entry("PUT " + V1 + "/agents/{agentId}", Agent.class),
            java.util.Map.entry("POST " + V1 + "/secrets", Secret.Input.class),
            java.util.Map.entry("PUT " + V1 + "/secrets/{name}/value", Secret.Rotation.class),
            java.util.Map.entry("POST " + V1 + "/skills", Skill.Input.class),
            java.util.Map.entry("PUT " + V1 + "/skills/{name}", Skill.Input.class),
            java.util.Map.entry("POST " + V1 + "/pipelines/validate", Pipeline.Input.class),
            java.util.Map.entry("POST " + V1 + "/pipelines", Pipeline.Input.class),
            java.util.Map.entry("PUT " + V1 + "/pipelines/{pipelineId}", Pipeline.Input.class),
            java.util.Map.entry("POST " + V1 + "/pipelines/{pipelineId}/runs", RunService.StartInput.class),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/approvals/{stepId}", RunService.Decision.class),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/tool-approvals/{approvalId}",
                    dev.skyloom.core.runs.RunApprovals.ToolDecision.class),
            java.util.Map.entry("POST " + V1 + "/swarms", SwarmInput.class));

    /**
     * What a route answers on success, for the OpenAPI document: the status and the schema of the body (a name in
     * {@code components/schemas}; null for no body); {@code page} wraps it in {@code {items, nextCursor}}.
     */
    record Answer(int status, String schema, boolean page) {
        static Answer of(int status, String schema) {
            return new Answer(status, schema, false);
        }

        static Answer page(String schema) {
            return new Answer(200, schema, true);
        }

        static final Answer NO_CONTENT = new Answer(204, null, false);
    }

    /** The success answer of every route (a test holds it to the router and to real answers). */
    static final java.util.Map<String, Answer> ANSWERS = java.util.Map.ofEntries(
            java.util.Map.entry("GET " + V1 + "/health", Answer.of(200, "Health")),
            java.util.Map.entry("GET " + V1 + "/openapi.json", Answer.of(200, "OpenApiDocument")),
            java.util.Map.entry("GET " + V1 + "/me", Answer.of(200, "Me")),
            java.util.Map.entry("POST " + V1 + "/me/password", Answer.NO_CONTENT),
            java.util.Map.entry("POST " + V1 + "/auth/login", Answer.of(200, "Session")),
            java.util.Map.entry("POST " + V1 + "/auth/refresh", Answer.of(200, "Session")),
            java.util.Map.entry("POST " + V1 + "/users", Answer.of(201, "User")),
            java.util.Map.entry("GET " + V1 + "/users", Answer.page("User")),
            java.util.Map.entry("GET " + V1 + "/users/{userId}", Answer.of(200, "User")),
            java.util.Map.entry("PUT " + V1 + "/users/{userId}", Answer.of(200, "User")),
            java.util.Map.entry("DELETE " + V1 + "/users/{userId}", Answer.NO_CONTENT),
            java.util.Map.entry("GET " + V1 + "/llm-calls", Answer.page("LlmCall")),
            java.util.Map.entry("GET " + V1 + "/llm-calls/{callId}", Answer.of(200, "LlmCall")),
            java.util.Map.entry("GET " + V1 + "/usage/summary", Answer.of(200, "UsageSummary")),
            java.util.Map.entry("POST " + V1 + "/tenants", Answer.of(201, "TenantCreated")),
            java.util.Map.entry("GET " + V1 + "/tenants/{tenantId}", Answer.of(200, "Tenant")),
            java.util.Map.entry("POST " + V1 + "/api-keys", Answer.of(201, "ApiKey")),
            java.util.Map.entry("GET " + V1 + "/api-keys", Answer.page("ApiKey")),
            java.util.Map.entry("DELETE " + V1 + "/api-keys/{keyId}", Answer.NO_CONTENT),
            java.util.Map.entry("POST " + V1 + "/projects", Answer.of(201, "Project")),
            java.util.Map.entry("GET " + V1 + "/projects", Answer.page("Project")),
            java.util.Map.entry("GET " + V1 + "/projects/{projectId}", Answer.of(200, "Project")),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}", Answer.of(200, "Project")),
            java.util.Map.entry("DELETE " + V1 + "/projects/{projectId}", Answer.NO_CONTENT),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}/members/{userId}", Answer.of(200, "Project")),
            java.util.Map.entry("DELETE " + V1 + "/projects/{projectId}/members/{userId}", Answer.of(200, "Project")),
            java.util.Map.entry("POST " + V1 + "/projects/{projectId}/tasks", Answer.of(201, "Task")),
            java.util.Map.entry("GET " + V1 + "/projects/{projectId}/tasks", Answer.page("Task")),
            java.util.Map.entry("GET " + V1 + "/projects/{projectId}/tasks/{taskId}", Answer.of(200, "Task")),
            java.util.Map.entry("PUT " + V1 + "/projects/{projectId}/tasks/{taskId}", Answer.of(200, "Task")),
            java.util.Map.entry("DELETE " + V1 + "/projects/{projectId}/tasks/{taskId}", Answer.NO_CONTENT),
            java.util.Map.entry("POST " + V1 + "/projects/{projectId}/tasks/{taskId}/claim", Answer.of(200, "Task")),
            java.util.Map.entry("POST " + V1 + "/agents", Answer.of(201, "Agent")),
            java.util.Map.entry("GET " + V1 + "/agents", Answer.page("Agent")),
            java.util.Map.entry("GET " + V1 + "/agents/{agentId}", Answer.of(200, "Agent")),
            java.util.Map.entry("PUT " + V1 + "/agents/{agentId}", Answer.of(200, "Agent")),
            java.util.Map.entry("DELETE " + V1 + "/agents/{agentId}", Answer.NO_CONTENT),
            java.util.Map.entry("POST " + V1 + "/secrets", Answer.of(201, "Secret")),
            java.util.Map.entry("GET " + V1 + "/secrets", Answer.page("Secret")),
            java.util.Map.entry("GET " + V1 + "/secrets/{name}", Answer.of(200, "Secret")),
            java.util.Map.entry("PUT " + V1 + "/secrets/{name}/value", Answer.of(200, "Secret")),
            java.util.Map.entry("DELETE " + V1 + "/secrets/{name}", Answer.NO_CONTENT),
            java.util.Map.entry("PUT " + V1 + "/secrets/{name}/grants/{agentId}", Answer.of(200, "Secret")),
            java.util.Map.entry("DELETE " + V1 + "/secrets/{name}/grants/{agentId}", Answer.of(200, "Secret")),
            java.util.Map.entry("POST " + V1 + "/skills", Answer.of(201, "Skill")),
            java.util.Map.entry("GET " + V1 + "/skills", Answer.page("Skill")),
            java.util.Map.entry("GET " + V1 + "/skills/{name}", Answer.of(200, "Skill")),
            java.util.Map.entry("PUT " + V1 + "/skills/{name}", Answer.of(200, "Skill")),
            java.util.Map.entry("DELETE " + V1 + "/skills/{name}", Answer.NO_CONTENT),
            java.util.Map.entry("POST " + V1 + "/pipelines/validate", Answer.of(200, "PipelineValidation")),
            java.util.Map.entry("POST " + V1 + "/pipelines", Answer.of(201, "Pipeline")),
            java.util.Map.entry("GET " + V1 + "/pipelines", Answer.page("Pipeline")),
            java.util.Map.entry("GET " + V1 + "/pipelines/{pipelineId}", Answer.of(200, "Pipeline")),
            java.util.Map.entry("PUT " + V1 + "/pipelines/{pipelineId}", Answer.of(200, "Pipeline")),
            java.util.Map.entry("DELETE " + V1 + "/pipelines/{pipelineId}", Answer.NO_CONTENT),
            java.util.Map.entry("GET " + V1 + "/pipelines/{pipelineId}/versions", Answer.page("PipelineVersion")),
            java.util.Map.entry("GET " + V1 + "/pipelines/{pipelineId}/versions/{version}",
                    Answer.of(200, "PipelineVersion")),
            // run events (docs/decisions/0600-events-ingest-and-streams.md)
            java.util.Map.entry("GET " + V1 + "/runs/{runId}/events", Answer.of(200, "RunEvents")),
            // runs of pipelines (docs/pipelines.md "Runs")
            java.util.Map.entry("POST " + V1 + "/pipelines/{pipelineId}/runs", Answer.of(202, "Run")),
            java.util.Map.entry("GET " + V1 + "/runs", Answer.page("Run")),
            java.util.Map.entry("GET " + V1 + "/runs/{runId}", Answer.of(200, "Run")),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/cancel", Answer.of(200, "Run")),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/retry", Answer.of(202, "Run")),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/approvals/{stepId}", Answer.of(200, "Run")),
            // approvals of runs, both kinds (docs/decisions/0502-tool-approvals-api.md)
            java.util.Map.entry("GET " + V1 + "/runs/{runId}/approvals", Answer.of(200, "RunApprovals")),
            java.util.Map.entry("POST " + V1 + "/runs/{runId}/tool-approvals/{approvalId}",
                    Answer.of(200, "RunApproval")),
            // swarms (docs/decisions/0700-swarm-scheduling.md "API")
            java.util.Map.entry("POST " + V1 + "/swarms", Answer.of(202, "Swarm")),
            java.util.Map.entry("GET " + V1 + "/swarms", Answer.page("Swarm")),
            java.util.Map.entry("GET " + V1 + "/swarms/{swarmId}", Answer.of(200, "Swarm")),
            java.util.Map.entry("GET " + V1 + "/swarms/{swarmId}/tasks", Answer.page("SwarmTask")),
            java.util.Map.entry("POST " + V1 + "/swarms/{swarmId}/cancel", Answer.of(200, "Swarm")),
            java.util.Map.entry("GET " + V1 + "/swarms/{swarmId}/events", Answer.of(200, "RunEvents")));

    /** The creating routes, where {@code Idempotency-Key} is honoured. */
    static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("POST " + V1 + "/tenants",
            "POST " + V1 + "/api-keys", "POST " + V1 + "/users", "POST " + V1 + "/projects",
            "POST " + V1 + "/projects/{projectId}/tasks", "POST " + V1 + "/agents", "POST " + V1 + "/secrets",
            "POST " + V1 + "/skills", "POST " + V1 + "/pipelines", "POST " + V1 + "/pipelines/{pipelineId}/runs",
            "POST " + V1 + "/swarms");

    static Router router(Services s) {
        Router r = new Router();
        r.add("GET", V1 + "/health", null, "Health of the API and every dependency", (req, p) -> healthResponse(s));
        r.add("GET", V1 + "/openapi.json", null, "This API's OpenAPI 3.1 document",
                (req, p) -> ApiResponse.ok(OpenApi.document(r)));
        r.add("GET", V1 + "/me", Router.ANY_CREDENTIAL, "The caller: tenant, user, key and scopes",
                (req, p) -> ApiResponse.ok(me(p)));

        r.add("POST", V1 + "/auth/login", null, "Log in with e-mail and password: an access token and a refresh token",
                (req, p) -> session(s.users().login(Json.read(req.body(), UserService.Login.class))));
        r.add("POST", V1 + "/auth/refresh", null, "Trade a refresh token (once) for new tokens",
                (req, p) -> session(s.users().refresh(Json.read(req.body(), UserService.Refresh.class))));
        r.add("POST", V1 + "/users", "users:write", "Create a user with a password and roles",
                (req, p) -> ApiResponse.created(userJson(s.users().create(p,
                        Json.read(req.body(), UserService.NewUser.class)))));
        r.add("GET", V1 + "/users", "users:read", "List the tenant's users",
                (req, p) -> list(req, cursor -> s.users().list(p, cursor, Cursor.limit(req)).map(ApiRoutes::userJson)));
        r.add("GET", V1 + "/users/{userId}", "users:read", "Get a user",
                (req, p) -> ApiResponse.ok(userJson(s.users().get(p, req.param("userId")))));
        r.add("PUT", V1 + "/users/{userId}", "users:write", "Replace a user's display name and roles",
                (req, p) -> ApiResponse.ok(userJson(s.users().update(p, req.param("userId"),
                        Json.read(req.body(), UserService.UserUpdate.class)))));
        r.add("POST", V1 + "/me/password", Router.ANY_CREDENTIAL,
                "Change your password (needs the current one); your refresh tokens stop working", (req, p) -> {
                    s.users().changePassword(p, Json.read(req.body(), UserService.PasswordChange.class));
                    return ApiResponse.noContent();
                });
        r.add("DELETE", V1 + "/users/{userId}", "users:delete", "Delete a user", (req, p) -> {
            s.users().delete(p, req.param("userId"));
            return ApiResponse.noContent();
        });

        r.add("GET", V1 + "/llm-calls", "usage:read",
                "List model calls, newest first (?runId=&agentId=&stepId=&model= narrow the list)",
                (req, p) -> list(req, cursor -> s.usage().list(p, new LlmCallStore.Filter(req.queryParam("runId"),
                        req.queryParam("agentId"), req.queryParam("stepId"), req.queryParam("model")), cursor,
                        Cursor.limit(req)).map(call -> (ObjectNode) Json.tree(call))));
        r.add("GET", V1 + "/llm-calls/{callId}", "usage:read", "Get one model call",
                (req, p) -> ApiResponse.ok(Json.tree(s.usage().get(p, req.param("callId")))));
        r.add("GET", V1 + "/usage/summary", "usage:read",
                "Tokens and cost in total and per day, agent or model (?from=&to= ISO dates, default the last 30 "
                        + "days; ?groupBy=day|agent|model)",
                (req, p) -> ApiResponse.ok(usageJson(s.usage().summary(p, req.queryParam("from"),
                        req.queryParam("to"), req.queryParam("groupBy")))));

        r.add("POST", V1 + "/tenants", "tenants:create", "Create a tenant and its first admin API key (shown once)",
                (req, p) -> createTenant(s, req, p));
        r.add("GET", V1 + "/tenants/{tenantId}", "tenants:read", "Get a tenant (your own, or any as platform admin)",
                (req, p) -> getTenant(s, req, p));

        r.add("POST", V1 + "/api-keys", "api-keys:create", "Create an API key (the token is shown once)",
                (req, p) -> createApiKey(s, req, p));
        r.add("GET", V1 + "/api-keys", "api-keys:read", "List the tenant's API keys (never their secrets)",
                (req, p) -> list(req, cursor -> s.identity().listApiKeys(p, cursor, Cursor.limit(req))
                        .map(ApiRoutes::apiKeyJson)));
        r.add("DELETE", V1 + "/api-keys/{keyId}", "api-keys:delete", "Revoke an API key", (req, p) -> {
            s.identity().revokeApiKey(p, req.param("keyId"));
            return ApiResponse.noContent();
        });

        r.add("POST", V1 + "/projects", "projects:write", "Create a project (the caller becomes its owner)",
                (req, p) -> created(s.projects().create(p, Json.read(req.body(), Project.Input.class))));
        r.add("GET", V1 + "/projects", "projects:read", "List projects",
                (req, p) -> list(req, cursor -> s.projects().list(p, cursor, Cursor.limit(req)).map(Stored::toJson)));
        r.add("GET", V1 + "/projects/{projectId}", "projects:read", "Get a project",
                (req, p) -> ok(s.projects().get(p, req.param("projectId"))));
        r.add("PUT", V1 + "/projects/{projectId}", "projects:write", "Replace a project's name, description, board",
                (req, p) -> ok(s.projects().replace(p, req.param("projectId"),
                        Json.read(req.body(), Project.Input.class), ifMatch(req))));
        r.add("DELETE", V1 + "/projects/{projectId}", "projects:delete", "Delete a project", (req, p) -> {
            s.projects().delete(p, req.param("projectId"), ifMatch(req));
            return ApiResponse.noContent();
        });
        r.add("PUT", V1 + "/projects/{projectId}/members/{userId}", "projects:write",
                "Add a member or change their role (owner, editor, viewer)",
                (req, p) -> ok(s.projects().putMember(p, req.param("projectId"), req.param("userId"),
                        Json.read(req.body(), Project.MemberInput.class), ifMatch(req))));
        r.add("DELETE", V1 + "/projects/{projectId}/members/{userId}", "projects:write", "Remove a member",
                (req, p) -> ok(s.projects().removeMember(p, req.param("projectId"), req.param("userId"),
                        ifMatch(req))));

        r.add("POST", V1 + "/projects/{projectId}/tasks", "tasks:write", "Create a task on the project's board",
                (req, p) -> created(s.tasks().create(p, req.param("projectId"),
                        Json.read(req.body(), Task.Input.class))));
        r.add("GET", V1 + "/projects/{projectId}/tasks", "tasks:read", "List the board's tasks",
                (req, p) -> list(req, cursor -> s.tasks().list(p, req.param("projectId"), cursor, Cursor.limit(req))
                        .map(Stored::toJson)));
        r.add("GET", V1 + "/projects/{projectId}/tasks/{taskId}", "tasks:read", "Get a task",
                (req, p) -> ok(s.tasks().get(p, req.param("projectId"), req.param("taskId"))));
        r.add("PUT", V1 + "/projects/{projectId}/tasks/{taskId}", "tasks:write",
                "Replace a task (status must be a column of the board)",
                (req, p) -> ok(s.tasks().replace(p, req.param("projectId"), req.param("taskId"),
                        Json.read(req.body(), Task.Input.class), ifMatch(req))));
        r.add("DELETE", V1 + "/projects/{projectId}/tasks/{taskId}", "tasks:delete", "Delete a task", (req, p) -> {
            s.tasks().delete(p, req.param("projectId"), req.param("taskId"), ifMatch(req));
            return ApiResponse.noContent();
        });
        r.add("POST", V1 + "/projects/{projectId}/tasks/{taskId}/claim", "tasks:claim",
                "Claim a task for an agent; exactly one of concurrent claims wins, the others get 409",
                (req, p) -> ok(s.tasks().claim(p, req.param("projectId"), req.param("taskId"),
                        Json.read(req.body(), Task.Claim.class))));

        r.add("POST", V1 + "/agents", "agents:write", "Create an agent",
                (req, p) -> created(s.agents().create(p, Json.read(req.body(), Agent.class))));
        r.add("GET", V1 + "/agents", "agents:read", "List agents",
                (req, p) -> list(req, cursor -> s.agents().list(p, cursor, Cursor.limit(req)).map(Stored::toJson)));
        r.add("GET", V1 + "/agents/{agentId}", "agents:read", "Get an agent",
                (req, p) -> ok(s.agents().get(p, req.param("agentId"))));
        r.add("PUT", V1 + "/agents/{agentId}", "agents:write", "Replace an agent",
                (req, p) -> ok(s.agents().replace(p, req.param("agentId"), Json.read(req.body(), Agent.class),
                        ifMatch(req))));
        r.add("DELETE", V1 + "/agents/{agentId}", "agents:delete", "Delete an agent", (req, p) -> {
            s.agents().delete(p, req.param("agentId"), ifMatch(req));
            return ApiResponse.noContent();
        });
        r.add("POST", V1 + "/secrets", "secrets:write", "Create a secret (the value is sealed; never returned)",
                (req, p) -> ApiResponse.created(secretJson(s.secrets().create(p,
                        Json.read(req.body(), Secret.Input.class)))));
        r.add("GET", V1 + "/secrets", "secrets:read", "List secrets (names and metadata, never values)",
                (req, p) -> list(req, cursor -> s.secrets().list(p, cursor, Cursor.limit(req))
                        .map(ApiRoutes::secretJson)));
        r.add("GET", V1 + "/secrets/{name}", "secrets:read", "Get a secret's metadata (never its value)",
                (req, p) -> secret(s.secrets().get(p, req.param("name"))));
        r.add("PUT", V1 + "/secrets/{name}/value", "secrets:write", "Rotate a secret's value",
                (req, p) -> secret(s.secrets().rotate(p, req.param("name"),
                        Json.read(req.body(), Secret.Rotation.class), ifMatch(req))));
        r.add("DELETE", V1 + "/secrets/{name}", "secrets:delete", "Delete a secret", (req, p) -> {
            s.secrets().delete(p, req.param("name"), ifMatch(req));
            return ApiResponse.noContent();
        });
        r.add("PUT", V1 + "/secrets/{name}/grants/{agentId}", "secrets:grant", "Grant a secret to an agent",
                (req, p) -> secret(s.secrets().grant(p, req.param("name"), req.param("agentId"), ifMatch(req))));
        r.add("DELETE", V1 + "/secrets/{name}/grants/{agentId}", "secrets:grant", "Revoke a secret from an agent",
                (req, p) -> secret(s.secrets().revoke(p, req.param("name"), req.param("agentId"), ifMatch(req))));
        r.add("POST", V1 + "/skills", "skills:write", "Create a skill from Markdown with front matter",
                (req, p) -> created(s.skills().create(p, Json.read(req.body(), Skill.Input.class))));
        r.add("GET", V1 + "/skills", "skills:read", "List skills",
                (req, p) -> list(req, cursor -> s.skills().list(p, cursor, Cursor.limit(req)).map(Stored::toJson)));
        r.add("GET", V1 + "/skills/{name}", "skills:read", "Get a skill",
                (req, p) -> ok(s.skills().get(p, req.param("name"))));
        r.add("PUT", V1 + "/skills/{name}", "skills:write", "Replace a skill's Markdown",
                (req, p) -> ok(s.skills().replace(p, req.param("name"), Json.read(req.body(), Skill.Input.class),
                        ifMatch(req))));
        r.add("DELETE", V1 + "/skills/{name}", "skills:delete", "Delete a skill", (req, p) -> {
            s.skills().delete(p, req.param("name"), ifMatch(req));
            return ApiResponse.noContent();
        });

        r.add("POST", V1 + "/pipelines/validate", "pipelines:read", "Check a pipeline definition without storing it",
                (req, p) -> ApiResponse.ok(validation(s.pipelines().validate(
                        pipelineInput(req)))));
        r.add("POST", V1 + "/pipelines", "pipelines:write",
                "Create a pipeline from YAML (version 1: {\"yaml\"} or {\"definition\"}, or the YAML itself as "
                        + "application/yaml) and deploy it as a state machine",
                (req, p) -> created(s.pipelines().create(p, pipelineInput(req))));
        r.add("GET", V1 + "/pipelines", "pipelines:read", "List pipelines",
                (req, p) -> list(req, cursor -> s.pipelines().list(p, cursor, Cursor.limit(req))
                        .map(Stored::toJson)));
        r.add("GET", V1 + "/pipelines/{pipelineId}", "pipelines:read", "Get a pipeline (head)",
                (req, p) -> ok(s.pipelines().get(p, req.param("pipelineId"))));
        r.add("PUT", V1 + "/pipelines/{pipelineId}", "pipelines:write",
                "Store a new version of a pipeline and deploy it (a published version of its state machine)",
                (req, p) -> ok(s.pipelines().update(p, req.param("pipelineId"), pipelineInput(req), ifMatch(req))));
        r.add("DELETE", V1 + "/pipelines/{pipelineId}", "pipelines:delete", "Delete a pipeline and its versions",
                (req, p) -> {
                    s.pipelines().delete(p, req.param("pipelineId"), ifMatch(req));
                    return ApiResponse.noContent();
                });
        r.add("GET", V1 + "/pipelines/{pipelineId}/versions", "pipelines:read", "List a pipeline's versions",
                (req, p) -> list(req, cursor -> s.pipelines().versions(p, req.param("pipelineId"), cursor,
                        Cursor.limit(req)).map(Stored::toJson)));
        r.add("GET", V1 + "/pipelines/{pipelineId}/versions/{version}", "pipelines:read",
                "Get one version's YAML", (req, p) -> ok(s.pipelines().version(p, req.param("pipelineId"),
                        req.param("version"))));

        // run events (docs/decisions/0600-events-ingest-and-streams.md); live locally as SSE on the API gateway's
        // GET /runs/{runId}/stream, which calls this route
        r.add("GET", V1 + "/runs/{runId}/events", "runs:read",
                "A run's events in order after a sequence number (?after=&limit=); ?wait=1..25 long-polls until one "
                        + "exists. A run without events in your tenant is a 404 (after the wait)",
                (req, p) -> ApiResponse.ok(runEventsJson(IngestComposition.runEvents().read(p, req.param("runId"),
                        req.queryParam("after"), req.queryParam("limit"), req.queryParam("wait"))))
                        .withHeader("Cache-Control", "no-store"));

        r.add("POST", V1 + "/pipelines/{pipelineId}/runs", "runs:create",
                "Start a run of the pipeline's latest version ({\"input\": {...}, \"projectId\"}); 202 with the run",
                (req, p) -> {
                    var run = Composition.runs().start(p, req.param("pipelineId"),
                            Json.read(req.body(), RunService.StartInput.class));
                    return new ApiResponse(202, java.util.Map.of(), Composition.runs().view(p, run.id()));
                });
        r.add("GET", V1 + "/runs", "runs:read", "List runs (?pipelineId=&status= narrow the list)",
                (req, p) -> list(req, cursor -> Composition.runs().list(p, req.queryParam("pipelineId").orElse(null),
                        req.queryParam("status").orElse(null), cursor, Cursor.limit(req))));
        r.add("GET", V1 + "/runs/{runId}", "runs:read",
                "A run: status, steps with timings, outputs, tokens and cost, approvals waiting",
                (req, p) -> ApiResponse.ok(Composition.runs().view(p, req.param("runId"))));
        r.add("POST", V1 + "/runs/{runId}/cancel", "runs:cancel", "Cancel a run (stops its execution)",
                (req, p) -> ApiResponse.ok(Composition.runs().cancel(p, req.param("runId"))));
        r.add("POST", V1 + "/runs/{runId}/retry", "runs:create",
                "Resume a failed run at the failed step; the steps that completed are not run again",
                (req, p) -> new ApiResponse(202, java.util.Map.of(), Composition.runs().retry(p,
                        req.param("runId"))));
        r.add("POST", V1 + "/runs/{runId}/approvals/{stepId}", "runs:approve",
                "Decide the approval a step waits for ({\"decision\": \"approve\"|\"reject\", \"comment\"}); "
                        + "409 when none waits",
                (req, p) -> ApiResponse.ok(Composition.runs().decide(p, req.param("runId"), req.param("stepId"),
                        Json.read(req.body(), RunService.Decision.class))));
        // approvals of runs, both kinds (docs/decisions/0502-tool-approvals-api.md); never a task token
        r.add("GET", V1 + "/runs/{runId}/approvals", "runs:read",
                "The approvals waiting in a run: pipeline approval steps (kind step) and agent steps' dangerous tool "
                        + "calls (kind tool, input with secrets redacted), each with where to decide it",
                (req, p) -> ApiResponse.ok(Composition.runApprovals().pending(p, req.param("runId")))
                        .withHeader("Cache-Control", "no-store"));
        r.add("POST", V1 + "/runs/{runId}/tool-approvals/{approvalId}", "runs:approve",
                "Decide an agent step's tool call waiting for a person ({\"decision\": \"approve\"|\"reject\", "
                        + "\"comment\"}): approved, it runs; rejected, the agent is told. 409 once decided or expired",
                (req, p) -> ApiResponse.ok(Composition.runApprovals().decideTool(p, req.param("runId"),
                        req.param("approvalId"), Json.read(req.body(), dev.skyloom.core.runs.RunApprovals.ToolDecision
                                .class))));

        // swarms (docs/decisions/0700-swarm-scheduling.md "API"); live locally as SSE on the API gateway's
        // GET /swarms/{swarmId}/stream, which calls the events route
        r.add("POST", V1 + "/swarms", "swarms:create",
                "Start a swarm: {\"tasks\": [{key, title, prompt, agent, dependencies, timeoutSeconds, model}]} (or "
                        + "\"goal\" and \"planner\"), maxConcurrent, failurePolicy, globalTimeoutSeconds, budget, "
                        + "projectId; 202 with the swarm, 400 naming every problem",
                (req, p) -> new ApiResponse(202, java.util.Map.of(), Composition.swarms().start(p,
                        Json.read(req.body(), JsonNode.class))));
        r.add("GET", V1 + "/swarms", "swarms:read", "List swarms (?status=&projectId= narrow the list)",
                (req, p) -> list(req, cursor -> Composition.swarms().list(p, req.queryParam("status").orElse(null),
                        req.queryParam("projectId").orElse(null), cursor, Cursor.limit(req))));
        r.add("GET", V1 + "/swarms/{swarmId}", "swarms:read",
                "A swarm: status, task counts, tokens, cost, makespan and the critical path",
                (req, p) -> ApiResponse.ok(Composition.swarms().view(p, req.param("swarmId"))));
        r.add("GET", V1 + "/swarms/{swarmId}/tasks", "swarms:read",
                "A swarm's tasks in request order: status (pending, running, completed, failed, cancelled, skipped), "
                        + "timings, tokens, cost, result",
                (req, p) -> {
                    ObjectNode body = Json.MAPPER.createObjectNode();
                    Composition.swarms().taskList(p, req.param("swarmId")).forEach(body.putArray("items")::add);
                    return ApiResponse.ok(body);
                });
        r.add("POST", V1 + "/swarms/{swarmId}/cancel", "swarms:cancel",
                "Cancel a swarm: its running tasks are stopped and cancelled, the others skipped; 409 when it ended",
                (req, p) -> ApiResponse.ok(Composition.swarms().cancel(p, req.param("swarmId"))));
        r.add("GET", V1 + "/swarms/{swarmId}/events", "swarms:read",
                "A swarm's SWARM_* events in order after a sequence number (?after=&limit=); ?wait=1..25 long-polls",
                (req, p) -> {
                    String swarmId = req.param("swarmId");
                    Composition.swarms().get(p, swarmId); // a 404 outside the caller's tenant
                    return ApiResponse.ok(runEventsJson(IngestComposition.runEvents().read(p,
                            dev.skyloom.core.events.EventStream.Kind.SWARM, swarmId, req.queryParam("after"),
                            req.queryParam("limit"), req.queryParam("wait"), true)))
                            .withHeader("Cache-Control", "no-store");
                });
        return r;
    }

    /** A pipeline definition: JSON {@code {"yaml"}} or {@code {"definition"}}, or the YAML itself. */
    static Pipeline.Input pipelineInput(ApiRequest req) {
        String type = req.header("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
        if (type.startsWith("application/yaml") || type.startsWith("application/x-yaml")
                || type.startsWith("text/yaml") || type.startsWith("text/x-yaml")) {
            return new Pipeline.Input(req.body());
        }
        return Json.read(req.body(), Pipeline.Input.class);
    }

    static ObjectNode runEventsJson(dev.skyloom.core.events.RunEventsService.Page page) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        ArrayNode items = json.putArray("items");
        page.items().forEach(event -> {
            ObjectNode item = items.addObject();
            item.put("seq", event.seq());
            item.put("eventId", event.eventId());
            item.put("type", event.type());
            item.put("source", event.source());
            item.put("time", event.time().toString());
            if (event.stepId() != null) {
                item.put("stepId", event.stepId());
            }
            // RunEventsService has dropped every task token (APPROVAL_REQUIRED, TOOL_APPROVAL_REQUIRED): never shown
            item.set("data", event.data());
        });
        json.put("next", page.next());
        return json;
    }

    private static ObjectNode usageJson(UsageService.Summary summary) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("from", summary.from().toString());
        json.put("to", summary.to().toString());
        json.set("total", dayJson(summary.total()));
        ArrayNode days = json.putArray("days");
        summary.days().forEach(day -> days.add(dayJson(day)));
        json.put("groupBy", summary.groupBy());
        ArrayNode groups = json.putArray("groups");
        summary.groups().forEach(group -> groups.add(dayJson(new UsageDay(null, group.calls(), group.inputTokens(),
                group.outputTokens(), group.costMicroUsd())).put("key", group.key())));
        return json;
    }

    private static ObjectNode dayJson(UsageDay day) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        if (day.day() != null) {
            json.put("day", day.day().toString());
        }
        json.put("calls", day.calls());
        json.put("inputTokens", day.inputTokens());
        json.put("outputTokens", day.outputTokens());
        json.put("costUsd", java.math.BigDecimal.valueOf(day.costMicroUsd(), 6));
        return json;
    }

    private static ApiResponse session(UserService.Session session) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("tokenType", "Bearer");
        json.put("accessToken", session.accessToken());
        json.put("expiresIn", session.expiresIn());
        json.put("refreshToken", session.refreshToken());
        json.set("user", userJson(session.user()));
        return ApiResponse.ok(json).withHeader("Cache-Control", "no-store");
    }

    private static ObjectNode userJson(User user) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", user.userId());
        json.put("tenantId", user.tenant().value());
        json.put("email", user.email());
        if (user.displayName() != null) {
            json.put("displayName", user.displayName());
        }
        ArrayNode roles = json.putArray("roles");
        user.roles().forEach(roles::add);
        json.put("createdAt", user.createdAt().toString());
        return json;
    }

    private static ObjectNode validation(Pipeline.Checked checked) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("valid", checked.problems().isEmpty());
        ArrayNode errors = json.putArray("errors");
        checked.problems().forEach(d -> errors.addObject().put("field", d.field()).put("problem", d.problem()));
        return json;
    }

    private static ObjectNode secretJson(Stored<Secret> stored) {
        ObjectNode json = new Stored<>(stored.id(), stored.version(), stored.createdAt(), stored.updatedAt(),
                stored.doc().view()).toJson();
        json.put("name", stored.id());
        return json;
    }

    private static ApiResponse secret(Stored<Secret> stored) {
        return ApiResponse.ok(secretJson(stored)).withHeader("ETag", stored.etag());
    }

    private static ApiResponse healthResponse(Services s) {
        JsonNode body = s.health().get();
        int status = body.path("status").asText().equals("ok") ? 200 : 503;
        return new ApiResponse(status, java.util.Map.of("Cache-Control", "no-store"), body);
    }

    private static ObjectNode me(Principal p) {
        ObjectNode me = Json.MAPPER.createObjectNode();
        me.put("tenantId", p.tenant().value());
        me.put("userId", p.userId());
        me.put("keyId", p.keyId());
        ArrayNode scopes = me.putArray("scopes");
        p.scopes().stream().sorted().forEach(scopes::add);
        me.put("platformAdmin", p.platformAdmin());
        return me;
    }

    private static ApiResponse createTenant(Services s, ApiRequest req, Principal p) {
        TenantInput input = Json.read(req.body(), TenantInput.class);
        new Check().required("id", input.id()).matches("id", input.id(), java.util.regex.Pattern.compile(
                        "[a-z][a-z0-9-]{0,39}"), "1-40 characters of a-z, 0-9 and '-', starting with a letter")
                .text("name", input.name(), true, 100).orThrow();
        IdentityService.NewKey key = s.identity().createTenant(p, new TenantId(input.id()), input.name());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("tenant", tenantJson(s.identity().tenant(new TenantId(input.id()))));
        ObjectNode adminKey = apiKeyJson(key.key());
        adminKey.put("token", key.token());
        body.set("adminKey", adminKey);
        return ApiResponse.created(body).withHeader("Cache-Control", "no-store");
    }

    private static ApiResponse getTenant(Services s, ApiRequest req, Principal p) {
        String id = req.param("tenantId");
        if (!p.platformAdmin() && !p.tenant().value().equals(id)) {
            throw ApiError.notFound("Tenant " + abbreviate(id));
        }
        TenantId tenant;
        try {
            tenant = new TenantId(id);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound("Tenant " + abbreviate(id));
        }
        return ApiResponse.ok(tenantJson(s.identity().tenant(tenant)));
    }

    private static ApiResponse createApiKey(Services s, ApiRequest req, Principal p) {
        ApiKeyInput input = Json.read(req.body(), ApiKeyInput.class);
        Check check = new Check().text("name", input.name(), true, 100).required("scopes", input.scopes());
        if (input.scopes() != null && (input.scopes().isEmpty() || input.scopes().size() > 50)) {
            check.problem("scopes", "must have 1 to 50 items");
        }
        if (input.scopes() != null && input.scopes().contains(null)) {
            check.problem("scopes", "must not contain null");
        }
        Optional<Instant> expiresAt = Optional.empty();
        if (input.expiresAt() != null) {
            try {
                expiresAt = Optional.of(Instant.parse(input.expiresAt()));
            } catch (DateTimeParseException e) {
                check.problem("expiresAt", "must be an ISO-8601 instant such as 2027-01-31T00:00:00Z");
            }
        }
        check.range("rateLimitPerMinute", input.rateLimitPerMinute(), 1, 100_000).orThrow();
        IdentityService.NewKey key = s.identity().createApiKey(p, input.name(), input.scopes(), expiresAt,
                input.rateLimitPerMinute() == null ? java.util.OptionalInt.empty()
                        : java.util.OptionalInt.of(input.rateLimitPerMinute()));
        ObjectNode body = apiKeyJson(key.key());
        body.put("token", key.token());
        return ApiResponse.created(body).withHeader("Cache-Control", "no-store");
    }

    static ObjectNode apiKeyJson(StoredApiKey key) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("keyId", key.keyId());
        json.put("name", key.name());
        json.put("tenantId", key.tenant().value());
        ArrayNode scopes = json.putArray("scopes");
        key.scopes().forEach(scopes::add);
        json.put("createdAt", key.createdAt().toString());
        key.expiresAt().ifPresent(e -> json.put("expiresAt", e.toString()));
        key.lastUsedAt().ifPresent(e -> json.put("lastUsedAt", e.toString()));
        key.revokedAt().ifPresent(e -> json.put("revokedAt", e.toString()));
        key.rateLimitPerMinute().ifPresent(l -> json.put("rateLimitPerMinute", l));
        return json;
    }

    private static ObjectNode tenantJson(dev.skyloom.core.identity.Tenant tenant) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("id", tenant.id().value());
        json.put("name", tenant.name());
        json.put("status", tenant.status());
        json.put("createdAt", tenant.createdAt().toString());
        return json;
    }

    private static ApiResponse list(ApiRequest req,
                                    Function<Optional<java.util.Map<String, String>>, Page<ObjectNode>> page) {
        Page<ObjectNode> result = page.apply(Cursor.decode(req.queryParam("cursor")));
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("items");
        result.items().forEach(items::add);
        result.next().ifPresent(next -> body.put("nextCursor", Cursor.encode(next)));
        return ApiResponse.ok(body);
    }

    private static ApiResponse ok(Stored<?> stored) {
        return ApiResponse.ok(stored.toJson()).withHeader("ETag", stored.etag());
    }

    private static ApiResponse created(Stored<?> stored) {
        return ApiResponse.created(stored.toJson()).withHeader("ETag", stored.etag());
    }

    private static java.util.OptionalLong ifMatch(ApiRequest req) {
        return Documents.ifMatch(req.header("If-Match"));
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
