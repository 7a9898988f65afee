package dev.skyloom.core.resources;

import java.util.List;

/**
 * A project: its board (columns a task moves through, work types) and its members with roles.
 *
 * @param deletingSince set when a delete began: the project is no longer live (a 404 everywhere) while its tasks are
 *                      removed; absent on live projects
 */
public record Project(String name, String description, Board board, List<Member> members, String deletingSince) {
    public static final List<String> ROLES = List.of("owner", "editor", "viewer");
    public static final Board DEFAULT_BOARD = new Board(List.of("backlog", "todo", "in-progress", "review", "done"),
            List.of("feature", "bug", "chore"));

    public Project {
        members = members == null ? List.of() : List.copyOf(members);
    }

    public Project(String name, String description, Board board, List<Member> members) {
        this(name, description, board, members, null);
    }

    /** A member's role; later ones include the earlier ones. */
    public enum Role {
        VIEWER, EDITOR, OWNER;

        public static Role of(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The role of {@code userId} in this project, if a member. */
    public java.util.Optional<Role> roleOf(String userId) {
        return members.stream().filter(m -> m.userId().equals(userId)).findFirst().map(m -> Role.of(m.role()));
    }

    public record Board(List<String> columns, List<String> workTypes) {
    }

    public record Member(String userId, String role) {
    }

    /** The body of {@code POST /projects} and {@code PUT /projects/{id}}. */
    public record Input(String name, String description, Board board) {
        public void validate() {
            Check check = new Check().text("name", name, true, 100).text("description", description, false, 4000);
            if (board != null) {
                check.required("board.columns", board.columns());
                check.list("board.columns", board.columns(), 20, Check.SLUG,
                        "1-64 characters of a-z, 0-9, '_' and '-'");
                if (board.columns() != null && board.columns().isEmpty()) {
                    check.problem("board.columns", "must have at least one column");
                }
                check.list("board.workTypes", board.workTypes(), 20, Check.SLUG,
                        "1-64 characters of a-z, 0-9, '_' and '-'");
            }
            check.orThrow();
        }

        Board boardOrDefault() {
            if (board == null) {
                return DEFAULT_BOARD;
            }
            return new Board(board.columns(), board.workTypes() == null ? List.of() : board.workTypes());
        }
    }

    /** The body of {@code PUT /projects/{id}/members/{userId}}. */
    public record MemberInput(String role) {
        public void validate() {
            new Check().required("role", role).oneOf("role", role, ROLES).orThrow();
        }
    }
}
