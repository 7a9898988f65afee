package dev.skyloom.core.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A step's input: text with {@code {{...}}} references to the run's input, earlier steps' results, the loop's item
 * and a person's feedback. Parsing is separate from rendering: {@link CrossReferences} checks what a reference names,
 * {@link AslWriter} renders the parts as one JSONata expression.
 */
record Template(List<Part> parts) {
    private static final Pattern REF = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*|[0-9]{1,6}");
    static final String VARIABLES = "run.input[.field...], steps.<id>.output, steps.<id>.outputs[.<field>], "
            + "steps.<id>.result, steps.<id>.text, loop.item[.field...], loop.index, human.feedback, human.decision";

    sealed interface Part permits Text, Ref {
    }

    record Text(String text) implements Part {
    }

    /**
     * A reference.
     *
     * @param root {@code run}, {@code steps}, {@code loop} or {@code human}
     * @param step the step of a {@code steps} reference
     * @param path what follows the root (and the step id): {@code [input, topic]}, {@code [outputs, files]}
     * @param raw  as written, with the braces
     */
    record Ref(String root, String step, List<String> path, String raw) implements Part {
    }

    /** Thrown by {@link #parse} with a message that says what a reference may be. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses; each problem is one string in {@code problems} (the template is still returned, without that part). */
    static Template parse(String text, List<String> problems) {
        List<Part> parts = new ArrayList<>();
        Matcher m = REF.matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                parts.add(new Text(text.substring(at, m.start())));
            }
            try {
                parts.add(ref(m.group(1).strip(), m.group()));
            } catch (Invalid e) {
                problems.add(e.getMessage());
            }
            at = m.end();
        }
        String rest = text.substring(at);
        if (rest.contains("{{")) {
            problems.add("\"" + YamlTree.abbreviate(rest.substring(rest.indexOf("{{")), 40)
                    + "\" opens a reference that is never closed with }}");
        }
        if (!rest.isEmpty()) {
            parts.add(new Text(rest));
        }
        return new Template(List.copyOf(parts));
    }

    private static Ref ref(String expr, String raw) throws Invalid {
        String[] segments = expr.split("\\.", -1);
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new Invalid(raw + " is not a reference; references are: " + VARIABLES);
            }
        }
        List<String> rest = List.of(segments).subList(1, segments.length);
        switch (segments[0]) {
            case "run" -> {
                if (rest.isEmpty() || !rest.getFirst().equals("input")) {
                    throw new Invalid(raw + ": the run offers run.input (and its fields)");
                }
                return new Ref("run", null, rest, raw);
            }
            case "steps" -> {
                if (rest.size() < 2) {
                    throw new Invalid(raw + ": name a step and what of it: steps.<id>.output, steps.<id>.outputs."
                            + "<field>, steps.<id>.result or steps.<id>.text");
                }
                String what = rest.get(1);
                boolean ok = switch (what) {
                    case "output", "result", "text" -> rest.size() == 2 || what.equals("output");
                    case "outputs" -> true;
                    default -> false;
                };
                if (!ok) {
                    throw new Invalid(raw + ": a step offers output, outputs[.<field>], result and text");
                }
                return new Ref("steps", rest.getFirst(), rest.subList(1, rest.size()), raw);
            }
            case "loop" -> {
                if (rest.isEmpty() || !(rest.getFirst().equals("item") || rest.getFirst().equals("index")
                        && rest.size() == 1)) {
                    throw new Invalid(raw + ": a loop offers loop.item (and its fields) and loop.index");
                }
                return new Ref("loop", null, rest, raw);
            }
            case "human" -> {
                if (rest.size() != 1 || !(rest.getFirst().equals("feedback") || rest.getFirst().equals("decision"))) {
                    throw new Invalid(raw + ": an approval offers human.feedback and human.decision");
                }
                return new Ref("human", null, rest, raw);
            }
            default -> throw new Invalid(raw + " is not a reference; references are: " + VARIABLES);
        }
    }

    List<Ref> refs() {
        return parts.stream().filter(Ref.class::isInstance).map(Ref.class::cast).toList();
    }

    /** A single reference and nothing else (loop.over, whole-value parameters). */
    boolean isSingleRef() {
        return parts.size() == 1 && parts.getFirst() instanceof Ref;
    }
}
