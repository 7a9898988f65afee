package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.resources.Project.Role;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Projects of a tenant: CRUD with optimistic locking, their members, and the members' roles (decision 0300): a
 * viewer reads the project and its board, an editor also writes tasks, an owner also changes the project, its
 * members, and deletes it. A principal bound by project roles ({@link Principal#boundByProjectRoles()}) that is not
 * a member does not see the project at all (404, as for another tenant's project); a member whose role is too low
 * gets a 403 that names the role needed.
 */
public final class ProjectService {
    static final String COLLECTION = "PROJECT";
    /** Tasks deleted per page when a project is deleted. */
    static final int DELETE_PAGE = 100;
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");
    private final Documents<Project> documents;
    private final DocumentStore store;
    private final Clock clock;

    public ProjectService(DocumentStore store, Clock clock) {
        this.documents = new Documents<>(store, clock, "Project", Project.class);
        this.store = store;
        this.clock = clock;
    }

    public Stored<Project> create(Principal caller, Project.Input input) {
        input.validate();
        Project project = new Project(input.name(), input.description(), input.boardOrDefault(),
                List.of(new Project.Member(caller.userId(), "owner")));
        return documents.create(caller.tenant(), COLLECTION, Documents.newId("prj_"), project);
    }

    public Stored<Project> get(Principal caller, String id) {
        return require(caller, id, Role.VIEWER, "read it");
    }

    /**
     * The live project if the caller holds at least {@code needed} in it: 404 when it does not exist, is being
     * deleted, or the caller (bound by project roles) is not a member; 403 naming the role when it is too low.
     */
    public Stored<Project> require(Principal caller, String id, Role needed, String action) {
        Stored<Project> project = documents.find(caller.tenant(), COLLECTION, id)
                .filter(p -> p.doc().deletingSince() == null)
                .orElseThrow(() -> ApiError.notFound("Project " + Documents.abbreviate(id)));
        checkRole(caller, id, project.doc(), needed, action);
        return project;
    }

    private static void checkRole(Principal caller, String id, Project project, Role needed, String action) {
        if (!caller.boundByProjectRoles()) {
            return;
        }
        Role role = project.roleOf(caller.userId())
                .orElseThrow(() -> ApiError.notFound("Project " + Documents.abbreviate(id)));
        if (role.compareTo(needed) < 0) {
            throw ApiError.forbidden("Your role in project " + id + " is " + role.label() + "; to " + action
                    + " you need " + (needed == Role.OWNER ? "owner" : needed.label() + " or owner"));
        }
    }

    /**
     * A page of the projects the caller may see: all live ones for a principal not bound by project roles, else
     * those it is a member of (a page may then hold fewer than {@code limit} items; follow {@code nextCursor}).
     */
    public Page<Stored<Project>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        Page<Stored<Project>> page = documents.list(caller.tenant(), COLLECTION, cursor, limit);
        return new Page<>(page.items().stream()
                .filter(p -> p.doc().deletingSince() == null)
                .filter(p -> !caller.boundByProjectRoles() || p.doc().roleOf(caller.userId()).isPresent())
                .toList(), page.next());
    }

    public Stored<Project> replace(Principal caller, String id, Project.Input input, OptionalLong ifMatch) {
        require(caller, id, Role.OWNER, "change the project");
        input.validate();
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
            requireLive(id, current);
            checkRole(caller, id, current, Role.OWNER, "change the project");
            return new Project(input.name(), input.description(),
                    input.board() == null ? current.board() : input.boardOrDefault(), current.members());
        });
    }

    /**
     * Deletes the project with its tasks and memberships. First the project is marked deleting (a version-checked
     * write): from then on it is a 404 everywhere, and a task create racing with the delete fails, because creates
     * are conditioned on the project's version. Then its tasks are deleted page by page, then the project. A crash
     * midway leaves a hidden project that the next {@code DELETE} of it finishes.
     */
    public void delete(Principal caller, String id, OptionalLong ifMatch) {
        Stored<Project> project = documents.get(caller.tenant(), COLLECTION, id);
        boolean resuming = project.doc().deletingSince() != null;
        checkRole(caller, id, project.doc(), Role.OWNER, "delete the project");
        if (!resuming) {
            project = documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
                requireLive(id, current);
                return new Project(current.name(), current.description(), current.board(), current.members(),
                        clock.instant().toString());
            });
        }
        String tasks = TaskService.collection(id);
        while (true) {
            Page<dev.skyloom.core.store.Versioned> page = store.list(caller.tenant(), tasks, Optional.empty(),
                    DELETE_PAGE);
            if (page.items().isEmpty()) {
                break;
            }
            page.items().forEach(task -> store.delete(caller.tenant(), tasks, task.id(), OptionalLong.empty()));
        }
        store.delete(caller.tenant(), COLLECTION, id, OptionalLong.of(project.version()));
    }

    public Stored<Project> putMember(Principal caller, String id, String userId, Project.MemberInput input,
                                     OptionalLong ifMatch) {
        if (!USER_ID.matcher(userId).matches()) {
            throw ApiError.invalidField("userId", "must be 1-100 characters of letters, digits, '.', '_', '@', '-'");
        }
        require(caller, id, Role.OWNER, "manage members");
        input.validate();
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
            requireLive(id, current);
            checkRole(caller, id, current, Role.OWNER, "manage members");
            List<Project.Member> members = new ArrayList<>(current.members());
            members.removeIf(m -> m.userId().equals(userId));
            members.add(new Project.Member(userId, input.role()));
            requireOwner(members);
            return new Project(current.name(), current.description(), current.board(), members);
        });
    }

    public Stored<Project> removeMember(Principal caller, String id, String userId, OptionalLong ifMatch) {
        require(caller, id, Role.OWNER, "manage members");
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
            requireLive(id, current);
            checkRole(caller, id, current, Role.OWNER, "manage members");
            List<Project.Member> members = new ArrayList<>(current.members());
            if (!members.removeIf(m -> m.userId().equals(userId))) {
                throw ApiError.notFound("Member " + Documents.abbreviate(userId) + " of project " + id);
            }
            requireOwner(members);
            return new Project(current.name(), current.description(), current.board(), members);
        });
    }

    private static void requireLive(String id, Project project) {
        if (project.deletingSince() != null) {
            throw ApiError.notFound("Project " + id);
        }
    }

    private static void requireOwner(List<Project.Member> members) {
        if (members.stream().noneMatch(m -> m.role().equals("owner"))) {
            throw ApiError.conflict("A project keeps at least one owner");
        }
    }
}
