package dev.skyloom.core.resources;

import dev.skyloom.core.api.ApiError;
import dev.skyloom.core.api.Page;
import dev.skyloom.core.identity.Principal;
import dev.skyloom.core.store.DocumentStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/** Projects of a tenant: CRUD with optimistic locking, and their members. */
public final class ProjectService {
    static final String COLLECTION = "PROJECT";
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");
    private final Documents<Project> documents;
    private final DocumentStore store;

    public ProjectService(DocumentStore store, Clock clock) {
        this.documents = new Documents<>(store, clock, "Project", Project.class);
        this.store = store;
    }

    public Stored<Project> create(Principal caller, Project.Input input) {
        input.validate();
        Project project = new Project(input.name(), input.description(), input.boardOrDefault(),
                List.of(new Project.Member(caller.userId(), "owner")));
        return documents.create(caller.tenant(), COLLECTION, Documents.newId("prj_"), project);
    }

    public Stored<Project> get(Principal caller, String id) {
        return documents.get(caller.tenant(), COLLECTION, id);
    }

    public Page<Stored<Project>> list(Principal caller, Optional<Map<String, String>> cursor, int limit) {
        return documents.list(caller.tenant(), COLLECTION, cursor, limit);
    }

    public Stored<Project> replace(Principal caller, String id, Project.Input input, OptionalLong ifMatch) {
        input.validate();
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch,
                current -> new Project(input.name(), input.description(),
                        input.board() == null ? current.board() : input.boardOrDefault(), current.members()));
    }

    /** Deletes an empty project; a project with tasks on its board is a 409 (delete the tasks first). */
    public void delete(Principal caller, String id, OptionalLong ifMatch) {
        get(caller, id);
        if (!store.list(caller.tenant(), TaskService.collection(id), Optional.empty(), 1).items().isEmpty()) {
            throw ApiError.conflict("Project " + id + " still has tasks on its board; delete them first");
        }
        documents.delete(caller.tenant(), COLLECTION, id, ifMatch);
    }

    public Stored<Project> putMember(Principal caller, String id, String userId, Project.MemberInput input,
                                     OptionalLong ifMatch) {
        if (!USER_ID.matcher(userId).matches()) {
            throw ApiError.invalidField("userId", "must be 1-100 characters of letters, digits, '.', '_', '@', '-'");
        }
        input.validate();
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
            List<Project.Member> members = new ArrayList<>(current.members());
            members.removeIf(m -> m.userId().equals(userId));
            members.add(new Project.Member(userId, input.role()));
            requireOwner(members);
            return new Project(current.name(), current.description(), current.board(), members);
        });
    }

    public Stored<Project> removeMember(Principal caller, String id, String userId, OptionalLong ifMatch) {
        return documents.update(caller.tenant(), COLLECTION, id, ifMatch, current -> {
            List<Project.Member> members = new ArrayList<>(current.members());
            if (!members.removeIf(m -> m.userId().equals(userId))) {
                throw ApiError.notFound("Member " + Documents.abbreviate(userId) + " of project " + id);
            }
            requireOwner(members);
            return new Project(current.name(), current.description(), current.board(), members);
        });
    }

    private static void requireOwner(List<Project.Member> members) {
        if (members.stream().noneMatch(m -> m.role().equals("owner"))) {
            throw ApiError.conflict("A project keeps at least one owner");
        }
    }
}
